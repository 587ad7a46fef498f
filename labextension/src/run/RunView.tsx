import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useId } from 'react';

import { getRun, RunSummary } from '../api';
import { ErrorMessage, Loading } from '../components/ErrorMessage';
import { formatDate, formatDuration } from '../format';
import { useRequest } from '../hooks/useRequest';
import { formatMetric } from '../metrics';
import { mlflowRunURL, mlflowVersionURL } from '../mlflow';

/**
 * What a run widget shows.
 */
export interface IRunWidgetOptions {
  runId: string;
  /** The model version the run produced, if opened from one. */
  name?: string;
  version?: string;
}

/**
 * Id of the widget of a run (`maestro-run-<run id>`).
 */
export function runWidgetId(runId: string): string {
  return `maestro-run-${runId}`;
}

/**
 * Properties of `RunView`.
 */
export interface IRunViewProps extends IRunWidgetOptions {
  /** MLflow UI base URL; empty to hide the MLflow links. */
  mlflowUiUrl: string;
  /** Called once the run is loaded (e.g. to update the tab title). */
  onLoaded?: (run: RunSummary) => void;
}

/**
 * A run: summary, parameters, metrics and tags, and MLflow links when an
 * MLflow UI URL is known.
 */
export function RunView(props: IRunViewProps): JSX.Element {
  const { runId, name, version, mlflowUiUrl } = props;
  const {
    value: run,
    loading,
    error,
    reload
  } = useRequest(signal => getRun(runId, signal), [runId], props.onLoaded);

  const runLink =
    run !== null
      ? mlflowRunURL(mlflowUiUrl, run.experiment_id, run.run_id)
      : null;
  const versionLink =
    name && version ? mlflowVersionURL(mlflowUiUrl, name, version) : null;
  const started = formatDate(run?.start_time);

  return (
    <div className="maestro-run-view">
      <div className="maestro-run-header">
        <h2 className="maestro-run-title">{run?.run_name || `Run ${runId}`}</h2>
        <button
          type="button"
          className="maestro-icon-button maestro-run-refresh"
          aria-label="Refresh run"
          title="Refresh"
          onClick={reload}
          disabled={loading}
        >
          <refreshIcon.react tag="span" elementSize="normal" />
        </button>
      </div>

      {name && version && (
        <p className="maestro-run-source">
          {'Source run of '}
          <span className="maestro-run-model">{name}</span>
          {` v${version}`}
        </p>
      )}

      {(runLink || versionLink) && (
        <div className="maestro-run-links">
          {runLink && (
            <a
              className="maestro-mlflow-link maestro-mlflow-run-link"
              href={runLink}
              target="_blank"
              rel="noopener noreferrer"
              title="Open this run in the MLflow UI"
            >
              Open in MLflow
            </a>
          )}
          {versionLink && (
            <a
              className="maestro-mlflow-link maestro-mlflow-version-link"
              href={versionLink}
              target="_blank"
              rel="noopener noreferrer"
              title={`Open ${name} version ${version} in the MLflow UI`}
            >
              {`Open v${version} in MLflow`}
            </a>
          )}
        </div>
      )}

      {loading && run === null && <Loading text="Loading the run…" />}
      {error !== null && <ErrorMessage message={error} onRetry={reload} />}

      {run !== null && (
        <>
          <dl className="maestro-run-summary">
            <SummaryItem label="Run ID" value={run.run_id} code />
            <SummaryItem label="Status" value={run.status} />
            <SummaryItem label="Experiment" value={run.experiment_id} code />
            {run.user && <SummaryItem label="User" value={run.user} />}
            {started && <SummaryItem label="Started" value={started.full} />}
            <SummaryItem
              label="Duration"
              value={formatDuration(run.duration_seconds)}
            />
          </dl>
          <KeyValueSection
            id="params"
            title="Parameters"
            entries={Object.entries(run.params ?? {})}
          />
          <KeyValueSection
            id="metrics"
            title="Metrics"
            entries={Object.entries(run.metrics ?? {}).map(
              ([key, value]): [string, string] => [key, formatMetric(value)]
            )}
            titles={run.metrics}
            numeric
          />
          <KeyValueSection
            id="tags"
            title="Tags"
            entries={Object.entries(run.tags ?? {})}
          />
        </>
      )}
    </div>
  );
}

/**
 * One item of the run summary.
 */
function SummaryItem(props: {
  label: string;
  value: string;
  code?: boolean;
}): JSX.Element {
  return (
    <div className="maestro-run-summary-item">
      <dt>{props.label}</dt>
      <dd className={props.code ? 'maestro-code' : undefined}>{props.value}</dd>
    </div>
  );
}

/**
 * A titled two-column table (params, metrics or tags), sorted by key.
 */
function KeyValueSection(props: {
  id: string;
  title: string;
  entries: [string, string][];
  /** Full values shown as tooltips (metrics). */
  titles?: { [key: string]: number };
  numeric?: boolean;
}): JSX.Element {
  const entries = [...props.entries].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0
  );
  const headingId = useId();
  return (
    <section
      className={`maestro-run-section maestro-run-${props.id}`}
      data-section={props.id}
      aria-labelledby={headingId}
    >
      <h3 id={headingId} className="maestro-run-section-title">
        {`${props.title} (${entries.length})`}
      </h3>
      {entries.length === 0 ? (
        <p className="maestro-run-none">None</p>
      ) : (
        <table className="maestro-run-table">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key} data-key={key}>
                <th scope="row">{key}</th>
                <td
                  className={props.numeric ? 'maestro-number' : undefined}
                  title={
                    props.titles && key in props.titles
                      ? String(props.titles[key])
                      : undefined
                  }
                >
                  {value}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
