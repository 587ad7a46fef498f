/**
 * REST client of Maestro's compute endpoints: training jobs and model
 * deployments (relative to `{baseUrl}maestro/api/v1/`).
 */
import { requestAPI } from './api';

/**
 * Status of a training job. `queued`, `starting`, `running` and
 * `cancelling` are active; the others are final.
 */
export type JobStatus =
  | 'queued'
  | 'starting'
  | 'running'
  | 'cancelling'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'lost';

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
 * What a job runs.
 */
export type JobKind = 'script' | 'notebook' | 'cell';

/**
 * Resources requested by a job or a deployment (`null`: the backend's
 * default).
 */
export interface IComputeResources {
  cpus: number | null;
  memory: string | null;
  gpus: number;
  workers: number;
}

/**
 * A training job, as returned by `GET training/jobs/{id}`.
 */
export interface IJob {
  id: string;
  name: string;
  status: JobStatus;
  user: string;
  project: string;
  backend: string;
  kind: JobKind;
  /** Path of the script or notebook, or the code of a cell. */
  source: string;
  params: { [key: string]: string };
  resources: IComputeResources;
  /** MLflow experiment name and id, and the job's run. */
  experiment: string | null;
  experiment_id: string | null;
  run_id: string | null;
  /** Seconds since the epoch. */
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  exit_code: number | null;
  /** Why the job failed, was cancelled or lost (may be empty). */
  reason: string;
  cpu_seconds: number | null;
  peak_memory_mb: number | null;
  duration_seconds: number | null;
}

/**
 * Response body of `GET training/jobs`.
 */
export interface IListJobsResponse {
  /** Newest first. */
  jobs: IJob[];
}

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
 * A chunk of a job's log, as returned by `GET training/jobs/{id}/logs`.
 */
export interface IJobLogChunk {
  job_id: string;
  /** Byte offset of `text` in the log. */
  offset: number;
  /** Offset to ask for next to follow the log. */
  next_offset: number;
  text: string;
  /** Whether the log is over (the job finished and all was read). */
  complete: boolean;
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
 * Status of a deployment. `starting`, `ready`, `updating` and `degraded`
 * are active; `failed` and `stopped` are final.
 */
export type DeploymentStatus =
  'starting' | 'ready' | 'updating' | 'degraded' | 'failed' | 'stopped';

/**
 * The statuses of a deployment that is (meant to be) serving.
 */
export const ACTIVE_DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = [
  'starting',
  'ready',
  'updating',
  'degraded'
];

/**
 * One replica of a deployment.
 */
export interface IDeploymentInstance {
  name: string;
  status: string;
  url: string | null;
  pid: number | null;
}

/**
 * A model deployment, as returned by `GET deployments`.
 */
export interface IDeployment {
  id: string;
  model: string;
  version: string;
  alias: string | null;
  status: DeploymentStatus;
  user: string;
  project: string;
  backend: string;
  /** Desired number of replicas. */
  replicas: number;
  ready_replicas: number;
  /**
   * Path of the REST prediction endpoint relative to the server's base URL,
   * e.g. `maestro/api/v1/deployments/churn-champion/predict`.
   */
  endpoint: string;
  /** Direct URL of the serving process, when it has one. */
  url: string | null;
  resources: Partial<IComputeResources> | null;
  /** Seconds since the epoch. */
  created_at: number;
  updated_at: number;
  /** Why the deployment failed or is degraded (may be empty). */
  reason: string;
  instances: IDeploymentInstance[];
}

/**
 * Response body of `GET deployments`.
 */
export interface IListDeploymentsResponse {
  deployments: IDeployment[];
}

/**
 * Options of `listDeployments`.
 */
export interface IListDeploymentsOptions {
  /** Include the stopped and failed deployments (sent as `all=1`). */
  all?: boolean;
  signal?: AbortSignal;
}

/**
 * Response body of `POST deployments/{id}/predict`.
 */
export interface IPredictResponse {
  deployment: string;
  model: string;
  version: string;
  predictions: unknown;
  /** The replica that answered. */
  replica: string | null;
  latency_ms: number | null;
}

/**
 * Path of a job's endpoint, with the id URL-encoded.
 */
export function jobPath(id: string, ...rest: string[]): string {
  return ['training', 'jobs', encodeURIComponent(id), ...rest].join('/');
}

/**
 * Path of a deployment's endpoint, with the id URL-encoded.
 */
export function deploymentPath(id: string, ...rest: string[]): string {
  return ['deployments', encodeURIComponent(id), ...rest].join('/');
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
export function listJobs(
  options: IListJobsOptions = {}
): Promise<IListJobsResponse> {
  return requestAPI<IListJobsResponse>(
    `training/jobs${listJobsQuery(options)}`,
    { method: 'GET', signal: options.signal }
  );
}

/**
 * Get one training job.
 */
export function getJob(id: string, signal?: AbortSignal): Promise<IJob> {
  return requestAPI<IJob>(jobPath(id), { method: 'GET', signal });
}

/**
 * Cancel a training job; returns the job (usually `cancelling` or
 * `cancelled`).
 */
export function cancelJob(id: string): Promise<IJob> {
  return requestAPI<IJob>(jobPath(id, 'cancel'), {
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
): Promise<IJobLogChunk> {
  const params = new URLSearchParams();
  if (options.tail !== undefined) {
    params.set('tail', String(options.tail));
  } else {
    params.set('offset', String(options.offset ?? 0));
  }
  return requestAPI<IJobLogChunk>(`${jobPath(id, 'logs')}?${params}`, {
    method: 'GET',
    signal: options.signal
  });
}

/**
 * List deployments (the active ones, or all with `all`).
 */
export function listDeployments(
  options: IListDeploymentsOptions = {}
): Promise<IListDeploymentsResponse> {
  return requestAPI<IListDeploymentsResponse>(
    options.all ? 'deployments?all=1' : 'deployments',
    { method: 'GET', signal: options.signal }
  );
}

/**
 * Scale a deployment to a number of replicas; returns the deployment.
 */
export function scaleDeployment(
  id: string,
  replicas: number
): Promise<IDeployment> {
  return requestAPI<IDeployment>(deploymentPath(id), {
    method: 'PATCH',
    body: JSON.stringify({ replicas })
  });
}

/**
 * Stop and delete a deployment; returns it (now `stopped`).
 */
export function deleteDeployment(id: string): Promise<IDeployment> {
  return requestAPI<IDeployment>(deploymentPath(id), { method: 'DELETE' });
}

/**
 * Score data with a deployment. `payload` is MLflow's scoring JSON, e.g.
 * `{"dataframe_records": [...]}`, `{"dataframe_split": {...}}` or
 * `{"inputs": ...}`.
 *
 * @throws {MaestroAPIError} with the serving process's message on a bad
 *   input (400).
 */
export function predict(
  id: string,
  payload: unknown,
  signal?: AbortSignal
): Promise<IPredictResponse> {
  return requestAPI<IPredictResponse>(deploymentPath(id, 'predict'), {
    method: 'POST',
    body: JSON.stringify(payload),
    signal
  });
}
