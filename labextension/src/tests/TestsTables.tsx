/**
 * The tables of the tests view: the checks of a category (with their
 * evidence), the metrics and the history of runs.
 */

import React, { useId } from 'react';

import { TestCheck, TestEvidence, TestRunSummary } from '../api';
import { formatMetric } from '../metrics';
import { formatRanAt, ICheckGroup, sortedMetrics, statusMark } from './helpers';

/**
 * The checks of one category, as a table.
 */
export function CheckGroup(props: { group: ICheckGroup }): JSX.Element {
  const { group } = props;
  const headingId = useId();
  const count = group.checks.length;
  return (
    <section
      className="maestro-tests-category"
      data-category={group.category}
      data-failed={group.failed}
      aria-labelledby={headingId}
    >
      <h4 id={headingId} className="maestro-tests-category-title">
        {group.label}
        <span className="maestro-tests-category-count">
          {` ${count} ${count === 1 ? 'check' : 'checks'}${
            group.failed > 0 ? `, ${group.failed} failed` : ''
          }`}
        </span>
      </h4>
      <div className="maestro-tests-table-wrapper">
        <table
          className="maestro-tests-table maestro-tests-checks-table"
          aria-labelledby={headingId}
        >
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Check</th>
              <th scope="col" className="maestro-number">
                Value
              </th>
              <th scope="col">Threshold</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {group.checks.map((check, index) => (
              <CheckRow key={`${index}:${check.name}`} check={check} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * One check: status, name, value, threshold, detail and evidence.
 */
function CheckRow(props: { check: TestCheck }): JSX.Element {
  const { check } = props;
  return (
    <tr
      className={`maestro-tests-check maestro-mod-${check.status}`}
      data-check={check.name}
      data-status={check.status}
    >
      <td>
        <span className="maestro-tests-status" data-status={check.status}>
          <span aria-hidden="true">{statusMark(check.status)}</span>
          {` ${check.status}`}
        </span>
      </td>
      <th scope="row" className="maestro-tests-check-name maestro-code">
        {check.name}
      </th>
      <td
        className="maestro-number maestro-tests-value"
        title={check.value === null ? undefined : String(check.value)}
      >
        {formatMetric(check.value)}
      </td>
      <td className="maestro-tests-threshold maestro-code">
        {check.threshold ?? '—'}
      </td>
      <td className="maestro-tests-detail">
        {check.detail && (
          <span className="maestro-tests-detail-text">{check.detail}</span>
        )}
        {check.evidence && (
          <Evidence check={check.name} evidence={check.evidence} />
        )}
      </td>
    </tr>
  );
}

/**
 * A value of an evidence table as text.
 */
function cellText(value: string | number | boolean | null): string {
  if (value === null || value === undefined) {
    return '—';
  }
  return typeof value === 'number' ? formatMetric(value) : String(value);
}

/**
 * The evidence table of a check, behind a disclosure.
 */
function Evidence(props: {
  check: string;
  evidence: TestEvidence;
}): JSX.Element {
  const columns = props.evidence.columns ?? [];
  const rows = props.evidence.rows ?? [];
  return (
    <details className="maestro-tests-evidence">
      <summary>
        {`Evidence (${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`}
      </summary>
      <div className="maestro-tests-evidence-wrapper">
        <table
          className="maestro-tests-evidence-table"
          aria-label={`Evidence of ${props.check}`}
        >
          <thead>
            <tr>
              {columns.map((column, index) => (
                <th key={`${index}:${column}`} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, rowIndex) => (
              <tr key={rowIndex}>
                {row.map((value, index) => (
                  <td
                    key={index}
                    className={
                      typeof value === 'number' ? 'maestro-number' : undefined
                    }
                    title={
                      typeof value === 'number' ? String(value) : undefined
                    }
                  >
                    {cellText(value)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/**
 * Every metric of the run, sorted by key, collapsed by default.
 */
export function Metrics(props: {
  metrics: { [key: string]: number };
}): JSX.Element {
  const entries = sortedMetrics(props.metrics);
  return (
    <details className="maestro-tests-metrics">
      <summary className="maestro-tests-section-title">
        {`Metrics (${entries.length})`}
      </summary>
      {entries.length === 0 ? (
        <p className="maestro-tests-none">No metrics.</p>
      ) : (
        <div className="maestro-tests-table-wrapper">
          <table
            className="maestro-tests-table maestro-tests-metrics-table"
            aria-label="Metrics"
          >
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col" className="maestro-number">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([key, value]) => (
                <tr key={key} data-metric={key}>
                  <th scope="row" className="maestro-code">
                    {key}
                  </th>
                  <td className="maestro-number" title={String(value)}>
                    {formatMetric(value)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

/**
 * The version's runs, newest first; the latest one is marked current.
 */
export function History(props: {
  runs: TestRunSummary[];
  latestRunId: string | null;
}): JSX.Element {
  const { runs } = props;
  const headingId = useId();
  return (
    <section className="maestro-tests-history" aria-labelledby={headingId}>
      <h3 id={headingId} className="maestro-tests-section-title">
        {`History (${runs.length} ${runs.length === 1 ? 'run' : 'runs'})`}
      </h3>
      {runs.length === 0 ? (
        <p className="maestro-tests-none">No runs recorded.</p>
      ) : (
        <div className="maestro-tests-table-wrapper">
          <table
            className="maestro-tests-table maestro-tests-history-table"
            aria-labelledby={headingId}
          >
            <thead>
              <tr>
                <th scope="col">Ran at</th>
                <th scope="col">By</th>
                <th scope="col">Verdict</th>
                <th scope="col" className="maestro-number">
                  Passed
                </th>
                <th scope="col" className="maestro-number">
                  Failed
                </th>
                <th scope="col" className="maestro-number">
                  Skipped
                </th>
                <th scope="col">Failed checks</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run, index) => (
                <tr
                  key={`${index}:${run.run_id}`}
                  className={`maestro-tests-run maestro-mod-${run.verdict}`}
                  data-run-id={run.run_id}
                  data-verdict={run.verdict}
                  aria-current={
                    run.run_id === props.latestRunId ? 'true' : undefined
                  }
                >
                  <th scope="row" title={run.ran_at}>
                    {formatRanAt(run.ran_at) ?? '—'}
                  </th>
                  <td>{run.ran_by ?? '—'}</td>
                  <td>
                    <span
                      className="maestro-tests-status"
                      data-status={run.verdict}
                    >
                      <span aria-hidden="true">{statusMark(run.verdict)}</span>
                      {` ${run.verdict}`}
                    </span>
                  </td>
                  <td className="maestro-number">{run.passed}</td>
                  <td className="maestro-number">{run.failed}</td>
                  <td className="maestro-number">{run.skipped}</td>
                  <td className="maestro-code">
                    {(run.failed_checks ?? []).join(', ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
