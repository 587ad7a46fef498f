import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import { compareVersions } from '../api';
import { ErrorMessage, Loading } from '../components/ErrorMessage';
import { useRequest } from '../hooks/useRequest';
import { defaultCompareMetrics, orderMetrics } from '../metrics';
import { CompareCharts } from './CompareChart';
import { CompareTable } from './CompareTable';
import { comparisonCSV, csvFileName, downloadText } from './csv';

/**
 * Id of the comparison widget of a model (`maestro-compare-<name>`;
 * whitespace, which ids may not contain, becomes `_`).
 */
export function compareWidgetId(name: string): string {
  return `maestro-compare-${name.replace(/\s/g, '_')}`;
}

/**
 * Properties of `CompareView`.
 */
export interface ICompareViewProps {
  /** Model name. */
  name: string;
  /** Initially chosen metrics (default: the key metrics and training time). */
  metrics?: string[];
}

/**
 * The version comparison of a model: metric picker, small-multiple charts,
 * table and CSV export. All metrics are loaded once (one `compare` call);
 * choosing metrics does not call the server again.
 */
export function CompareView(props: ICompareViewProps): JSX.Element {
  const { name } = props;
  const [chosen, setChosen] = useState<string[] | null>(props.metrics ?? null);
  const {
    value: comparison,
    loading,
    error,
    reload
  } = useRequest(
    signal => compareVersions(name, { signal }),
    [name],
    result => {
      // Keep the chosen metrics that still exist; default when none is left.
      setChosen(previous => {
        const available = result.available_metrics ?? [];
        const kept = (previous ?? []).filter(metric =>
          available.includes(metric)
        );
        return previous === null || kept.length === 0
          ? defaultCompareMetrics(available)
          : kept;
      });
    }
  );

  const available = orderMetrics(comparison?.available_metrics ?? []);
  const metrics = orderMetrics(chosen ?? []).filter(metric =>
    available.includes(metric)
  );
  const versions = comparison?.versions ?? [];

  const toggleMetric = (metric: string, on: boolean): void => {
    setChosen(previous => {
      const current = previous ?? [];
      return on
        ? [...current.filter(item => item !== metric), metric]
        : current.filter(item => item !== metric);
    });
  };

  const exportCSV = (): void => {
    if (comparison) {
      downloadText(comparisonCSV(comparison, metrics), csvFileName(name));
    }
  };

  return (
    <div className="maestro-compare-view">
      <div className="maestro-compare-header">
        <h2 className="maestro-compare-title">
          {'Compare versions of '}
          <span className="maestro-compare-name">{name}</span>
        </h2>
        <div className="maestro-compare-tools">
          <button
            type="button"
            className="maestro-icon-button maestro-compare-refresh"
            aria-label="Refresh comparison"
            title="Refresh"
            onClick={reload}
            disabled={loading}
          >
            <refreshIcon.react tag="span" elementSize="normal" />
          </button>
          <button
            type="button"
            className="maestro-button maestro-export-csv"
            onClick={exportCSV}
            disabled={comparison === null || versions.length === 0}
            title={`Download ${csvFileName(name)}`}
          >
            Export CSV
          </button>
        </div>
      </div>

      {loading && comparison === null && (
        <Loading text="Loading the comparison…" />
      )}
      {error !== null && <ErrorMessage message={error} onRetry={reload} />}

      {comparison !== null && versions.length === 0 && (
        <p className="maestro-compare-empty" role="status">
          This model has no versions.
        </p>
      )}

      {comparison !== null && versions.length > 0 && (
        <>
          {available.length === 0 ? (
            <p className="maestro-compare-empty" role="status">
              No metrics were recorded for the versions of this model.
            </p>
          ) : (
            <fieldset className="maestro-metric-picker">
              <legend>Metrics</legend>
              {available.map(metric => (
                <label
                  key={metric}
                  className="maestro-metric-option"
                  data-metric={metric}
                >
                  <input
                    type="checkbox"
                    name="metric"
                    value={metric}
                    checked={metrics.includes(metric)}
                    onChange={event =>
                      toggleMetric(metric, event.target.checked)
                    }
                  />
                  {metric}
                </label>
              ))}
            </fieldset>
          )}
          {available.length > 0 && metrics.length === 0 && (
            <p className="maestro-compare-empty" role="status">
              Choose metrics to compare.
            </p>
          )}
          {metrics.length > 0 && (
            <CompareCharts metrics={metrics} versions={versions} />
          )}
          <CompareTable name={name} metrics={metrics} versions={versions} />
        </>
      )}
    </div>
  );
}
