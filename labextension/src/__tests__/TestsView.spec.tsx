import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import React from 'react';

import * as api from '../api';
import { TestHistory, MaestroAPIError } from '../api';
import { createTestsWidget } from '../tests/TestsWidget';
import { TestsView } from '../tests/TestsView';
import { failedReport, testHistory, testRun } from './tests-fixtures';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getTests: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

async function renderReport(): Promise<HTMLElement> {
  const { container } = render(<TestsView name="iris" version="3" />);
  await waitFor(() =>
    expect(
      container.querySelector('.maestro-tests-view')?.getAttribute('data-state')
    ).toBe('done')
  );
  return container;
}

function element(container: HTMLElement, selector: string): HTMLElement {
  const found = container.querySelector<HTMLElement>(selector);
  if (!found) {
    throw new Error(`No element ${selector}`);
  }
  return found;
}

/** The texts of the cells of a table row. */
function cells(row: Element): string[] {
  return [...row.querySelectorAll('th, td')].map(
    cell => cell.textContent ?? ''
  );
}

beforeEach(() => {
  jest.resetAllMocks();
  mocked.getTests.mockResolvedValue(testHistory());
});

describe('TestsView', () => {
  it('shows a loading state while the report is requested', () => {
    mocked.getTests.mockReturnValue(new Promise(() => undefined));
    const { container } = render(<TestsView name="iris" version="3" />);
    const view = element(container, '.maestro-tests-view');
    expect(view.getAttribute('data-state')).toBe('loading');
    expect(view.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByRole('status').textContent).toBe(
      'Loading the test report…'
    );
    expect(mocked.getTests.mock.calls[0].slice(0, 2)).toEqual(['iris', '3']);
    expect(mocked.getTests.mock.calls[0][2]).toBeInstanceOf(AbortSignal);
    // No report yet: nothing to download.
    expect(container.querySelector('.maestro-tests-download')).toBeNull();
  });

  it('summarises the latest run: the verdict first, the counts and the facts', async () => {
    const container = await renderReport();
    const title = element(container, '.maestro-tests-title');
    expect(title.textContent).toBe('Tests: iris v3');

    const summary = element(container, '.maestro-tests-summary');
    const verdict = element(summary, '.maestro-tests-verdict');
    expect(verdict.getAttribute('data-verdict')).toBe('failed');
    expect(element(verdict, '.maestro-tests-verdict-label').textContent).toBe(
      'Tests failed'
    );
    expect(
      [...verdict.querySelectorAll('.maestro-tests-count')].map(count => [
        count.getAttribute('data-count'),
        count.textContent
      ])
    ).toEqual([
      ['passed', '4 passed'],
      ['failed', '2 failed'],
      ['skipped', '1 skipped']
    ]);
    // The verdict comes before the checks.
    const checks = element(container, '.maestro-tests-checks');
    expect(
      summary.compareDocumentPosition(checks) & Node.DOCUMENT_POSITION_FOLLOWING
    ).toBeTruthy();

    expect(element(summary, '.maestro-tests-failed-summary').textContent).toBe(
      'Failed: latency_p95_ms, accuracy[sex=female]'
    );

    const fact = (stat: string): string | null | undefined =>
      summary.querySelector(`[data-stat="${stat}"] dd`)?.textContent;
    expect(fact('ran_at')).toBe(
      new Date('2026-11-26T10:00:00+00:00').toLocaleString()
    );
    expect(fact('ran_by')).toBe('alice');
    expect(fact('duration')).toBe('4.25 s');
    expect(fact('rows')).toBe((1500).toLocaleString());
    expect(fact('target')).toBe('species');
    expect(fact('task')).toBe('classification');
    expect(fact('reference')).toBe('champion (v2)');
    expect(fact('sensitive')).toBe('sex');
    expect(fact('run')).toBe('run-tests-2');
  });

  it('leaves out the facts a run does not have', async () => {
    mocked.getTests.mockResolvedValue(
      testHistory({
        latest: failedReport({
          verdict: 'passed',
          ran_by: null,
          reference: null,
          sensitive: [],
          slices: [],
          run_id: null,
          summary: { passed: 7, failed: 0, skipped: 0 },
          checks: []
        })
      })
    );
    const container = await renderReport();
    const summary = element(container, '.maestro-tests-summary');
    expect(
      element(summary, '.maestro-tests-verdict').getAttribute('data-verdict')
    ).toBe('passed');
    expect(element(summary, '.maestro-tests-verdict-label').textContent).toBe(
      'Tests passed'
    );
    expect(summary.querySelector('.maestro-tests-failed-summary')).toBeNull();
    for (const stat of ['ran_by', 'reference', 'sensitive', 'slices', 'run']) {
      expect(summary.querySelector(`[data-stat="${stat}"]`)).toBeNull();
    }
    expect(element(container, '.maestro-tests-checks').textContent).toContain(
      'No checks ran.'
    );
  });

  it('groups the checks by category in a fixed order, failed ones marked', async () => {
    const container = await renderReport();
    const groups = [...container.querySelectorAll('.maestro-tests-category')];
    expect(groups.map(group => group.getAttribute('data-category'))).toEqual([
      'contract',
      'performance',
      'latency',
      'fairness',
      'robustness',
      'custom'
    ]);
    expect(
      groups.map(
        group =>
          group.querySelector('.maestro-tests-category-title')?.textContent
      )
    ).toEqual([
      'Data contract 1 check',
      'Performance 2 checks, 1 failed',
      'Latency 1 check, 1 failed',
      'Fairness 1 check',
      'Robustness 1 check',
      'Custom 1 check'
    ]);

    // Each category is a table with column headers, named by its title.
    const performance = groups[1] as HTMLElement;
    const table = within(performance).getByRole('table', {
      name: 'Performance 2 checks, 1 failed'
    });
    // (The evidence table nested in a row has headers of its own.)
    expect(
      [...table.querySelectorAll(':scope > thead > tr > th')].map(
        header => header.textContent
      )
    ).toEqual(['Status', 'Check', 'Value', 'Threshold', 'Detail']);
    expect(
      [...table.querySelectorAll(':scope > thead > tr > th')].every(
        header => header.getAttribute('scope') === 'col'
      )
    ).toBe(true);

    // Checks keep the server's order within a category.
    const rows = [...performance.querySelectorAll('tr.maestro-tests-check')];
    expect(rows.map(row => row.getAttribute('data-check'))).toEqual([
      'accuracy',
      'accuracy[sex=female]'
    ]);
    expect(rows.map(row => row.getAttribute('data-status'))).toEqual([
      'passed',
      'failed'
    ]);
    expect(cells(rows[0])).toEqual([
      '✓ passed',
      'accuracy',
      '0.9538',
      '> 0.85',
      ''
    ]);
    expect(rows[0].classList.contains('maestro-mod-failed')).toBe(false);
    expect(rows[1].classList.contains('maestro-mod-failed')).toBe(true);

    const latency = element(
      container,
      'tr.maestro-tests-check[data-check="latency_p95_ms"]'
    );
    expect(cells(latency)).toEqual([
      '✗ failed',
      'latency_p95_ms',
      '143.3',
      '< 100',
      'p95 over 200 single-row calls'
    ]);
    expect(element(latency, '.maestro-tests-value').getAttribute('title')).toBe(
      '143.27'
    );

    const skipped = element(
      container,
      'tr.maestro-tests-check[data-check="demographic_parity_difference[sex]"]'
    );
    expect(skipped.getAttribute('data-status')).toBe('skipped');
    expect(cells(skipped)).toEqual([
      '– skipped',
      'demographic_parity_difference[sex]',
      '—',
      '< 0.1',
      'Not computed for a single class'
    ]);
    // No value and no threshold.
    expect(
      cells(
        element(container, 'tr.maestro-tests-check[data-check="data_contract"]')
      ).slice(2, 4)
    ).toEqual(['—', '—']);
  });

  it('shows the evidence of a check in a disclosure with a table', async () => {
    const container = await renderReport();
    const row = element(
      container,
      'tr.maestro-tests-check[data-check="accuracy[sex=female]"]'
    );
    const details = row.querySelector(
      'details.maestro-tests-evidence'
    ) as HTMLDetailsElement;
    expect(details).not.toBeNull();
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')?.textContent).toBe(
      'Evidence (2 rows)'
    );
    const table = within(details).getByRole('table', {
      name: 'Evidence of accuracy[sex=female]',
      hidden: true
    });
    expect(
      within(table)
        .getAllByRole('columnheader', { hidden: true })
        .map(th => th.textContent)
    ).toEqual(['slice', 'rows', 'accuracy']);
    expect(
      [...table.querySelectorAll(':scope > tbody > tr')].map(cells)
    ).toEqual([
      ['sex=female', '412', '0.8123'],
      ['sex=male', '1088', '—']
    ]);
    // Only the checks with evidence have a disclosure.
    expect(
      container.querySelectorAll('details.maestro-tests-evidence')
    ).toHaveLength(1);
  });

  it('lists every metric sorted by key in a collapsible table', async () => {
    const container = await renderReport();
    const metrics = element(container, 'details.maestro-tests-metrics');
    expect(metrics.querySelector('summary')?.textContent).toBe('Metrics (4)');
    expect(
      [...metrics.querySelectorAll('tbody tr')].map(row => [
        row.getAttribute('data-metric'),
        ...cells(row).slice(1)
      ])
    ).toEqual([
      ['accuracy', '0.9538'],
      ['accuracy/sex=female', '0.8123'],
      // The sidebar's one metric format: 4 significant digits.
      ['f1', '0.9400'],
      ['latency_p50_ms', '41.50']
    ]);
  });

  it("shows the history of the version's runs, the latest one current", async () => {
    const container = await renderReport();
    const history = element(container, '.maestro-tests-history');
    expect(history.querySelector('h3')?.textContent).toBe('History (2 runs)');
    expect(
      within(history)
        .getAllByRole('columnheader')
        .map(header => header.textContent)
    ).toEqual([
      'Ran at',
      'By',
      'Verdict',
      'Passed',
      'Failed',
      'Skipped',
      'Failed checks'
    ]);
    const runs = [...history.querySelectorAll('tbody tr.maestro-tests-run')];
    expect(runs.map(run => run.getAttribute('data-run-id'))).toEqual([
      'run-tests-2',
      'run-tests-1'
    ]);
    expect(runs.map(run => run.getAttribute('data-verdict'))).toEqual([
      'failed',
      'passed'
    ]);
    expect(runs[0].getAttribute('aria-current')).toBe('true');
    expect(runs[1].hasAttribute('aria-current')).toBe(false);
    expect(cells(runs[0])).toEqual([
      new Date('2026-11-26T10:00:00+00:00').toLocaleString(),
      'alice',
      '✗ failed',
      '4',
      '2',
      '1',
      'latency_p95_ms, accuracy[sex=female]'
    ]);
    expect(cells(runs[1])).toEqual([
      new Date('2026-11-20T09:30:00+00:00').toLocaleString(),
      '—',
      '✓ passed',
      '7',
      '0',
      '0',
      '—'
    ]);
  });

  it('links to the HTML and JUnit reports as attachments', async () => {
    const container = await renderReport();
    const group = screen.getByRole('group', {
      name: 'Download the test report'
    });
    const links = within(group).getAllByRole('link');
    expect(links.map(link => link.textContent)).toEqual([
      'HTML report',
      'JUnit XML'
    ]);
    expect(links.map(link => link.getAttribute('data-format'))).toEqual([
      'html',
      'junit'
    ]);
    for (const link of links) {
      expect(link.classList.contains('maestro-tests-download')).toBe(true);
      expect(link.hasAttribute('download')).toBe(true);
    }
    expect(links[0].getAttribute('href')).toMatch(
      /\/maestro\/api\/v1\/models\/iris\/versions\/3\/tests\?format=html&download=1$/
    );
    expect(links[1].getAttribute('href')).toMatch(
      /\/maestro\/api\/v1\/models\/iris\/versions\/3\/tests\?format=junit&download=1$/
    );
    expect(container.querySelector('.maestro-tests-empty')).toBeNull();
  });

  it('explains how to run the tests of a version never tested', async () => {
    mocked.getTests.mockResolvedValue({
      name: 'iris model',
      version: '4',
      latest: null,
      history: [],
      overrides: []
    });
    const { container } = render(<TestsView name="iris model" version="4" />);
    const empty = await waitFor(() =>
      element(container, '.maestro-tests-empty')
    );
    expect(
      element(container, '.maestro-tests-view').getAttribute('data-state')
    ).toBe('untested');
    expect(empty.querySelector('h3')?.textContent).toBe(
      'Version 4 of iris model has never been tested'
    );
    expect(
      element(empty, '.maestro-tests-snippet[data-kind="magic"]').textContent
    ).toBe('%maestro test "iris model/4" --data df --target target');
    expect(
      element(empty, '.maestro-tests-snippet[data-kind="sdk"]').textContent
    ).toBe('ml.tests.run("iris model", df, "target", version="4")');
    // No report: no downloads, no summary, no (empty) history.
    expect(container.querySelector('.maestro-tests-downloads')).toBeNull();
    expect(container.querySelector('.maestro-tests-summary')).toBeNull();
    expect(container.querySelector('.maestro-tests-history')).toBeNull();
  });

  it('shows the server message and retries after a failure', async () => {
    mocked.getTests.mockRejectedValueOnce(
      new MaestroAPIError(404, 'NOT_FOUND', "Model 'iris' has no version 3")
    );
    const { container } = render(<TestsView name="iris" version="3" />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("Model 'iris' has no version 3");
    expect(
      element(container, '.maestro-tests-view').getAttribute('data-state')
    ).toBe('error');
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(container.querySelector('.maestro-tests-verdict')).not.toBeNull()
    );
    expect(mocked.getTests).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reloads the report with Refresh', async () => {
    const container = await renderReport();
    const passed: TestHistory = testHistory({
      latest: failedReport({
        verdict: 'passed',
        run_id: 'run-tests-3',
        summary: { passed: 7, failed: 0, skipped: 0 },
        checks: []
      }),
      history: [
        testRun({ run_id: 'run-tests-3', verdict: 'passed', failed: 0 }),
        testRun()
      ]
    });
    mocked.getTests.mockResolvedValue(passed);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    });
    await waitFor(() =>
      expect(
        element(container, '.maestro-tests-verdict').getAttribute(
          'data-verdict'
        )
      ).toBe('passed')
    );
    expect(mocked.getTests).toHaveBeenCalledTimes(2);
    expect(
      element(
        container,
        'tr.maestro-tests-run[aria-current="true"]'
      ).getAttribute('data-run-id')
    ).toBe('run-tests-3');
  });
});

describe('createTestsWidget', () => {
  it('creates a closable main-area widget named after the version', () => {
    const widget = createTestsWidget({ name: 'iris model', version: '3' });
    expect(widget.id).toBe('maestro-tests-iris-model-3');
    expect(widget.hasClass('maestro-tests')).toBe(true);
    expect(widget.node.dataset.name).toBe('iris model');
    expect(widget.node.dataset.version).toBe('3');
    expect(widget.title.label).toBe('Tests: iris model v3');
    expect(widget.title.caption).toBe(
      'Automated tests of iris model version 3'
    );
    expect(widget.title.closable).toBe(true);
    expect(widget.content.hasClass('maestro-tests-content')).toBe(true);
    expect(createTestsWidget({ name: 'iris', version: '3' }, 'x').id).toBe('x');
    widget.dispose();
  });
});
