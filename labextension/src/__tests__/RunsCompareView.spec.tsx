import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import axe from 'axe-core';
import React from 'react';

import * as api from '../api';
import { IMetricHistories, RunComparison, RunSummary } from '../api';
import {
  defaultCurveMetric,
  MAX_DIFF_COLUMNS,
  RunsCompareView,
  RunsCompareWidget
} from '../compare/RunsCompareView';
import { bestIndexes, diffRows, runLabels } from '../compare/runsCompare';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  compareRuns: jest.fn(),
  getMetricHistories: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

function summary(id: string, name: string): RunSummary {
  return {
    run_id: id,
    run_name: name,
    experiment_id: '6',
    experiment_name: 'churn',
    status: 'FINISHED',
    start_time: 1_700_000_000_000,
    end_time: 1_700_000_060_000,
    duration_seconds: 60,
    user: 'alice',
    metrics: {},
    params: {},
    tags: {},
    source: null,
    mlflow_url: null
  };
}

/** `n` runs: C and max_depth differ, solver is the same; accuracy up, loss down. */
function comparison(n: number): RunComparison {
  const runs = Array.from({ length: n }, (_, i) =>
    summary(`run${i}`, `run-${i}`)
  );
  return {
    runs,
    params: {
      C: runs.map((_, i) => String(10 ** (i % 4))),
      max_depth: runs.map((_, i) => String(3 + (i % 5))),
      solver: runs.map(() => 'lbfgs')
    },
    metrics: {
      accuracy: runs.map((_, i) => 0.8 + (i % 10) / 100),
      loss: runs.map((_, i) => 0.5 - (i % 7) / 100),
      epochs: runs.map(() => 10)
    },
    differing_params: ['C', 'max_depth'],
    differing_metrics: ['accuracy', 'loss']
  };
}

function histories(
  runIds: readonly string[],
  steps = 20,
  key = 'loss'
): IMetricHistories {
  return {
    series: runIds.map((id, r) => ({
      run_id: id,
      key,
      points: Array.from({ length: steps }, (_, step) => ({
        step,
        timestamp: 1_700_000_000_000 + step * 1000,
        value: 1 / (step + 1 + r)
      })),
      total_points: steps,
      downsampled: false
    }))
  };
}

/** Serious or critical axe-core violations in `container` (contrast is checked in the browser tests: jsdom has no layout). */
async function axeViolations(container: HTMLElement): Promise<string[]> {
  // The charts' SVG is inside `role="img"` (presentational children) and
  // slow to walk in jsdom: the scan covers their wrappers, not their marks.
  const results = await axe.run(
    {
      include: [container],
      exclude: [['.maestro-vega-chart-target']]
    } as never,
    {
      rules: { 'color-contrast': { enabled: false } }
    }
  );
  return results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.nodes.map(n => n.html).join(' | ')}`);
}

beforeEach(() => {
  jest.resetAllMocks();
  mocked.getMetricHistories.mockImplementation(async (runIds, keys) =>
    histories(runIds, 20, keys[0])
  );
});

describe('runs comparison helpers', () => {
  it('labels runs by name, unique', () => {
    expect(
      runLabels([
        summary('aaaaaaaa11', 'x'),
        summary('bbbbbbbb22', 'x'),
        summary('cccccccc33', '')
      ])
    ).toEqual(['x (aaaaaaaa)', 'x (bbbbbbbb)', 'cccccccc']);
  });

  it('finds the best values: highest score, lowest loss, none when all equal', () => {
    expect(bestIndexes('accuracy', [0.9, 0.95, null, 0.95])).toEqual([1, 3]);
    expect(bestIndexes('val_loss', [0.3, 0.2, 0.25])).toEqual([1]);
    expect(bestIndexes('epochs', [10, 10])).toEqual([]);
    expect(bestIndexes('accuracy', [0.9, null])).toEqual([]);
  });

  it('keeps only differing rows when asked', () => {
    const rows = diffRows(comparison(3), true).map(
      row => `${row.kind}:${row.key}`
    );
    expect(rows).toEqual([
      'param:C',
      'param:max_depth',
      'metric:accuracy',
      'metric:loss'
    ]);
    expect(diffRows(comparison(3), false)).toHaveLength(6);
  });

  it('draws a loss first', () => {
    expect(defaultCurveMetric(['accuracy', 'val_loss', 'epochs'])).toBe(
      'val_loss'
    );
    expect(defaultCurveMetric(['accuracy', 'f1'])).toBe('accuracy');
    expect(defaultCurveMetric([])).toBeNull();
  });
});

describe('RunsCompareView', () => {
  it('overlays the curves of a loss, one request for all runs', async () => {
    mocked.compareRuns.mockResolvedValue(comparison(3));
    const { container } = render(
      <RunsCompareView runIds={['run0', 'run1', 'run2']} />
    );
    const curves = await waitFor(() => {
      const element = container.querySelector(
        '[data-section="curves"] svg.marks'
      );
      expect(element).not.toBeNull();
      return element as Element;
    });
    expect(mocked.compareRuns.mock.calls[0][0]).toEqual([
      'run0',
      'run1',
      'run2'
    ]);
    expect(mocked.getMetricHistories).toHaveBeenCalledTimes(1);
    expect(mocked.getMetricHistories.mock.calls[0].slice(0, 2)).toEqual([
      ['run0', 'run1', 'run2'],
      ['loss']
    ]);
    expect(mocked.getMetricHistories.mock.calls[0][2]?.maxPoints).toBe(500);
    expect(curves.querySelectorAll('.mark-line path')).toHaveLength(3);
    // A legend names the runs.
    expect(curves.textContent).toContain('run-1');

    // Another metric: a new request for its histories.
    fireEvent.change(screen.getByRole('combobox', { name: 'Metric' }), {
      target: { value: 'accuracy' }
    });
    await waitFor(() =>
      expect(mocked.getMetricHistories).toHaveBeenCalledTimes(2)
    );
    expect(mocked.getMetricHistories.mock.calls[1][1]).toEqual(['accuracy']);
  });

  it('shows bars when the metric was logged once per run', async () => {
    mocked.compareRuns.mockResolvedValue(comparison(3));
    mocked.getMetricHistories.mockImplementation(async (runIds, keys) =>
      histories(runIds, 1, keys[0])
    );
    const { container } = render(
      <RunsCompareView runIds={['run0', 'run1', 'run2']} />
    );
    await waitFor(() =>
      expect(
        container.querySelectorAll('[data-section="curves"] .mark-rect path')
      ).toHaveLength(3)
    );
  });

  it('highlights the best value of each metric and shows only differences', async () => {
    mocked.compareRuns.mockResolvedValue(comparison(3));
    const { container } = render(
      <RunsCompareView runIds={['run0', 'run1', 'run2']} />
    );
    const diff = await waitFor(() => {
      const element = container.querySelector('[data-section="diff"]');
      expect(element).not.toBeNull();
      return element as HTMLElement;
    });
    const table = within(diff).getByRole('table');
    const keys = () =>
      [...table.querySelectorAll('tbody tr')].map(row =>
        row.getAttribute('data-key')
      );
    expect(keys()).toEqual(['C', 'max_depth', 'accuracy', 'loss']);
    const best = (key: string) =>
      [...table.querySelectorAll(`tr[data-key="${key}"] td`)].map(cell =>
        cell.classList.contains('maestro-best')
      );
    // accuracy: the highest (run 2); loss: the lowest (run 2, 0.48).
    expect(best('accuracy')).toEqual([false, false, true]);
    expect(best('loss')).toEqual([false, false, true]);
    expect(
      table.querySelector('tr[data-key="accuracy"] td.maestro-best')
        ?.textContent
    ).toBe('0.8200 (best)');
    expect(table.querySelector('tr[data-key="C"]')?.classList).toContain(
      'maestro-diff-differs'
    );

    const toggle = within(diff).getByRole('checkbox', {
      name: 'Only differences'
    });
    expect((toggle as HTMLInputElement).checked).toBe(true);
    fireEvent.click(toggle);
    expect(keys()).toEqual([
      'C',
      'max_depth',
      'solver',
      'accuracy',
      'epochs',
      'loss'
    ]);
    expect(
      table.querySelector('tr[data-key="solver"]')?.classList
    ).not.toContain('maestro-diff-differs');
  });

  it('draws params against metrics: parallel coordinates or a scatter', async () => {
    mocked.compareRuns.mockResolvedValue(comparison(3));
    const { container } = render(
      <RunsCompareView runIds={['run0', 'run1', 'run2']} />
    );
    const view = await waitFor(() => {
      const element = container.querySelector('[data-section="params-view"]');
      expect(element).not.toBeNull();
      return element as HTMLElement;
    });
    expect(
      within(view).getByRole('img', {
        name: 'Parallel coordinates of 3 runs over C, max_depth, loss.'
      })
    ).toBeTruthy();
    fireEvent.click(within(view).getByRole('button', { name: 'Scatter' }));
    const x = within(view).getByRole('combobox', {
      name: 'x'
    }) as HTMLSelectElement;
    expect(x.value).toBe('param:C');
    fireEvent.change(within(view).getByRole('combobox', { name: 'y' }), {
      target: { value: 'metric:accuracy' }
    });
    expect(
      within(view).getByRole('img', { name: 'accuracy against C, 3 runs.' })
    ).toBeTruthy();
  });

  it('renders 100 runs quickly, with a capped number of columns', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `run${i}`);
    mocked.compareRuns.mockResolvedValue(comparison(100));
    mocked.getMetricHistories.mockImplementation(async (runIds, keys) =>
      histories(runIds, 500, keys[0])
    );
    const start = performance.now();
    const { container } = render(<RunsCompareView runIds={ids} />);
    await waitFor(
      () => {
        expect(
          container.querySelector('[data-section="curves"] svg.marks')
        ).not.toBeNull();
        expect(
          container.querySelector('[data-section="params-view"] svg.marks')
        ).not.toBeNull();
      },
      { timeout: 10_000 }
    );
    const elapsed = performance.now() - start;
    // A figure, not a timed assertion (jsdom is slower than Chromium): printed for the report.
    console.log(
      `100 runs (500 points each): rendered in ${elapsed.toFixed(0)} ms (jsdom)`
    );
    const table = container.querySelector(
      '[data-section="diff"] table'
    ) as HTMLElement;
    expect(table.querySelectorAll('thead th[data-run]')).toHaveLength(
      MAX_DIFF_COLUMNS
    );
    await act(async () => {
      fireEvent.click(
        screen.getByRole('button', { name: 'Show all 100 runs' })
      );
    });
    expect(table.querySelectorAll('thead th[data-run]')).toHaveLength(100);
    expect(
      container.querySelectorAll('[data-section="curves"] .mark-line path')
    ).toHaveLength(100);
  });

  it("shows the server's message when the comparison fails", async () => {
    mocked.compareRuns.mockRejectedValue(
      new api.MaestroAPIError(404, 'NOT_FOUND', "Run 'nope' not found")
    );
    render(<RunsCompareView runIds={['nope', 'run1']} />);
    expect((await screen.findByRole('alert')).textContent).toContain(
      "Run 'nope' not found"
    );
  });

  it('is a widget built from run ids', () => {
    const widget = new RunsCompareWidget({ runIds: ['a', 'b'] });
    expect(widget.title.label).toBe('Compare 2 runs');
    expect(widget.runIds).toEqual(['a', 'b']);
    widget.dispose();
  });
});

describe('RunsCompareView accessibility', () => {
  it('has no serious or critical violations (axe-core)', async () => {
    mocked.compareRuns.mockResolvedValue(comparison(3));
    const { container } = render(
      <RunsCompareView runIds={['run0', 'run1', 'run2']} />
    );
    await waitFor(() =>
      expect(
        container.querySelector('[data-section="params-view"] svg.marks')
      ).not.toBeNull()
    );
    expect(await axeViolations(container)).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Scatter' }));
    expect(await axeViolations(container)).toEqual([]);
  }, 30_000);
});
