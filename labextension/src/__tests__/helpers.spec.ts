import { formatDuration, shortDescription } from '../format';
import {
  defaultCompareMetrics,
  formatMetric,
  orderMetrics,
  pickKeyMetrics
} from '../metrics';
import {
  effectiveMlflowUiUrl,
  mlflowModelURL,
  mlflowRunURL,
  mlflowVersionURL
} from '../mlflow';
import { addTagFilter, formatTagFilter, parseTagFilter } from '../tags';

describe('parseTagFilter', () => {
  it('parses key=value', () => {
    expect(parseTagFilter('task=classification')).toEqual({
      ok: true,
      tag: { key: 'task', value: 'classification' }
    });
  });

  it('trims spaces and keeps later = in the value', () => {
    expect(parseTagFilter('  expr = a=b ')).toEqual({
      ok: true,
      tag: { key: 'expr', value: 'a=b' }
    });
  });

  it('accepts an empty value', () => {
    expect(parseTagFilter('flag=')).toEqual({
      ok: true,
      tag: { key: 'flag', value: '' }
    });
  });

  it('rejects a filter without =', () => {
    const result = parseTagFilter('classification');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/key=value/);
  });

  it('rejects an empty key or text', () => {
    expect(parseTagFilter('=value').ok).toBe(false);
    expect(parseTagFilter('   ').ok).toBe(false);
  });

  it('formats and adds filters, replacing a filter on the same key', () => {
    const tags = addTagFilter([{ key: 'a', value: '1' }], {
      key: 'b',
      value: '2'
    });
    expect(tags.map(formatTagFilter)).toEqual(['a=1', 'b=2']);
    expect(
      addTagFilter(tags, { key: 'a', value: '3' }).map(formatTagFilter)
    ).toEqual(['a=3', 'b=2']);
  });
});

describe('metrics', () => {
  it('prefers the well-known metrics, in order', () => {
    expect(
      pickKeyMetrics([
        'a',
        'accuracy',
        'b',
        'f1',
        'r2',
        'roc_auc',
        'training_time_s'
      ])
    ).toEqual(['accuracy', 'f1', 'roc_auc']);
  });

  it('completes with the first other metrics, then the training time', () => {
    expect(pickKeyMetrics(['b', 'a', 'rmse'])).toEqual(['rmse', 'b', 'a']);
    expect(pickKeyMetrics(['loss', 'training_time_s'])).toEqual([
      'loss',
      'training_time_s'
    ]);
    expect(pickKeyMetrics([])).toEqual([]);
  });

  it('compares the key metrics plus the training time by default', () => {
    expect(
      defaultCompareMetrics([
        'accuracy',
        'f1',
        'precision',
        'recall',
        'training_time_s'
      ])
    ).toEqual(['accuracy', 'f1', 'precision', 'training_time_s']);
    expect(defaultCompareMetrics(['r2', 'rmse'])).toEqual(['r2', 'rmse']);
  });

  it('orders metrics for display', () => {
    expect(
      orderMetrics(['zeta', 'training_time_s', 'f1', 'alpha', 'accuracy'])
    ).toEqual(['accuracy', 'f1', 'alpha', 'zeta', 'training_time_s']);
  });

  it('formats values compactly', () => {
    expect(formatMetric(0.953846)).toBe('0.9538');
    expect(formatMetric(12)).toBe('12');
    expect(formatMetric(1234.5678)).toBe('1235');
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(undefined)).toBe('—');
  });
});

describe('mlflow links', () => {
  it('prefers the setting over the server URL', () => {
    expect(effectiveMlflowUiUrl(' http://ui ', 'http://server')).toBe(
      'http://ui'
    );
    expect(effectiveMlflowUiUrl('', 'http://server')).toBe('http://server');
    expect(effectiveMlflowUiUrl('', null)).toBe('');
  });

  it('builds run, version and model URLs', () => {
    expect(mlflowRunURL('http://ui:5000/', '7', 'abc')).toBe(
      'http://ui:5000/#/experiments/7/runs/abc'
    );
    expect(mlflowVersionURL('http://ui', 'a/b c', '3')).toBe(
      'http://ui/#/models/a%2Fb%20c/versions/3'
    );
    expect(mlflowModelURL('https://ui/mlflow//', 'm')).toBe(
      'https://ui/mlflow/#/models/m'
    );
  });

  it('hides links without an http(s) URL', () => {
    expect(mlflowRunURL('', '1', 'r')).toBeNull();
    expect(mlflowVersionURL('javascript:alert(1)', 'm', '1')).toBeNull();
    expect(mlflowModelURL('file:///tmp', 'm')).toBeNull();
  });
});

describe('format', () => {
  it('truncates descriptions to their first line', () => {
    expect(shortDescription('first\nsecond')).toBe('first');
    expect(shortDescription('x'.repeat(10), 5)).toBe('xxxx…');
    expect(shortDescription(null)).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(4.567)).toBe('4.57 s');
    expect(formatDuration(42.12)).toBe('42.1 s');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(7380)).toBe('2 h 3 min');
    expect(formatDuration(null)).toBe('—');
  });
});
