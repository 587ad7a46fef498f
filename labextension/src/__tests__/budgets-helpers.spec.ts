import { alertsEndpoint, budgetPath, costsEndpoint, Alert } from '../api';
import {
  budgetRequest,
  emptyFormValues,
  formValuesOf,
  parseAmount
} from '../budgets/form';
import {
  barWidth,
  budgetState,
  budgetUsageText,
  deliveryFailure,
  formatDollars,
  formatPercent,
  newestFirst,
  parseThresholds,
  periodText,
  relativeTime,
  tickThresholds,
  usedPercent
} from '../budgets/helpers';
import {
  costKeyLabel,
  relativeWidth,
  windowText
} from '../budgets/spendHelpers';
import { alert, budget, NOW } from './budgets-fixtures';

describe('formatDollars', () => {
  it('formats dollars with thousands separators and cents', () => {
    expect(formatDollars(1234.56)).toBe('$1,234.56');
    expect(formatDollars(1234567.891)).toBe('$1,234,567.89');
    expect(formatDollars(123.4)).toBe('$123.40');
    expect(formatDollars(500)).toBe('$500.00');
    expect(formatDollars(0.01)).toBe('$0.01');
  });

  it('shows a positive amount under a cent as <$0.01', () => {
    expect(formatDollars(0.0049)).toBe('<$0.01');
    expect(formatDollars(0.000001)).toBe('<$0.01');
    expect(formatDollars(0.009999)).toBe('<$0.01');
  });

  it('handles zero, negative and missing amounts', () => {
    expect(formatDollars(0)).toBe('$0.00');
    expect(formatDollars(-0.001)).toBe('$0.00');
    expect(formatDollars(-5)).toBe('-$5.00');
    expect(formatDollars(NaN)).toBe('—');
    expect(formatDollars(null)).toBe('—');
    expect(formatDollars(undefined)).toBe('—');
    expect(formatDollars(Infinity)).toBe('—');
  });
});

describe('budgetState', () => {
  it('is ok below the lowest threshold under 100', () => {
    expect(budgetState(0, [50, 80, 100])).toBe('ok');
    expect(budgetState(49.99, [50, 80, 100])).toBe('ok');
  });

  it('warns from the lowest threshold under 100', () => {
    expect(budgetState(50, [50, 80, 100])).toBe('warn');
    expect(budgetState(99.9, [80, 50, 100])).toBe('warn');
    expect(budgetState(75, [100, 75])).toBe('warn');
  });

  it('is over from 100 %', () => {
    expect(budgetState(100, [50, 80, 100])).toBe('over');
    expect(budgetState(250, [])).toBe('over');
    expect(budgetState(Infinity, [])).toBe('over');
  });

  it('never warns without a threshold under 100', () => {
    expect(budgetState(99, [100, 150])).toBe('ok');
    expect(budgetState(99, [])).toBe('ok');
    expect(budgetState(99)).toBe('ok');
    expect(budgetState(NaN, [50])).toBe('ok');
  });
});

describe('tickThresholds', () => {
  it('keeps the thresholds under 100, sorted, once', () => {
    expect(tickThresholds([80, 50, 100, 150, 50])).toEqual([50, 80]);
    expect(tickThresholds([100])).toEqual([]);
  });
});

describe('barWidth', () => {
  it('is the used percentage within 0..100, rounded', () => {
    expect(barWidth(24.68)).toBe(24.68);
    expect(barWidth(33.33333)).toBe(33.33);
    expect(barWidth(100)).toBe(100);
    expect(barWidth(180.2)).toBe(100);
    expect(barWidth(Infinity)).toBe(100);
    expect(barWidth(-3)).toBe(0);
    expect(barWidth(NaN)).toBe(0);
    expect(barWidth(null)).toBe(0);
  });
});

describe('usedPercent', () => {
  it('prefers used_pct, else computes it', () => {
    expect(usedPercent(budget())).toBeCloseTo(24.68);
    expect(
      usedPercent({ used_pct: NaN, spent: 50, amount: 200 } as never)
    ).toBe(25);
    expect(usedPercent({ used_pct: NaN, spent: 50, amount: 0 } as never)).toBe(
      0
    );
  });
});

describe('periodText and budgetUsageText', () => {
  it('names the current period', () => {
    expect(periodText('monthly')).toBe('this month');
    expect(periodText('weekly')).toBe('this week');
    expect(periodText('yearly')).toBe('this period');
  });

  it('describes the use of a budget', () => {
    expect(budgetUsageText(budget())).toBe('$123.40 of $500.00 this month');
    expect(
      budgetUsageText(budget({ period: 'weekly', spent: 1234.5, amount: 2000 }))
    ).toBe('$1,234.50 of $2,000.00 this week');
  });
});

describe('formatPercent', () => {
  it('shows one decimal under 10 %', () => {
    expect(formatPercent(4.26)).toBe('4.3%');
    expect(formatPercent(24.68)).toBe('25%');
    expect(formatPercent(125)).toBe('125%');
    expect(formatPercent(NaN)).toBe('—');
  });
});

describe('parseThresholds', () => {
  it('parses, sorts and de-duplicates whole percentages', () => {
    expect(parseThresholds('50,80,100')).toEqual([50, 80, 100]);
    expect(parseThresholds(' 100, 50 ,80,50 ')).toEqual([50, 80, 100]);
    expect(parseThresholds('90 120;75%')).toEqual([75, 90, 120]);
    expect(parseThresholds('1,1000')).toEqual([1, 1000]);
    expect(parseThresholds('50,,80,')).toEqual([50, 80]);
  });

  it('throws a readable error on an invalid value', () => {
    expect(() => parseThresholds('')).toThrow(/at least one alert threshold/);
    expect(() => parseThresholds(' , ')).toThrow(/at least one/);
    expect(() => parseThresholds('0,50')).toThrow(
      'Invalid threshold "0": each threshold must be a whole number of percent from 1 to 1000.'
    );
    expect(() => parseThresholds('50,1001')).toThrow(/"1001"/);
    expect(() => parseThresholds('50.5')).toThrow(/"50.5"/);
    expect(() => parseThresholds('-10')).toThrow(/"-10"/);
    expect(() => parseThresholds('abc')).toThrow(/"abc"/);
  });
});

describe('costKeyLabel, relativeWidth and windowText', () => {
  it('labels the empty keys', () => {
    expect(costKeyLabel('model', '')).toBe('(no model)');
    expect(costKeyLabel('version', '')).toBe('(no model)');
    expect(costKeyLabel('project', '')).toBe('(none)');
    expect(costKeyLabel('model', 'churn')).toBe('churn');
  });

  it('sizes a bar relative to the largest group', () => {
    expect(relativeWidth(10, 10)).toBe(100);
    expect(relativeWidth(2.5, 10)).toBe(25);
    expect(relativeWidth(1, 3)).toBe(33.33);
    expect(relativeWidth(0, 10)).toBe(0);
    expect(relativeWidth(5, 0)).toBe(0);
    expect(relativeWidth(20, 10)).toBe(100);
  });

  it('names the window', () => {
    expect(windowText('30d')).toBe('last 30 days');
    expect(windowText('1d')).toBe('last day');
    expect(windowText('12h')).toBe('last 12 hours');
    expect(windowText('2w')).toBe('last 2 weeks');
    expect(windowText('soon')).toBe('soon');
  });
});

describe('relativeTime', () => {
  it('says how long ago', () => {
    expect(relativeTime(NOW - 5, NOW)).toBe('just now');
    expect(relativeTime(NOW + 30, NOW)).toBe('just now');
    expect(relativeTime(NOW - 300, NOW)).toBe('5 min ago');
    expect(relativeTime(NOW - 7200, NOW)).toBe('2 h ago');
    expect(relativeTime(NOW - 86400, NOW)).toBe('yesterday');
    expect(relativeTime(NOW - 3 * 86400, NOW)).toBe('3 days ago');
    expect(relativeTime(NOW - 30 * 86400, NOW)).toBe(
      new Date((NOW - 30 * 86400) * 1000).toLocaleDateString()
    );
    expect(relativeTime(0, NOW)).toBe('');
  });
});

describe('deliveryFailure and newestFirst', () => {
  it('extracts the reason of a failed delivery', () => {
    expect(deliveryFailure(alert({ delivery: 'sent' }))).toBeNull();
    expect(deliveryFailure(alert({ delivery: 'none' }))).toBeNull();
    expect(deliveryFailure(alert({ delivery: 'pending' }))).toBeNull();
    expect(deliveryFailure(alert({ delivery: 'failed: HTTP 500' }))).toBe(
      'HTTP 500'
    );
    expect(deliveryFailure(alert({ delivery: 'failed' }))).toBe('');
  });

  it('sorts alerts newest first', () => {
    const alerts: Alert[] = [alert({ id: 2 }), alert({ id: 9 }), alert()];
    expect(newestFirst(alerts).map(item => item.id)).toEqual([9, 7, 2]);
  });
});

describe('budget form', () => {
  it('starts empty with the default thresholds', () => {
    expect(emptyFormValues()).toEqual({
      scope: 'project',
      subject: '',
      amount: '',
      period: 'monthly',
      hardLimit: false,
      thresholds: '50,80,100',
      source: null
    });
  });

  it('makes the PUT request of a new budget', () => {
    expect(
      budgetRequest({
        ...emptyFormValues(),
        scope: 'user',
        subject: ' bob ',
        amount: '250.5',
        period: 'weekly',
        hardLimit: true,
        thresholds: '90,50'
      })
    ).toEqual({
      scope: 'user',
      subject: 'bob',
      update: {
        amount: 250.5,
        period: 'weekly',
        thresholds: [50, 90],
        hard_limit: true
      }
    });
  });

  it('keeps the webhook of the budget being edited', () => {
    const edited = budget({ webhook: 'https://hooks.example.org/x' });
    const values = formValuesOf(edited);
    expect(values).toMatchObject({
      scope: 'project',
      subject: 'churn',
      amount: '500',
      thresholds: '50,80,100'
    });
    expect(budgetRequest(values).update.webhook).toBe(
      'https://hooks.example.org/x'
    );
    // Another subject: a new budget, without the webhook.
    expect(
      budgetRequest({ ...values, subject: 'other' }).update
    ).not.toHaveProperty('webhook');
  });

  it('rejects a missing subject or a bad amount', () => {
    expect(() => budgetRequest({ ...emptyFormValues(), amount: '10' })).toThrow(
      'Enter the project name the budget is for.'
    );
    expect(() => parseAmount('')).toThrow(/positive number/);
    expect(() => parseAmount('0')).toThrow(/positive number/);
    expect(() => parseAmount('-4')).toThrow(/positive number/);
    expect(() => parseAmount('abc')).toThrow(/positive number/);
    expect(parseAmount(' 12.5 ')).toBe(12.5);
  });
});

describe('REST endpoints', () => {
  it('encodes the budget path and the queries', () => {
    expect(budgetPath('project', 'a b/c')).toBe('budgets/project/a%20b%2Fc');
    expect(costsEndpoint({ by: 'model', window: '7d' })).toBe(
      'costs?by=model&window=7d'
    );
    expect(costsEndpoint()).toBe('costs');
    expect(alertsEndpoint({ after: 7, limit: 50 })).toBe(
      'alerts?after=7&limit=50'
    );
    expect(alertsEndpoint({ after: null })).toBe('alerts');
  });
});
