/**
 * `costs`: spend breakdowns. Money is in US dollars; times are in seconds
 * since the epoch.
 */
import { requestAPI } from './request';
import type { CostSummary } from './types';

/**
 * What a spend breakdown groups by (the `by` query parameter).
 */
export type CostBy = 'user' | 'project' | 'model' | 'version' | 'kind';

/**
 * Options of `getCosts`.
 */
export interface IGetCostsOptions {
  by?: CostBy;
  /** `<n>h`, `<n>d` or `<n>w` (server default `30d`). */
  window?: string;
  user?: string;
  project?: string;
  signal?: AbortSignal;
}

/**
 * Endpoint (with its query string) of `GET costs`.
 */
export function costsEndpoint(options: IGetCostsOptions = {}): string {
  const params = new URLSearchParams();
  for (const key of ['by', 'window', 'user', 'project'] as const) {
    const value = options[key];
    if (value) {
      params.set(key, value);
    }
  }
  const query = params.toString();
  return query ? `costs?${query}` : 'costs';
}

/**
 * The spend over a window, grouped.
 */
export function getCosts(options: IGetCostsOptions = {}): Promise<CostSummary> {
  return requestAPI<CostSummary>(costsEndpoint(options), {
    method: 'GET',
    signal: options.signal
  });
}
