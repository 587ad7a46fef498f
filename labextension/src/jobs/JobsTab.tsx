import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useCallback, useEffect, useRef, useState } from 'react';

import { ErrorMessage, Loading } from '../components/ErrorMessage';
import type { IOpenRunArgs } from '../components/VersionItem';
import { IJob, listJobs } from '../compute';
import { useRequest } from '../hooks/useRequest';
import {
  ACTIVE_REFRESH_SECONDS,
  emptyJobsMessage,
  filterStatuses,
  isActiveJob,
  JOB_FILTERS,
  JobFilter
} from './helpers';
import { JobItem } from './JobItem';

/**
 * Number of jobs listed when no page size is given.
 */
export const DEFAULT_JOBS_LIMIT = 50;

/**
 * Properties of `JobsTab`.
 */
export interface IJobsTabProps {
  /** Maximal number of jobs listed (sent as `limit`). */
  limit?: number;
  /** Auto-refresh interval in seconds; 0 to disable (but see below). */
  refreshInterval: number;
  /** Whether the tab is shown (polling only runs while it is). */
  active: boolean;
  /** Open a job's MLflow run in the main area. */
  onOpenRun?: (args: IOpenRunArgs) => void;
}

/**
 * The refresh interval of the jobs list in seconds (0: none): every
 * `ACTIVE_REFRESH_SECONDS` while a job is active, else `refreshInterval`.
 */
export function jobsRefreshSeconds(
  jobs: readonly IJob[],
  refreshInterval: number
): number {
  if (jobs.some(isActiveJob)) {
    return refreshInterval > 0
      ? Math.min(ACTIVE_REFRESH_SECONDS, refreshInterval)
      : ACTIVE_REFRESH_SECONDS;
  }
  return refreshInterval > 0 ? refreshInterval : 0;
}

/**
 * The Jobs tab: training jobs, newest first, with a status filter; each
 * job expands to the live tail of its log. The list refreshes every 2 s
 * while a job is active (else every `refreshInterval` seconds), while the
 * tab is shown.
 */
export function JobsTab(props: IJobsTabProps): JSX.Element {
  const { refreshInterval, active, onOpenRun } = props;
  const limit = props.limit ?? DEFAULT_JOBS_LIMIT;
  const [filter, setFilter] = useState<JobFilter>('all');
  const [jobs, setJobs] = useState<IJob[] | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [now, setNow] = useState(() => Date.now() / 1000);

  const request = useRequest(
    signal =>
      listJobs({ limit, status: filterStatuses(filter), signal }).then(
        response => (Array.isArray(response.jobs) ? response.jobs : [])
      ),
    [limit, filter],
    received => {
      setJobs(received);
      setNow(Date.now() / 1000);
    }
  );
  const { loading, error, reload } = request;
  const loadingRef = useRef(loading);
  loadingRef.current = loading;

  // A new filter shows the loading state rather than the previous list.
  const changeFilter = (value: JobFilter): void => {
    if (value !== filter) {
      setJobs(null);
      setFilter(value);
    }
  };

  const interval = jobsRefreshSeconds(jobs ?? [], refreshInterval);
  useEffect(() => {
    if (!active || !(interval > 0)) {
      return;
    }
    const handle = window.setInterval(() => {
      if (document.visibilityState === 'hidden' || loadingRef.current) {
        return;
      }
      reload();
    }, interval * 1000);
    return () => window.clearInterval(handle);
  }, [active, interval, reload]);

  // Tick the running durations every second.
  const anyActive = (jobs ?? []).some(isActiveJob);
  useEffect(() => {
    if (!active || !anyActive) {
      return;
    }
    setNow(Date.now() / 1000);
    const handle = window.setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => window.clearInterval(handle);
  }, [active, anyActive]);

  const toggle = useCallback((id: string): void => {
    setExpanded(previous => {
      const next = new Set(previous);
      if (next.has(id)) {
        next.delete(id);
      } else {
        next.add(id);
      }
      return next;
    });
  }, []);

  const updateJob = useCallback(
    (job: IJob): void => {
      setJobs(previous =>
        previous === null
          ? previous
          : previous.map(item =>
              item.id === job.id ? { ...item, ...job } : item
            )
      );
      reload();
    },
    [reload]
  );

  const list = jobs ?? [];
  const count = list.length;

  return (
    <section className="maestro-section maestro-jobs" aria-label="Jobs">
      <div className="maestro-section-header">
        <span className="maestro-job-count" aria-live="polite">
          {jobs !== null
            ? `${count}${count >= limit ? '+' : ''} ${count === 1 ? 'job' : 'jobs'}`
            : ''}
        </span>
        <div className="maestro-section-tools">
          {interval > 0 && active && (
            <span
              className="maestro-auto-refresh"
              title={`Refreshes every ${interval} s while shown`}
            >
              {`auto ${interval} s`}
            </span>
          )}
          <label className="maestro-filter-label">
            <span className="maestro-visually-hidden">Show</span>
            <select
              className="maestro-select maestro-job-filter"
              aria-label="Filter jobs by status"
              value={filter}
              onChange={event => changeFilter(event.target.value as JobFilter)}
            >
              {JOB_FILTERS.map(option => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="maestro-icon-button"
            aria-label="Refresh"
            title="Refresh"
            onClick={reload}
          >
            <refreshIcon.react tag="span" elementSize="normal" />
          </button>
        </div>
      </div>

      {jobs === null && loading && <Loading text="Loading jobs…" />}

      {error !== null && <ErrorMessage message={error} onRetry={reload} />}

      {jobs !== null && count === 0 && error === null && (
        <div className="maestro-empty" role="status">
          {emptyJobsMessage(filter)}
        </div>
      )}

      {count > 0 && (
        <ul className="maestro-job-list" aria-label="Training jobs">
          {list.map(job => (
            <JobItem
              key={job.id}
              job={job}
              now={now}
              expanded={expanded.has(job.id)}
              onToggle={toggle}
              active={active}
              onJobChanged={updateJob}
              onOpenRun={onOpenRun}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
