/**
 * Specs of the version comparison's charts: one bar chart per metric, a bar
 * per version (oldest first), from the shared chart specs.
 */
import { VersionMetrics } from '../api';
import { ChartSpec, metricBarsSpec } from '../charts/specs';

/**
 * The label of a version on the charts' axes (`v3`).
 */
export function versionLabel(version: Pick<VersionMetrics, 'version'>): string {
  return `v${version.version}`;
}

/**
 * The chart of one metric across versions: bars from zero ([0, 1] for
 * scores, so that 0.995 against 0.992 is not a cliff), the best version
 * highlighted, a version without the metric keeping its empty place, and
 * tooltips with the version's aliases.
 */
export function versionMetricSpec(
  metric: string,
  versions: readonly VersionMetrics[]
): ChartSpec {
  return metricBarsSpec({
    metric,
    category: 'Version',
    bars: versions.map(version => ({
      label: versionLabel(version),
      value: version.metrics?.[metric] ?? null,
      detail: (version.aliases ?? []).join(', ')
    }))
  });
}
