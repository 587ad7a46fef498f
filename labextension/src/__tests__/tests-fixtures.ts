import { TestCheck, TestHistory, TestReport, TestRunSummary } from '../api';

/**
 * Model test fixtures shared by the tests specs: a failed report of iris v3
 * with checks in every category (out of order), evidence on one, a skipped
 * one and an unknown category.
 */
export function testCheck(overrides: Partial<TestCheck> = {}): TestCheck {
  return {
    name: 'accuracy',
    category: 'performance',
    status: 'passed',
    value: 0.953846,
    threshold: '> 0.85',
    detail: null,
    evidence: null,
    label: null,
    ...overrides
  };
}

export function failedReport(overrides: Partial<TestReport> = {}): TestReport {
  return {
    name: 'iris',
    version: '3',
    verdict: 'failed',
    ran_at: '2026-11-26T10:00:00+00:00',
    ran_by: 'alice',
    duration_seconds: 4.25,
    run_id: 'run-tests-2',
    task: 'classification',
    rows: 1500,
    target: 'species',
    sensitive: ['sex'],
    slices: ['sex'],
    reference: { alias: 'champion', version: '2' },
    summary: { passed: 4, failed: 2, skipped: 1 },
    checks: [
      testCheck({
        name: 'gaussian_noise.flip_rate',
        category: 'robustness',
        value: 0.02,
        threshold: '< 0.05'
      }),
      testCheck({
        name: 'latency_p95_ms',
        category: 'latency',
        status: 'failed',
        value: 143.27,
        threshold: '< 100',
        detail: 'p95 over 200 single-row calls'
      }),
      testCheck(),
      testCheck({
        name: 'accuracy[sex=female]',
        category: 'performance',
        status: 'failed',
        value: 0.8123,
        threshold: '> 0.85',
        detail: '412 rows',
        evidence: {
          columns: ['slice', 'rows', 'accuracy'],
          rows: [
            ['sex=female', 412, 0.8123],
            ['sex=male', 1088, null]
          ]
        }
      }),
      testCheck({
        name: 'data_contract',
        category: 'contract',
        value: null,
        threshold: null,
        detail: 'Every column of the signature is present'
      }),
      testCheck({
        name: 'demographic_parity_difference[sex]',
        category: 'fairness',
        status: 'skipped',
        value: null,
        threshold: '< 0.1',
        detail: 'Not computed for a single class'
      }),
      testCheck({
        name: 'drift_psi',
        category: 'custom',
        value: 0.1,
        threshold: null
      })
    ],
    metrics: {
      f1: 0.94,
      accuracy: 0.953846,
      'accuracy/sex=female': 0.8123,
      latency_p50_ms: 41.5
    },
    policy: {},
    timings: {},
    ...overrides
  };
}

export function testRun(
  overrides: Partial<TestRunSummary> = {}
): TestRunSummary {
  return {
    run_id: 'run-tests-2',
    version: '3',
    verdict: 'failed',
    ran_at: '2026-11-26T10:00:00+00:00',
    ran_by: 'alice',
    passed: 4,
    failed: 2,
    skipped: 1,
    failed_checks: ['latency_p95_ms', 'accuracy[sex=female]'],
    metrics: {},
    ...overrides
  };
}

export function testHistory(overrides: Partial<TestHistory> = {}): TestHistory {
  return {
    name: 'iris',
    version: '3',
    latest: failedReport(),
    history: [
      testRun(),
      testRun({
        run_id: 'run-tests-1',
        verdict: 'passed',
        ran_at: '2026-11-20T09:30:00+00:00',
        ran_by: null,
        passed: 7,
        failed: 0,
        skipped: 0,
        failed_checks: []
      })
    ],
    overrides: [],
    ...overrides
  };
}
