/**
 * Vega-Lite specs of the sidebar's charts: pure functions from data to a
 * spec (no DOM), tested on their own; `VegaChart` renders them.
 *
 * Every spec carries a `description` (read out by screen readers, and used
 * as the chart's `aria-label`), tooltips on its marks, and sizes that
 * `VegaChart` fits to its panel (`autosize: fit`).
 */
import type { TopLevelSpec } from 'vega-lite';

import { metricGoal } from '../metrics';

/** A Vega-Lite spec as given to `VegaChart`. */
export type ChartSpec = TopLevelSpec;

/** Default height of a chart's plot, in pixels. */
export const CHART_HEIGHT = 180;

/** Default width (before `VegaChart` fits it to its panel), in pixels. */
export const CHART_WIDTH = 400;

/**
 * Most points drawn per series: a guard, the server already downsamples
 * histories (`max_points`); 2,000 keeps a curve's shape at any panel width.
 */
export const MAX_SERIES_POINTS = 2000;

/**
 * Most points on a chart with hover targets (one invisible point per value,
 * picked by a Voronoi of all points): beyond, tooltips are on the lines only,
 * so that 100 overlaid runs stay quick.
 */
export const MAX_HOVER_POINTS = 5000;

/** Most series with a legend entry: beyond, tooltips name the runs. */
export const MAX_LEGEND_ENTRIES = 12;

/** Number format of values in tooltips and axes (d3-format). */
export const VALUE_FORMAT = '.4~g';

/** Time format of timestamps in tooltips (d3-time-format). */
export const TIME_FORMAT = '%Y-%m-%d %H:%M:%S';

/**
 * One logged value of a metric.
 */
export interface IHistoryPoint {
  step: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  value: number;
}

/**
 * The history of a metric in a run, as drawn: a line.
 */
export interface IHistorySeries {
  /** Run id. */
  runId: string;
  /** What the legend and tooltips call the run (its name). */
  label: string;
  points: readonly IHistoryPoint[];
}

/** What a learning curve is drawn against. */
export type HistoryAxis = 'step' | 'time';

/**
 * Downsample `items` to at most `maxPoints`, keeping the shape of the
 * series: the items are cut into buckets of consecutive items and each
 * bucket keeps its smallest and largest value, in their original order
 * (spikes survive, unlike with every n-th item); the first and last items
 * are always kept. Returns `items` itself when it is short enough.
 */
export function downsample<T>(
  items: readonly T[],
  maxPoints: number,
  value: (item: T) => number
): readonly T[] {
  const limit = Math.max(2, Math.floor(maxPoints));
  if (items.length <= limit) {
    return items;
  }
  const last = items.length - 1;
  // Two items per bucket, plus the first and the last.
  const buckets = Math.max(1, Math.floor((limit - 2) / 2));
  const size = (items.length - 2) / buckets;
  const kept: T[] = [items[0]];
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = 1 + Math.floor(bucket * size);
    const end = Math.min(last, 1 + Math.floor((bucket + 1) * size));
    if (start >= end) {
      continue;
    }
    let low = start;
    let high = start;
    for (let index = start + 1; index < end; index++) {
      const current = value(items[index]);
      if (current < value(items[low])) {
        low = index;
      }
      if (current > value(items[high])) {
        high = index;
      }
    }
    if (low === high) {
      kept.push(items[low]);
    } else {
      kept.push(items[Math.min(low, high)], items[Math.max(low, high)]);
    }
  }
  kept.push(items[last]);
  return kept;
}

/**
 * Whether every value is a score in [0, 1] (accuracy, AUC, F1...): such an
 * axis spans [0, 1], so that 0.995 against 0.992 does not look like a cliff.
 */
export function isUnitScore(values: readonly number[]): boolean {
  return values.length > 0 && values.every(value => value >= 0 && value <= 1);
}

/**
 * Whether every value is a count (a non-negative integer).
 */
export function isCount(values: readonly number[]): boolean {
  return (
    values.length > 0 &&
    values.every(value => value >= 0 && Number.isInteger(value))
  );
}

/**
 * The quantitative scale of a metric's values: [0, 1] for scores, from
 * zero for counts, and the data's own (nice) range otherwise, where a zero
 * would flatten a curve (a loss going from 0.31 to 0.29).
 */
export function valueScale(values: readonly number[]): {
  zero: boolean;
  domain?: [number, number];
  nice?: boolean;
} {
  if (isUnitScore(values) && values.some(value => value > 0.05)) {
    return { zero: true, domain: [0, 1] };
  }
  if (isCount(values) && values.some(value => value > 1)) {
    return { zero: true, nice: true };
  }
  return { zero: false, nice: true };
}

/**
 * Options of `learningCurveSpec`.
 */
export interface ILearningCurveOptions {
  /** The metric (axis title and description). */
  metric: string;
  series: readonly IHistorySeries[];
  /** Against steps (default) or wall-clock time. */
  x?: HistoryAxis;
  /** Guard on points per series (default `MAX_SERIES_POINTS`). */
  maxPoints?: number;
  height?: number;
}

/**
 * A learning curve: a metric against step (or time), one line per run,
 * overlaid, with a legend when there are several runs (and not too many),
 * and tooltips (run, step, time, value) on the nearest point.
 */
export function learningCurveSpec(options: ILearningCurveOptions): ChartSpec {
  const { metric } = options;
  const x = options.x ?? 'step';
  const maxPoints = options.maxPoints ?? MAX_SERIES_POINTS;
  const values: Array<{
    run: string;
    run_id: string;
    step: number;
    time: number;
    value: number;
  }> = [];
  for (const series of options.series) {
    const points = downsample(
      series.points.filter(point => Number.isFinite(point.value)),
      maxPoints,
      point => point.value
    );
    for (const point of points) {
      values.push({
        run: series.label,
        run_id: series.runId,
        step: point.step,
        time: point.timestamp,
        value: point.value
      });
    }
  }
  const runs = options.series.length;
  const xEncoding =
    x === 'time'
      ? {
          field: 'time',
          type: 'temporal' as const,
          title: 'Time',
          axis: { labelOverlap: true }
        }
      : {
          field: 'step',
          type: 'quantitative' as const,
          title: 'Step',
          axis: { format: ',d', tickCount: 6 },
          scale: { zero: false, nice: false }
        };
  const yEncoding = {
    field: 'value',
    type: 'quantitative' as const,
    title: metric,
    axis: { format: VALUE_FORMAT, tickCount: 5 },
    scale: { zero: false, nice: true }
  };
  const colorEncoding =
    runs > 1
      ? {
          color: {
            field: 'run',
            type: 'nominal' as const,
            title: 'Run',
            legend:
              runs <= MAX_LEGEND_ENTRIES
                ? { orient: 'bottom' as const, columns: 2 }
                : null
          }
        }
      : {};
  const tooltip = [
    ...(runs > 1
      ? [{ field: 'run', type: 'nominal' as const, title: 'Run' }]
      : []),
    {
      field: 'step',
      type: 'quantitative' as const,
      title: 'Step',
      format: ',d'
    },
    {
      field: 'time',
      type: 'temporal' as const,
      title: 'Time',
      format: TIME_FORMAT
    },
    {
      field: 'value',
      type: 'quantitative' as const,
      title: metric,
      format: VALUE_FORMAT
    }
  ];
  const hover = values.length <= MAX_HOVER_POINTS;
  const layer: unknown[] = [
    {
      mark: { type: 'line', interpolate: 'linear', tooltip: !hover },
      encoding: {
        ...colorEncoding,
        detail: { field: 'run_id', type: 'nominal' },
        ...(hover
          ? {}
          : { tooltip: [{ field: 'run', type: 'nominal', title: 'Run' }] })
      }
    }
  ];
  if (hover) {
    layer.push({
      mark: { type: 'point', filled: true, size: 40 },
      params: [
        {
          name: 'hover',
          select: {
            type: 'point',
            on: 'pointerover',
            clear: 'pointerout',
            nearest: true
          }
        }
      ],
      encoding: {
        ...colorEncoding,
        opacity: {
          condition: { param: 'hover', empty: false, value: 1 },
          value: 0
        },
        tooltip
      }
    });
  }
  const runText = runs === 1 ? '1 run' : `${runs} runs`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Learning curve of ${metric} against ${
      x === 'time' ? 'time' : 'step'
    }, ${runText}, ${values.length} points.`,
    width: CHART_WIDTH,
    height: options.height ?? CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    data: { values },
    encoding: { x: xEncoding, y: yEncoding },
    layer
  } as ChartSpec;
}

/**
 * One bar of `metricBarsSpec`: a run or a version.
 */
export interface IMetricBar {
  /** Axis label (a run name, `v3`). */
  label: string;
  value: number | null | undefined;
  /** More to say in the tooltip (aliases, run id). */
  detail?: string;
}

/**
 * Bars of a metric's value per run or version, in the given order, with a
 * zero-based axis ([0, 1] for scores), the best bar (max, or min for
 * losses and errors) in the accent colour, and tooltips. Missing values
 * get no bar but keep their place.
 */
export function metricBarsSpec(options: {
  metric: string;
  bars: readonly IMetricBar[];
  /** Axis title of the bars' labels (`Version`, `Run`). */
  category?: string;
  height?: number;
}): ChartSpec {
  const { metric } = options;
  const category = options.category ?? 'Version';
  const present = options.bars
    .map(bar => bar.value)
    .filter((value): value is number => isFiniteNumber(value));
  const best = present.length
    ? metricGoal(metric) === 'min'
      ? Math.min(...present)
      : Math.max(...present)
    : null;
  const values = options.bars.map(bar => ({
    label: bar.label,
    value: isFiniteNumber(bar.value) ? bar.value : null,
    detail: bar.detail ?? '',
    best: best !== null && bar.value === best
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${metric} by ${category.toLowerCase()}: ${values
      .map(
        item =>
          `${item.label} ${item.value === null ? 'no value' : formatValue(item.value)}`
      )
      .join(', ')}.`,
    width: CHART_WIDTH,
    height: options.height ?? CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    data: { values },
    mark: { type: 'bar', tooltip: true, cornerRadiusEnd: 2 },
    encoding: {
      x: {
        field: 'label',
        type: 'nominal',
        title: category,
        sort: null,
        // Every label, so that a missing value keeps its (empty) place.
        scale: { domain: values.map(item => item.label) },
        axis: { labelAngle: 0, labelLimit: 80 }
      },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric,
        axis: { format: VALUE_FORMAT, tickCount: 5 },
        // Bars always start at zero; scores span [0, 1].
        scale: { ...valueScale(present), zero: true }
      },
      color: {
        condition: { test: 'datum.best', value: { expr: 'accentColor' } },
        value: { expr: 'barColor' }
      },
      tooltip: [
        { field: 'label', type: 'nominal', title: category },
        {
          field: 'value',
          type: 'quantitative',
          title: metric,
          format: VALUE_FORMAT
        },
        ...(values.some(item => item.detail)
          ? [{ field: 'detail', type: 'nominal' as const, title: 'Details' }]
          : [])
      ]
    },
    params: [
      // Filled in by `VegaChart` from the theme (see `themeSignals`).
      { name: 'barColor', value: '#1976d2' },
      { name: 'accentColor', value: '#388e3c' }
    ]
  } as ChartSpec;
}

/**
 * One run of `scatterSpec` / `parallelSpec`: its label and values by
 * dimension (params as strings or numbers, metrics as numbers).
 */
export interface IRunValues {
  runId: string;
  label: string;
  values: { [dimension: string]: string | number | null | undefined };
}

/**
 * Whether every present value of a dimension is a number (or a string that
 * is one, as MLflow params are).
 */
export function isNumericDimension(
  runs: readonly IRunValues[],
  dimension: string
): boolean {
  let seen = false;
  for (const run of runs) {
    const value = run.values[dimension];
    if (value === null || value === undefined || value === '') {
      continue;
    }
    seen = true;
    if (!isFiniteNumber(toNumber(value))) {
      return false;
    }
  }
  return seen;
}

/**
 * A scatter of one dimension (a param) against another (a metric), a point
 * per run, tooltips naming the run. Numeric params are on a quantitative
 * axis, others on a nominal one.
 */
export function scatterSpec(options: {
  runs: readonly IRunValues[];
  x: string;
  y: string;
  /** What the axes call the dimensions (default: their keys). */
  titles?: { [dimension: string]: string };
  height?: number;
}): ChartSpec {
  const x = options.titles?.[options.x] ?? options.x;
  const y = options.titles?.[options.y] ?? options.y;
  const xNumeric = isNumericDimension(options.runs, options.x);
  const yNumeric = isNumericDimension(options.runs, options.y);
  const values = options.runs
    .map(run => {
      const xValue = run.values[options.x];
      const yValue = run.values[options.y];
      return {
        run: run.label,
        run_id: run.runId,
        x: xNumeric ? toNumber(xValue) : stringValue(xValue),
        y: yNumeric ? toNumber(yValue) : stringValue(yValue)
      };
    })
    .filter(row => row.x !== null && row.y !== null);
  const axis = (field: 'x' | 'y', title: string, numeric: boolean) =>
    numeric
      ? {
          field,
          type: 'quantitative',
          title,
          axis: { format: VALUE_FORMAT },
          scale: { zero: false, nice: true }
        }
      : { field, type: 'nominal', title, axis: { labelLimit: 100 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${y} against ${x}, ${values.length} runs.`,
    width: CHART_WIDTH,
    height: options.height ?? CHART_HEIGHT + 40,
    autosize: { type: 'fit', contains: 'padding' },
    data: { values },
    mark: { type: 'point', filled: true, size: 60, tooltip: true },
    encoding: {
      x: axis('x', x, xNumeric),
      y: axis('y', y, yNumeric),
      tooltip: [
        { field: 'run', type: 'nominal', title: 'Run' },
        xNumeric
          ? { field: 'x', type: 'quantitative', title: x, format: VALUE_FORMAT }
          : { field: 'x', type: 'nominal', title: x },
        yNumeric
          ? { field: 'y', type: 'quantitative', title: y, format: VALUE_FORMAT }
          : { field: 'y', type: 'nominal', title: y }
      ]
    }
  } as ChartSpec;
}

/**
 * Parallel coordinates of runs over dimensions (params, then metrics):
 * Vega-Lite's fold + normalize pattern (each dimension is folded into
 * key/value rows and scaled to [0, 1] by its own min and max), a line per
 * run coloured by the last dimension (usually the metric of interest),
 * each axis labelled with its min and max. Non-numeric params are placed by
 * the rank of their value (and shown as text in tooltips).
 */
export function parallelSpec(options: {
  runs: readonly IRunValues[];
  dimensions: readonly string[];
  /** What the axes call the dimensions (default: their keys). */
  titles?: { [dimension: string]: string };
  height?: number;
}): ChartSpec {
  const { dimensions } = options;
  const title = (dimension: string): string =>
    options.titles?.[dimension] ?? dimension;
  const numeric = new Map(
    dimensions.map(dimension => [
      dimension,
      isNumericDimension(options.runs, dimension)
    ])
  );
  // Categorical dimensions: each distinct value gets its rank.
  const codes = new Map<string, Map<string, number>>();
  for (const dimension of dimensions) {
    if (!numeric.get(dimension)) {
      const distinct = [
        ...new Set(
          options.runs
            .map(run => stringValue(run.values[dimension]))
            .filter((value): value is string => value !== null)
        )
      ].sort();
      codes.set(
        dimension,
        new Map(distinct.map((value, rank) => [value, rank]))
      );
    }
  }
  const values = options.runs.map(run => {
    const row: { [field: string]: string | number | null } = {
      run: run.label,
      run_id: run.runId
    };
    dimensions.forEach((dimension, index) => {
      const raw = run.values[dimension];
      const text = stringValue(raw);
      row[`d${index}`] = numeric.get(dimension)
        ? toNumber(raw)
        : text === null
          ? null
          : (codes.get(dimension)?.get(text) ?? null);
      row[`t${index}`] =
        numeric.get(dimension) && isFiniteNumber(toNumber(raw))
          ? formatValue(toNumber(raw) as number)
          : text;
    });
    return row;
  });
  const fields = dimensions.map((_, index) => `d${index}`);
  const names = Object.fromEntries(
    dimensions.map((dimension, index) => [`d${index}`, title(dimension)])
  );
  const colorField = fields[fields.length - 1];
  const colorNumeric = numeric.get(dimensions[dimensions.length - 1]);
  const x = {
    field: 'dimension',
    type: 'nominal',
    sort: dimensions.map(title),
    title: null,
    axis: { labelAngle: 0, labelLimit: 90, domain: false, ticks: false }
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Parallel coordinates of ${options.runs.length} runs over ${dimensions
      .map(title)
      .join(', ')}.`,
    width: CHART_WIDTH,
    height: options.height ?? CHART_HEIGHT + 60,
    autosize: { type: 'fit', contains: 'padding' },
    data: { values },
    transform: [
      { calculate: `datum['${colorField}']`, as: 'colour' },
      { fold: fields, as: ['field', 'value'] },
      { filter: 'isValid(datum.value) && isFinite(datum.value)' },
      { calculate: `${JSON.stringify(names)}[datum.field]`, as: 'dimension' },
      {
        calculate: "datum['t' + slice(datum.field, 1)]",
        as: 'text'
      },
      {
        joinaggregate: [
          { op: 'min', field: 'value', as: 'min' },
          { op: 'max', field: 'value', as: 'max' }
        ],
        groupby: ['field']
      },
      {
        calculate:
          'datum.max === datum.min ? 0.5 : (datum.value - datum.min) / (datum.max - datum.min)',
        as: 'norm'
      }
    ],
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1 },
        encoding: {
          x,
          color: { value: { expr: 'ruleColor' } },
          detail: { aggregate: 'count' }
        }
      },
      {
        mark: { type: 'line', opacity: 0.8, strokeWidth: 1.5, tooltip: true },
        encoding: {
          x,
          y: {
            field: 'norm',
            type: 'quantitative',
            axis: null,
            scale: { domain: [0, 1] }
          },
          detail: { field: 'run_id', type: 'nominal' },
          color: colorNumeric
            ? {
                field: 'colour',
                type: 'quantitative',
                title: title(dimensions[dimensions.length - 1]),
                legend: { format: VALUE_FORMAT, orient: 'right' }
              }
            : { field: 'run', type: 'nominal', legend: null },
          tooltip: [
            { field: 'run', type: 'nominal', title: 'Run' },
            { field: 'dimension', type: 'nominal', title: 'Dimension' },
            { field: 'text', type: 'nominal', title: 'Value' }
          ]
        }
      },
      // Each axis's max at its top and min at its bottom, beside the axis.
      {
        mark: { type: 'text', baseline: 'top', align: 'left', dx: 3 },
        encoding: {
          x,
          y: { value: 0 },
          text: { aggregate: 'max', field: 'max', format: VALUE_FORMAT },
          color: { value: { expr: 'labelColor' } }
        }
      },
      {
        mark: { type: 'text', baseline: 'bottom', align: 'left', dx: 3 },
        encoding: {
          x,
          y: { value: { expr: 'height' } },
          text: { aggregate: 'min', field: 'min', format: VALUE_FORMAT },
          color: { value: { expr: 'labelColor' } }
        }
      }
    ],
    params: [
      // Filled in by `VegaChart` from the theme (see `themeSignals`).
      { name: 'ruleColor', value: '#bdbdbd' },
      { name: 'labelColor', value: '#616161' }
    ]
  } as ChartSpec;
}

/**
 * Whether a value is a finite number.
 */
function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A param or metric value as a number (MLflow params are strings); null
 * when it is not one.
 */
function toNumber(value: string | number | null | undefined): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : null;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    return null;
  }
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/**
 * A value as text; null when missing.
 */
function stringValue(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === '') {
    return null;
  }
  return String(value);
}

/**
 * A value as it appears in descriptions (4 significant digits).
 */
function formatValue(value: number): string {
  if (Number.isInteger(value)) {
    return String(value);
  }
  return String(Number(value.toPrecision(4)));
}
