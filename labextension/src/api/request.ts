/**
 * The one way the sidebar calls the Maestro REST API: `requestAPI` (JSON)
 * and `requestText` (documents), with Jupyter's authentication, surfacing
 * the server's error `message`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { ErrorBody } from './types';

/**
 * Path (relative to the Jupyter server base URL) of the Maestro REST API.
 */
export const API_NAMESPACE = 'maestro/api/v1';

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
  // Any JSON may come back (a proxy's error page, say): nothing is assumed.
  const body: Partial<ErrorBody> & { [key: string]: unknown } =
    data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as { [key: string]: unknown })
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
