/** `runs`: MLflow runs. */
import { ServerConnection } from '@jupyterlab/services';

import { apiURL, requestAPI } from './request';
import type {
  ArtifactFile,
  ArtifactList,
  ArtifactPreview,
  ExperimentPage,
  MetricHistories,
  MetricHistory,
  MetricPoint,
  RunComparison,
  RunPage,
  RunSource,
  RunSummary
} from './types';

/**
 * Get an MLflow run with its metrics, params and tags.
 */
export function getRun(
  runId: string,
  signal?: AbortSignal
): Promise<RunSummary> {
  return requestAPI<RunSummary>(`runs/${encodeURIComponent(runId)}`, {
    method: 'GET',
    signal
  });
}

/**
 * Options of `listExperiments`.
 */
export interface IListExperimentsOptions {
  /** Part of the experiment name, case-insensitive; empty for all. */
  search?: string;
  /** Page size sent as `max_results`. */
  maxResults?: number;
  /** `next_page_token` of the previous page. */
  pageToken?: string | null;
  signal?: AbortSignal;
}

/**
 * One page of the active experiments, most recently updated first.
 */
export function listExperiments(
  options: IListExperimentsOptions = {}
): Promise<ExperimentPage> {
  const query = new URLSearchParams();
  if (options.search) {
    query.set('search', options.search);
  }
  if (options.maxResults !== undefined) {
    query.set('max_results', String(options.maxResults));
  }
  if (options.pageToken) {
    query.set('page_token', options.pageToken);
  }
  const qs = query.toString();
  return requestAPI<ExperimentPage>(`experiments${qs ? `?${qs}` : ''}`, {
    method: 'GET',
    signal: options.signal
  });
}

/**
 * Options of `listRuns`.
 */
export interface IListRunsOptions {
  /** MLflow's run search syntax, e.g. `metrics.accuracy > 0.9`. */
  filter?: string;
  /** Clauses such as `metrics.accuracy DESC` (default: newest first). */
  orderBy?: readonly string[];
  /** Page size sent as `max_results`. */
  maxResults?: number;
  /** `next_page_token` of the previous page. */
  pageToken?: string | null;
  signal?: AbortSignal;
}

/**
 * One page of the runs of an experiment (by name or id), with their metrics,
 * params and tags.
 */
export function listRuns(
  experiment: string,
  options: IListRunsOptions = {}
): Promise<RunPage> {
  const query = new URLSearchParams();
  if (options.filter) {
    query.set('filter', options.filter);
  }
  for (const clause of options.orderBy ?? []) {
    query.append('order_by', clause);
  }
  if (options.maxResults !== undefined) {
    query.set('max_results', String(options.maxResults));
  }
  if (options.pageToken) {
    query.set('page_token', options.pageToken);
  }
  const qs = query.toString();
  return requestAPI<RunPage>(
    `experiments/${encodeURIComponent(experiment)}/runs${qs ? `?${qs}` : ''}`,
    { method: 'GET', signal: options.signal }
  );
}

// Run details (the run view and the runs comparison): metric histories, artifacts, runs side by side.

/** A run as the run view reads it (the summary has its experiment's name, source and MLflow link). */
export type RunDetail = RunSummary;
/** Where a run came from. */
export type IRunSource = RunSource;
/** One logged value of a metric (`value` is null for a NaN). */
export type IMetricPoint = MetricPoint;
/** A metric's history in a run, downsampled by the server to `max_points`. */
export type IMetricHistory = MetricHistory;
/** Histories of several runs and keys (`GET /runs/metrics/history`). */
export type IMetricHistories = MetricHistories;
/** A file or folder of a run's artifacts. */
export type IArtifactFile = ArtifactFile;
/** The files and folders directly under `path` of a run's artifacts. */
export type IArtifactList = ArtifactList;
/** What the run view shows of one artifact. */
export type IArtifactPreview = ArtifactPreview;

/** Default number of points of a history (the server's default too). */
export const HISTORY_MAX_POINTS = 1000;

/**
 * The history of one metric of a run (learning curve), at most `maxPoints` points.
 */
export function getMetricHistory(
  runId: string,
  key: string,
  options: { maxPoints?: number; signal?: AbortSignal } = {}
): Promise<IMetricHistory> {
  const maxPoints = options.maxPoints ?? HISTORY_MAX_POINTS;
  return requestAPI<IMetricHistory>(
    `runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(key)}/history?max_points=${maxPoints}`,
    { method: 'GET', signal: options.signal }
  );
}

/**
 * Histories of metrics `keys` of several runs (overlaid learning curves): one series per run and key.
 */
export function getMetricHistories(
  runIds: readonly string[],
  keys: readonly string[],
  options: { maxPoints?: number; signal?: AbortSignal } = {}
): Promise<IMetricHistories> {
  const query = new URLSearchParams();
  runIds.forEach(id => query.append('run_ids', id));
  keys.forEach(key => query.append('keys', key));
  query.set('max_points', String(options.maxPoints ?? 500));
  return requestAPI<IMetricHistories>(`runs/metrics/history?${query}`, {
    method: 'GET',
    signal: options.signal
  });
}

/**
 * Runs side by side (`GET /runs/compare`): 2 to 100 runs.
 */
export function compareRuns(
  runIds: readonly string[],
  signal?: AbortSignal
): Promise<RunComparison> {
  const query = new URLSearchParams();
  runIds.forEach(id => query.append('run_ids', id));
  return requestAPI<RunComparison>(`runs/compare?${query}`, {
    method: 'GET',
    signal
  });
}

/**
 * The files and folders directly under `path` ('' for the root) of a run's artifacts.
 */
export function listArtifacts(
  runId: string,
  path = '',
  signal?: AbortSignal
): Promise<IArtifactList> {
  // The root is the parameter left out: the server refuses an empty value (as for every query parameter).
  const query = new URLSearchParams(path ? { path } : {});
  return requestAPI<IArtifactList>(
    `runs/${encodeURIComponent(runId)}/artifacts?${query}`,
    { method: 'GET', signal }
  );
}

/**
 * A preview of one artifact file: text, an image, a table, or only its size.
 */
export function getArtifactPreview(
  runId: string,
  path: string,
  signal?: AbortSignal
): Promise<IArtifactPreview> {
  const query = new URLSearchParams({ path });
  return requestAPI<IArtifactPreview>(
    `runs/${encodeURIComponent(runId)}/artifacts/preview?${query}`,
    { method: 'GET', signal }
  );
}

/**
 * The URL that downloads one artifact file (a plain link: a GET needs no XSRF token, and the browser sends
 * Jupyter's cookie with it).
 */
export function artifactDownloadURL(
  runId: string,
  path: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  const query = new URLSearchParams({ path });
  return apiURL(
    `runs/${encodeURIComponent(runId)}/artifacts/download?${query}`,
    settings
  );
}
