import React from 'react';

import { VersionMetrics } from '../api';
import { formatMetric } from '../metrics';
import { chartGeometry, linePath } from './chart';

/**
 * Properties of `MetricChart`.
 */
export interface IMetricChartProps {
  metric: string;
  /** Versions, oldest first. */
  versions: readonly VersionMetrics[];
}

/**
 * A small line chart of one metric across versions, with its own y scale.
 * Missing values leave gaps; each point has a tooltip.
 */
export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { metric, versions } = props;
  const labels = versions.map(version => `v${version.version}`);
  const values = versions.map(version => version.metrics?.[metric] ?? null);
  const geometry = chartGeometry(values, labels);
  const { plot } = geometry;
  const bottom = plot.top + plot.height;

  return (
    <figure className="maestro-chart" data-metric={metric}>
      <figcaption className="maestro-chart-title" title={metric}>
        {metric}
      </figcaption>
      <svg
        className="maestro-chart-svg"
        role="img"
        aria-label={`${metric} by version`}
        viewBox={`0 0 ${geometry.width} ${geometry.height}`}
        width={geometry.width}
        height={geometry.height}
      >
        <rect
          className="maestro-chart-frame"
          x={plot.left}
          y={plot.top}
          width={plot.width}
          height={plot.height}
        />
        {geometry.yTicks.map(tick => (
          <g key={`y-${tick.position}`} className="maestro-chart-ytick">
            <line
              className="maestro-chart-grid"
              x1={plot.left}
              x2={plot.left + plot.width}
              y1={tick.position}
              y2={tick.position}
            />
            <text
              className="maestro-chart-label"
              x={plot.left - 4}
              y={tick.position}
              textAnchor="end"
              dominantBaseline="middle"
            >
              {tick.label}
            </text>
          </g>
        ))}
        {geometry.xTicks.map(tick => (
          <text
            key={`x-${tick.position}`}
            className="maestro-chart-label maestro-chart-xlabel"
            x={tick.position}
            y={bottom + 14}
            textAnchor="middle"
          >
            {tick.label}
          </text>
        ))}
        {geometry.points.length === 0 ? (
          <text
            className="maestro-chart-empty"
            x={plot.left + plot.width / 2}
            y={plot.top + plot.height / 2}
            textAnchor="middle"
            dominantBaseline="middle"
          >
            No values
          </text>
        ) : (
          <>
            {geometry.segments
              .filter(segment => segment.length > 1)
              .map(segment => (
                <path
                  key={`line-${segment[0].index}`}
                  className="maestro-chart-line"
                  d={linePath(segment)}
                />
              ))}
            {geometry.points.map(point => (
              <circle
                key={`point-${point.index}`}
                className="maestro-chart-point"
                data-version={versions[point.index].version}
                cx={point.x}
                cy={point.y}
                r={3.5}
              >
                <title>{`${labels[point.index]}: ${metric} = ${formatMetric(point.value)}`}</title>
              </circle>
            ))}
          </>
        )}
      </svg>
    </figure>
  );
}

/**
 * Small multiples: one chart per chosen metric.
 */
export function CompareCharts(props: {
  metrics: readonly string[];
  versions: readonly VersionMetrics[];
}): JSX.Element {
  return (
    <div className="maestro-charts">
      {props.metrics.map(metric => (
        <MetricChart key={metric} metric={metric} versions={props.versions} />
      ))}
    </div>
  );
}
