/** `models`: registered models, their versions and aliases. */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, requestAPI } from './request';
import type {
  ModelDetail,
  ModelPage,
  ModelVersion,
  SetAlias,
  VersionComparison,
  VersionDetail
} from './types';

/**
 * A `key=value` tag filter of the models list.
 */
export interface ITagFilter {
  key: string;
  value: string;
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
 * Error code of a promotion refused by the test gate (HTTP 409); the error's
 * `details.failed_checks` lists the checks that failed (empty when the
 * version was never tested).
 */
export const GATE_REFUSED = 'GATE_REFUSED';

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
): Promise<ModelPage> {
  return requestAPI<ModelPage>(`models${listModelsQuery(options)}`, {
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
): Promise<ModelDetail> {
  return requestAPI<ModelDetail>(modelPath(name), { method: 'GET', signal });
}

/**
 * Get one version of a model, with its run, signature and load snippet.
 */
export function getVersion(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<VersionDetail> {
  return requestAPI<VersionDetail>(modelPath(name, 'versions', version), {
    method: 'GET',
    signal
  });
}

/**
 * Compare the metrics of a model's versions (oldest version first).
 */
export function compareVersions(
  name: string,
  options: ICompareOptions = {}
): Promise<VersionComparison> {
  const params = new URLSearchParams();
  if (options.metrics && options.metrics.length > 0) {
    params.set('metrics', options.metrics.join(','));
  }
  if (options.versions && options.versions.length > 0) {
    params.set('versions', options.versions.join(','));
  }
  const query = params.toString();
  return requestAPI<VersionComparison>(
    modelPath(name, 'compare') + (query ? `?${query}` : ''),
    { method: 'GET', signal: options.signal }
  );
}

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
): Promise<ModelVersion> {
  const body: SetAlias = { version };
  if (overrideReason !== undefined) {
    body.override_reason = overrideReason;
  }
  return requestAPI<ModelVersion>(modelPath(name, 'aliases', alias), {
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
