/**
 * `budgets` and `alerts`: spending limits and the alerts they raise. Money
 * is in US dollars; times are in seconds since the epoch.
 */
import { requestAPI } from './request';
import type { AlertList, Budget, BudgetList, SetBudget } from './types';

/**
 * Who a budget applies to (the `{scope}` of its path).
 */
export type BudgetScope = 'user' | 'project';

/**
 * The period a budget's amount is for (UTC calendar month, or ISO week
 * from Monday 00:00 UTC).
 */
export type BudgetPeriod = NonNullable<SetBudget['period']>;

/**
 * Options of `listAlerts`.
 */
export interface IListAlertsOptions {
  /** Only the alerts with a greater id. */
  after?: number | null;
  /** Maximal number of alerts. */
  limit?: number;
  signal?: AbortSignal;
}

/**
 * Path of a budget's endpoint, with the scope and subject URL-encoded.
 */
export function budgetPath(scope: string, subject: string): string {
  return [
    'budgets',
    encodeURIComponent(scope),
    encodeURIComponent(subject)
  ].join('/');
}

/**
 * Endpoint (with its query string) of `GET alerts`.
 */
export function alertsEndpoint(options: IListAlertsOptions = {}): string {
  const params = new URLSearchParams();
  if (options.after !== undefined && options.after !== null) {
    params.set('after', String(options.after));
  }
  if (options.limit !== undefined) {
    params.set('limit', String(options.limit));
  }
  const query = params.toString();
  return query ? `alerts?${query}` : 'alerts';
}

/**
 * The budgets with their spend in the current period, and whether the
 * caller may edit them.
 */
export function listBudgets(signal?: AbortSignal): Promise<BudgetList> {
  return requestAPI<BudgetList>('budgets', { method: 'GET', signal });
}

/**
 * Create or replace a budget; returns it.
 *
 * @throws {MaestroAPIError} `PERMISSION_DENIED` (403) without the admin
 *   role.
 */
export function setBudget(
  scope: string,
  subject: string,
  update: SetBudget
): Promise<Budget> {
  return requestAPI<Budget>(budgetPath(scope, subject), {
    method: 'PUT',
    body: JSON.stringify(update)
  });
}

/**
 * Delete a budget.
 *
 * @throws {MaestroAPIError} `PERMISSION_DENIED` (403) without the admin
 *   role.
 */
export async function deleteBudget(
  scope: string,
  subject: string
): Promise<void> {
  await requestAPI<null>(budgetPath(scope, subject), { method: 'DELETE' });
}

/**
 * Budget alerts, newest first.
 */
export function listAlerts(
  options: IListAlertsOptions = {}
): Promise<AlertList> {
  return requestAPI<AlertList>(alertsEndpoint(options), {
    method: 'GET',
    signal: options.signal
  });
}
