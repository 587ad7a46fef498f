import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useId } from 'react';

import { ColumnSummary, ProfileResult, profileData } from '../api';
import { DocumentFrame } from '../components/DocumentFrame';
import { Section } from '../components/Section';
import { useRequest } from '../hooks/useRequest';
import {
  fileName,
  formatBytes,
  formatCount,
  formatPercent,
  loadingText,
  provenance,
  sampleNote
} from './helpers';

/**
 * Properties of `ProfileView`.
 */
export interface IProfileViewProps {
  /** Path of the data file, relative to the Jupyter root. */
  path: string;
  /** Called once the profile is loaded. */
  onLoaded?: (result: ProfileResult) => void;
}

/**
 * The profile of a data file: a summary, the warnings, the columns and the
 * full ydata-profiling report in a sandboxed iframe.
 */
export function ProfileView(props: IProfileViewProps): JSX.Element {
  const { path } = props;
  const {
    value: result,
    loading,
    error,
    reload
  } = useRequest(
    signal => profileData(path, { signal }),
    [path],
    props.onLoaded
  );

  const name = fileName(path);

  return (
    <div
      className="maestro-profile-view"
      data-state={
        loading ? 'loading' : error !== null ? 'error' : result ? 'done' : ''
      }
      aria-busy={loading}
    >
      <div className="maestro-profile-header">
        <h2 className="maestro-profile-title" title={path}>
          {result?.title || name}
        </h2>
        <button
          type="button"
          className="maestro-button maestro-profile-refresh"
          title="Profile the file again"
          onClick={reload}
          disabled={loading}
        >
          <refreshIcon.react tag="span" elementSize="normal" />
          Refresh
        </button>
      </div>
      <p className="maestro-profile-path maestro-code">{path}</p>

      {loading && (
        <div
          className="maestro-profile-loading"
          role="status"
          aria-live="polite"
        >
          <progress
            className="maestro-profile-progress"
            aria-label={`Profiling ${name}`}
          />
          <span>{loadingText(path)}</span>
        </div>
      )}
      <Section
        label="the profile"
        loading={false}
        error={loading ? null : error}
        onRetry={reload}
      >
        {result !== null && <ProfileResult result={result} />}
      </Section>
    </div>
  );
}

/**
 * A loaded profile.
 */
function ProfileResult(props: { result: ProfileResult }): JSX.Element {
  const { result } = props;
  const summary = result.summary;
  const note = sampleNote(result.report_rows, summary.rows);
  const warnings = summary.warnings ?? [];
  const warningsId = useId();
  const origin = provenance(result, Date.now() / 1000);
  return (
    <>
      <dl className="maestro-profile-summary">
        <SummaryItem
          stat="rows"
          label="Rows"
          value={formatCount(summary.rows)}
        />
        <SummaryItem
          stat="columns"
          label="Columns"
          value={formatCount(summary.columns)}
        />
        <SummaryItem
          stat="memory"
          label="Memory"
          value={formatBytes(summary.memory_bytes)}
          title={`${formatCount(summary.memory_bytes)} bytes`}
        />
        <SummaryItem
          stat="missing"
          label="Missing cells"
          value={`${formatCount(summary.missing_cells)} (${formatPercent(
            summary.missing_share
          )})`}
        />
        <SummaryItem
          stat="duplicates"
          label="Duplicate rows"
          value={formatCount(summary.duplicate_rows)}
        />
        {summary.target && (
          <SummaryItem stat="target" label="Target" value={summary.target} />
        )}
        <SummaryItem
          stat={origin.stat}
          label={origin.label}
          value={origin.value}
          title={origin.title}
        />
      </dl>
      {note !== null && <p className="maestro-profile-sample-note">{note}</p>}

      <section
        className="maestro-profile-section"
        data-section="warnings"
        aria-labelledby={warningsId}
      >
        <h3 id={warningsId} className="maestro-profile-section-title">
          {`Warnings (${warnings.length})`}
        </h3>
        {warnings.length === 0 ? (
          <p className="maestro-profile-none">No warnings.</p>
        ) : (
          <ul className="maestro-profile-warnings">
            {warnings.map((warning, index) => (
              <li
                key={`${warning.kind}-${index}`}
                data-kind={warning.kind}
                data-columns={(warning.columns ?? []).join(',')}
              >
                <span className="maestro-profile-warning-kind">
                  {warning.kind}
                </span>
                <span className="maestro-profile-warning-message">
                  {warning.message}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <ColumnTable columns={summary.column_summaries ?? []} />

      {result.report_html ? (
        <DocumentFrame
          className="maestro-profile-report"
          html={result.report_html}
          title="Profile report"
          scripts
        />
      ) : (
        <p className="maestro-profile-none maestro-profile-no-report">
          No HTML report was produced.
        </p>
      )}
    </>
  );
}

/**
 * One item of the profile summary.
 */
function SummaryItem(props: {
  stat: string;
  label: string;
  value: string;
  title?: string;
}): JSX.Element {
  return (
    <div className="maestro-profile-summary-item" data-stat={props.stat}>
      <dt>{props.label}</dt>
      <dd title={props.title}>{props.value}</dd>
    </div>
  );
}

/**
 * The per-column summary, collapsed by default (the report stays visible).
 */
function ColumnTable(props: { columns: ColumnSummary[] }): JSX.Element {
  const { columns } = props;
  return (
    <details className="maestro-profile-columns-details">
      <summary className="maestro-profile-section-title">
        {`Columns (${columns.length})`}
      </summary>
      <div className="maestro-profile-columns-wrapper">
        <table className="maestro-profile-columns">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Kind</th>
              <th scope="col" className="maestro-number">
                Missing
              </th>
              <th scope="col" className="maestro-number">
                Distinct
              </th>
            </tr>
          </thead>
          <tbody>
            {columns.map((column, index) => (
              <tr key={`${index}:${column.name}`} data-column={column.name}>
                <th scope="row">{column.name}</th>
                <td title={column.dtype}>{column.kind}</td>
                <td
                  className="maestro-number"
                  title={`${formatCount(column.missing)} missing`}
                >
                  {formatPercent(column.missing_share)}
                </td>
                <td className="maestro-number">
                  {formatCount(column.distinct)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
