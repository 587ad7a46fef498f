import { chartGeometry, linePath, tickLabel, yDomain } from '../compare/chart';

const options = {
  width: 200,
  height: 120,
  margin: { top: 10, right: 10, bottom: 10, left: 40 },
  maxLabels: 10
};
// Plot area: x from 40 to 190 (150 wide), y from 10 to 110 (100 high).

describe('yDomain', () => {
  it('pads the range by 10% on each side', () => {
    const [low, high] = yDomain(-1, 1);
    expect(low).toBeCloseTo(-1.2);
    expect(high).toBeCloseTo(1.2);
  });

  it('never goes below 0 for non-negative data', () => {
    expect(yDomain(0.01, 10)).toEqual([0, 10 + 0.999]);
  });

  it('pads around equal values', () => {
    const [low, high] = yDomain(5, 5);
    expect(low).toBeCloseTo(4.5);
    expect(high).toBeCloseTo(5.5);
    expect(yDomain(0, 0)).toEqual([0, 0.1]);
  });
});

describe('chartGeometry', () => {
  it('spreads versions over the width and scales values', () => {
    const geometry = chartGeometry([1, 2, 3], ['v1', 'v2', 'v3'], options);
    expect(geometry.plot).toEqual({
      left: 40,
      top: 10,
      width: 150,
      height: 100
    });
    expect(geometry.xs).toEqual([40, 115, 190]);
    const [low, high] = geometry.domain as [number, number];
    expect(low).toBeCloseTo(0.8);
    expect(high).toBeCloseTo(3.2);
    const ys = geometry.points.map(point => point.y);
    // Larger values are higher up (smaller y).
    expect(ys[0]).toBeGreaterThan(ys[1]);
    expect(ys[1]).toBeGreaterThan(ys[2]);
    // The middle value is in the middle of the plot.
    expect(ys[1]).toBeCloseTo(60);
    expect(ys[0]).toBeCloseTo(10 + 100 * (1 - (1 - 0.8) / 2.4));
    expect(geometry.segments).toHaveLength(1);
    expect(geometry.yTicks.map(tick => tick.label)).toEqual(['3', '1']);
    expect(geometry.xTicks.map(tick => tick.label)).toEqual(['v1', 'v2', 'v3']);
  });

  it('centres a single version', () => {
    const geometry = chartGeometry([0.5], ['v1'], options);
    expect(geometry.xs).toEqual([115]);
    expect(geometry.points).toHaveLength(1);
    expect(geometry.points[0].x).toBe(115);
    expect(geometry.points[0].y).toBeGreaterThanOrEqual(10);
    expect(geometry.points[0].y).toBeLessThanOrEqual(110);
    expect(geometry.yTicks).toHaveLength(1);
    expect(geometry.xTicks).toEqual([{ position: 115, label: 'v1' }]);
  });

  it('leaves gaps for missing values', () => {
    const geometry = chartGeometry(
      [1, null, 3, 4, undefined, NaN, 2],
      ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'],
      options
    );
    expect(geometry.points.map(point => point.index)).toEqual([0, 2, 3, 6]);
    expect(
      geometry.segments.map(segment => segment.map(point => point.index))
    ).toEqual([[0], [2, 3], [6]]);
    // Missing values still take their place on the x axis.
    expect(geometry.xs).toHaveLength(7);
  });

  it('copes with no values at all', () => {
    const geometry = chartGeometry([null, null], ['v1', 'v2'], options);
    expect(geometry.points).toEqual([]);
    expect(geometry.segments).toEqual([]);
    expect(geometry.domain).toBeNull();
    expect(geometry.yTicks).toEqual([]);
    expect(chartGeometry([], [], options).xTicks).toEqual([]);
  });

  it('thins out x labels but keeps the newest version', () => {
    const values = Array.from({ length: 25 }, (_, i) => i);
    const labels = values.map(i => `v${i + 1}`);
    const geometry = chartGeometry(values, labels, {
      ...options,
      maxLabels: 5
    });
    const shown = geometry.xTicks.map(tick => tick.label);
    expect(shown.length).toBeLessThanOrEqual(6);
    expect(shown[0]).toBe('v1');
    expect(shown[shown.length - 1]).toBe('v25');
  });
});

describe('linePath', () => {
  it('draws a polyline with rounded coordinates', () => {
    expect(
      linePath([
        { index: 0, x: 1.234, y: 5, value: 0 },
        { index: 1, x: 10, y: 2.3456, value: 0 }
      ])
    ).toBe('M1.23 5 L10 2.35');
    expect(linePath([])).toBe('');
  });
});

describe('tickLabel', () => {
  it('keeps 3 significant digits', () => {
    expect(tickLabel(0.95312)).toBe('0.953');
    expect(tickLabel(1234.5)).toBe('1230');
    expect(tickLabel(0)).toBe('0');
    expect(tickLabel(2e7)).toBe('2.0e+7');
  });
});
