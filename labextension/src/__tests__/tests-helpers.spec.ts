import { MaestroAPIError } from '../api';
import {
  categoryLabel,
  failedChecks,
  formatRanAt,
  gateRefusal,
  groupChecks,
  sortedMetrics,
  testMagic,
  testSDKCall,
  testsWidgetId,
  verdictBadgeText,
  verdictBadgeTitle,
  versionVerdict
} from '../tests/helpers';
import { failedReport, testCheck } from './tests-fixtures';

describe('version verdicts', () => {
  it('reads the verdict tag; anything else is untested', () => {
    expect(versionVerdict({ 'maestro.tests.verdict': 'passed' })).toBe(
      'passed'
    );
    expect(versionVerdict({ 'maestro.tests.verdict': 'failed' })).toBe(
      'failed'
    );
    expect(versionVerdict({ 'maestro.tests.verdict': 'error' })).toBe(
      'untested'
    );
    expect(versionVerdict({})).toBe('untested');
    expect(versionVerdict(undefined)).toBe('untested');
    expect(
      ['passed', 'failed', 'untested'].map(v => verdictBadgeText(v as 'passed'))
    ).toEqual(['tests passed', 'tests failed', 'untested']);
  });

  it('titles the badge with the local time of the run', () => {
    const iso = '2026-11-26T10:00:00+00:00';
    const local = new Date(iso).toLocaleString();
    expect(formatRanAt(iso)).toBe(local);
    expect(verdictBadgeTitle('failed', iso)).toBe(`Tests failed on ${local}`);
    expect(verdictBadgeTitle('passed', undefined)).toBe('Tests passed');
    // A time that does not parse is shown as is.
    expect(formatRanAt('yesterday')).toBe('yesterday');
    expect(verdictBadgeTitle('passed', 'yesterday')).toBe(
      'Tests passed on yesterday'
    );
    expect(formatRanAt('  ')).toBeNull();
    expect(verdictBadgeTitle('untested', iso)).toBe(
      'No automated tests have run on this version'
    );
  });
});

describe('groupChecks', () => {
  it('orders the known categories, then the others as they come', () => {
    const groups = groupChecks([
      testCheck({ name: 'x', category: 'zeta' }),
      testCheck({ name: 'noise', category: 'robustness' }),
      testCheck({ name: 'a', category: 'performance', status: 'failed' }),
      testCheck({ name: 'y', category: 'alpha_beta' }),
      testCheck({ name: 'contract', category: 'contract' }),
      testCheck({ name: 'b', category: 'performance' }),
      testCheck({ name: 'c', category: 'performance', status: 'failed' }),
      testCheck({ name: 'nameless', category: '' })
    ]);
    expect(groups.map(group => group.category)).toEqual([
      'contract',
      'performance',
      'robustness',
      'zeta',
      'alpha_beta',
      'other'
    ]);
    expect(groups.map(group => group.label)).toEqual([
      'Data contract',
      'Performance',
      'Robustness',
      'Zeta',
      'Alpha beta',
      'Other'
    ]);
    expect(groups[1].checks.map(check => check.name)).toEqual(['a', 'b', 'c']);
    expect(groups.map(group => group.failed)).toEqual([0, 2, 0, 0, 0, 0]);
    expect(groupChecks([])).toEqual([]);
    expect(categoryLabel('latency')).toBe('Latency');
    expect(categoryLabel('fairness')).toBe('Fairness');
  });

  it('lists the failed checks and sorts the metrics by key', () => {
    expect(failedChecks(failedReport())).toEqual([
      'latency_p95_ms',
      'accuracy[sex=female]'
    ]);
    expect(
      sortedMetrics({ f1: 1, 'accuracy/sex=male': 2, accuracy: 3, F2: 4 })
    ).toEqual([
      ['F2', 4],
      ['accuracy', 3],
      ['accuracy/sex=male', 2],
      ['f1', 1]
    ]);
  });
});

describe('how to run the tests', () => {
  it('fills the magic and the SDK call with the name and version', () => {
    expect(testMagic('iris', '3')).toBe(
      '%maestro test iris/3 --data df --target target'
    );
    expect(testMagic('iris model', '3')).toBe(
      '%maestro test "iris model/3" --data df --target target'
    );
    expect(testSDKCall('iris', '3')).toBe(
      'ml.tests.run("iris", df, "target", version="3")'
    );
    expect(testSDKCall('say "hi"', '3')).toBe(
      'ml.tests.run("say \\"hi\\"", df, "target", version="3")'
    );
  });

  it('sanitises widget ids', () => {
    expect(testsWidgetId('iris model', '3')).toBe('maestro-tests-iris-model-3');
    expect(testsWidgetId('a/b.c', '10')).toBe('maestro-tests-a-b-c-10');
  });
});

describe('gateRefusal', () => {
  it('reads the failed checks of a GATE_REFUSED error only', () => {
    expect(
      gateRefusal(
        new MaestroAPIError(409, 'GATE_REFUSED', 'Refused', {
          failed_checks: ['accuracy', 3, 'latency_p95_ms']
        })
      )
    ).toEqual({
      message: 'Refused',
      failedChecks: ['accuracy', 'latency_p95_ms']
    });
    // Never tested: no failed check.
    expect(
      gateRefusal(new MaestroAPIError(409, 'GATE_REFUSED', 'Never tested'))
    ).toEqual({ message: 'Never tested', failedChecks: [] });
    expect(
      gateRefusal(new MaestroAPIError(409, 'CONFLICT', 'Other conflict'))
    ).toBeNull();
    expect(gateRefusal(new Error('GATE_REFUSED'))).toBeNull();
    expect(gateRefusal('GATE_REFUSED')).toBeNull();
  });
});
