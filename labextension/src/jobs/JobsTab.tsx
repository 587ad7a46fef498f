import React, { useCallback, useEffect, useState } from 'react';

import { ErrorMessage, Loading } from '../components/ErrorMessage';
import { SectionTools } from '../components/SectionTools';
import type { IOpenRunArgs } from '../components/VersionItem';
import { Job, listJobs } from '../api';
import { pollingSeconds, usePolledList } from '../hooks/usePolledList';
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
  jobs: readonly Job[],
  refreshInterval: number
): number {
  return pollingSeconds(
    jobs,
    isActiveJob,
    refreshInterval,
    ACTIVE_REFRESH_SECONDS
  );
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
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [now, setNow] = useState(() => Date.now() / 1000);

  const {
    items: jobs,
    clear,
    loading,
    error,
    reload,
    interval,
    update: updateJob
  } = usePolledList({
    fetch: signal =>
      listJobs({ limit, status: filterStatuses(filter), signal }).then(
        response => (Array.isArray(response.jobs) ? response.jobs : [])
      ),
    deps: [limit, filter],
    refreshSeconds: list => jobsRefreshSeconds(list, refreshInterval),
    active,
    onLoaded: () => setNow(Date.now() / 1000)
  });

  // A new filter shows the loading state rather than the previous list.
  const changeFilter = (value: JobFilter): void => {
    if (value !== filter) {
      clear();
      setFilter(value);
    }
  };

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
        <SectionTools autoRefresh={active ? interval : 0} onRefresh={reload}>
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
        </SectionTools>
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
