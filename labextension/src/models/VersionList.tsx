import React, {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState
} from 'react';

import {
  compareVersions,
  downloadURL,
  getModel,
  ModelDetail,
  ModelSummary,
  VersionComparison
} from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { Section } from '../components/Section';
import { errorMessage, isAbortError, metricDecimals } from '../format';
import { pickKeyMetrics } from '../metrics';
import { IVersionFeatures, VersionItem } from './VersionItem';

/**
 * Number of versions shown at first, and added by "Show more versions".
 */
export const VERSIONS_PAGE = 20;

/**
 * Metrics of a model's versions, from one `compare` call.
 */
export interface IVersionMetricsIndex {
  /** The metrics shown for each version. */
  keyMetrics: string[];
  /** Version -> metric -> value. */
  byVersion: Map<string, { [metric: string]: number | null }>;
  /** Version -> the features its run trained on (only versions that recorded them). */
  features?: Map<string, IVersionFeatures>;
}

/**
 * Index the metrics of a comparison by version and pick the key metrics.
 */
export function indexMetrics(
  comparison: VersionComparison
): IVersionMetricsIndex {
  const byVersion = new Map<string, { [metric: string]: number | null }>();
  const features = new Map<string, IVersionFeatures>();
  for (const item of comparison.versions ?? []) {
    byVersion.set(String(item.version), item.metrics ?? {});
    // The feature lineage rides along with the metrics (no request per version).
    const used = item.features;
    if (used) {
      features.set(String(item.version), used);
    }
  }
  const available =
    comparison.available_metrics ?? comparison.metrics ?? ([] as string[]);
  return { keyMetrics: pickKeyMetrics(available), byVersion, features };
}

/**
 * Properties of `VersionList`.
 */
export interface IVersionListProps {
  /** Model name. */
  name: string;
  /** Changing it reloads the versions and their metrics. */
  reloadKey: number;
  /** Called with the model's new summary after it was reloaded. */
  onModelChanged: (summary: ModelSummary) => void;
  /** Id of the list (for the toggle's `aria-controls`). */
  id?: string;
}

/**
 * The decimals of each key metric's column: every version shows a metric
 * with the same decimals (`0.9580` above `0.9674`).
 */
export function columnDecimals(index: IVersionMetricsIndex | null): {
  [metric: string]: number;
} {
  const decimals: { [metric: string]: number } = {};
  if (index === null) {
    return decimals;
  }
  for (const metric of index.keyMetrics) {
    decimals[metric] = metricDecimals(
      [...index.byVersion.values()].map(values => values[metric])
    );
  }
  return decimals;
}

/**
 * The versions of an expanded model (newest first), with their key metrics
 * (from ONE `compare` call for all versions) and actions.
 */
export function VersionList(props: IVersionListProps): JSX.Element {
  const { name, reloadKey, onModelChanged } = props;
  const [detail, setDetail] = useState<ModelDetail | null>(null);
  const [metrics, setMetrics] = useState<IVersionMetricsIndex | null>(null);
  const [metricsError, setMetricsError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [shown, setShown] = useState(VERSIONS_PAGE);
  const controller = useRef<AbortController | null>(null);
  const onModelChangedRef = useRef(onModelChanged);
  onModelChangedRef.current = onModelChanged;

  const applyDetail = useCallback((model: ModelDetail): void => {
    setDetail({ ...model, versions: model.versions ?? [] });
    // The list shows the summary fields only.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { versions, ...summary } = model;
    onModelChangedRef.current(summary);
  }, []);

  /** Load the versions and, when `withMetrics`, their metrics. */
  const load = useCallback(
    async (withMetrics: boolean): Promise<void> => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      const { signal } = current;
      setLoading(true);
      setError(null);
      const model = getModel(name, signal);
      // The metrics are optional: their failure is kept, not thrown.
      const comparison: Promise<VersionComparison | Error | null> = withMetrics
        ? compareVersions(name, { signal }).catch((reason: unknown) =>
            reason instanceof Error ? reason : new Error(String(reason))
          )
        : Promise.resolve(null);
      try {
        const [modelResult, comparisonResult] = await Promise.all([
          model,
          comparison
        ]);
        if (signal.aborted) {
          return;
        }
        applyDetail(modelResult);
        if (comparisonResult instanceof Error) {
          if (!isAbortError(comparisonResult)) {
            setMetricsError(errorMessage(comparisonResult));
          }
        } else if (comparisonResult !== null) {
          setMetrics(indexMetrics(comparisonResult));
          setMetricsError(null);
        }
      } catch (reason) {
        if (!signal.aborted) {
          setError(errorMessage(reason));
        }
      } finally {
        if (controller.current === current) {
          controller.current = null;
          setLoading(false);
        }
      }
    },
    [name, applyDetail]
  );

  // Load on mount, and reload everything when `reloadKey` changes.
  useEffect(() => {
    void load(true);
  }, [load, reloadKey]);

  useEffect(
    () => () => {
      controller.current?.abort();
      controller.current = null;
    },
    []
  );

  const decimals = useMemo(() => columnDecimals(metrics), [metrics]);

  /** After an alias change: reload the versions (metrics are unchanged). */
  const reloadVersions = async (): Promise<void> => {
    const model = await getModel(name);
    applyDetail(model);
  };

  const retry = (): void => void load(true);
  const versions = detail?.versions ?? [];
  return (
    <div className="maestro-versions" id={props.id} aria-busy={loading}>
      {/* A failed reload keeps the versions shown, with the error above. */}
      {detail !== null && error !== null && (
        <ErrorMessage message={error} onRetry={retry} />
      )}
      {metricsError !== null && (
        <p className="maestro-versions-note">
          {`Metrics unavailable: ${metricsError}`}
        </p>
      )}
      <Section
        label="versions"
        loading={detail === null && error === null}
        error={detail === null ? error : null}
        onRetry={retry}
        empty={detail !== null && versions.length === 0}
        emptyMessage="No versions registered."
      >
        <ul className="maestro-version-list" aria-label={`Versions of ${name}`}>
          {versions.slice(0, shown).map(version => (
            <VersionItem
              key={version.version}
              name={name}
              version={version}
              keyMetrics={metrics?.keyMetrics ?? []}
              metrics={metrics?.byVersion.get(String(version.version))}
              decimals={decimals}
              features={metrics?.features?.get(String(version.version))}
              modelAliases={detail?.aliases}
              downloadUrl={downloadURL(name, String(version.version))}
              onAliasesChanged={reloadVersions}
            />
          ))}
        </ul>
      </Section>
      {versions.length > shown && (
        <button
          type="button"
          className="maestro-button maestro-versions-more"
          onClick={() => setShown(shown + VERSIONS_PAGE)}
        >
          {`Show more versions (${versions.length - shown} more)`}
        </button>
      )}
    </div>
  );
}
