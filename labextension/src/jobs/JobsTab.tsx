import React, { useCallback, useEffect, useState } from 'react';

import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import type { IOpenRunArgs } from '../actions';
import { Job, listJobs } from '../api';
import { pollingSeconds, usePolledList } from '../hooks/usePolledList';
import { isRecentActivity } from '../model';
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
  /** When code was last run in a notebook or console (epoch ms; 0: never). */
  activityAt?: number;
  /** Open a job's MLflow run in the main area. */
  onOpenRun?: (args: IOpenRunArgs) => void;
}

/**
 * The refresh interval of the jobs list in seconds (0: none): every
 * `ACTIVE_REFRESH_SECONDS` while a job is active or `recentActivity` (code
 * was just run: a job it submits must show up within seconds), else
 * `refreshInterval`.
 */
export function jobsRefreshSeconds(
  jobs: readonly Job[],
  refreshInterval: number,
  recentActivity = false
): number {
  return pollingSeconds(
    jobs,
    isActiveJob,
    refreshInterval,
    ACTIVE_REFRESH_SECONDS,
    recentActivity
  );
}

/**
 * The Jobs tab: training jobs, newest first, with a status filter; each
 * job expands to the live tail of its log. The list refreshes every 5 s
 * while a job is active or just after code was run in a notebook (else
 * every `refreshInterval` seconds), while the tab is shown.
 */
export function JobsTab(props: IJobsTabProps): JSX.Element {
  const { refreshInterval, active, onOpenRun } = props;
  const activityAt = props.activityAt ?? 0;
  const limit = props.limit ?? DEFAULT_JOBS_LIMIT;
  const [filter, setFilter] = useState<JobFilter>('all');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [now, setNow] = useState(() => Date.now() / 1000);

  const {
    items: jobs,
    clear,
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
    refreshSeconds: list =>
      jobsRefreshSeconds(
        list,
        refreshInterval,
        isRecentActivity(activityAt, Date.now())
      ),
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

      <Section
        label="jobs"
        loading={jobs === null}
        error={error}
        empty={jobs !== null && count === 0}
        emptyMessage={emptyJobsMessage(filter)}
        onRetry={reload}
      >
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
      </Section>
    </section>
  );
}
