import React, { useMemo } from 'react';

import { VersionMetrics } from '../api';
import { VegaChart } from '../charts/VegaChart';
import { versionMetricSpec } from './chart';

/**
 * Properties of `MetricChart`.
 */
export interface IMetricChartProps {
  metric: string;
  /** Versions, oldest first. */
  versions: readonly VersionMetrics[];
}

/**
 * A small bar chart of one metric across versions (Vega-Lite), with
 * tooltips and the best version highlighted.
 */
export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { metric, versions } = props;
  const spec = useMemo(
    () => versionMetricSpec(metric, versions),
    [metric, versions]
  );
  return (
    <figure className="maestro-chart" data-metric={metric}>
      <figcaption className="maestro-chart-title" title={metric}>
        {metric}
      </figcaption>
      <VegaChart spec={spec} label={`${metric} by version`} />
    </figure>
  );
}

/**
 * Small multiples: one chart per chosen metric.
 */
export function CompareCharts(props: {
  metrics: readonly string[];
  versions: readonly VersionMetrics[];
}): JSX.Element {
  return (
    <div className="maestro-charts">
      {props.metrics.map(metric => (
        <MetricChart key={metric} metric={metric} versions={props.versions} />
      ))}
    </div>
  );
}
