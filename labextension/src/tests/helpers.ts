/**
 * Pure helpers of the model tests widget and of the promotion gate (no DOM,
 * no request).
 */

import {
  GATE_REFUSED,
  TestCheck,
  TestReport,
  MaestroAPIError,
  TestsReportFormat,
  TestStatus,
  TestVerdict
} from '../api';
import { formatDate } from '../format';
import { versionWidgetId } from '../versionWidget';

/**
 * Version tag holding the verdict of the version's latest test run
 * (`passed` or `failed`; absent when never tested).
 */
export const TESTS_VERDICT_TAG = 'maestro.tests.verdict';

/**
 * Version tag holding the (ISO 8601) time of the version's latest test run.
 */
export const TESTS_RAN_AT_TAG = 'maestro.tests.ran_at';

/**
 * The test state of a version, as its badge shows it.
 */
export type VersionVerdict = TestVerdict | 'untested';

/**
 * The test state of a version from its tags: `untested` when it carries no
 * (known) verdict.
 */
export function versionVerdict(
  tags: { [key: string]: string } | null | undefined
): VersionVerdict {
  const verdict = tags?.[TESTS_VERDICT_TAG];
  return verdict === 'passed' || verdict === 'failed' ? verdict : 'untested';
}

/**
 * The text of a version's verdict badge.
 */
export function verdictBadgeText(verdict: VersionVerdict): string {
  switch (verdict) {
    case 'passed':
      return 'tests passed';
    case 'failed':
      return 'tests failed';
    default:
      return 'untested';
  }
}

/**
 * An ISO 8601 time as local date and time; the text itself when it does
 * not parse, null when empty.
 */
export function formatRanAt(iso: string | null | undefined): string | null {
  const text = (iso ?? '').trim();
  if (!text) {
    return null;
  }
  return formatDate(Date.parse(text))?.full ?? text;
}

/**
 * The tooltip of a version's verdict badge, e.g. `Tests failed on
 * 26/11/2026, 10:00:00`.
 */
export function verdictBadgeTitle(
  verdict: VersionVerdict,
  ranAt: string | null | undefined
): string {
  if (verdict === 'untested') {
    return 'No automated tests have run on this version';
  }
  const when = formatRanAt(ranAt);
  const title = verdictLabel(verdict);
  return when ? `${title} on ${when}` : title;
}

/**
 * The text of a report's verdict: `Tests passed` or `Tests failed`.
 */
export function verdictLabel(verdict: TestVerdict): string {
  return verdict === 'passed' ? 'Tests passed' : 'Tests failed';
}

/**
 * The mark of a check's status (the status is also given as text).
 */
export function statusMark(status: TestStatus): string {
  switch (status) {
    case 'passed':
      return '✓';
    case 'failed':
      return '✗';
    default:
      return '–';
  }
}

/**
 * The check categories, in the order the report shows them.
 */
export const CATEGORY_ORDER: readonly string[] = [
  'contract',
  'performance',
  'latency',
  'fairness',
  'robustness'
];

const CATEGORY_LABELS: { [category: string]: string } = {
  contract: 'Data contract',
  performance: 'Performance',
  latency: 'Latency',
  fairness: 'Fairness',
  robustness: 'Robustness'
};

/**
 * The title of a category of checks when its checks carry no label (reports
 * recorded before they did): a built-in's, an unknown one capitalised.
 */
export function categoryLabel(category: string): string {
  const known = CATEGORY_LABELS[category];
  if (known) {
    return known;
  }
  const text = category.replace(/[_-]+/g, ' ').trim();
  return text ? text[0].toUpperCase() + text.slice(1) : 'Other';
}

/**
 * The label a check's family gave it (a plugin's family names its own
 * checks), or null when it has none.
 */
export function checkLabel(check: TestCheck): string | null {
  // Reports recorded before checks carried a label have none at all.
  const label = check.label;
  return typeof label === 'string' && label.trim() ? label.trim() : null;
}

/**
 * The checks of one category.
 */
export interface ICheckGroup {
  category: string;
  label: string;
  checks: TestCheck[];
  /** How many of them failed. */
  failed: number;
}

/**
 * Group checks by category: the known categories in `CATEGORY_ORDER`, then
 * the others in the order they first appear; checks keep their order. A
 * group is titled with its checks' label (their family's), else with
 * `categoryLabel`.
 */
export function groupChecks(checks: readonly TestCheck[]): ICheckGroup[] {
  const byCategory = new Map<string, TestCheck[]>();
  for (const check of checks) {
    const category = check.category || 'other';
    const group = byCategory.get(category);
    if (group) {
      group.push(check);
    } else {
      byCategory.set(category, [check]);
    }
  }
  const rank = (category: string): number => {
    const index = CATEGORY_ORDER.indexOf(category);
    return index === -1 ? CATEGORY_ORDER.length : index;
  };
  // `sort` is stable: the unknown categories keep their order.
  return [...byCategory.keys()]
    .sort((a, b) => rank(a) - rank(b))
    .map(category => {
      const group = byCategory.get(category) ?? [];
      return {
        category,
        label:
          group.map(checkLabel).find(label => label !== null) ??
          categoryLabel(category),
        checks: group,
        failed: group.filter(check => check.status === 'failed').length
      };
    });
}

/**
 * A report's metrics as `[key, value]` pairs sorted by key.
 */
export function sortedMetrics(metrics: {
  [key: string]: number;
}): [string, number][] {
  return Object.entries(metrics ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0
  );
}

/**
 * The names of a report's failed checks, in report order.
 */
export function failedChecks(report: TestReport): string[] {
  return (report.checks ?? [])
    .filter(check => check.status === 'failed')
    .map(check => check.name);
}

/**
 * The download links of a test report, in order.
 */
export const TESTS_DOWNLOADS: ReadonlyArray<{
  format: TestsReportFormat;
  label: string;
  title: string;
}> = [
  {
    format: 'html',
    label: 'HTML report',
    title: 'Download the test report as a self-contained HTML page'
  },
  {
    format: 'junit',
    label: 'JUnit XML',
    title: 'Download the test report as JUnit XML (for CI tools)'
  }
];

/**
 * The `%maestro test` magic testing a version (the data and target are
 * placeholders: `df` and `target`).
 */
export function testMagic(name: string, version: string): string {
  const model = `${name}/${version}`;
  const arg = /[\s"'\\]/.test(model) ? JSON.stringify(model) : model;
  return `%maestro test ${arg} --data df --target target`;
}

/**
 * The SDK call testing a version (the data and target are placeholders:
 * `df` and `"target"`).
 */
export function testSDKCall(name: string, version: string): string {
  return `ml.tests.run(${JSON.stringify(name)}, df, "target", version=${JSON.stringify(
    version
  )})`;
}

/**
 * Id of the widget of a version's tests: `maestro-tests-<name>-<version>`,
 * where every character other than an ASCII letter, digit, `-` or `_` is
 * replaced with `-`. Different names may share a sanitised form; the caller
 * disambiguates.
 */
export function testsWidgetId(name: string, version: string): string {
  return versionWidgetId('maestro-tests', name, version);
}

/**
 * A promotion refused by the test gate.
 */
export interface IGateRefusal {
  /** The server's message. */
  message: string;
  /** The checks that failed (empty when the version was never tested). */
  failedChecks: string[];
}

/**
 * The gate refusal an error is, or null when it is another error.
 */
export function gateRefusal(reason: unknown): IGateRefusal | null {
  if (!(reason instanceof MaestroAPIError) || reason.code !== GATE_REFUSED) {
    return null;
  }
  const checks = reason.details?.['failed_checks'];
  return {
    message: reason.message,
    failedChecks: Array.isArray(checks)
      ? checks.filter((check): check is string => typeof check === 'string')
      : []
  };
}
