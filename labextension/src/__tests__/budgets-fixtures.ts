import { Alert, Budget, CostGroup, CostSummary } from '../api';

/** The fake "now", in seconds since the epoch. */
export const NOW = 1_764_600_000;

/**
 * A budget (project churn, $123.40 of $500.00 this month) with overrides.
 */
export function budget(overrides: Partial<Budget> = {}): Budget {
  const scope = overrides.scope ?? 'project';
  const subject = overrides.subject ?? 'churn';
  const amount = overrides.amount ?? 500;
  const spent = overrides.spent ?? 123.4;
  return {
    id: `${scope}:${subject}`,
    scope,
    subject,
    amount,
    period: 'monthly',
    thresholds: [50, 80, 100],
    hard_limit: false,
    webhook: null,
    spent,
    remaining: amount - spent,
    used_pct: (spent / amount) * 100,
    period_start: 1_764_547_200,
    period_end: 1_767_225_600,
    updated_by: 'alice',
    updated_at: NOW - 3600,
    ...overrides
  };
}

/**
 * A group of a spend breakdown with overrides.
 */
export function costGroup(
  key: string,
  cost: number,
  overrides: Partial<CostGroup> = {}
): CostGroup {
  return {
    key,
    cost,
    cpu_hours: 1,
    memory_gb_hours: 2,
    gpu_hours: 0,
    records: 3,
    ...overrides
  };
}

/**
 * A spend breakdown with these groups (the total is their sum).
 */
export function costSummary(
  groups: CostGroup[],
  overrides: Partial<CostSummary> = {}
): CostSummary {
  return {
    by: 'project',
    window: '30d',
    since: NOW - 30 * 86400,
    until: NOW,
    currency: 'USD',
    total: groups.reduce((sum, group) => sum + group.cost, 0),
    cpu_hours: 1.5,
    memory_gb_hours: 3,
    gpu_hours: 0,
    records: 42,
    groups,
    ...overrides
  };
}

/**
 * An alert (80 % of project churn's budget, sent) with overrides.
 */
export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 7,
    budget: 'project:churn',
    scope: 'project',
    subject: 'churn',
    threshold: 80,
    period: 'monthly',
    period_start: 1_764_547_200,
    spent: 401,
    amount: 500,
    created_at: NOW - 300,
    message:
      'project churn has spent $401.00 of its $500.00 monthly budget (80% alert)',
    delivery: 'sent',
    ...overrides
  };
}
