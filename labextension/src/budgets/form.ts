import type { BudgetPeriod, BudgetScope, Budget, SetBudget } from '../api';
import { DEFAULT_THRESHOLDS, parseThresholds } from './helpers';

/**
 * The values of the budget form, as typed.
 */
export interface IBudgetFormValues {
  scope: BudgetScope;
  subject: string;
  amount: string;
  period: BudgetPeriod;
  hardLimit: boolean;
  thresholds: string;
  /**
   * The budget the form was filled from (by Edit), whose webhook is kept
   * when the same budget is saved; null for a new budget.
   */
  source: Budget | null;
}

/**
 * A checked budget form: the budget to set and the request body.
 */
export interface IBudgetRequest {
  scope: BudgetScope;
  subject: string;
  update: SetBudget;
}

/**
 * The values of an empty budget form.
 */
export function emptyFormValues(): IBudgetFormValues {
  return {
    scope: 'project',
    subject: '',
    amount: '',
    period: 'monthly',
    hardLimit: false,
    thresholds: DEFAULT_THRESHOLDS,
    source: null
  };
}

/**
 * The values of the budget form filled from an existing budget.
 */
export function formValuesOf(budget: Budget): IBudgetFormValues {
  return {
    scope: budget.scope === 'user' ? 'user' : 'project',
    subject: budget.subject,
    amount: String(budget.amount),
    period: budget.period === 'weekly' ? 'weekly' : 'monthly',
    hardLimit: Boolean(budget.hard_limit),
    thresholds:
      Array.isArray(budget.thresholds) && budget.thresholds.length > 0
        ? budget.thresholds.join(',')
        : DEFAULT_THRESHOLDS,
    source: budget
  };
}

/**
 * Parse the amount typed in the budget form: a positive number of dollars.
 *
 * @throws {Error} with a readable message otherwise.
 */
export function parseAmount(text: string): number {
  const trimmed = text.trim();
  const value = trimmed === '' ? NaN : Number(trimmed);
  if (!isFinite(value) || value <= 0) {
    throw new Error('The amount must be a positive number of dollars.');
  }
  return value;
}

/**
 * Check the budget form and make the `PUT budgets/{scope}/{subject}`
 * request. The webhook is only sent (unchanged) when the form edits the
 * budget it was filled from, so that saving it does not drop its webhook.
 *
 * @throws {Error} with a readable message when a value is invalid.
 */
export function budgetRequest(values: IBudgetFormValues): IBudgetRequest {
  const subject = values.subject.trim();
  if (!subject) {
    throw new Error(
      `Enter the ${values.scope === 'user' ? 'user name' : 'project name'} the budget is for.`
    );
  }
  const update: SetBudget = {
    amount: parseAmount(values.amount),
    period: values.period,
    thresholds: parseThresholds(values.thresholds),
    hard_limit: values.hardLimit
  };
  const source = values.source;
  if (
    source !== null &&
    source.scope === values.scope &&
    source.subject === subject &&
    source.webhook !== undefined
  ) {
    update.webhook = source.webhook;
  }
  return { scope: values.scope, subject, update };
}
