import { refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { getRun, RunDetail, RunSummary } from '../api';
import { Section } from '../components/Section';
import { formatDate, formatDuration, formatRelativeTime } from '../format';
import { useRequest } from '../hooks/useRequest';
import { mlflowRunURL, mlflowVersionURL } from '../mlflow';
import { Artifacts } from './Artifacts';
import { KeyValueTable } from './KeyValueTable';
import { MetricHistories } from './MetricHistories';

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
 * How a run's source reads: `Notebook train.ipynb`, `Job job-1a2b`.
 */
export function sourceText(
  source: RunDetail['source'] | undefined
): string | null {
  if (!source) {
    return null;
  }
  const kind =
    source.type.charAt(0).toUpperCase() + source.type.slice(1).toLowerCase();
  const name =
    source.type === 'JOB' && source.job_id ? source.job_id : source.name;
  return name ? `${kind} · ${name}` : kind;
}

/**
 * A run: its summary first (name, experiment, status, start, duration,
 * source, user, MLflow link), then learning curves for the metrics logged
 * at several steps and a table of the others, params, tags and artifacts.
 */
export function RunView(props: IRunViewProps): JSX.Element {
  const { runId, name, version, mlflowUiUrl } = props;
  const {
    value: run,
    loading,
    error,
    reload
  } = useRequest<RunDetail>(
    signal => getRun(runId, signal),
    [runId],
    props.onLoaded
  );

  const runLink =
    run !== null
      ? run.mlflow_url ||
        mlflowRunURL(mlflowUiUrl, run.experiment_id, run.run_id)
      : null;
  const versionLink =
    name && version ? mlflowVersionURL(mlflowUiUrl, name, version) : null;
  const started = formatDate(run?.start_time);
  const source = sourceText(run?.source);

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

      <Section
        label="the run"
        loading={loading && run === null}
        error={error}
        onRetry={reload}
      >
        {run !== null && (
          <>
            <dl className="maestro-run-summary">
              <SummaryItem
                label="Experiment"
                value={run.experiment_name || `Experiment ${run.experiment_id}`}
              />
              <div className="maestro-run-summary-item">
                <dt>Status</dt>
                <dd>
                  <span
                    className="maestro-run-status"
                    data-status={run.status.toLowerCase()}
                  >
                    {run.status}
                  </span>
                </dd>
              </div>
              {started && run.start_time && (
                <div className="maestro-run-summary-item">
                  <dt>Started</dt>
                  <dd>
                    <time
                      dateTime={new Date(run.start_time).toISOString()}
                      title={started.full}
                    >
                      {formatRelativeTime(run.start_time)}
                    </time>
                  </dd>
                </div>
              )}
              <SummaryItem
                label="Duration"
                value={formatDuration(run.duration_seconds)}
              />
              {source && (
                <SummaryItem
                  label="Source"
                  value={source}
                  title={
                    run.source?.git_commit
                      ? `Commit ${run.source.git_commit}`
                      : undefined
                  }
                />
              )}
              {run.user && <SummaryItem label="User" value={run.user} />}
              <SummaryItem label="Run ID" value={run.run_id} code />
            </dl>
            <MetricHistories run={run} />
            <KeyValueTable
              id="params"
              title="Parameters"
              entries={Object.entries(run.params ?? {})}
            />
            <KeyValueTable
              id="tags"
              title="Tags"
              entries={Object.entries(run.tags ?? {})}
            />
            <Artifacts runId={run.run_id} />
          </>
        )}
      </Section>
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
  title?: string;
}): JSX.Element {
  return (
    <div className="maestro-run-summary-item">
      <dt>{props.label}</dt>
      <dd
        className={props.code ? 'maestro-code' : undefined}
        title={props.title}
      >
        {props.value}
      </dd>
    </div>
  );
}
