import { render, screen, within } from '@testing-library/react';
import React from 'react';

import * as api from '../api';
import { RunSummary } from '../api';
import { RunView, runWidgetId } from '../run/RunView';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getRun: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

const run: RunSummary = {
  run_id: 'abc123',
  run_name: 'bright-owl',
  experiment_id: '7',
  status: 'FINISHED',
  start_time: Date.UTC(2024, 0, 1),
  end_time: Date.UTC(2024, 0, 1, 0, 1),
  duration_seconds: 60,
  user: 'alice',
  metrics: { accuracy: 0.953846, f1: 0.9 },
  params: { C: '1.0', max_iter: '200' },
  tags: { 'mlflow.user': 'alice' }
};

beforeEach(() => {
  jest.resetAllMocks();
  mocked.getRun.mockResolvedValue(run);
});

describe('RunView', () => {
  it('shows the params, metrics and tags of the run', async () => {
    const { container } = render(<RunView runId="abc123" mlflowUiUrl="" />);
    expect(await screen.findByText('bright-owl')).toBeTruthy();
    expect(mocked.getRun.mock.calls[0][0]).toBe('abc123');

    const params = container.querySelector(
      '.maestro-run-section[data-section="params"]'
    ) as HTMLElement;
    expect(
      [...params.querySelectorAll('tr')].map(row =>
        row.getAttribute('data-key')
      )
    ).toEqual(['C', 'max_iter']);
    const metrics = container.querySelector(
      '.maestro-run-section[data-section="metrics"]'
    ) as HTMLElement;
    expect(
      metrics.querySelector('tr[data-key="accuracy"] td')?.textContent
    ).toBe('0.9538');
    const tags = container.querySelector(
      '.maestro-run-section[data-section="tags"]'
    ) as HTMLElement;
    expect(within(tags).getByText('mlflow.user')).toBeTruthy();
    // No MLflow UI URL: no links.
    expect(screen.queryByRole('link')).toBeNull();
  });

  it('links to the run and the version in MLflow when the UI URL is known', async () => {
    render(
      <RunView
        runId="abc123"
        name="iris classifier"
        version="3"
        mlflowUiUrl="http://mlflow.example.com/"
      />
    );
    await screen.findByText('bright-owl');
    const runLink = screen.getByRole('link', { name: 'Open in MLflow' });
    expect(runLink.getAttribute('href')).toBe(
      'http://mlflow.example.com/#/experiments/7/runs/abc123'
    );
    expect(runLink.getAttribute('target')).toBe('_blank');
    expect(runLink.getAttribute('rel')).toContain('noopener');
    const versionLink = screen.getByRole('link', { name: 'Open v3 in MLflow' });
    expect(versionLink.getAttribute('href')).toBe(
      'http://mlflow.example.com/#/models/iris%20classifier/versions/3'
    );
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
