/** `training/jobs`: training jobs and their logs. */
import { requestAPI } from './request';
import type { Job, JobList, JobLogs } from './types';

/**
 * Status of a training job (`queued`, `starting`, `running` and
 * `cancelling` are active; `succeeded`, `failed`, `cancelled` and `lost`
 * are final), as the contract types it.
 */
export type JobStatus = Job['status'];

/**
 * What a job runs: `script`, `notebook` or `cell`.
 */
export type JobKind = Job['kind'];

/**
 * The statuses of a job that is still going on.
 */
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = [
  'queued',
  'starting',
  'running',
  'cancelling'
];

/**
 * The statuses of a job that is over.
 */
export const FINAL_JOB_STATUSES: readonly JobStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'lost'
];

/**
 * Options of `listJobs`.
 */
export interface IListJobsOptions {
  /** Maximal number of jobs (sent as `limit`). */
  limit?: number;
  /** Only jobs with one of these statuses (sent comma-separated). */
  status?: readonly string[];
  /** Only the jobs of this user. */
  user?: string;
  signal?: AbortSignal;
}

/**
 * Which part of a job's log to get: from a byte `offset`, or its last
 * `tail` bytes.
 */
export interface IJobLogsOptions {
  offset?: number;
  tail?: number;
  signal?: AbortSignal;
}

/**
 * Path of a job's endpoint, with the id URL-encoded.
 */
export function jobPath(id: string, ...rest: string[]): string {
  return ['training', 'jobs', encodeURIComponent(id), ...rest].join('/');
}

/**
 * Query string (with its leading `?`, or empty) of `GET training/jobs`.
 */
export function listJobsQuery(options: IListJobsOptions = {}): string {
  const params = new URLSearchParams();
  if (options.limit !== undefined) {
    params.set('limit', String(options.limit));
  }
  if (options.status && options.status.length > 0) {
    params.set('status', options.status.join(','));
  }
  if (options.user) {
    params.set('user', options.user);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/**
 * List training jobs, newest first.
 */
export function listJobs(options: IListJobsOptions = {}): Promise<JobList> {
  return requestAPI<JobList>(`training/jobs${listJobsQuery(options)}`, {
    method: 'GET',
    signal: options.signal
  });
}

/**
 * Get one training job.
 */
export function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return requestAPI<Job>(jobPath(id), { method: 'GET', signal });
}

/**
 * Cancel a training job; returns the job (usually `cancelling` or
 * `cancelled`).
 */
export function cancelJob(id: string): Promise<Job> {
  return requestAPI<Job>(jobPath(id, 'cancel'), {
    method: 'POST',
    body: JSON.stringify({})
  });
}

/**
 * Get a chunk of a job's log: from `offset` (default 0), or its last `tail`
 * bytes.
 */
export function getJobLogs(
  id: string,
  options: IJobLogsOptions = {}
): Promise<JobLogs> {
  const params = new URLSearchParams();
  if (options.tail !== undefined) {
    params.set('tail', String(options.tail));
  } else {
    params.set('offset', String(options.offset ?? 0));
  }
  return requestAPI<JobLogs>(`${jobPath(id, 'logs')}?${params}`, {
    method: 'GET',
    signal: options.signal
  });
}
