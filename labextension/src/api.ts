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
  mlflow_ui_url: string | null;
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
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'MaestroAPIError';
    this.status = status;
    this.code = code;
    // Keep `instanceof` working when compiled to older targets.
    Object.setPrototypeOf(this, MaestroAPIError.prototype);
  }

  /** HTTP status code; 0 when the server could not be reached. */
  readonly status: number;

  /** Machine-readable error code, e.g. `NOT_FOUND`, `INVALID_PARAMETER`. */
  readonly code: string;
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
  const url = apiURL(endpoint, settings);

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
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
    const body: IErrorBody =
      isJSON && data !== null && typeof data === 'object' ? data : {};
    const message =
      typeof body.message === 'string' && body.message
        ? body.message
        : response.statusText ||
          `Request failed with status ${response.status}`;
    const code =
      typeof body.error === 'string' && body.error ? body.error : 'HTTP_ERROR';
    throw new MaestroAPIError(response.status, code, message);
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
 * List registered models (one page).
 */
export function listModels(
  options: IListModelsOptions = {}
): Promise<IListModelsResponse> {
  const params = new URLSearchParams();
  const search = options.search?.trim();
  if (search) {
    params.set('search', search);
  }
  if (options.maxResults !== undefined) {
    params.set('max_results', String(options.maxResults));
  }
  if (options.pageToken) {
    params.set('page_token', options.pageToken);
  }
  const query = params.toString();
  return requestAPI<IListModelsResponse>(query ? `models?${query}` : 'models', {
    method: 'GET',
    signal: options.signal
  });
}

/**
 * Get information about the Maestro server extension.
 */
export function getInfo(signal?: AbortSignal): Promise<IMaestroInfo> {
  return requestAPI<IMaestroInfo>('info', { method: 'GET', signal });
}
