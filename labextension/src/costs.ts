/**
 * REST client of Maestro's cost endpoints: spend breakdowns, budgets and
 * budget alerts (relative to `{baseUrl}maestro/api/v1/`). Money is in US
 * dollars; times are in seconds since the epoch.
 */
import { requestAPI } from './api';

/**
 * What a spend breakdown groups by.
 */
export type CostBy = 'user' | 'project' | 'model' | 'version' | 'kind';

/**
 * One group of a spend breakdown.
 */
export interface ICostGroup {
  /**
   * The user, project, model (`""` for usage tied to no model),
   * `name/version`, or kind (`job` or `deployment`).
   */
  key: string;
  cost: number;
  cpu_hours: number;
  memory_gb_hours: number;
  gpu_hours: number;
  records: number;
}

/** Alias matching the REST contract's name. */
export type CostGroup = ICostGroup;

/**
 * Response body of `GET costs`: the total spend over a window and its
 * groups, highest cost first.
 */
export interface ICostSummary {
  by: CostBy;
  /** E.g. `30d`, `12h`, `2w`. */
  window: string;
  since: number;
  until: number;
  currency: string;
  total: number;
  cpu_hours: number;
  memory_gb_hours: number;
  gpu_hours: number;
  records: number;
  groups: ICostGroup[];
}

/** Alias matching the REST contract's name. */
export type CostSummary = ICostSummary;

/**
 * Who a budget applies to.
 */
export type BudgetScope = 'user' | 'project';

/**
 * The period a budget's amount is for (UTC calendar month, or ISO week
 * from Monday 00:00 UTC).
 */
export type BudgetPeriod = 'monthly' | 'weekly';

/**
 * A budget and its spend in the current period.
 */
export interface IBudget {
  /** `scope:subject`, e.g. `project:churn`. */
  id: string;
  scope: BudgetScope;
  subject: string;
  amount: number;
  period: BudgetPeriod;
  /** Alert thresholds in percent of the amount, ascending. */
  thresholds: number[];
  /** Whether jobs and deployments are refused once over the amount. */
  hard_limit: boolean;
  webhook: string | null;
  spent: number;
  remaining: number;
  /** Spent in percent of the amount; may exceed 100. */
  used_pct: number;
  period_start: number;
  period_end: number;
  updated_by: string;
  updated_at: number;
}

/** Alias matching the REST contract's name. */
export type Budget = IBudget;

/**
 * Response body of `GET budgets`.
 */
export interface IBudgetList {
  budgets: IBudget[];
  /** Whether the caller may set and delete budgets (admin role). */
  can_edit: boolean;
}

/** Alias matching the REST contract's name. */
export type BudgetList = IBudgetList;

/**
 * Request body of `PUT budgets/{scope}/{subject}` (all but `amount`
 * optional).
 */
export interface IBudgetUpdate {
  amount: number;
  period?: BudgetPeriod;
  thresholds?: number[];
  hard_limit?: boolean;
  webhook?: string | null;
}

/**
 * A budget alert: a threshold crossed in a period.
 */
export interface IAlert {
  id: number;
  /** The budget's id, e.g. `project:churn`. */
  budget: string;
  scope: BudgetScope;
  subject: string;
  /** Percent of the amount. */
  threshold: number;
  period: BudgetPeriod;
  period_start: number;
  spent: number;
  amount: number;
  created_at: number;
  message: string;
  /** `none` (no webhook), `pending`, `sent` or `failed: <reason>`. */
  delivery: string;
}

/** Alias matching the REST contract's name. */
export type Alert = IAlert;

/**
 * Response body of `GET alerts`: newest first.
 */
export interface IAlertList {
  alerts: IAlert[];
}

/** Alias matching the REST contract's name. */
export type AlertList = IAlertList;

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
 * The spend over a window, grouped.
 */
export function getCosts(
  options: IGetCostsOptions = {}
): Promise<ICostSummary> {
  return requestAPI<ICostSummary>(costsEndpoint(options), {
    method: 'GET',
    signal: options.signal
  });
}

/**
 * The budgets with their spend in the current period, and whether the
 * caller may edit them.
 */
export function listBudgets(signal?: AbortSignal): Promise<IBudgetList> {
  return requestAPI<IBudgetList>('budgets', { method: 'GET', signal });
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
  update: IBudgetUpdate
): Promise<IBudget> {
  return requestAPI<IBudget>(budgetPath(scope, subject), {
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
): Promise<IAlertList> {
  return requestAPI<IAlertList>(alertsEndpoint(options), {
    method: 'GET',
    signal: options.signal
  });
}
