import { ReactWidget } from '@jupyterlab/ui-components';
import React, { useId, useMemo, useState } from 'react';

import { compareRuns, getMetricHistories, RunComparison } from '../api';
import {
  ChartSpec,
  IHistoryPoint,
  learningCurveSpec,
  metricBarsSpec,
  parallelSpec,
  scatterSpec
} from '../charts/specs';
import { VegaChart } from '../charts/VegaChart';
import { Section } from '../components/Section';
import { formatMetric, metricDecimals } from '../format';
import { useRequest } from '../hooks/useRequest';
import { maestroIcon } from '../icons';
import { metricGoal, orderMetrics } from '../metrics';
import {
  defaultDimensions,
  diffRows,
  dimensionName,
  IDiffRow,
  runLabels,
  runValues
} from './runsCompare';

/** Points per run asked for the overlaid learning curves. */
export const COMPARE_HISTORY_POINTS = 500;

/** Run columns the diff table shows before "Show all". */
export const MAX_DIFF_COLUMNS = 20;

/**
 * Properties of `RunsCompareView`.
 */
export interface IRunsCompareViewProps {
  /** The runs to compare: 2 to 100 ids. */
  runIds: readonly string[];
}

/**
 * The metric whose curves are shown first: a loss when there is one (the
 * usual learning curve), else the first metric in display order.
 */
export function defaultCurveMetric(metrics: readonly string[]): string | null {
  const ordered = orderMetrics(metrics);
  return (
    ordered.find(metric => /(^|[^a-z])loss$/i.test(metric)) ??
    ordered[0] ??
    null
  );
}

/**
 * The comparison of 2 to 100 runs: overlaid learning curves of a chosen
 * metric, a parallel-coordinates (or scatter) view of params against
 * metrics, and a diff table (params and metrics by run) that highlights the
 * best value of each metric and marks the rows that differ, showing only
 * those by default. The comparison is one request, the curves one more per
 * chosen metric; charts are built once per change of what they show.
 */
export function RunsCompareView(props: IRunsCompareViewProps): JSX.Element {
  const { runIds } = props;
  const key = runIds.join(',');
  const comparison = useRequest(signal => compareRuns(runIds, signal), [key]);
  const value = comparison.value;
  const metrics = useMemo(
    () => orderMetrics(Object.keys(value?.metrics ?? {})),
    [value]
  );
  const labels = useMemo(() => runLabels(value?.runs ?? []), [value]);
  const [chosen, setChosen] = useState<string | null>(null);
  const metric =
    chosen !== null && metrics.includes(chosen)
      ? chosen
      : defaultCurveMetric(metrics);

  return (
    <div className="maestro-runs-compare-view">
      <div className="maestro-compare-header">
        <h2 className="maestro-compare-title">{`Compare ${runIds.length} runs`}</h2>
        {metrics.length > 0 && (
          <label className="maestro-compare-metric">
            {'Metric '}
            <select
              value={metric ?? ''}
              onChange={event => setChosen(event.target.value)}
            >
              {metrics.map(name => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <Section
        label="the comparison"
        loading={comparison.loading && value === null}
        error={comparison.error}
        empty={value !== null && value.runs.length === 0}
        emptyMessage="None of these runs was found."
        onRetry={comparison.reload}
      >
        {value !== null && (
          <>
            {metric !== null && (
              <Curves comparison={value} labels={labels} metric={metric} />
            )}
            <ParamsView comparison={value} labels={labels} metric={metric} />
            <DiffTable comparison={value} labels={labels} />
          </>
        )}
      </Section>
    </div>
  );
}

/**
 * Overlaid learning curves of one metric (one request for all runs); bars
 * of the last values when no run logged the metric at more than one step.
 */
function Curves(props: {
  comparison: RunComparison;
  labels: readonly string[];
  metric: string;
}): JSX.Element {
  const { comparison, labels, metric } = props;
  const runIds = comparison.runs.map(run => run.run_id);
  const histories = useRequest(
    signal =>
      getMetricHistories(runIds, [metric], {
        maxPoints: COMPARE_HISTORY_POINTS,
        signal
      }),
    [runIds.join(','), metric]
  );
  const spec = useMemo((): ChartSpec | null => {
    const labelOf = new Map(runIds.map((id, index) => [id, labels[index]]));
    const series = (histories.value?.series ?? [])
      .filter(item => item.key === metric)
      .map(item => ({
        runId: item.run_id,
        label: labelOf.get(item.run_id) ?? item.run_id,
        points: item.points.filter(
          (point): point is IHistoryPoint =>
            typeof point.value === 'number' && Number.isFinite(point.value)
        )
      }));
    if (series.some(item => item.points.length > 1)) {
      return learningCurveSpec({
        metric,
        series: series.filter(item => item.points.length > 0)
      });
    }
    if (histories.value === null) {
      return null;
    }
    return metricBarsSpec({
      metric,
      category: 'Run',
      bars: comparison.runs.map((run, index) => ({
        label: labels[index],
        value: comparison.metrics[metric]?.[index] ?? null
      }))
    });
  }, [histories.value, comparison, labels, metric]);
  return (
    <section
      className="maestro-run-section maestro-compare-curves"
      data-section="curves"
      aria-label={`Learning curves of ${metric}`}
    >
      <h3 className="maestro-run-section-title">{metric}</h3>
      <Section
        label="learning curves"
        loading={histories.loading && histories.value === null}
        error={histories.error}
        onRetry={histories.reload}
      >
        {spec && <VegaChart spec={spec} className="maestro-compare-chart" />}
      </Section>
    </section>
  );
}

/**
 * Params against metrics: parallel coordinates of the differing params and
 * the chosen metric, or a scatter of a chosen param (or metric) against a
 * chosen metric.
 */
function ParamsView(props: {
  comparison: RunComparison;
  labels: readonly string[];
  metric: string | null;
}): JSX.Element | null {
  const { comparison, labels, metric } = props;
  const [mode, setMode] = useState<'parallel' | 'scatter'>('parallel');
  const runs = useMemo(
    () => runValues(comparison, labels),
    [comparison, labels]
  );
  const dimensions = useMemo(
    () => [
      ...Object.keys(comparison.params ?? {})
        .sort()
        .map(key => `param:${key}`),
      ...orderMetrics(Object.keys(comparison.metrics ?? {})).map(
        key => `metric:${key}`
      )
    ],
    [comparison]
  );
  const titles = useMemo(
    () =>
      Object.fromEntries(
        dimensions.map(dimension => [dimension, dimensionName(dimension)])
      ),
    [dimensions]
  );
  const parallel = defaultDimensions(comparison, metric);
  const [x, setX] = useState<string | null>(null);
  const [y, setY] = useState<string | null>(null);
  const xDimension =
    x ?? parallel.find(item => item.startsWith('param:')) ?? dimensions[0];
  const yDimension = y ?? (metric ? `metric:${metric}` : dimensions[1]);
  const xId = useId();
  const yId = useId();
  const spec = useMemo((): ChartSpec | null => {
    if (mode === 'parallel') {
      return parallel.length >= 2
        ? parallelSpec({ runs, dimensions: parallel, titles })
        : null;
    }
    return xDimension && yDimension
      ? scatterSpec({ runs, x: xDimension, y: yDimension, titles })
      : null;
  }, [mode, runs, parallel.join('\n'), xDimension, yDimension, titles]);

  if (dimensions.length < 2) {
    return null;
  }
  return (
    <section
      className="maestro-run-section maestro-compare-params"
      data-section="params-view"
      aria-label="Params against metrics"
    >
      <div className="maestro-run-section-header">
        <h3 className="maestro-run-section-title">Params against metrics</h3>
        <div className="maestro-toggle" role="group" aria-label="View">
          <button
            type="button"
            className="maestro-toggle-button"
            aria-pressed={mode === 'parallel'}
            onClick={() => setMode('parallel')}
          >
            Parallel coordinates
          </button>
          <button
            type="button"
            className="maestro-toggle-button"
            aria-pressed={mode === 'scatter'}
            onClick={() => setMode('scatter')}
          >
            Scatter
          </button>
        </div>
        {mode === 'scatter' && (
          <div className="maestro-compare-axes">
            <label htmlFor={xId}>x</label>
            <select
              id={xId}
              value={xDimension}
              onChange={event => setX(event.target.value)}
            >
              {dimensions.map(dimension => (
                <option key={dimension} value={dimension}>
                  {dimension.replace(':', ' ')}
                </option>
              ))}
            </select>
            <label htmlFor={yId}>y</label>
            <select
              id={yId}
              value={yDimension}
              onChange={event => setY(event.target.value)}
            >
              {dimensions.map(dimension => (
                <option key={dimension} value={dimension}>
                  {dimension.replace(':', ' ')}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {spec ? (
        <VegaChart spec={spec} className="maestro-compare-chart" />
      ) : (
        <p className="maestro-run-none">
          No param differs between these runs: nothing to draw.
        </p>
      )}
    </section>
  );
}

/**
 * The diff table: params and metrics as rows, runs as columns (the first
 * `MAX_DIFF_COLUMNS` until "Show all"), the best value of each metric
 * highlighted, rows that differ marked; only those by default.
 */
function DiffTable(props: {
  comparison: RunComparison;
  labels: readonly string[];
}): JSX.Element {
  const { comparison, labels } = props;
  const [onlyDifferences, setOnlyDifferences] = useState(true);
  const [allColumns, setAllColumns] = useState(false);
  const rows = useMemo(
    () => diffRows(comparison, onlyDifferences),
    [comparison, onlyDifferences]
  );
  const count = comparison.runs.length;
  const shown = allColumns ? count : Math.min(count, MAX_DIFF_COLUMNS);
  const toggleId = useId();
  return (
    <section
      className="maestro-run-section maestro-compare-diff"
      data-section="diff"
      aria-label="Params and metrics by run"
    >
      <div className="maestro-run-section-header">
        <h3 className="maestro-run-section-title">Params and metrics</h3>
        <input
          id={toggleId}
          type="checkbox"
          checked={onlyDifferences}
          onChange={event => setOnlyDifferences(event.target.checked)}
        />
        <label htmlFor={toggleId}>Only differences</label>
        {count > MAX_DIFF_COLUMNS && (
          <button
            type="button"
            className="maestro-link-button"
            onClick={() => setAllColumns(value => !value)}
          >
            {allColumns
              ? `Show the first ${MAX_DIFF_COLUMNS} runs`
              : `Show all ${count} runs`}
          </button>
        )}
      </div>
      {rows.length === 0 ? (
        <p className="maestro-run-none">
          {onlyDifferences
            ? 'These runs have the same params and metrics.'
            : 'These runs have no params or metrics.'}
        </p>
      ) : (
        <div className="maestro-compare-table-wrapper">
          <table className="maestro-compare-table maestro-diff-table">
            <caption className="maestro-visually-hidden">
              {`Params and metrics of ${count} runs${
                onlyDifferences ? ', only those that differ' : ''
              }; best metric values are marked`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                {comparison.runs.slice(0, shown).map((run, index) => (
                  <th
                    key={run.run_id}
                    scope="col"
                    data-run={run.run_id}
                    title={run.run_id}
                  >
                    {labels[index]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(row => (
                <DiffRow
                  key={`${row.kind}:${row.key}`}
                  row={row}
                  shown={shown}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * One row of the diff table.
 */
function DiffRow(props: { row: IDiffRow; shown: number }): JSX.Element {
  const { row, shown } = props;
  const decimals =
    row.kind === 'metric'
      ? metricDecimals(row.values as ReadonlyArray<number | null>)
      : 0;
  const goal = row.kind === 'metric' ? metricGoal(row.key) : null;
  return (
    <tr
      data-kind={row.kind}
      data-key={row.key}
      className={row.differs ? 'maestro-diff-differs' : undefined}
    >
      <th scope="row">
        <span className="maestro-diff-kind">
          {row.kind === 'param' ? 'param' : 'metric'}
        </span>
        {row.key}
        {row.differs && (
          <span className="maestro-diff-marker" title="Values differ">
            <span aria-hidden="true"> ≠</span>
            <span className="maestro-visually-hidden"> (differs)</span>
          </span>
        )}
      </th>
      {row.values.slice(0, shown).map((value, index) => {
        const best = row.best.includes(index);
        const text =
          row.kind === 'metric'
            ? formatMetric(value as number | null, decimals)
            : value === null || value === undefined
              ? '—'
              : String(value);
        return (
          <td
            key={index}
            className={[
              row.kind === 'metric' ? 'maestro-number' : '',
              best ? 'maestro-best' : '',
              value === null ? 'maestro-missing' : ''
            ]
              .join(' ')
              .trim()}
            title={
              best
                ? `Best ${row.key} (${goal === 'min' ? 'lowest' : 'highest'})`
                : value === null
                  ? 'No value'
                  : String(value)
            }
          >
            {text}
            {best && <span className="maestro-visually-hidden"> (best)</span>}
          </td>
        );
      })}
    </tr>
  );
}

/**
 * Options of `RunsCompareWidget`.
 */
export interface IRunsCompareWidgetOptions {
  runIds: string[];
}

/**
 * The runs comparison as a widget (put in a `MainAreaWidget` by the
 * `maestro:compare-runs` command).
 */
export class RunsCompareWidget extends ReactWidget {
  constructor(options: IRunsCompareWidgetOptions) {
    super();
    this.runIds = [...options.runIds];
    this.addClass('maestro-runs-compare-content');
    this.title.label = `Compare ${this.runIds.length} runs`;
    this.title.caption = `Compare runs ${this.runIds.join(', ')}`;
    this.title.icon = maestroIcon;
  }

  /** The compared runs. */
  readonly runIds: string[];

  protected render(): JSX.Element {
    return <RunsCompareView runIds={this.runIds} />;
  }
}
