/**
 * Pure helpers of the runs comparison: run labels, the diff table's rows
 * (params and metrics, which differ, which value is best) and the runs'
 * values for the parallel-coordinates and scatter views.
 */
import { RunComparison, RunSummary } from '../api';
import { IRunValues } from '../charts/specs';
import { metricGoal, orderMetrics } from '../metrics';

/**
 * What the comparison calls each run: its name, made unique with the start
 * of its id when two runs share a name; the start of the id when it has no
 * name.
 */
export function runLabels(runs: readonly RunSummary[]): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const name = run.run_name || '';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return runs.map(run => {
    const short = run.run_id.slice(0, 8);
    if (!run.run_name) {
      return short;
    }
    return (counts.get(run.run_name) ?? 0) > 1
      ? `${run.run_name} (${short})`
      : run.run_name;
  });
}

/**
 * A row of the diff table.
 */
export interface IDiffRow {
  kind: 'param' | 'metric';
  key: string;
  /** One value per run, in the runs' order. */
  values: ReadonlyArray<string | number | null>;
  /** Whether the runs' values are not all the same. */
  differs: boolean;
  /** Indexes of the runs holding the best value (metrics only). */
  best: readonly number[];
}

/**
 * Whether a row's values are not all equal (a missing value differs from a
 * present one).
 */
function differs(values: ReadonlyArray<string | number | null>): boolean {
  return values.some(value => value !== values[0]);
}

/**
 * The indexes of the best values of a metric: the highest, or the lowest
 * for losses and errors (`metricGoal`); none when fewer than two runs have
 * a value or when all values are equal (nothing stands out).
 */
export function bestIndexes(
  metric: string,
  values: ReadonlyArray<number | null>
): number[] {
  const present = values.filter(
    (value): value is number =>
      typeof value === 'number' && Number.isFinite(value)
  );
  if (present.length < 2) {
    return [];
  }
  const best =
    metricGoal(metric) === 'min' ? Math.min(...present) : Math.max(...present);
  if (present.every(value => value === best)) {
    return [];
  }
  return values.flatMap((value, index) => (value === best ? [index] : []));
}

/**
 * The diff table's rows: params (by key), then metrics (preferred ones
 * first), each with whether it differs and, for metrics, the best runs.
 * With `onlyDifferences`, rows whose values are all equal are left out.
 */
export function diffRows(
  comparison: Pick<RunComparison, 'params' | 'metrics'>,
  onlyDifferences: boolean
): IDiffRow[] {
  const rows: IDiffRow[] = [];
  for (const key of Object.keys(comparison.params ?? {}).sort()) {
    const values = comparison.params[key] ?? [];
    rows.push({
      kind: 'param',
      key,
      values,
      differs: differs(values),
      best: []
    });
  }
  for (const key of orderMetrics(Object.keys(comparison.metrics ?? {}))) {
    const values = comparison.metrics[key] ?? [];
    rows.push({
      kind: 'metric',
      key,
      values,
      differs: differs(values),
      best: bestIndexes(key, values)
    });
  }
  return onlyDifferences ? rows.filter(row => row.differs) : rows;
}

/**
 * Each run's params and metrics by key (prefixed `param:`/`metric:` so that
 * a param and a metric may share a name), for the parallel-coordinates and
 * scatter specs.
 */
export function runValues(
  comparison: Pick<RunComparison, 'runs' | 'params' | 'metrics'>,
  labels: readonly string[]
): IRunValues[] {
  return comparison.runs.map((run, index) => {
    const values: IRunValues['values'] = {};
    for (const [key, column] of Object.entries(comparison.params ?? {})) {
      values[`param:${key}`] = column[index] ?? null;
    }
    for (const [key, column] of Object.entries(comparison.metrics ?? {})) {
      values[`metric:${key}`] = column[index] ?? null;
    }
    return { runId: run.run_id, label: labels[index], values };
  });
}

/**
 * The name of a dimension of `runValues` as shown on axes
 * (`param:max_depth` → `max_depth`).
 */
export function dimensionName(dimension: string): string {
  return dimension.replace(/^(param|metric):/, '');
}

/**
 * The dimensions of the default parallel-coordinates view: the params that
 * differ (at most `maxParams`), then the chosen metric.
 */
export function defaultDimensions(
  comparison: Pick<RunComparison, 'differing_params' | 'params'>,
  metric: string | null,
  maxParams = 6
): string[] {
  const params = (comparison.differing_params ?? [])
    .filter(key => key in (comparison.params ?? {}))
    .slice(0, maxParams)
    .map(key => `param:${key}`);
  return metric ? [...params, `metric:${metric}`] : params;
}
