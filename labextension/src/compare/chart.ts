/**
 * Geometry of the small line charts of the version comparison.
 *
 * Pure functions (no DOM) so that they are easy to test: the React component
 * only turns the result into SVG elements.
 */

/**
 * Space around the plot area, in SVG user units.
 */
export interface IChartMargin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/**
 * Size of a chart, in SVG user units.
 */
export interface IChartOptions {
  width: number;
  height: number;
  margin: IChartMargin;
  /** Maximal number of x-axis labels (others are skipped to avoid overlap). */
  maxLabels: number;
}

/**
 * Default chart size: a small multiple.
 */
export const DEFAULT_CHART_OPTIONS: IChartOptions = {
  width: 280,
  height: 150,
  margin: { top: 10, right: 12, bottom: 24, left: 48 },
  maxLabels: 8
};

/**
 * A plotted value.
 */
export interface IChartPoint {
  /** Index of the value (i.e. of the version) in the input. */
  index: number;
  x: number;
  y: number;
  value: number;
}

/**
 * A labelled position on an axis.
 */
export interface IChartTick {
  /** x (for the x axis) or y (for the y axis) coordinate. */
  position: number;
  label: string;
}

/**
 * Everything needed to draw one chart.
 */
export interface IChartGeometry {
  width: number;
  height: number;
  /** The plot area (inside the margins). */
  plot: { left: number; top: number; width: number; height: number };
  /** x coordinate of every input value, present or not. */
  xs: number[];
  /** The present (finite) values. */
  points: IChartPoint[];
  /** Runs of consecutive present values: one line each (gaps are not drawn). */
  segments: IChartPoint[][];
  /** The y range shown, or null when no value is present. */
  domain: [number, number] | null;
  /** y-axis labels: the largest and smallest values. */
  yTicks: IChartTick[];
  /** x-axis labels (a subset when there are too many). */
  xTicks: IChartTick[];
}

/**
 * Whether a value can be plotted.
 */
function isPresent(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The y range shown for values between `lo` and `hi`: 10% padding on each
 * side (of the range, or of the value when all values are equal, or 1 for
 * zeros) so that points stay off the frame; never below 0 for non-negative
 * data (times, counts), so that such an axis never shows negative values.
 */
export function yDomain(lo: number, hi: number): [number, number] {
  const margin = (hi - lo || Math.abs(hi) || 1) * 0.1;
  let low = lo - margin;
  const high = hi + margin;
  if (lo >= 0) {
    low = Math.max(low, 0);
  }
  return [low, high];
}

/**
 * A short label for an axis value.
 */
export function tickLabel(value: number): string {
  if (value === 0) {
    return '0';
  }
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-3) {
    return value.toExponential(1);
  }
  return String(Number(value.toPrecision(3)));
}

/**
 * Compute the geometry of a line chart of `values` (one per version, in
 * order; `null`/`undefined`/non-finite values are missing and leave a gap).
 *
 * The x positions are evenly spaced over the plot width, a single value
 * being centred. The y scale is the chart's own, from `yDomain` of the
 * present values; SVG y grows downwards, so larger values get smaller y.
 */
export function chartGeometry(
  values: ReadonlyArray<number | null | undefined>,
  labels: readonly string[] = values.map((_, index) => String(index + 1)),
  options: Partial<IChartOptions> = {}
): IChartGeometry {
  const { width, height, margin, maxLabels } = {
    ...DEFAULT_CHART_OPTIONS,
    ...options
  };
  const plot = {
    left: margin.left,
    top: margin.top,
    width: Math.max(0, width - margin.left - margin.right),
    height: Math.max(0, height - margin.top - margin.bottom)
  };

  const count = values.length;
  const step = count > 1 ? plot.width / (count - 1) : 0;
  const xs = values.map((_, index) =>
    count > 1 ? plot.left + step * index : plot.left + plot.width / 2
  );

  const present = values
    .map((value, index) => ({ value, index }))
    .filter((item): item is { value: number; index: number } =>
      isPresent(item.value)
    );

  let domain: [number, number] | null = null;
  const points: IChartPoint[] = [];
  const yTicks: IChartTick[] = [];
  if (present.length > 0) {
    const lo = Math.min(...present.map(item => item.value));
    const hi = Math.max(...present.map(item => item.value));
    domain = yDomain(lo, hi);
    const [low, high] = domain;
    const scaleY = (value: number): number =>
      plot.top + plot.height * (1 - (value - low) / (high - low));
    for (const item of present) {
      points.push({
        index: item.index,
        x: xs[item.index],
        y: scaleY(item.value),
        value: item.value
      });
    }
    yTicks.push({ position: scaleY(hi), label: tickLabel(hi) });
    if (hi !== lo) {
      yTicks.push({ position: scaleY(lo), label: tickLabel(lo) });
    }
  }

  const segments: IChartPoint[][] = [];
  let current: IChartPoint[] = [];
  let previousIndex = -2;
  for (const point of points) {
    if (point.index !== previousIndex + 1 && current.length > 0) {
      segments.push(current);
      current = [];
    }
    current.push(point);
    previousIndex = point.index;
  }
  if (current.length > 0) {
    segments.push(current);
  }

  const labelStep = Math.max(1, Math.ceil(count / Math.max(1, maxLabels)));
  const xTicks: IChartTick[] = [];
  for (let index = 0; index < count; index += labelStep) {
    xTicks.push({ position: xs[index], label: labels[index] ?? '' });
  }
  // Always label the last (newest) version.
  if (count > 0 && (count - 1) % labelStep !== 0) {
    if (
      xTicks.length > 1 &&
      count - 1 - (xTicks.length - 1) * labelStep < labelStep / 2
    ) {
      xTicks.pop();
    }
    xTicks.push({ position: xs[count - 1], label: labels[count - 1] ?? '' });
  }

  return { width, height, plot, xs, points, segments, domain, yTicks, xTicks };
}

/**
 * SVG path data (`M x y L x y ...`) of a line through points.
 */
export function linePath(points: readonly IChartPoint[]): string {
  return points
    .map(
      (point, index) =>
        `${index === 0 ? 'M' : 'L'}${round(point.x)} ${round(point.y)}`
    )
    .join(' ');
}

/**
 * Round a coordinate to 2 decimals (shorter SVG, stable tests).
 */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}
