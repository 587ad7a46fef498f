import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useId } from 'react';

import { getTests, TestReport, testsReportURL } from '../api';
import { Section } from '../components/Section';
import { formatDuration } from '../format';
import { useRequest } from '../hooks/useRequest';
import {
  failedChecks,
  formatRanAt,
  groupChecks,
  statusMark,
  TESTS_DOWNLOADS,
  testMagic,
  testSDKCall,
  verdictLabel
} from './helpers';
import { CheckGroup, History, Metrics } from './TestsTables';

/**
 * Properties of `TestsView`.
 */
export interface ITestsViewProps {
  /** Registered model name. */
  name: string;
  /** Model version. */
  version: string;
}

/**
 * The automated tests of a version: the verdict and facts of the latest
 * run, its checks grouped by category (failed ones stand out, evidence
 * tables behind a disclosure), every metric, and the history of the
 * version's runs; how to run the tests when it was never tested.
 */
export function TestsView(props: ITestsViewProps): JSX.Element {
  const { name, version } = props;
  const {
    value: tests,
    loading,
    error,
    reload
  } = useRequest(signal => getTests(name, version, signal), [name, version]);

  const latest = tests?.latest ?? null;
  const history = tests?.history ?? [];
  const state =
    loading && tests === null
      ? 'loading'
      : error !== null && tests === null
        ? 'error'
        : tests === null
          ? ''
          : latest === null
            ? 'untested'
            : 'done';

  return (
    <div className="maestro-tests-view" data-state={state} aria-busy={loading}>
      <div className="maestro-tests-header">
        <h2 className="maestro-tests-title">
          {'Tests: '}
          <span className="maestro-tests-model">{name}</span>
          {` v${version}`}
        </h2>
        <div className="maestro-tests-tools">
          <button
            type="button"
            className="maestro-button maestro-tests-refresh"
            title="Reload the test report"
            onClick={reload}
            disabled={loading}
          >
            <refreshIcon.react tag="span" elementSize="normal" />
            Refresh
          </button>
        </div>
        {latest !== null && (
          <div
            className="maestro-tests-downloads"
            role="group"
            aria-label="Download the test report"
          >
            <span className="maestro-tests-downloads-label">Download:</span>
            {TESTS_DOWNLOADS.map(({ format, label, title }) => (
              <a
                key={format}
                className="maestro-action maestro-tests-download"
                data-format={format}
                href={testsReportURL(name, version, format, true)}
                download
                title={title}
              >
                {label}
              </a>
            ))}
          </div>
        )}
      </div>

      <Section
        label="the test report"
        loading={tests === null}
        error={error}
        onRetry={reload}
      >
        {tests !== null &&
          (latest === null ? (
            <NeverTested name={name} version={version} />
          ) : (
            <Report report={latest} />
          ))}
        {tests !== null && (latest !== null || history.length > 0) && (
          <History runs={history} latestRunId={latest?.run_id ?? null} />
        )}
      </Section>
    </div>
  );
}

/**
 * The empty state of a version never tested: how to test it.
 */
function NeverTested(props: { name: string; version: string }): JSX.Element {
  const { name, version } = props;
  const headingId = useId();
  return (
    <section className="maestro-tests-empty" aria-labelledby={headingId}>
      <h3 id={headingId} className="maestro-tests-section-title">
        {`Version ${version} of ${name} has never been tested`}
      </h3>
      <p>
        The automated tests check the data contract, the performance (overall
        and per slice), the latency, the fairness and the robustness of a
        version on labelled data, against thresholds. Their report is saved with
        the version, and a protected alias (such as champion) only points at a
        version whose tests passed, unless someone overrides the gate with a
        recorded reason. Run them from a notebook, with the magic:
      </p>
      <pre className="maestro-code maestro-tests-snippet" data-kind="magic">
        <code>{testMagic(name, version)}</code>
      </pre>
      <p>or with the SDK:</p>
      <pre className="maestro-code maestro-tests-snippet" data-kind="sdk">
        <code>{testSDKCall(name, version)}</code>
      </pre>
      <p className="maestro-tests-hint">
        <code>df</code>
        {' is a DataFrame of test data and '}
        <code>target</code>
        {' the name of its label column. Then refresh this view.'}
      </p>
    </section>
  );
}

/**
 * The latest report: summary, checks by category and metrics.
 */
function Report(props: { report: TestReport }): JSX.Element {
  const { report } = props;
  const checksId = useId();
  const groups = groupChecks(report.checks ?? []);
  return (
    <>
      <Summary report={report} />
      <section className="maestro-tests-checks" aria-labelledby={checksId}>
        <h3 id={checksId} className="maestro-tests-section-title">
          {`Checks (${(report.checks ?? []).length})`}
        </h3>
        {groups.length === 0 ? (
          <p className="maestro-tests-none">No checks ran.</p>
        ) : (
          groups.map(group => <CheckGroup key={group.category} group={group} />)
        )}
      </section>
      <Metrics metrics={report.metrics ?? {}} />
    </>
  );
}

/**
 * The verdict, the counts and the facts of a run.
 */
function Summary(props: { report: TestReport }): JSX.Element {
  const { report } = props;
  const summary = report.summary ?? { passed: 0, failed: 0, skipped: 0 };
  const failed = failedChecks(report);
  const ranAt = formatRanAt(report.ran_at);
  return (
    <section className="maestro-tests-summary" aria-label="Summary">
      <div className="maestro-tests-verdict" data-verdict={report.verdict}>
        <span className="maestro-tests-verdict-mark" aria-hidden="true">
          {statusMark(report.verdict)}
        </span>
        <span className="maestro-tests-verdict-label">
          {verdictLabel(report.verdict)}
        </span>
        <span className="maestro-tests-counts">
          {(['passed', 'failed', 'skipped'] as const).map(status => (
            <span
              key={status}
              className="maestro-tests-count"
              data-count={status}
            >
              {`${summary[status]} ${status}`}
            </span>
          ))}
        </span>
      </div>
      {failed.length > 0 && (
        <p className="maestro-tests-failed-summary">
          {'Failed: '}
          {failed.map((check, index) => (
            <React.Fragment key={`${index}:${check}`}>
              {index > 0 && ', '}
              <code>{check}</code>
            </React.Fragment>
          ))}
        </p>
      )}
      <dl className="maestro-tests-facts">
        {ranAt && <Fact stat="ran_at" label="Ran at" value={ranAt} />}
        {report.ran_by && (
          <Fact stat="ran_by" label="Ran by" value={report.ran_by} />
        )}
        <Fact
          stat="duration"
          label="Duration"
          value={formatDuration(report.duration_seconds)}
        />
        <Fact
          stat="rows"
          label="Rows"
          value={Number(report.rows).toLocaleString()}
        />
        <Fact stat="target" label="Target" value={report.target} code />
        <Fact stat="task" label="Task" value={report.task} />
        {report.reference && (
          <Fact
            stat="reference"
            label="Compared with"
            value={`${report.reference.alias} (v${report.reference.version})`}
          />
        )}
        {(report.sensitive ?? []).length > 0 && (
          <Fact
            stat="sensitive"
            label="Sensitive features"
            value={report.sensitive.join(', ')}
            code
          />
        )}
        {(report.slices ?? []).length > 0 && (
          <Fact
            stat="slices"
            label="Slices"
            value={report.slices.join(', ')}
            code
          />
        )}
        {report.run_id && (
          <Fact stat="run" label="MLflow run" value={report.run_id} code />
        )}
      </dl>
    </section>
  );
}

/**
 * One fact of the summary.
 */
function Fact(props: {
  stat: string;
  label: string;
  value: string;
  code?: boolean;
}): JSX.Element {
  return (
    <div className="maestro-tests-fact" data-stat={props.stat}>
      <dt>{props.label}</dt>
      <dd className={props.code ? 'maestro-code' : undefined}>{props.value}</dd>
    </div>
  );
}
