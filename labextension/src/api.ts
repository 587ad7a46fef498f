import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * Path (relative to the Jupyter server base URL) of the Maestro REST API.
 */
export const API_NAMESPACE = 'maestro/api/v1';

/**
 * A registered model, as returned by `GET models`.
 */
export interface IModelSummary {
  name: string;
  description: string;
  tags: { [key: string]: string };
  /** Alias name -> version string. */
  aliases: { [alias: string]: string };
  latest_version: string | null;
  /** Milliseconds since the epoch. */
  creation_timestamp: number;
  /** Milliseconds since the epoch. */
  last_updated_timestamp: number;
}

/** Alias matching the REST contract's name. */
export type ModelSummary = IModelSummary;

/**
 * Response body of `GET models`.
 */
export interface IListModelsResponse {
  models: IModelSummary[];
  next_page_token: string | null;
}

/** Alias matching the REST contract's name. */
export type ListModelsResponse = IListModelsResponse;

/**
 * Response body of `GET info`.
 */
export interface IMaestroInfo {
  version: string;
  user: string;
  tracking_uri: string;
  compute: string;
  project?: string;
  mlflow_ui_url: string | null;
}

/**
 * A model version, as listed in `GET models/{name}` (newest first).
 */
export interface IModelVersion {
  name: string;
  version: string;
  /** Aliases pointing at this version. */
  aliases: string[];
  status: string;
  status_message: string | null;
  description: string;
  /** Milliseconds since the epoch. */
  creation_timestamp: number;
  /** Milliseconds since the epoch. */
  last_updated_timestamp: number;
  run_id: string | null;
  source: string;
  tags: { [key: string]: string };
}

/**
 * Response body of `GET models/{name}`: the summary and every version.
 */
export interface IModelDetail extends IModelSummary {
  versions: IModelVersion[];
}

/**
 * An MLflow run, as returned by `GET runs/{run_id}`.
 */
export interface IRunSummary {
  run_id: string;
  run_name: string;
  experiment_id: string;
  status: string;
  /** Milliseconds since the epoch. */
  start_time: number | null;
  /** Milliseconds since the epoch. */
  end_time: number | null;
  duration_seconds: number | null;
  user: string;
  metrics: { [key: string]: number };
  params: { [key: string]: string };
  tags: { [key: string]: string };
}

/**
 * Input or output column of a model signature.
 */
export interface ISignatureColumn {
  name?: string;
  type?: string;
  [key: string]: unknown;
}

/**
 * Response body of `GET models/{name}/versions/{version}`.
 */
export interface IVersionDetail extends IModelVersion {
  model_uri: string;
  run: IRunSummary | null;
  signature: { inputs: ISignatureColumn[]; outputs: ISignatureColumn[] } | null;
  flavors: string[];
  /** Python code loading this version. */
  load_snippet: string;
}

/**
 * One version's metrics in a comparison (`null` where it lacks a metric).
 */
export interface IVersionMetrics {
  version: string;
  aliases: string[];
  creation_timestamp: number;
  run_id: string | null;
  metrics: { [metric: string]: number | null };
}

/**
 * Response body of `GET models/{name}/compare`; versions are oldest first.
 */
export interface IVersionComparison {
  name: string;
  /** The metrics chosen (all of them when none was asked for). */
  metrics: string[];
  /** Every metric any version has. */
  available_metrics: string[];
  versions: IVersionMetrics[];
}

/**
 * A `key=value` tag filter of the models list.
 */
export interface ITagFilter {
  key: string;
  value: string;
}

/**
 * Error body returned by the server on a non-2xx response.
 */
export interface IErrorBody {
  error?: string;
  message?: string;
}

/**
 * Options of `listModels`.
 */
export interface IListModelsOptions {
  /** Server-side search text (sent as `search`); omitted when empty. */
  search?: string;
  /** Page size (sent as `max_results`). */
  maxResults?: number;
  /** Token of the page to fetch (sent as `page_token`). */
  pageToken?: string | null;
  /** Tags every model must carry (each sent as a `tag=key=value` param). */
  tags?: ITagFilter[];
  /** Sort order (sent as `order_by`), e.g. `name ASC`. */
  orderBy?: string;
  /** Signal to abort the request. */
  signal?: AbortSignal;
}

/**
 * An error raised by the Maestro REST API (or while reaching it).
 *
 * `message` is the human-readable message sent by the server when there is
 * one, so it can be shown to the user as is.
 */
export class MaestroAPIError extends Error {
  constructor(
    status: number,
    code: string,
    message: string,
    details: { [key: string]: unknown } = {}
  ) {
    super(message);
    this.name = 'MaestroAPIError';
    this.status = status;
    this.code = code;
    this.details = details;
    // Keep `instanceof` working when compiled to older targets.
    Object.setPrototypeOf(this, MaestroAPIError.prototype);
  }

  /** HTTP status code; 0 when the server could not be reached. */
  readonly status: number;

  /** Machine-readable error code, e.g. `NOT_FOUND`, `INVALID_PARAMETER`. */
  readonly code: string;

  /**
   * The other fields of the server's JSON error body (every key but `error`
   * and `message`), e.g. `failed_checks` of a `GATE_REFUSED` error; empty
   * when there are none.
   */
  readonly details: { [key: string]: unknown };
}

/**
 * Build the full URL of an API endpoint.
 *
 * The query string (if any) is kept verbatim: only the path part goes
 * through `URLExt.join`, which normalises `.`/`..` segments.
 */
export function apiURL(
  endpoint: string,
  settings: ServerConnection.ISettings
): string {
  const queryStart = endpoint.search(/[?#]/);
  const path = queryStart === -1 ? endpoint : endpoint.slice(0, queryStart);
  const rest = queryStart === -1 ? '' : endpoint.slice(queryStart);
  return URLExt.join(settings.baseUrl, API_NAMESPACE, path) + rest;
}

/**
 * Call a Maestro REST endpoint and return its parsed JSON body.
 *
 * @param endpoint - path relative to `{baseUrl}maestro/api/v1/`, optionally
 *   with a query string (already encoded), e.g. `models?search=foo`.
 * @param init - initial values for the request (method, body, signal...).
 * @param settings - server connection settings (defaults to the current
 *   page's settings, which carry Jupyter's token / XSRF cookie).
 * @throws {MaestroAPIError} on a non-OK response, an unreachable server or
 *   a body that is not JSON. An aborted request rethrows the abort error.
 */
export async function requestAPI<T>(
  endpoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const response = await sendRequest(endpoint, init, settings);
  const text = await response.text();
  let data: unknown = null;
  let isJSON = true;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      isJSON = false;
    }
  }

  if (!response.ok) {
    throw responseError(response, isJSON ? data : null);
  }

  if (!isJSON) {
    throw new MaestroAPIError(
      response.status,
      'INVALID_RESPONSE',
      'The Maestro server returned a response that is not JSON.'
    );
  }
  return data as T;
}

/**
 * Call a Maestro REST endpoint and return its body as text (e.g. an HTML
 * or Markdown document), with the same authentication and errors as
 * `requestAPI`.
 *
 * @throws {MaestroAPIError} on a non-OK response (with the server's JSON
 *   `message` when there is one) or an unreachable server. An aborted
 *   request rethrows the abort error.
 */
export async function requestText(
  endpoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<string> {
  const response = await sendRequest(endpoint, init, settings);
  const text = await response.text();
  if (!response.ok) {
    let data: unknown = null;
    try {
      data = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    throw responseError(response, data);
  }
  return text;
}

/**
 * Send a request to a Maestro REST endpoint; an unreachable server is
 * reported as a `MaestroAPIError` with status 0.
 */
async function sendRequest(
  endpoint: string,
  init: RequestInit,
  settings: ServerConnection.ISettings
): Promise<Response> {
  const url = apiURL(endpoint, settings);
  try {
    return await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    if (init.signal?.aborted) {
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new MaestroAPIError(
      0,
      'NETWORK_ERROR',
      `Could not reach the Maestro server extension: ${reason}`
    );
  }
}

/**
 * The error of a non-OK response: the server's `message` and `error` code
 * when its (parsed JSON) body has them, else the HTTP status; the body's
 * other fields become the error's `details`.
 */
function responseError(response: Response, data: unknown): MaestroAPIError {
  const body: IErrorBody & { [key: string]: unknown } =
    data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as IErrorBody & { [key: string]: unknown })
      : {};
  const message =
    typeof body.message === 'string' && body.message
      ? body.message
      : response.statusText || `Request failed with status ${response.status}`;
  const code =
    typeof body.error === 'string' && body.error ? body.error : 'HTTP_ERROR';
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { error, message: _message, ...details } = body;
  return new MaestroAPIError(response.status, code, message, details);
}

/**
 * Path of a model's endpoint, with the name URL-encoded.
 */
export function modelPath(name: string, ...rest: string[]): string {
  return [
    'models',
    encodeURIComponent(name),
    ...rest.map(encodeURIComponent)
  ].join('/');
}

/**
 * Query string (with its leading `?`, or empty) of `GET models`.
 */
export function listModelsQuery(options: IListModelsOptions = {}): string {
  const params = new URLSearchParams();
  const search = options.search?.trim();
  if (search) {
    params.set('search', search);
  }
  for (const tag of options.tags ?? []) {
    params.append('tag', `${tag.key}=${tag.value}`);
  }
  if (options.maxResults !== undefined) {
    params.set('max_results', String(options.maxResults));
  }
  if (options.pageToken) {
    params.set('page_token', options.pageToken);
  }
  if (options.orderBy) {
    params.set('order_by', options.orderBy);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/**
 * List registered models (one page).
 */
export function listModels(
  options: IListModelsOptions = {}
): Promise<IListModelsResponse> {
  return requestAPI<IListModelsResponse>(`models${listModelsQuery(options)}`, {
    method: 'GET',
    signal: options.signal
  });
}

/**
 * Get a model with all its versions (newest first).
 */
export function getModel(
  name: string,
  signal?: AbortSignal
): Promise<IModelDetail> {
  return requestAPI<IModelDetail>(modelPath(name), { method: 'GET', signal });
}

/**
 * Get one version of a model, with its run, signature and load snippet.
 */
export function getVersion(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<IVersionDetail> {
  return requestAPI<IVersionDetail>(modelPath(name, 'versions', version), {
    method: 'GET',
    signal
  });
}

/**
 * Options of `compareVersions`.
 */
export interface ICompareOptions {
  /** Metrics to compare (default: all of them). */
  metrics?: string[];
  /** Versions to compare (default: the newest ones). */
  versions?: string[];
  /** Signal to abort the request. */
  signal?: AbortSignal;
}

/**
 * Compare the metrics of a model's versions (oldest version first).
 */
export function compareVersions(
  name: string,
  options: ICompareOptions = {}
): Promise<IVersionComparison> {
  const params = new URLSearchParams();
  if (options.metrics && options.metrics.length > 0) {
    params.set('metrics', options.metrics.join(','));
  }
  if (options.versions && options.versions.length > 0) {
    params.set('versions', options.versions.join(','));
  }
  const query = params.toString();
  return requestAPI<IVersionComparison>(
    modelPath(name, 'compare') + (query ? `?${query}` : ''),
    { method: 'GET', signal: options.signal }
  );
}

/**
 * Error code of a promotion refused by the test gate (HTTP 409); the error's
 * `details.failed_checks` lists the checks that failed (empty when the
 * version was never tested).
 */
export const GATE_REFUSED = 'GATE_REFUSED';

/**
 * Point an alias at a version of a model (moving it if it already exists).
 *
 * A gated alias is refused (`MaestroAPIError` with code `GATE_REFUSED`)
 * when the version's tests failed or never ran; `overrideReason` (sent as
 * `override_reason` only when given) overrides the gate, and the server
 * records it.
 */
export function setAlias(
  name: string,
  alias: string,
  version: string,
  overrideReason?: string
): Promise<IModelVersion> {
  const body: { version: string; override_reason?: string } = { version };
  if (overrideReason !== undefined) {
    body.override_reason = overrideReason;
  }
  return requestAPI<IModelVersion>(modelPath(name, 'aliases', alias), {
    method: 'PUT',
    body: JSON.stringify(body)
  });
}

/**
 * Remove an alias of a model.
 */
export async function deleteAlias(name: string, alias: string): Promise<void> {
  await requestAPI<null>(modelPath(name, 'aliases', alias), {
    method: 'DELETE'
  });
}

/**
 * Get an MLflow run with its metrics, params and tags.
 */
export function getRun(
  runId: string,
  signal?: AbortSignal
): Promise<IRunSummary> {
  return requestAPI<IRunSummary>(`runs/${encodeURIComponent(runId)}`, {
    method: 'GET',
    signal
  });
}

/**
 * Get information about the Maestro server extension.
 */
export function getInfo(signal?: AbortSignal): Promise<IMaestroInfo> {
  return requestAPI<IMaestroInfo>('info', { method: 'GET', signal });
}

/**
 * URL downloading a model version's artifacts as a zip (a plain link works:
 * the browser sends Jupyter's authentication cookie).
 */
export function downloadURL(
  name: string,
  version: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return URLExt.join(
    settings.baseUrl,
    API_NAMESPACE,
    'models',
    encodeURIComponent(name),
    'versions',
    encodeURIComponent(version),
    'download'
  );
}

/**
 * Summary of one column of a profiled data file.
 */
export interface IColumnSummary {
  name: string;
  dtype: string;
  /** Kind of the column, e.g. `numeric`, `categorical`, `boolean`, `text`. */
  kind: string;
  missing: number;
  /** Share of missing values, between 0 and 1. */
  missing_share: number;
  distinct: number | null;
  mean?: number | null;
  std?: number | null;
  min?: number | string | null;
  max?: number | string | null;
  top?: string | number | null;
  top_share?: number | null;
}

/**
 * A warning (alert) raised by the profile, e.g. high correlation.
 */
export interface IProfileWarning {
  kind: string;
  columns: string[];
  message: string;
  value?: number | string | null;
}

/**
 * Summary of a profiled data file.
 */
export interface IProfileSummary {
  rows: number;
  columns: number;
  memory_bytes: number;
  missing_cells: number;
  /** Share of missing cells, between 0 and 1. */
  missing_share: number;
  duplicate_rows: number;
  column_summaries: IColumnSummary[];
  warnings: IProfileWarning[];
  target: string | null;
}

/**
 * Response body of `POST data/profile`.
 */
export interface IProfileResult {
  title: string;
  summary: IProfileSummary;
  /** The whole HTML document of the ydata-profiling report. */
  report_html: string | null;
  /** Rows the report was computed on (fewer than `summary.rows` when sampled). */
  report_rows: number | null;
  minimal: boolean;
  compare_summary: { [key: string]: unknown } | null;
  elapsed_seconds: number;
}

/**
 * Options of `profileData`.
 */
export interface IProfileOptions {
  /** Minimal (faster) report; default true. */
  minimal?: boolean;
  /** Whether to compute the HTML report; default true. */
  report?: boolean;
  /** Signal to abort the request. */
  signal?: AbortSignal;
}

/**
 * Profile a data file (CSV, TSV or Parquet) of the Jupyter root.
 *
 * @param path - path relative to the Jupyter root, as the file browser
 *   gives it (e.g. `data/iris.csv`).
 */
export function profileData(
  path: string,
  options: IProfileOptions = {}
): Promise<IProfileResult> {
  return requestAPI<IProfileResult>('data/profile', {
    method: 'POST',
    body: JSON.stringify({
      path,
      minimal: options.minimal ?? true,
      report: options.report ?? true
    }),
    signal: options.signal
  });
}

/**
 * Someone accountable for a model (a model card's owner).
 */
export interface ICardOwner {
  name: string;
  /** E-mail, team channel or URL. */
  contact: string | null;
}

/**
 * The sections of a model card that people write (prose fields hold
 * Markdown; `null` when not written).
 */
export interface ICardSections {
  owners: ICardOwner[];
  license: string | null;
  /** Papers, docs, tickets (URLs). */
  references: string[];
  citation: string | null;
  intended_use: string | null;
  intended_users: string | null;
  out_of_scope_use: string | null;
  training_data: string | null;
  preprocessing: string | null;
  evaluation_data: string | null;
  limitations: string | null;
  bias_risks: string | null;
  tradeoffs: string | null;
  ethical_considerations: string | null;
  recommendations: string | null;
  environmental_impact: string | null;
}

/**
 * A field of the card's sections.
 */
export type CardSectionField = keyof ICardSections;

/**
 * The model details a card reads from the registry.
 */
export interface ICardModelFacts {
  name: string;
  version: string;
  model_uri: string;
  description: string;
  model_description: string;
  aliases: string[];
  registry_status: string;
  /** Milliseconds since the epoch. */
  created_at: number | null;
  source: string;
  run_id: string | null;
  experiment_id: string | null;
  created_by: string | null;
  flavors: string[];
  framework: string | null;
  architecture: string | null;
  tags: { [key: string]: string };
}

/**
 * One metric of a card, overall or on one slice of the data.
 */
export interface ICardMetric {
  name: string;
  value: number;
  slice: string | null;
  stage: 'training' | 'evaluation';
}

/**
 * What the registry knows about the version (never edited by hand).
 */
export interface ICardFacts {
  model: ICardModelFacts;
  parameters: {
    hyperparameters: { [key: string]: string };
    inputs: { name: string | null; type: string; required: boolean }[];
    outputs: { name: string | null; type: string; required: boolean }[];
    has_signature: boolean;
  };
  training: { [key: string]: unknown };
  evaluation: {
    metrics: ICardMetric[];
    tests: { [key: string]: unknown } | null;
  };
  load_snippet: string;
}

/**
 * The review state of a card; an approved card becomes stale when the model
 * version changes.
 */
export interface ICardApproval {
  status: 'draft' | 'approved';
  stale: boolean;
  stale_reasons: string[];
  approved_by: string | null;
  approved_at: string | null;
  comment: string | null;
  updated_by: string | null;
  updated_at: string | null;
}

/**
 * One field of the completeness checklist.
 */
export interface ICardChecklistItem {
  field: string;
  label: string;
  required: boolean;
  filled: boolean;
  /** Where the value comes from (`missing` when there is none). */
  origin: 'registry' | 'people' | 'missing';
  /** How to fill it when missing. */
  hint: string;
}

/**
 * How much of the card is filled (the score counts required fields only).
 */
export interface ICardCompleteness {
  /** Between 0 and 1. */
  score: number;
  filled: number;
  required: number;
  /** Labels of the missing required fields. */
  missing: string[];
  checklist: ICardChecklistItem[];
}

/**
 * A model card of one registered model version (`format=json`).
 */
export interface IModelCard {
  schema_version: string;
  generated_at: string;
  /** Where the rendered card files were saved. */
  artifact_uri: string | null;
  facts: ICardFacts;
  sections: ICardSections;
  approval: ICardApproval;
  completeness: ICardCompleteness;
}

/**
 * Body of `PUT .../card`: every key is optional.
 */
export interface ICardUpdate {
  /** The fields to replace; `null` clears one. */
  sections?: { [K in CardSectionField]?: ICardSections[K] | null };
  /** An edited `card.md`. */
  markdown?: string;
  status?: 'draft' | 'approved';
  comment?: string;
}

/**
 * A format a model card can be rendered in.
 */
export type CardFormat = 'json' | 'md' | 'html' | 'pdf';

/**
 * Endpoint (relative to the API namespace) of a version's model card.
 */
export function cardPath(name: string, version: string): string {
  return modelPath(name, 'versions', version, 'card');
}

/**
 * Get the model card of a version as JSON.
 */
export function getCard(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<IModelCard> {
  return requestAPI<IModelCard>(`${cardPath(name, version)}?format=json`, {
    method: 'GET',
    signal
  });
}

/**
 * Get the model card of a version as a self-contained HTML document.
 */
export function getCardHTML(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<string> {
  return requestText(`${cardPath(name, version)}?format=html`, {
    method: 'GET',
    signal
  });
}

/**
 * Update the sections or the approval of a version's model card; returns
 * the updated card.
 */
export function updateCard(
  name: string,
  version: string,
  update: ICardUpdate
): Promise<IModelCard> {
  return requestAPI<IModelCard>(cardPath(name, version), {
    method: 'PUT',
    body: JSON.stringify(update)
  });
}

/**
 * URL downloading a version's model card in a format, as an attachment (a
 * plain link works: the browser sends Jupyter's authentication cookie).
 */
export function cardDownloadURL(
  name: string,
  version: string,
  format: CardFormat,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return apiURL(
    `${cardPath(name, version)}?format=${format}&download=1`,
    settings
  );
}

/**
 * The status of one check of a model test report.
 */
export type TestStatus = 'passed' | 'failed' | 'skipped';

/**
 * The verdict of a model test run: failed when any check failed.
 */
export type TestVerdict = 'passed' | 'failed';

/**
 * A table backing a check's result (e.g. the worst rows, the metric per
 * slice).
 */
export interface ITestEvidence {
  columns: string[];
  rows: (string | number | null)[][];
}

/**
 * One check of a model test report.
 */
export interface ITestCheck {
  /**
   * Name of the check, e.g. `accuracy`, `accuracy[sex=female]`,
   * `latency_p95_ms`, `data_contract`, `gaussian_noise.flip_rate`.
   */
  name: string;
  /**
   * `contract`, `performance`, `latency`, `fairness` or `robustness`.
   */
  category: string;
  status: TestStatus;
  /** The measured value, if the check measures one. */
  value: number | null;
  /** The threshold as text, e.g. `> 0.85`, `< 100`. */
  threshold: string | null;
  /** One line of evidence or explanation (why it was skipped, say). */
  detail: string | null;
  /** An optional table backing the result. */
  evidence: ITestEvidence | null;
}

/**
 * The full report of the latest test run of a model version.
 */
export interface ITestReport {
  name: string;
  version: string;
  verdict: TestVerdict;
  /** ISO 8601 time of the run. */
  ran_at: string;
  ran_by: string | null;
  duration_seconds: number;
  /** The MLflow run holding the report. */
  run_id: string | null;
  task: 'classification' | 'regression';
  /** Rows of the test data. */
  rows: number;
  /** Target column of the test data. */
  target: string;
  /** Columns the fairness checks compare groups of. */
  sensitive: string[];
  /** Slices the performance checks were also measured on. */
  slices: string[];
  /** The version compared against (e.g. the champion), if any. */
  reference: { alias: string; version: string } | null;
  summary: { passed: number; failed: number; skipped: number };
  checks: ITestCheck[];
  /** Every measured metric, e.g. `accuracy`, `accuracy/sex=female`. */
  metrics: { [key: string]: number };
}

/**
 * One past test run of a model version.
 */
export interface ITestRunSummary {
  run_id: string;
  version: string;
  verdict: TestVerdict;
  /** ISO 8601 time of the run. */
  ran_at: string;
  ran_by: string | null;
  passed: number;
  failed: number;
  skipped: number;
  /** Names of the checks that failed. */
  failed_checks: string[];
}

/**
 * Response body of `GET models/{name}/versions/{version}/tests`.
 */
export interface ITestHistory {
  name: string;
  version: string;
  /** The latest report; `null` when the version was never tested. */
  latest: ITestReport | null;
  /** This version's runs, newest first. */
  history: ITestRunSummary[];
}

/**
 * A format a test report can be rendered in.
 */
export type TestsReportFormat = 'html' | 'junit';

/**
 * Endpoint (relative to the API namespace) of a version's tests.
 */
export function testsPath(name: string, version: string): string {
  return modelPath(name, 'versions', version, 'tests');
}

/**
 * Get the latest test report and the test history of a version.
 */
export function getTests(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<ITestHistory> {
  return requestAPI<ITestHistory>(testsPath(name, version), {
    method: 'GET',
    signal
  });
}

/**
 * Get the latest test report of a version as a self-contained HTML
 * document.
 *
 * @throws {MaestroAPIError} `NOT_FOUND` when the version was never tested.
 */
export function getTestsHTML(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<string> {
  return requestText(`${testsPath(name, version)}?format=html`, {
    method: 'GET',
    signal
  });
}

/**
 * URL of a version's latest test report in a format (HTML or JUnit XML);
 * with `download`, as an attachment. A plain link works: the browser sends
 * Jupyter's authentication cookie.
 */
export function testsReportURL(
  name: string,
  version: string,
  format: TestsReportFormat,
  download = false,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return apiURL(
    `${testsPath(name, version)}?format=${format}${download ? '&download=1' : ''}`,
    settings
  );
}
