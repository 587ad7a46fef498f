import type { RunSummary } from '../api';
import {
  bestValues,
  compareRunIds,
  defaultColumns,
  keepAvailable,
  runsCompareWidgetId,
  selectRange,
  sortRuns
} from '../experiments/helpers';
import { formatRelativeTime } from '../format';
import { metricGoal } from '../metrics';

function run(
  id: string,
  metrics: { [key: string]: number } = {},
  params: { [key: string]: string } = {},
  extra: Partial<RunSummary> = {}
): RunSummary {
  return {
    run_id: id,
    run_name: `run-${id}`,
    experiment_id: '1',
    status: 'FINISHED',
    start_time: 1_700_000_000_000,
    end_time: null,
    duration_seconds: 1,
    user: 'ada',
    metrics,
    params,
    tags: {},
    ...extra
  } as RunSummary;
}

const ids = (runs: RunSummary[]): string[] => runs.map(r => r.run_id);

describe('metricGoal', () => {
  it.each([
    'accuracy',
    'f1',
    'roc_auc',
    'r2',
    'precision',
    'lossless_ratio',
    'neg_mean_squared_error',
    'neg_log_loss'
  ])('%s: the highest is best', name => {
    expect(metricGoal(name)).toBe('max');
  });

  it.each([
    'loss',
    'val_loss',
    'valLoss',
    'train/loss',
    'log_loss',
    'error',
    'error_rate',
    'mean_absolute_error',
    'rmse',
    'test_rmse',
    'mae',
    'MSE',
    'training_time_s'
  ])('%s: the lowest is best', name => {
    expect(metricGoal(name)).toBe('min');
  });
});

describe('bestValues', () => {
  it('takes the max of scores and the min of losses, over two runs or more', () => {
    const runs = [
      run('a', { accuracy: 0.9, loss: 0.3, only: 5 }),
      run('b', { accuracy: 0.95, loss: 0.2 }),
      run('c', { accuracy: 0.93, loss: 0.25 })
    ];
    const best = bestValues(runs, ['accuracy', 'loss', 'only', 'absent']);
    expect(best.get('accuracy')).toBe(0.95);
    expect(best.get('loss')).toBe(0.2);
    // One value is not a comparison; no value, nothing.
    expect(best.has('only')).toBe(false);
    expect(best.has('absent')).toBe(false);
  });
});

describe('sortRuns', () => {
  const runs = [
    run('a', { accuracy: 0.9 }, { depth: '10' }),
    run('b', {}, { depth: '2' }),
    run('c', { accuracy: 0.95 }, { depth: '5' }),
    run('d', { accuracy: 0.9 }, {})
  ];

  it('sorts a metric both ways, missing values last, ties stable', () => {
    expect(
      ids(sortRuns(runs, { column: 'metric:accuracy', direction: 'ascending' }))
    ).toEqual(['a', 'd', 'c', 'b']);
    expect(
      ids(
        sortRuns(runs, { column: 'metric:accuracy', direction: 'descending' })
      )
    ).toEqual(['c', 'a', 'd', 'b']);
  });

  it('sorts numeric params as numbers, not as text', () => {
    expect(
      ids(sortRuns(runs, { column: 'param:depth', direction: 'ascending' }))
    ).toEqual(['b', 'c', 'a', 'd']);
  });

  it('sorts names naturally and leaves the input untouched', () => {
    const named = [
      run('x', {}, {}, { run_name: 'trial 10' }),
      run('y', {}, {}, { run_name: 'Trial 2' }),
      run('z', {}, {}, { run_name: 'trial 1' })
    ];
    const sorted = sortRuns(named, { column: 'name', direction: 'ascending' });
    expect(ids(sorted)).toEqual(['z', 'y', 'x']);
    expect(ids(named)).toEqual(['x', 'y', 'z']);
  });
});

describe('defaultColumns', () => {
  it('shows every metric and at most 3 params and tags, varying params first', () => {
    const runs = [
      run('a', { m1: 1, m2: 2 }, { a: '1', b: '1', c: '1', d: '1', e: 'x' }),
      run('b', { m3: 3 }, { a: '1', b: '1', c: '1', d: '2', e: 'y' })
    ];
    runs[0].tags = { team: 'ml' };
    const choice = defaultColumns(runs);
    expect(choice.metrics).toEqual(['m1', 'm2', 'm3']);
    expect(choice.params).toEqual(['a', 'd', 'e']);
    expect(choice.tags).toEqual([]);
  });

  it('fills the rest of the 3 with tags when there are fewer params', () => {
    const runs = [run('a', {}, { lr: '0.1' })];
    runs[0].tags = { team: 'ml', stage: 'dev', owner: 'ada' };
    expect(defaultColumns(runs)).toEqual({
      metrics: [],
      params: ['lr'],
      tags: ['owner', 'stage']
    });
  });

  it('drops chosen keys that no loaded run has', () => {
    expect(
      keepAvailable(
        { metrics: ['gone', 'acc'], params: ['p'], tags: [] },
        { metrics: ['acc'], params: [], tags: ['t'] }
      )
    ).toEqual({ metrics: ['acc'], params: [], tags: [] });
  });
});

describe('selectRange', () => {
  it('adds the runs between the anchor and the clicked row, either way', () => {
    const runs = ['a', 'b', 'c', 'd', 'e'].map(id => run(id));
    expect([...selectRange(new Set(['x']), runs, 1, 3)].sort()).toEqual([
      'b',
      'c',
      'd',
      'x'
    ]);
    expect([...selectRange(new Set(), runs, 4, 2)].sort()).toEqual([
      'c',
      'd',
      'e'
    ]);
  });
});

describe('compareRunIds', () => {
  it('takes 2 to 100 distinct ids, as an array or comma-separated', () => {
    expect(compareRunIds(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(compareRunIds('a, b,c')).toEqual(['a', 'b', 'c']);
    expect(compareRunIds(['a'])).toBeNull();
    expect(compareRunIds(['a', 'a'])).toBeNull();
    expect(compareRunIds(undefined)).toBeNull();
    const many = Array.from({ length: 101 }, (_, i) => `r${i}`);
    expect(compareRunIds(many)).toBeNull();
    expect(compareRunIds(many.slice(0, 100))).toHaveLength(100);
  });

  it('gives the same widget id to the same runs in any order', () => {
    expect(runsCompareWidgetId(['a', 'b'])).toBe(
      runsCompareWidgetId(['b', 'a'])
    );
    expect(runsCompareWidgetId(['a', 'b'])).not.toBe(
      runsCompareWidgetId(['a', 'c'])
    );
    expect(runsCompareWidgetId(['a', 'b'])).toMatch(
      /^maestro-runs-compare-2-[0-9a-f]+$/
    );
  });
});

describe('formatRelativeTime', () => {
  const now = Date.UTC(2026, 0, 31, 12);
  it.each([
    [now - 10_000, 'just now'],
    [now + 60_000, 'just now'],
    [now - 5 * 60_000, '5 min ago'],
    [now - 3 * 3600_000, '3 h ago'],
    [now - 30 * 3600_000, 'yesterday'],
    [now - 4 * 86400_000, '4 days ago'],
    [null, '—'],
    [0, '—']
  ])('%p reads %p', (timestamp, text) => {
    expect(formatRelativeTime(timestamp, now)).toBe(text);
  });

  it('gives the date after a month', () => {
    const old = now - 90 * 86400_000;
    expect(formatRelativeTime(old, now)).toBe(
      new Date(old).toLocaleDateString()
    );
  });
});
