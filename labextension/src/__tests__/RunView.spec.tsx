import {
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import axe from 'axe-core';
import React from 'react';

import * as api from '../api';
import { IArtifactPreview, IMetricHistory, RunSummary } from '../api';
import { RunView, runWidgetId, sourceText } from '../run/RunView';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getRun: jest.fn(),
  getMetricHistory: jest.fn(),
  listArtifacts: jest.fn(),
  getArtifactPreview: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

const run: RunSummary = {
  run_id: 'abc123',
  run_name: 'bright-owl',
  experiment_id: '6',
  experiment_name: 'churn',
  status: 'FINISHED',
  start_time: Date.now() - 2 * 3600 * 1000,
  end_time: Date.now() - 2 * 3600 * 1000 + 60_000,
  duration_seconds: 60,
  user: 'alice',
  metrics: { accuracy: 0.953846, f1: 0.9, loss: 0.125 },
  params: { max_iter: '200', C: '1.0' },
  tags: { 'mlflow.user': 'alice' },
  source: {
    type: 'JOB',
    name: 'train.py',
    job_id: 'job-ba5d1234',
    git_commit: null
  },
  mlflow_url: null
};

/** A history: `loss` has three steps, the others one. */
function history(key: string): IMetricHistory {
  const steps = key === 'loss' ? [0.9, 0.4, 0.125] : [run.metrics[key]];
  return {
    run_id: 'abc123',
    key,
    points: steps.map((value, step) => ({
      step,
      timestamp: 1_700_000_000_000 + step * 1000,
      value
    })),
    total_points: key === 'loss' ? 100_000 : 1,
    downsampled: key === 'loss'
  };
}

function preview(
  path: string,
  extra: Partial<IArtifactPreview>
): IArtifactPreview {
  return {
    run_id: 'abc123',
    path,
    kind: 'binary',
    size: 2048,
    truncated: false,
    text: null,
    image: null,
    table: null,
    ...extra
  };
}

/** Serious or critical axe-core violations in `container` (contrast is checked in the browser tests: jsdom has no layout). */
async function axeViolations(container: HTMLElement): Promise<string[]> {
  const results = await axe.run(container, {
    rules: { 'color-contrast': { enabled: false } }
  });
  return results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id}: ${v.nodes.map(n => n.html).join(' | ')}`);
}

beforeEach(() => {
  jest.resetAllMocks();
  mocked.getRun.mockResolvedValue(run);
  mocked.getMetricHistory.mockImplementation(async (_id, key) => history(key));
  mocked.listArtifacts.mockImplementation(async (_id, path = '') => ({
    run_id: 'abc123',
    path,
    files:
      path === ''
        ? [
            { path: 'model', is_dir: true, file_size: null },
            { path: 'notes.txt', is_dir: false, file_size: 12 },
            { path: 'plot.png', is_dir: false, file_size: 3000 },
            { path: 'sample.csv', is_dir: false, file_size: 40 },
            { path: 'weights.bin', is_dir: false, file_size: 2048 },
            { path: 'big.txt', is_dir: false, file_size: 10_000_000 }
          ]
        : [{ path: 'model/MLmodel', is_dir: false, file_size: 300 }]
  }));
  mocked.getArtifactPreview.mockImplementation(async (_id, path) => {
    switch (path) {
      case 'notes.txt':
        return preview(path, { kind: 'text', size: 12, text: 'hello world\n' });
      case 'plot.png':
        return preview(path, {
          kind: 'image',
          size: 3000,
          image: 'data:image/png;base64,iVBORw0KGgo='
        });
      case 'sample.csv':
        return preview(path, {
          kind: 'table',
          size: 40,
          truncated: true,
          table: {
            columns: ['x', 'label'],
            rows: [
              [1.5, 'a'],
              [2, 'b']
            ]
          }
        });
      case 'big.txt':
        return preview(path, { kind: 'too_large', size: 10_000_000 });
      default:
        return preview(path, { kind: 'binary' });
    }
  });
});

async function renderRun(
  props: Partial<React.ComponentProps<typeof RunView>> = {}
) {
  const result = render(<RunView runId="abc123" mlflowUiUrl="" {...props} />);
  await screen.findByRole('heading', { name: 'bright-owl' });
  return result;
}

describe('RunView summary', () => {
  it('shows the run first: experiment name, status, start, duration, source, user', async () => {
    const { container } = await renderRun();
    expect(mocked.getRun.mock.calls[0][0]).toBe('abc123');
    const summary = container.querySelector(
      '.maestro-run-summary'
    ) as HTMLElement;
    const items = Object.fromEntries(
      [...summary.querySelectorAll('.maestro-run-summary-item')].map(item => [
        item.querySelector('dt')?.textContent,
        item.querySelector('dd')
      ])
    );
    // The experiment's name, never its id.
    expect(items['Experiment']?.textContent).toBe('churn');
    expect(summary.textContent).not.toContain('Experiment 6');
    expect(items['Status']?.textContent).toBe('FINISHED');
    const time = items['Started']?.querySelector('time') as HTMLElement;
    expect(time.textContent).toBe('2 h ago');
    expect(time.getAttribute('title')).toBe(
      new Date(run.start_time as number).toLocaleString()
    );
    expect(items['Duration']?.textContent).toBe('1 min 0 s');
    expect(items['Source']?.textContent).toBe('Job · job-ba5d1234');
    expect(items['User']?.textContent).toBe('alice');
    // No MLflow UI: no links.
    expect(screen.queryByRole('link', { name: 'Open in MLflow' })).toBeNull();
  });

  it('links to MLflow with the run’s own mlflow_url first', async () => {
    mocked.getRun.mockResolvedValue({
      ...run,
      mlflow_url: 'http://mlflow.example.com/#/experiments/6/runs/abc123'
    });
    await renderRun();
    const link = screen.getByRole('link', { name: 'Open in MLflow' });
    expect(link.getAttribute('href')).toBe(
      'http://mlflow.example.com/#/experiments/6/runs/abc123'
    );
    expect(link.getAttribute('rel')).toContain('noopener');
  });

  it('links to the run and the version from the configured MLflow UI', async () => {
    await renderRun({
      name: 'iris classifier',
      version: '3',
      mlflowUiUrl: 'http://mlflow.example.com/'
    });
    expect(
      screen.getByRole('link', { name: 'Open in MLflow' }).getAttribute('href')
    ).toBe('http://mlflow.example.com/#/experiments/6/runs/abc123');
    expect(
      screen
        .getByRole('link', { name: 'Open v3 in MLflow' })
        .getAttribute('href')
    ).toBe('http://mlflow.example.com/#/models/iris%20classifier/versions/3');
  });

  it('names sources', () => {
    expect(
      sourceText({
        type: 'NOTEBOOK',
        name: 'train.ipynb',
        job_id: null,
        git_commit: null
      })
    ).toBe('Notebook · train.ipynb');
    expect(
      sourceText({ type: 'UNKNOWN', name: '', job_id: null, git_commit: null })
    ).toBe('Unknown');
    expect(sourceText(null)).toBeNull();
  });

  it("shows the server's message when the run cannot be loaded", async () => {
    mocked.getRun.mockRejectedValue(
      new api.MaestroAPIError(404, 'NOT_FOUND', "Run 'nope' not found")
    );
    render(<RunView runId="nope" mlflowUiUrl="" />);
    expect((await screen.findByRole('alert')).textContent).toContain(
      "Run 'nope' not found"
    );
    expect(runWidgetId('nope')).toBe('maestro-run-nope');
  });
});

describe('RunView metrics', () => {
  it('asks for each metric’s history and draws the multi-step ones', async () => {
    const { container } = await renderRun();
    const curves = await waitFor(() => {
      const section = container.querySelector('[data-section="curves"]');
      expect(section).not.toBeNull();
      return section as HTMLElement;
    });
    expect(
      mocked.getMetricHistory.mock.calls.map(call => [
        call[0],
        call[1],
        call[2]?.maxPoints
      ])
    ).toEqual(
      expect.arrayContaining([
        ['abc123', 'accuracy', 1000],
        ['abc123', 'f1', 1000],
        ['abc123', 'loss', 1000]
      ])
    );
    // One chart: loss (3 steps), with the downsampling said.
    const charts = curves.querySelectorAll('.maestro-run-chart');
    expect([...charts].map(chart => chart.getAttribute('data-metric'))).toEqual(
      ['loss']
    );
    expect(curves.textContent).toContain('last 0.1250 · 3 of 100,000 points');
    const chart = within(curves).getByRole('img', {
      name: 'Learning curve of loss against step'
    });
    await waitFor(() =>
      expect(chart.querySelector('svg.marks')).not.toBeNull()
    );
    expect(chart.querySelectorAll('.mark-line path')).toHaveLength(1);

    // Against time.
    fireEvent.click(within(curves).getByRole('button', { name: 'Time' }));
    expect(
      within(curves)
        .getByRole('button', { name: 'Time' })
        .getAttribute('aria-pressed')
    ).toBe('true');
    expect(
      within(curves).getByRole('img', {
        name: 'Learning curve of loss against time'
      })
    ).toBeTruthy();

    // Metrics logged once: in the table, formatted.
    const table = container.querySelector(
      '[data-section="metrics"]'
    ) as HTMLElement;
    expect(
      [...table.querySelectorAll('tbody tr')].map(row =>
        row.getAttribute('data-key')
      )
    ).toEqual(['accuracy', 'f1']);
    expect(table.querySelector('tr[data-key="accuracy"] td')?.textContent).toBe(
      '0.9538'
    );
  });

  it('keeps metrics in the table when their history cannot be had', async () => {
    mocked.getMetricHistory.mockRejectedValue(new Error('nope'));
    const { container } = await renderRun();
    const table = await waitFor(() => {
      const element = container.querySelector('[data-section="metrics"] tbody');
      expect(element?.querySelectorAll('tr')).toHaveLength(3);
      return element as HTMLElement;
    });
    expect(table.textContent).toContain('loss');
    expect(container.querySelector('[data-section="curves"]')).toBeNull();
  });
});

describe('RunView params and tags', () => {
  it('sorts params by key both ways', async () => {
    const { container } = await renderRun();
    const params = container.querySelector(
      '[data-section="params"]'
    ) as HTMLElement;
    const keys = () =>
      [...params.querySelectorAll('tbody tr')].map(row =>
        row.getAttribute('data-key')
      );
    expect(keys()).toEqual(['C', 'max_iter']);
    const header = params.querySelector('th[aria-sort]') as HTMLElement;
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(within(header).getByRole('button'));
    expect(keys()).toEqual(['max_iter', 'C']);
    expect(header.getAttribute('aria-sort')).toBe('descending');
    expect(within(params).queryByRole('searchbox')).toBeNull();
    const tags = container.querySelector(
      '[data-section="tags"]'
    ) as HTMLElement;
    expect(within(tags).getByText('mlflow.user')).toBeTruthy();
  });

  it('filters more than 20 params', async () => {
    const many = Object.fromEntries(
      Array.from({ length: 25 }, (_, i) => [
        `p${String(i).padStart(2, '0')}`,
        String(i)
      ])
    );
    mocked.getRun.mockResolvedValue({ ...run, params: many });
    const { container } = await renderRun();
    const params = container.querySelector(
      '[data-section="params"]'
    ) as HTMLElement;
    const box = within(params).getByRole('searchbox', {
      name: 'Filter parameters'
    });
    fireEvent.change(box, { target: { value: 'p1' } });
    expect(params.querySelectorAll('tbody tr[data-key]')).toHaveLength(10);
  });
});

describe('RunView artifacts', () => {
  it('lists artifacts, expands folders and previews each kind', async () => {
    const { container } = await renderRun();
    const section = container.querySelector(
      '[data-section="artifacts"]'
    ) as HTMLElement;
    await within(section).findByRole('button', { name: 'Preview notes.txt' });
    expect(mocked.listArtifacts.mock.calls[0].slice(0, 2)).toEqual([
      'abc123',
      ''
    ]);

    // A folder loads its content when expanded.
    const folder = within(section).getByRole('button', {
      name: 'Expand folder model'
    });
    fireEvent.click(folder);
    await within(section).findByRole('button', { name: 'Preview MLmodel' });
    expect(mocked.listArtifacts.mock.calls[1].slice(0, 2)).toEqual([
      'abc123',
      'model'
    ]);
    expect(folder.getAttribute('aria-expanded')).toBe('true');

    const open = async (name: string, kind: string) => {
      fireEvent.click(
        within(section).getByRole('button', { name: `Preview ${name}` })
      );
      return waitFor(() => {
        const body = section.querySelector(
          `.maestro-artifact-preview [data-kind="${kind}"]`
        );
        expect(body).not.toBeNull();
        return body as HTMLElement;
      });
    };
    expect((await open('notes.txt', 'text')).textContent).toContain(
      'hello world'
    );
    const link = within(section).getByRole('link', {
      name: 'Download notes.txt'
    });
    expect(link.getAttribute('href')).toMatch(
      /maestro\/api\/v1\/runs\/abc123\/artifacts\/download\?path=notes\.txt$/
    );
    const image = (await open('plot.png', 'image')).querySelector(
      'img'
    ) as HTMLImageElement;
    expect(image.getAttribute('src')).toBe(
      'data:image/png;base64,iVBORw0KGgo='
    );
    expect(image.getAttribute('alt')).toBe('plot.png');
    const table = await open('sample.csv', 'table');
    expect([...table.querySelectorAll('th')].map(th => th.textContent)).toEqual(
      ['x', 'label']
    );
    expect(table.querySelector('td.maestro-number')?.textContent).toBe('1.5');
    expect(table.textContent).toContain('Only the beginning is shown');
    expect((await open('weights.bin', 'binary')).textContent).toContain(
      'download it'
    );
    expect((await open('big.txt', 'too_large')).textContent).toContain(
      'Too large'
    );
    fireEvent.click(
      within(section).getByRole('button', { name: 'Preview MLmodel' })
    );
    await waitFor(() =>
      expect(
        within(section)
          .getByRole('link', { name: 'Download MLmodel' })
          .getAttribute('href')
      ).toMatch(/download\?path=model%2FMLmodel$/)
    );
  });

  it('says when a run has no artifacts', async () => {
    mocked.listArtifacts.mockResolvedValue({
      run_id: 'abc123',
      path: '',
      files: []
    });
    await renderRun();
    expect(
      await screen.findByText('This run logged no artifacts.')
    ).toBeTruthy();
  });
});

describe('RunView accessibility', () => {
  it('has no serious or critical violations (axe-core)', async () => {
    const { container } = await renderRun({
      mlflowUiUrl: 'http://mlflow.example.com/'
    });
    await waitFor(() =>
      expect(
        container.querySelector('[data-section="curves"] svg.marks')
      ).not.toBeNull()
    );
    const section = container.querySelector(
      '[data-section="artifacts"]'
    ) as HTMLElement;
    fireEvent.click(
      await within(section).findByRole('button', { name: 'Preview sample.csv' })
    );
    await waitFor(() =>
      expect(section.querySelector('[data-kind="table"]')).not.toBeNull()
    );
    fireEvent.click(
      within(section).getByRole('button', { name: 'Expand folder model' })
    );
    await within(section).findByRole('button', { name: 'Preview MLmodel' });
    expect(await axeViolations(container)).toEqual([]);
  });
});
