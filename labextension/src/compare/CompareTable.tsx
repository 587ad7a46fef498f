import React from 'react';

import { VersionMetrics } from '../api';
import { formatMetric, isMetricValue } from '../metrics';

/**
 * Properties of `CompareTable`.
 */
export interface ICompareTableProps {
  /** Model name (for the caption). */
  name: string;
  metrics: readonly string[];
  /** Versions, oldest first. */
  versions: readonly VersionMetrics[];
}

/**
 * The comparison as a table: one row per version (version, aliases, one
 * column per chosen metric).
 */
export function CompareTable(props: ICompareTableProps): JSX.Element {
  const { metrics, versions } = props;
  return (
    <div className="maestro-compare-table-wrapper">
      <table className="maestro-compare-table">
        <caption className="maestro-visually-hidden">
          {`Metrics of ${props.name} by version`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Aliases</th>
            {metrics.map(metric => (
              <th key={metric} scope="col" data-metric={metric}>
                {metric}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {versions.map(version => (
            <tr key={version.version} data-version={version.version}>
              <th scope="row">{`v${version.version}`}</th>
              <td className="maestro-compare-aliases-cell">
                <div className="maestro-compare-aliases">
                  {(version.aliases ?? []).map(alias => (
                    <span key={alias} className="maestro-compare-alias">
                      {alias}
                    </span>
                  ))}
                </div>
              </td>
              {metrics.map(metric => {
                const value = version.metrics?.[metric];
                const present = isMetricValue(value);
                return (
                  <td
                    key={metric}
                    data-metric={metric}
                    className={
                      present
                        ? 'maestro-number'
                        : 'maestro-number maestro-missing'
                    }
                    title={present ? String(value) : 'No value'}
                  >
                    {formatMetric(value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
