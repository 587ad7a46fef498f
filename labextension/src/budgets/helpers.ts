import type { BudgetPeriod, BudgetScope, Alert, Budget } from '../api';

/**
 * The state of a budget's spend: below every warning threshold, at or over
 * the lowest threshold below 100 %, or at or over 100 %.
 */
export type BudgetState = 'ok' | 'warn' | 'over';

/**
 * Bounds of an alert threshold, in percent.
 */
export const MIN_THRESHOLD = 1;
export const MAX_THRESHOLD = 1000;

/**
 * The thresholds of the budget form when none is entered yet.
 */
export const DEFAULT_THRESHOLDS = '50,80,100';

/**
 * The scopes and periods of the budget form.
 */
export const BUDGET_SCOPES: readonly BudgetScope[] = ['user', 'project'];
export const BUDGET_PERIODS: readonly { value: BudgetPeriod; label: string }[] =
  [
    { value: 'monthly', label: 'Monthly' },
    { value: 'weekly', label: 'Weekly' }
  ];

/**
 * Number of alerts listed in the tab.
 */
export const ALERTS_LIMIT = 20;

/**
 * Texts shown when a list is empty.
 */
export const EMPTY_BUDGETS_MESSAGE =
  'No budgets. An admin can set a monthly or weekly budget for a user or a project.';
export const EMPTY_ALERTS_MESSAGE = 'No budget alerts.';

const DOLLARS = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2
});

/**
 * An amount of US dollars as text, e.g. `$1,234.56`; an amount above 0 but
 * under a cent is `<$0.01`, a missing one `—`.
 */
export function formatDollars(amount: number | null | undefined): string {
  if (typeof amount !== 'number' || !isFinite(amount)) {
    return '—';
  }
  if (amount > 0 && amount < 0.01) {
    return '<$0.01';
  }
  // No "-$0.00" for a tiny negative amount.
  return DOLLARS.format(Math.abs(amount) < 0.005 ? 0 : amount);
}

/**
 * The state of a budget used at `usedPct` percent with these alert
 * thresholds: `over` from 100 %, `warn` from the lowest threshold below
 * 100 % (never without one), else `ok`.
 */
export function budgetState(
  usedPct: number,
  thresholds: readonly number[] = []
): BudgetState {
  if (!isFinite(usedPct)) {
    return usedPct > 0 ? 'over' : 'ok';
  }
  if (usedPct >= 100) {
    return 'over';
  }
  const warnings = thresholds.filter(value => value > 0 && value < 100);
  if (warnings.length > 0 && usedPct >= Math.min(...warnings)) {
    return 'warn';
  }
  return 'ok';
}

/**
 * A budget's use in percent: its `used_pct`, else computed from its spend
 * and amount (0 without an amount).
 */
export function usedPercent(
  budget: Pick<Budget, 'used_pct' | 'spent' | 'amount'>
): number {
  if (typeof budget.used_pct === 'number' && !isNaN(budget.used_pct)) {
    return budget.used_pct;
  }
  return budget.amount > 0 ? (budget.spent / budget.amount) * 100 : 0;
}

/**
 * The thresholds drawn as ticks on a budget's bar: those below 100 %,
 * ascending and without duplicates.
 */
export function tickThresholds(thresholds: readonly number[]): number[] {
  return [
    ...new Set(thresholds.filter(value => value > 0 && value < 100))
  ].sort((a, b) => a - b);
}

/**
 * The width of a budget's bar fill in percent: `usedPct` within 0..100,
 * rounded to 2 decimals (0 when unknown).
 */
export function barWidth(usedPct: number | null | undefined): number {
  if (typeof usedPct !== 'number' || isNaN(usedPct)) {
    return 0;
  }
  const clamped = Math.min(100, Math.max(0, usedPct));
  return Math.round(clamped * 100) / 100;
}

/**
 * The current period of a budget as text, e.g. `this month`.
 */
export function periodText(period: string): string {
  switch (period) {
    case 'monthly':
      return 'this month';
    case 'weekly':
      return 'this week';
    default:
      return 'this period';
  }
}

/**
 * A budget's use as text, e.g. `$123.40 of $500.00 this month`.
 */
export function budgetUsageText(
  budget: Pick<Budget, 'spent' | 'amount' | 'period'>
): string {
  return `${formatDollars(budget.spent)} of ${formatDollars(budget.amount)} ${periodText(budget.period)}`;
}

/**
 * A percentage as short text, e.g. `24.7%`, `125%`.
 */
export function formatPercent(value: number): string {
  if (!isFinite(value)) {
    return '—';
  }
  return `${Number(value.toFixed(value < 10 ? 1 : 0))}%`;
}

/**
 * Parse the alert thresholds typed in the budget form, e.g. `50, 80,100`:
 * whole numbers of percent from 1 to 1000 separated by commas or spaces;
 * returned ascending, without duplicates.
 *
 * @throws {Error} with a readable message when the text is empty or a
 *   value is not a whole number within bounds.
 */
export function parseThresholds(text: string): number[] {
  const parts = text
    .split(/[\s,;]+/)
    .map(part => part.trim().replace(/%$/, ''))
    .filter(part => part !== '');
  if (parts.length === 0) {
    throw new Error(
      'Enter at least one alert threshold in percent, e.g. 50,80,100.'
    );
  }
  const values = parts.map(part => {
    const value = /^\d+$/.test(part) ? Number(part) : NaN;
    if (!(value >= MIN_THRESHOLD && value <= MAX_THRESHOLD)) {
      throw new Error(
        `Invalid threshold "${part}": each threshold must be a whole number of percent from ${MIN_THRESHOLD} to ${MAX_THRESHOLD}.`
      );
    }
    return value;
  });
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * How long ago a time (in seconds since the epoch) was, e.g. `5 min ago`;
 * a time older than a week is shown as a date.
 */
export function relativeTime(seconds: number, nowSeconds: number): string {
  if (!isFinite(seconds) || seconds <= 0) {
    return '';
  }
  const elapsed = Math.max(0, nowSeconds - seconds);
  if (elapsed < 60) {
    return 'just now';
  }
  if (elapsed < 3600) {
    return `${Math.floor(elapsed / 60)} min ago`;
  }
  if (elapsed < 86400) {
    return `${Math.floor(elapsed / 3600)} h ago`;
  }
  if (elapsed < 7 * 86400) {
    const days = Math.floor(elapsed / 86400);
    return days === 1 ? 'yesterday' : `${days} days ago`;
  }
  return new Date(seconds * 1000).toLocaleDateString();
}

/**
 * The reason an alert's webhook delivery failed, or null when it did not.
 */
export function deliveryFailure(alert: Pick<Alert, 'delivery'>): string | null {
  const delivery = String(alert.delivery ?? '');
  if (!delivery.startsWith('failed')) {
    return null;
  }
  return delivery.replace(/^failed:?\s*/, '');
}

/**
 * Alerts sorted newest first (by id, then creation time).
 */
export function newestFirst(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort((a, b) => b.id - a.id || b.created_at - a.created_at);
}
