/**
 * The one format of metric values in the sidebar (`format.ts`): 4 significant digits, the same decimals within a
 * column, and the best-value rule the metric sort uses.
 */
import { formatMetric, metricDecimals } from '../format';
import { bestMetricValue, formatMetric as metricsFormat } from '../metrics';

describe('formatMetric', () => {
  it('shows 4 significant digits, keeping trailing zeros', () => {
    expect(formatMetric(0.958)).toBe('0.9580');
    expect(formatMetric(0.9674)).toBe('0.9674');
    expect(formatMetric(0.953846)).toBe('0.9538');
    expect(formatMetric(12.5)).toBe('12.50');
    expect(formatMetric(-0.5)).toBe('-0.5000');
    expect(formatMetric(1234.5678)).toBe('1235');
    expect(formatMetric(12345.67)).toBe('12346');
    expect(formatMetric(0.001234)).toBe('0.001234');
  });

  it('keeps integers (counts) as they are', () => {
    expect(formatMetric(12)).toBe('12');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(1_000_000)).toBe('1000000');
  });

  it('uses exponent notation for tiny and huge values', () => {
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric(12_345_678.9)).toBe('1.235e+7');
  });

  it('shows an em dash for a missing value', () => {
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(undefined)).toBe('—');
    expect(formatMetric(NaN)).toBe('—');
    expect(formatMetric(Infinity)).toBe('—');
  });

  it('uses the decimals of its column when given', () => {
    expect(formatMetric(0.958, 4)).toBe('0.9580');
    expect(formatMetric(1, 4)).toBe('1.0000');
    expect(formatMetric(12.5, 2)).toBe('12.50');
    expect(formatMetric(3, 0)).toBe('3');
    // Out-of-range decimals are clamped, exponent values stay exponents.
    expect(formatMetric(0.5, 20)).toBe('0.500000');
    expect(formatMetric(0.00001234, 4)).toBe('1.234e-5');
  });

  it('is the formatter metrics.ts hands out (one formatter for every view)', () => {
    expect(metricsFormat).toBe(formatMetric);
  });
});

describe('metricDecimals', () => {
  it('gives a column the decimals that keep 4 significant digits for every value', () => {
    const column = [0.958, 0.9674];
    const decimals = metricDecimals(column);
    expect(decimals).toBe(4);
    expect(column.map(value => formatMetric(value, decimals))).toEqual([
      '0.9580',
      '0.9674'
    ]);
    // Consistent decimals within the column, whatever the magnitudes.
    const mixed = [12.5, 0.25, 3];
    const mixedDecimals = metricDecimals(mixed);
    expect(mixedDecimals).toBe(4);
    expect(
      new Set(
        mixed.map(
          value => formatMetric(value, mixedDecimals).split('.')[1].length
        )
      )
    ).toEqual(new Set([4]));
  });

  it('keeps a column of integers without decimals, and ignores missing values', () => {
    expect(metricDecimals([1, 12, 300])).toBe(0);
    expect(metricDecimals([null, undefined, 0.5])).toBe(4);
    expect(metricDecimals([])).toBe(0);
    expect(metricDecimals([1234.5, 5678.25])).toBe(0);
    // Exponent values do not widen the column.
    expect(metricDecimals([0.00001, 0.5])).toBe(4);
  });
});

describe('bestMetricValue', () => {
  it('takes the highest score and the lowest loss or error', () => {
    expect(bestMetricValue('accuracy', [0.9, 0.958, null])).toBe(0.958);
    expect(bestMetricValue('val_loss', [0.3, 0.2, undefined])).toBe(0.2);
    expect(bestMetricValue('rmse', [4, 2.5])).toBe(2.5);
    expect(bestMetricValue('training_time_s', [3, 1.5])).toBe(1.5);
    expect(bestMetricValue('f1', [null, undefined])).toBeNull();
  });
});
