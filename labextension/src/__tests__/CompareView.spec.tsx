import {
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import React from 'react';

import * as api from '../api';
import { VersionComparison } from '../api';
import { CompareView, compareWidgetId } from '../compare/CompareView';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  compareVersions: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

const comparison: VersionComparison = {
  name: 'iris',
  metrics: ['accuracy', 'log_loss', 'precision', 'training_time_s'],
  available_metrics: ['accuracy', 'log_loss', 'precision', 'training_time_s'],
  versions: [
    {
      version: '1',
      aliases: [],
      creation_timestamp: 0,
      run_id: 'r1',
      features: null,
      metrics: {
        accuracy: 0.9,
        log_loss: 0.3,
        precision: null,
        training_time_s: 1.5
      }
    },
    {
      version: '2',
      aliases: ['challenger'],
      creation_timestamp: 0,
      run_id: 'r2',
      features: null,
      metrics: {
        accuracy: 0.92,
        log_loss: 0.25,
        precision: 0.8,
        training_time_s: 2.5
      }
    },
    {
      version: '3',
      aliases: ['champion', 'prod'],
      creation_timestamp: 0,
      run_id: 'r3',
      features: null,
      metrics: {
        accuracy: 0.95,
        log_loss: null,
        precision: 0.85,
        training_time_s: 3
      }
    }
  ]
};

/** The text of a Blob (jsdom's Blob has no `text()`). */
function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

function headers(table: HTMLElement): string[] {
  return [...table.querySelectorAll('thead th')].map(
    th => th.textContent ?? ''
  );
}

beforeEach(() => {
  jest.resetAllMocks();
  mocked.compareVersions.mockResolvedValue(comparison);
});

describe('CompareView', () => {
  it('loads all metrics once and shows the default ones', async () => {
    const { container } = render(<CompareView name="iris" />);
    const table = await screen.findByRole('table');
    expect(mocked.compareVersions).toHaveBeenCalledTimes(1);
    expect(mocked.compareVersions.mock.calls[0][0]).toBe('iris');
    expect(mocked.compareVersions.mock.calls[0][1]?.metrics).toBeUndefined();

    // Key metrics (accuracy, then the first others) plus the training time.
    expect(headers(table)).toEqual([
      'Version',
      'Aliases',
      'accuracy',
      'log_loss',
      'precision',
      'training_time_s'
    ]);
    const rows = [...table.querySelectorAll('tbody tr')];
    expect(rows.map(row => row.getAttribute('data-version'))).toEqual([
      '1',
      '2',
      '3'
    ]);
    const v3 = rows[2] as HTMLElement;
    expect(within(v3).getByText('champion')).toBeTruthy();
    expect(v3.querySelector('td[data-metric="log_loss"]')?.textContent).toBe(
      '—'
    );
    expect(v3.querySelector('td[data-metric="accuracy"]')?.textContent).toBe(
      '0.9500'
    );

    // One Vega-Lite chart per metric, named for screen readers, with a bar
    // per present value and every version on the axis.
    const charts = screen.getAllByRole('img');
    expect(charts.map(chart => chart.getAttribute('aria-label'))).toEqual([
      'accuracy by version',
      'log_loss by version',
      'precision by version',
      'training_time_s by version'
    ]);
    const precision = container.querySelector(
      '.maestro-chart[data-metric="precision"]'
    ) as HTMLElement;
    await waitFor(() =>
      expect(precision.querySelector('svg.marks')).not.toBeNull()
    );
    expect(precision.querySelectorAll('.mark-rect path')).toHaveLength(2);
    const labels = [...precision.querySelectorAll('.role-axis-label text')].map(
      label => label.textContent
    );
    expect(labels).toEqual(expect.arrayContaining(['v1', 'v2', 'v3']));
  });

  it('shows or hides a metric with its checkbox, without a new request', async () => {
    render(<CompareView name="iris" />);
    const table = await screen.findByRole('table');
    fireEvent.click(screen.getByRole('checkbox', { name: 'log_loss' }));
    expect(headers(table)).not.toContain('log_loss');
    expect(
      screen.queryByRole('img', { name: 'log_loss by version' })
    ).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', { name: 'log_loss' }));
    expect(headers(table)).toContain('log_loss');
    expect(mocked.compareVersions).toHaveBeenCalledTimes(1);
  });

  it('exports the chosen metrics as CSV', async () => {
    const blobs: Blob[] = [];
    Object.assign(URL, {
      createObjectURL: jest.fn((blob: Blob) => {
        blobs.push(blob);
        return 'blob:csv';
      }),
      revokeObjectURL: jest.fn()
    });
    const names: string[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function (this: HTMLAnchorElement) {
        names.push(this.download);
      });
    try {
      render(<CompareView name="iris" />);
      await screen.findByRole('table');
      fireEvent.click(screen.getByRole('checkbox', { name: 'precision' }));
      fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(names).toEqual(['iris-versions.csv']);
      expect(await readBlob(blobs[0])).toBe(
        [
          'version,aliases,accuracy,log_loss,training_time_s',
          '1,,0.9,0.3,1.5',
          '2,challenger,0.92,0.25,2.5',
          '3,champion prod,0.95,,3',
          ''
        ].join('\n')
      );
    } finally {
      click.mockRestore();
    }
  });

  it('copes with a single version', async () => {
    mocked.compareVersions.mockResolvedValue({
      ...comparison,
      versions: [comparison.versions[1]]
    });
    const { container } = render(<CompareView name="iris" />);
    await screen.findByRole('table');
    const chart = container.querySelector(
      '.maestro-chart[data-metric="accuracy"]'
    ) as HTMLElement;
    await waitFor(() =>
      expect(chart.querySelectorAll('.mark-rect path')).toHaveLength(1)
    );
  });

  it("shows the server's message on error", async () => {
    mocked.compareVersions.mockRejectedValue(
      new api.MaestroAPIError(404, 'NOT_FOUND', "Model 'nope' not found")
    );
    render(<CompareView name="nope" />);
    expect((await screen.findByRole('alert')).textContent).toContain(
      "Model 'nope' not found"
    );
    expect(
      (screen.getByRole('button', { name: 'Export CSV' }) as HTMLButtonElement)
        .disabled
    ).toBe(true);
  });

  it('says when a model has no versions', async () => {
    mocked.compareVersions.mockResolvedValue({
      name: 'empty',
      metrics: [],
      available_metrics: [],
      versions: []
    });
    render(<CompareView name="empty" />);
    expect(await screen.findByText('This model has no versions.')).toBeTruthy();
  });

  it('builds the widget id from the model name', () => {
    expect(compareWidgetId('iris-classifier')).toBe(
      'maestro-compare-iris-classifier'
    );
    expect(compareWidgetId('my model')).toBe('maestro-compare-my_model');
  });
});
