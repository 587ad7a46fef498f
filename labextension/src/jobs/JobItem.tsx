import { caretRightIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useId, useRef, useState } from 'react';

import { confirmAction } from '../components/confirm';
import { ErrorMessage } from '../components/ErrorMessage';
import type { IOpenRunArgs } from '../actions';
import { cancelJob, Job } from '../api';
import { errorMessage } from '../format';
import {
  formatEpochSeconds,
  formatJobDuration,
  isActiveJob,
  jobSourceLabel,
  jobStatusClass,
  resourcesSummary,
  showsReason
} from './helpers';
import { JobLog } from './JobLog';

/**
 * Properties of `JobItem`.
 */
export interface IJobItemProps {
  job: Job;
  /** Current time in seconds since the epoch (for running durations). */
  now: number;
  expanded: boolean;
  onToggle: (id: string) => void;
  /** Whether the tab is shown (the log is only followed while it is). */
  active: boolean;
  /** Called with the job returned by a cancellation. */
  onJobChanged: (job: Job) => void;
  /** Open the job's MLflow run; the run id is plain text without it. */
  onOpenRun?: (args: IOpenRunArgs) => void;
}

/**
 * One training job: status, name, id, user, duration, resources, MLflow
 * experiment and run, reason and exit code; a Cancel button while active.
 * Clicking its header expands it to the live tail of its log.
 */
export function JobItem(props: IJobItemProps): JSX.Element {
  const { job, now, expanded, onOpenRun } = props;
  const logId = useId();
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mounted = useRef(true);

  useEffect(
    () => () => {
      mounted.current = false;
    },
    []
  );

  const cancel = async (): Promise<void> => {
    const confirmed = await confirmAction({
      title: `Cancel job ${job.name || job.id}?`,
      body:
        `The job ${job.id} is ${job.status || 'running'}: cancelling stops its process now and ` +
        'what it has not logged or saved is lost. It cannot be resumed.',
      accept: 'Cancel job'
    });
    if (!confirmed || !mounted.current) {
      return;
    }
    setCancelling(true);
    setError(null);
    try {
      const updated = await cancelJob(job.id);
      props.onJobChanged(updated);
    } catch (reason) {
      if (mounted.current) {
        setError(errorMessage(reason));
      }
    } finally {
      if (mounted.current) {
        setCancelling(false);
      }
    }
  };

  const active = isActiveJob(job);
  const duration = formatJobDuration(job, now);
  const resources = resourcesSummary(job.resources);
  const created = formatEpochSeconds(job.created_at);
  const params = Object.entries(job.params ?? {});
  const status = job.status || 'unknown';
  const hasExitCode = typeof job.exit_code === 'number';

  return (
    <li
      className={`maestro-job${expanded ? ' maestro-mod-expanded' : ''}`}
      data-job-id={job.id}
      data-status={status}
    >
      <div
        className="maestro-job-header"
        onClick={() => props.onToggle(job.id)}
        title={expanded ? 'Hide the log' : 'Show the log'}
      >
        <button
          type="button"
          className="maestro-model-toggle maestro-job-toggle"
          aria-expanded={expanded}
          aria-controls={expanded ? logId : undefined}
          aria-label={`Log of job ${job.name || job.id}`}
        >
          <caretRightIcon.react tag="span" elementSize="small" />
        </button>
        <span className={jobStatusClass(status)} data-status={status}>
          {status}
        </span>
        <span className="maestro-job-name" title={job.name}>
          {job.name || job.id}
        </span>
        {duration && (
          <span
            className="maestro-job-duration"
            title={
              active
                ? `Running for ${duration}`
                : `Ran for ${duration}${
                    job.finished_at
                      ? `, finished ${formatEpochSeconds(job.finished_at)}`
                      : ''
                  }`
            }
          >
            {duration}
          </span>
        )}
      </div>

      <div className="maestro-job-meta">
        <span className="maestro-job-id maestro-code" title="Job id">
          {job.id}
        </span>
        {job.user && (
          <span className="maestro-job-user" title="User">
            {job.user}
          </span>
        )}
        <span className="maestro-job-source" title={job.source}>
          {jobSourceLabel(job)}
        </span>
        {job.backend && (
          <span className="maestro-job-backend" title="Compute backend">
            {job.backend}
          </span>
        )}
        {resources && (
          <span className="maestro-job-resources" title="Requested resources">
            {resources}
          </span>
        )}
        {created && (
          <span className="maestro-job-created" title={`Created ${created}`}>
            {created}
          </span>
        )}
      </div>

      {(job.experiment || job.run_id) && (
        <div className="maestro-job-mlflow">
          {job.experiment && (
            <span
              className="maestro-job-experiment"
              title={
                job.experiment_id
                  ? `Experiment ${job.experiment} (id ${job.experiment_id})`
                  : `Experiment ${job.experiment}`
              }
            >
              {job.experiment}
            </span>
          )}
          {job.run_id &&
            (onOpenRun ? (
              <button
                type="button"
                className="maestro-job-run maestro-link-button"
                title={`Open run ${job.run_id}`}
                onClick={() => onOpenRun({ runId: job.run_id as string })}
              >
                {`run ${job.run_id.slice(0, 8)}`}
              </button>
            ) : (
              <span
                className="maestro-job-run maestro-code"
                title={`Run ${job.run_id}`}
              >
                {`run ${job.run_id.slice(0, 8)}`}
              </span>
            ))}
        </div>
      )}

      {params.length > 0 && (
        <div className="maestro-job-params" aria-label="Parameters">
          {params.map(([key, value]) => (
            <span
              key={key}
              className="maestro-job-param"
              title={`${key}=${value}`}
            >
              {`${key}=${value}`}
            </span>
          ))}
        </div>
      )}

      {(showsReason(job) || hasExitCode) && (
        <div className="maestro-job-outcome">
          {hasExitCode && (
            <span
              className="maestro-job-exit-code"
              data-exit-code={job.exit_code}
            >
              {`exit code ${job.exit_code}`}
            </span>
          )}
          {showsReason(job) && (
            <span className="maestro-job-reason">{job.reason}</span>
          )}
        </div>
      )}

      {active && (
        <div className="maestro-job-actions">
          <button
            type="button"
            className="maestro-action maestro-job-cancel"
            title={`Cancel job ${job.id}`}
            disabled={cancelling || job.status === 'cancelling'}
            onClick={() => void cancel()}
          >
            Cancel
          </button>
        </div>
      )}

      {error !== null && <ErrorMessage message={error} />}

      {expanded && <JobLog id={logId} jobId={job.id} active={props.active} />}
    </li>
  );
}
