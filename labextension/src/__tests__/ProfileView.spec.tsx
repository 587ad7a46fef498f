import { act, fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import * as api from '../api';
import { ProfileResult } from '../api';
import { ProfileView } from '../profile/ProfileView';
import { deferred } from './helpers/async';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  profileData: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

const REPORT = '<!DOCTYPE html><html><body><h1>Report</h1></body></html>';

const result: ProfileResult = {
  title: 'breast_cancer.csv',
  summary: {
    rows: 569,
    columns: 31,
    memory_bytes: 141_240,
    missing_cells: 3,
    missing_share: 3 / (569 * 31),
    duplicate_rows: 0,
    column_summaries: [
      {
        name: 'mean radius',
        dtype: 'float64',
        kind: 'numeric',
        missing: 3,
        missing_share: 3 / 569,
        distinct: 456,
        mean: 14.1,
        std: 3.5,
        min: 6.9,
        max: 28.1,
        top: null,
        top_share: null
      },
      {
        name: 'target',
        dtype: 'int64',
        kind: 'categorical',
        missing: 0,
        missing_share: 0,
        distinct: 2,
        mean: null,
        std: null,
        min: null,
        max: null,
        top: '1',
        top_share: 0.627
      }
    ],
    warnings: [
      {
        kind: 'high_correlation',
        columns: ['mean radius', 'mean perimeter'],
        message: 'mean radius is highly correlated with mean perimeter',
        value: 0.99
      },
      {
        kind: 'missing',
        columns: ['mean radius'],
        message: 'mean radius has 3 (0.5%) missing values',
        value: 3
      }
    ],
    target: null
  },
  report_html: REPORT,
  report_rows: 569,
  minimal: true,
  compare_summary: null,
  elapsed_seconds: 2.5,
  computed_at: 1_700_000_000,
  cached: false
};

beforeEach(() => {
  jest.resetAllMocks();
});

describe('ProfileView', () => {
  it('shows a loading state, then the summary, warnings, columns and report', async () => {
    const pending = deferred<ProfileResult>();
    mocked.profileData.mockReturnValue(pending.promise);
    const { container } = render(<ProfileView path="data/breast_cancer.csv" />);

    const loading = container.querySelector('.maestro-profile-loading');
    expect(loading?.getAttribute('role')).toBe('status');
    expect(loading?.textContent).toContain(
      'Profiling breast_cancer.csv… (large files are sampled for the report)'
    );
    // An indeterminate progress bar (no value).
    const progress = loading?.querySelector('progress');
    expect(progress).not.toBeNull();
    expect(progress?.hasAttribute('value')).toBe(false);
    expect(mocked.profileData).toHaveBeenCalledTimes(1);
    expect(mocked.profileData.mock.calls[0][0]).toBe('data/breast_cancer.csv');

    await act(async () => {
      pending.resolve(result);
      await pending.promise;
    });

    expect(container.querySelector('.maestro-profile-loading')).toBeNull();
    const stat = (name: string): string | null | undefined =>
      container.querySelector(
        `.maestro-profile-summary-item[data-stat="${name}"] dd`
      )?.textContent;
    expect(stat('rows')).toBe('569');
    expect(stat('columns')).toBe('31');
    expect(stat('memory')).toBe('138 KiB');
    expect(stat('missing')).toBe('3 (<0.1%)');
    expect(stat('duplicates')).toBe('0');
    expect(stat('elapsed')).toBe('2.5 s');
    expect(container.querySelector('[data-stat="target"]')).toBeNull();
    // Every row is in the report: no sample note.
    expect(container.querySelector('.maestro-profile-sample-note')).toBeNull();

    const warnings = container.querySelectorAll(
      'ul.maestro-profile-warnings > li[data-kind]'
    );
    expect([...warnings].map(li => li.getAttribute('data-kind'))).toEqual([
      'high_correlation',
      'missing'
    ]);
    expect(warnings[0].textContent).toContain(
      'mean radius is highly correlated with mean perimeter'
    );

    const details = container.querySelector(
      'details.maestro-profile-columns-details'
    ) as HTMLDetailsElement;
    expect(details.open).toBe(false);
    const rows = container.querySelectorAll(
      'table.maestro-profile-columns tr[data-column]'
    );
    expect([...rows].map(row => row.getAttribute('data-column'))).toEqual([
      'mean radius',
      'target'
    ]);
    expect(
      [...rows[0].querySelectorAll('th, td')].map(cell => cell.textContent)
    ).toEqual(['mean radius', 'numeric', '0.5%', '456']);

    const iframe = container.querySelector(
      'iframe.maestro-profile-report'
    ) as HTMLIFrameElement;
    // The report, with the theme's style and the height script added at its end.
    const srcdoc = iframe.getAttribute('srcdoc') ?? '';
    expect(
      srcdoc.startsWith('<!DOCTYPE html><html><body><h1>Report</h1>')
    ).toBe(true);
    expect(srcdoc).toContain('<style data-maestro-theme>');
    expect(srcdoc.endsWith('</body></html>')).toBe(true);
    expect(iframe.getAttribute('sandbox')).toBe('allow-scripts');
    expect(iframe.getAttribute('title')).toBe('Profile report');
  });

  it('says "Cached" with when it was computed, not the first run\'s elapsed time', async () => {
    jest.useFakeTimers();
    jest.setSystemTime(1_700_000_000_000 + 3 * 3600 * 1000);
    try {
      mocked.profileData.mockResolvedValue({
        ...result,
        elapsed_seconds: 21.8,
        cached: true
      });
      const { container } = render(<ProfileView path="a.csv" />);
      await act(async () => {
        await Promise.resolve();
      });
      await act(async () => {
        await Promise.resolve();
      });
      expect(container.querySelector('[data-stat="elapsed"]')).toBeNull();
      const cached = container.querySelector('[data-stat="cached"]');
      expect(cached?.querySelector('dt')?.textContent).toBe('Cached');
      expect(cached?.querySelector('dd')?.textContent).toBe('computed 3 h ago');
      expect(cached?.querySelector('dd')?.getAttribute('title')).toContain(
        'in 21.8 s'
      );
      expect(container.textContent).not.toContain('Elapsed');
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives the report the dark theme, and again when the theme changes', async () => {
    mocked.profileData.mockResolvedValue(result);
    document.body.dataset.jpThemeLight = 'true';
    document.body.style.setProperty('--jp-layout-color1', '#fafafa');
    try {
      const { container } = render(<ProfileView path="a.csv" />);
      const frame = async (): Promise<HTMLIFrameElement> => {
        await screen.findByTitle('Profile report');
        return container.querySelector(
          'iframe.maestro-profile-report'
        ) as HTMLIFrameElement;
      };
      let iframe = await frame();
      expect(iframe.getAttribute('data-theme')).toBe('light');
      expect(iframe.getAttribute('srcdoc')).toContain('color-scheme: light');

      await act(async () => {
        document.body.style.setProperty('--jp-layout-color1', '#111111');
        document.body.style.setProperty('--jp-ui-font-color1', '#eeeeee');
        document.body.dataset.jpThemeLight = 'false';
        // The MutationObserver reports after a microtask.
        await Promise.resolve();
      });
      iframe = await frame();
      expect(iframe.getAttribute('data-theme')).toBe('dark');
      const srcdoc = iframe.getAttribute('srcdoc') ?? '';
      expect(srcdoc).toContain('color-scheme: dark');
      expect(srcdoc).toContain(
        'html, body { background: #111111 !important; color: #eeeeee !important; }'
      );
    } finally {
      delete document.body.dataset.jpThemeLight;
      document.body.style.removeProperty('--jp-layout-color1');
      document.body.style.removeProperty('--jp-ui-font-color1');
    }
  });

  it('sizes the report to the height it posts: the view is the one scroller', async () => {
    mocked.profileData.mockResolvedValue(result);
    const { container } = render(<ProfileView path="a.csv" />);
    await screen.findByTitle('Profile report');
    const iframe = container.querySelector(
      'iframe.maestro-profile-report'
    ) as HTMLIFrameElement;
    expect(iframe.getAttribute('data-fitted')).toBe('false');
    // A message from another window is ignored.
    await act(async () => {
      window.dispatchEvent(
        new MessageEvent('message', { data: { maestroFrameHeight: 99 } })
      );
    });
    expect(iframe.style.height).toBe('');
    await act(async () => {
      window.dispatchEvent(
        new MessageEvent('message', {
          data: { maestroFrameHeight: 5000 },
          source: iframe.contentWindow
        })
      );
    });
    expect(iframe.getAttribute('data-fitted')).toBe('true');
    expect(iframe.style.height).toBe('5002px');
  });

  it('notes a report computed on a sample and shows the target', async () => {
    mocked.profileData.mockResolvedValue({
      ...result,
      summary: {
        ...result.summary,
        rows: 250_000,
        warnings: [],
        target: 'target'
      },
      report_rows: 10_000
    });
    const { container } = render(<ProfileView path="big.parquet" />);
    expect(
      (await screen.findByText(/random sample/)).classList.contains(
        'maestro-profile-sample-note'
      )
    ).toBe(true);
    expect(
      container.querySelector('.maestro-profile-sample-note')?.textContent
    ).toBe('Report on a random sample of 10,000 of 250,000 rows');
    expect(
      container.querySelector('[data-stat="target"] dd')?.textContent
    ).toBe('target');
    expect(container.querySelector('.maestro-profile-warnings')).toBeNull();
    expect(screen.getByText('No warnings.')).toBeTruthy();
  });

  it('says so when there is no HTML report', async () => {
    mocked.profileData.mockResolvedValue({ ...result, report_html: null });
    const { container } = render(<ProfileView path="a.csv" />);
    await screen.findByText('No HTML report was produced.');
    expect(container.querySelector('iframe')).toBeNull();
  });

  it("shows the server's message and retries", async () => {
    mocked.profileData.mockRejectedValueOnce(
      new api.MaestroAPIError(
        400,
        'INVALID_PARAMETER',
        "Could not read 'bad.csv': not a CSV file"
      )
    );
    const { container } = render(<ProfileView path="bad.csv" />);
    const alert = await screen.findByRole('alert');
    expect(alert.classList.contains('maestro-error')).toBe(true);
    expect(alert.textContent).toContain(
      "Could not read 'bad.csv': not a CSV file"
    );
    expect(container.querySelector('iframe')).toBeNull();
    expect(container.querySelector('.maestro-profile-loading')).toBeNull();

    mocked.profileData.mockResolvedValueOnce(result);
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByText(
        'mean radius is highly correlated with mean perimeter'
      )
    ).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(mocked.profileData).toHaveBeenCalledTimes(2);
  });

  it('profiles the file again on Refresh', async () => {
    mocked.profileData.mockResolvedValue(result);
    const { container } = render(<ProfileView path="a.csv" />);
    await screen.findByText('569');
    const refresh = screen.getByRole('button', { name: /Refresh/ });

    const pending = deferred<ProfileResult>();
    mocked.profileData.mockReturnValueOnce(pending.promise);
    fireEvent.click(refresh);
    expect(mocked.profileData).toHaveBeenCalledTimes(2);
    // The previous profile stays while the new one is computed.
    expect(container.querySelector('.maestro-profile-loading')).not.toBeNull();
    expect(container.querySelector('iframe')).not.toBeNull();
    await act(async () => {
      pending.resolve({
        ...result,
        summary: { ...result.summary, rows: 570 }
      });
      await pending.promise;
    });
    expect(container.querySelector('[data-stat="rows"] dd')?.textContent).toBe(
      '570'
    );
  });

  it('aborts the request when unmounted', () => {
    mocked.profileData.mockReturnValue(new Promise(() => undefined));
    const { unmount } = render(<ProfileView path="a.csv" />);
    const signal = mocked.profileData.mock.calls[0][1]?.signal;
    expect(signal?.aborted).toBe(false);
    unmount();
    expect(signal?.aborted).toBe(true);
  });
});
