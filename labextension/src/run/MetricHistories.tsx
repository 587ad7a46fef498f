import React, { useMemo, useState } from 'react';

import { getMetricHistory, IMetricHistory, RunDetail } from '../api';
import { HistoryAxis, IHistoryPoint, learningCurveSpec } from '../charts/specs';
import { VegaChart } from '../charts/VegaChart';
import { Section } from '../components/Section';
import { formatMetric } from '../format';
import { useRequest } from '../hooks/useRequest';
import { orderMetrics } from '../metrics';
import { KeyValueTable } from './KeyValueTable';

/** Points asked for per history (the server downsamples to this). */
export const RUN_HISTORY_POINTS = 1000;

/** Most metrics whose history a run view asks for (one request each). */
export const MAX_HISTORY_METRICS = 50;

/**
 * The points of a history that can be drawn (NaNs are null).
 */
export function drawablePoints(history: IMetricHistory): IHistoryPoint[] {
  return history.points.filter(
    (point): point is IHistoryPoint =>
      typeof point.value === 'number' && Number.isFinite(point.value)
  );
}

/**
 * A run's metrics: a learning curve (against step or time) for each metric
 * logged at more than one step, and a table of the metrics logged once.
 * The history of every metric is asked for (at most `RUN_HISTORY_POINTS`
 * points, downsampled by the server); a metric whose history cannot be had
 * stays in the table with its last value.
 */
export function MetricHistories(props: { run: RunDetail }): JSX.Element {
  const { run } = props;
  const [axis, setAxis] = useState<HistoryAxis>('step');
  const keys = useMemo(
    () => orderMetrics(Object.keys(run.metrics ?? {})),
    [run.metrics]
  );
  const asked = keys.slice(0, MAX_HISTORY_METRICS);
  const histories = useRequest(
    signal =>
      Promise.all(
        asked.map(key =>
          getMetricHistory(run.run_id, key, {
            maxPoints: RUN_HISTORY_POINTS,
            signal
          }).catch(() => null)
        )
      ),
    [run.run_id, asked.join('\n')]
  );
  const byKey = new Map<string, IMetricHistory>();
  for (const history of histories.value ?? []) {
    if (history) {
      byKey.set(history.key, history);
    }
  }
  const curves = keys.filter(
    key =>
      (byKey.get(key)?.total_points ?? 0) > 1 &&
      byKey.get(key)!.points.length > 1
  );
  const single = keys.filter(key => !curves.includes(key));
  const values = run.metrics ?? {};

  return (
    <>
      {keys.length > 0 && (
        <Section
          label="metric histories"
          loading={histories.loading && histories.value === null}
          error={histories.error}
          onRetry={histories.reload}
        >
          {curves.length > 0 && (
            <section
              className="maestro-run-section maestro-run-curves"
              data-section="curves"
              aria-label="Learning curves"
            >
              <div className="maestro-run-section-header">
                <h3 className="maestro-run-section-title">
                  {`Learning curves (${curves.length})`}
                </h3>
                <div
                  className="maestro-toggle"
                  role="group"
                  aria-label="Draw learning curves against"
                >
                  {(['step', 'time'] as HistoryAxis[]).map(value => (
                    <button
                      key={value}
                      type="button"
                      className="maestro-toggle-button"
                      aria-pressed={axis === value}
                      onClick={() => setAxis(value)}
                    >
                      {value === 'step' ? 'Step' : 'Time'}
                    </button>
                  ))}
                </div>
              </div>
              <div className="maestro-run-charts">
                {curves.map(key => (
                  <HistoryChart
                    key={key}
                    run={run}
                    history={byKey.get(key)!}
                    axis={axis}
                  />
                ))}
              </div>
            </section>
          )}
        </Section>
      )}
      {(single.length > 0 || curves.length === 0) && (
        <KeyValueTable
          id="metrics"
          title={curves.length > 0 ? 'Other metrics' : 'Metrics'}
          entries={single.map((key): [string, string] => [
            key,
            formatMetric(values[key])
          ])}
          titles={Object.fromEntries(
            single.map(key => [key, String(values[key])])
          )}
          numeric
        />
      )}
    </>
  );
}

/**
 * The learning curve of one metric of a run.
 */
function HistoryChart(props: {
  run: RunDetail;
  history: IMetricHistory;
  axis: HistoryAxis;
}): JSX.Element {
  const { run, history, axis } = props;
  const spec = useMemo(
    () =>
      learningCurveSpec({
        metric: history.key,
        x: axis,
        series: [
          {
            runId: run.run_id,
            label: run.run_name || run.run_id,
            points: drawablePoints(history)
          }
        ]
      }),
    [run.run_id, run.run_name, history, axis]
  );
  const last = run.metrics?.[history.key];
  return (
    <figure
      className="maestro-chart maestro-run-chart"
      data-metric={history.key}
    >
      <figcaption className="maestro-chart-caption">
        <span className="maestro-chart-title">{history.key}</span>
        <span className="maestro-chart-note">
          {`last ${formatMetric(last)} · ${
            history.downsampled
              ? `${history.points.length.toLocaleString()} of ${history.total_points.toLocaleString()} points`
              : `${history.total_points.toLocaleString()} points`
          }`}
        </span>
      </figcaption>
      <VegaChart
        spec={spec}
        label={`Learning curve of ${history.key} against ${axis}`}
      />
    </figure>
  );
}
