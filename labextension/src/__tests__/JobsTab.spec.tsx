import { act, fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';

import * as api from '../api';
import { JobLogs, MaestroAPIError } from '../api';
import { confirmAction } from '../components/confirm';
import { LOG_TAIL_BYTES } from '../jobs/helpers';
import { DEFAULT_OPTIONS } from '../model';
import { JobsTab } from '../jobs/JobsTab';
import { job } from './compute-fixtures';
import { deferred, settle } from './helpers/async';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  listJobs: jest.fn(),
  cancelJob: jest.fn(),
  getJobLogs: jest.fn()
}));

jest.mock('../components/confirm', () => ({ confirmAction: jest.fn() }));

const mocked = api as jest.Mocked<typeof api>;
const confirm = confirmAction as jest.MockedFunction<typeof confirmAction>;

/** The fake "now", in seconds since the epoch. */
const NOW = 1_700_000_100;

function renderTab(
  overrides: Partial<React.ComponentProps<typeof JobsTab>> = {}
) {
  const props = {
    limit: 50,
    refreshInterval: 0,
    active: true,
    onOpenRun: jest.fn(),
    ...overrides
  };
  return { ...render(<JobsTab {...props} />), props };
}

function row(container: HTMLElement, id: string): HTMLElement {
  const element = container.querySelector<HTMLElement>(
    `.maestro-job[data-job-id="${id}"]`
  );
  if (!element) {
    throw new Error(`No job row ${id}`);
  }
  return element;
}

function chunk(
  offset: number,
  text: string,
  complete = false,
  nextOffset = offset + text.length
): JobLogs {
  return {
    job_id: 'job-run',
    offset,
    next_offset: nextOffset,
    text,
    complete
  };
}

const running = job({
  id: 'job-run',
  name: 'train-big',
  status: 'running',
  started_at: NOW - 65,
  finished_at: null,
  exit_code: null,
  duration_seconds: null,
  resources: { cpus: 4, memory: '8Gi', gpus: 1, workers: 1 }
});
const failed = job({
  id: 'job-fail',
  name: 'train-bad',
  status: 'failed',
  exit_code: 1,
  reason: 'ValueError: bad input',
  duration_seconds: 3.25
});
const done = job({ id: 'job-ok', name: 'train-iris' });

beforeEach(() => {
  jest.resetAllMocks();
  jest.useFakeTimers();
  jest.setSystemTime(NOW * 1000);
  mocked.listJobs.mockResolvedValue({ jobs: [running, failed, done] });
  confirm.mockResolvedValue(true);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('JobsTab', () => {
  it('lists the jobs with their status, duration, reason and exit code', async () => {
    const { container, props } = renderTab();
    await settle();
    expect(mocked.listJobs).toHaveBeenCalledTimes(1);
    expect(mocked.listJobs.mock.calls[0][0]).toMatchObject({
      limit: 50,
      status: []
    });
    const rows = container.querySelectorAll('li.maestro-job');
    expect([...rows].map(li => li.getAttribute('data-job-id'))).toEqual([
      'job-run',
      'job-fail',
      'job-ok'
    ]);
    const statuses = [...container.querySelectorAll('.maestro-job-status')];
    expect(statuses.map(chip => chip.textContent)).toEqual([
      'running',
      'failed',
      'succeeded'
    ]);
    expect(statuses[0].className).toBe(
      'maestro-job-status maestro-status-running'
    );

    // Per row: the text of each part, or null where the part is absent.
    const expected: [string, { [selector: string]: string | null }][] = [
      [
        'job-run',
        {
          '.maestro-job-name': 'train-big',
          '.maestro-job-user': 'alice',
          '.maestro-job-resources': '4 CPUs · 8Gi · 1 GPU',
          '.maestro-job-duration': '1 min 5 s',
          '.maestro-job-cancel': 'Cancel',
          '.maestro-job-reason': null
        }
      ],
      [
        'job-fail',
        {
          '.maestro-job-reason': 'ValueError: bad input',
          '.maestro-job-exit-code': 'exit code 1',
          '.maestro-job-duration': '3.25 s',
          '.maestro-job-cancel': null
        }
      ]
    ];
    for (const [id, parts] of expected) {
      for (const [selector, text] of Object.entries(parts)) {
        const part = row(container, id).querySelector(selector);
        if (text === null) {
          expect(part).toBeNull();
        } else {
          expect(part?.textContent).toBe(text);
        }
      }
    }

    // The run opens in the main area.
    fireEvent.click(
      within(row(container, 'job-ok')).getByRole('button', {
        name: /run abcdef01/
      })
    );
    expect(props.onOpenRun).toHaveBeenCalledWith({
      runId: 'abcdef0123456789'
    });
    expect(container.querySelector('.maestro-job-count')?.textContent).toBe(
      '3 jobs'
    );
  });

  it('updates the running duration live', async () => {
    const { container } = renderTab();
    await settle();
    const duration = (): string | null | undefined =>
      row(container, 'job-run').querySelector('.maestro-job-duration')
        ?.textContent;
    expect(duration()).toBe('1 min 5 s');
    await settle(1000);
    expect(duration()).toBe('1 min 6 s');
    await settle(1000);
    expect(duration()).toBe('1 min 7 s');
  });

  it('polls every 5 s while a job is active, and only while shown', async () => {
    const { rerender, props } = renderTab();
    await settle();
    expect(mocked.listJobs).toHaveBeenCalledTimes(1);
    await settle(4000);
    expect(mocked.listJobs).toHaveBeenCalledTimes(1);
    await settle(1000);
    expect(mocked.listJobs).toHaveBeenCalledTimes(2);
    await settle(5000);
    expect(mocked.listJobs).toHaveBeenCalledTimes(3);

    // Hidden (another tab, or the sidebar closed): no request at all.
    rerender(<JobsTab {...props} active={false} />);
    await settle(60_000);
    expect(mocked.listJobs).toHaveBeenCalledTimes(3);

    // Shown again after a missed tick: the list catches up at once. Nothing
    // active then, and auto-refresh off: no more polling.
    mocked.listJobs.mockResolvedValue({ jobs: [done] });
    rerender(<JobsTab {...props} active={true} />);
    await settle();
    expect(mocked.listJobs).toHaveBeenCalledTimes(4);
    await settle(60_000);
    expect(mocked.listJobs).toHaveBeenCalledTimes(4);
  });

  it('skips the ticks while the browser tab is hidden', async () => {
    const visibility = jest
      .spyOn(document, 'visibilityState', 'get')
      .mockReturnValue('hidden');
    try {
      renderTab();
      await settle();
      expect(mocked.listJobs).toHaveBeenCalledTimes(1);
      await settle(30_000);
      expect(mocked.listJobs).toHaveBeenCalledTimes(1);
      // Back to the browser tab: at once, not an interval later.
      visibility.mockReturnValue('visible');
      await act(async () => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await settle();
      expect(mocked.listJobs).toHaveBeenCalledTimes(2);
    } finally {
      visibility.mockRestore();
    }
  });

  it('polls every refreshInterval when no job is active', async () => {
    mocked.listJobs.mockResolvedValue({ jobs: [done] });
    renderTab({ refreshInterval: 10 });
    await settle();
    await settle(9000);
    expect(mocked.listJobs).toHaveBeenCalledTimes(1);
    await settle(1000);
    expect(mocked.listJobs).toHaveBeenCalledTimes(2);
  });

  it('shows a job started from a notebook without a click, with the default settings', async () => {
    // Nothing running yet: the default interval (30 s) applies.
    mocked.listJobs.mockResolvedValue({ jobs: [done] });
    const { container } = renderTab({
      refreshInterval: DEFAULT_OPTIONS.refreshInterval
    });
    await settle();
    expect(DEFAULT_OPTIONS.refreshInterval).toBe(30);
    expect(container.querySelector('.maestro-auto-refresh')?.textContent).toBe(
      'auto 30 s'
    );
    // A notebook submits a job.
    mocked.listJobs.mockResolvedValue({ jobs: [running, done] });
    await settle(29_000);
    expect(container.querySelector('[data-job-id="job-run"]')).toBeNull();
    await settle(1000);
    expect(container.querySelector('[data-job-id="job-run"]')).not.toBeNull();
    expect(mocked.listJobs).toHaveBeenCalledTimes(2);
  });

  it('polls fast for a minute after code was run, so a new job shows within seconds', async () => {
    mocked.listJobs.mockResolvedValue({ jobs: [done] });
    const { container, rerender, props } = renderTab({
      refreshInterval: DEFAULT_OPTIONS.refreshInterval
    });
    await settle();
    // A cell runs (%maestro train): the sidebar is told, and the job exists a moment later.
    rerender(<JobsTab {...props} activityAt={Date.now()} />);
    mocked.listJobs.mockResolvedValue({ jobs: [running, done] });
    await settle(5000);
    expect(container.querySelector('[data-job-id="job-run"]')).not.toBeNull();
    expect(mocked.listJobs).toHaveBeenCalledTimes(2);

    // The job ends; after the minute, back to every 30 s (fast polling
    // would make 4 requests in 20 s, 30 s polling at most 1).
    mocked.listJobs.mockResolvedValue({ jobs: [done] });
    await settle(60_000);
    const calls = mocked.listJobs.mock.calls.length;
    await settle(20_000);
    expect(mocked.listJobs.mock.calls.length).toBeLessThanOrEqual(calls + 1);
    expect(container.querySelector('.maestro-auto-refresh')?.textContent).toBe(
      'auto 30 s'
    );
  });

  it('filters by status', async () => {
    const { container } = renderTab();
    await settle();
    mocked.listJobs.mockResolvedValue({ jobs: [] });
    fireEvent.change(
      screen.getByRole('combobox', { name: 'Filter jobs by status' }),
      { target: { value: 'finished' } }
    );
    await settle();
    expect(mocked.listJobs).toHaveBeenCalledTimes(2);
    expect(mocked.listJobs.mock.calls[1][0]?.status).toEqual([
      'succeeded',
      'failed',
      'cancelled',
      'lost'
    ]);
    expect(container.querySelector('.maestro-empty')?.textContent).toBe(
      'No finished training jobs.'
    );
  });

  it('shows the empty state', async () => {
    mocked.listJobs.mockResolvedValue({ jobs: [] });
    renderTab();
    await settle();
    expect(screen.getByRole('status').textContent).toBe(
      'No training jobs yet. Submit one with %maestro train SCRIPT or ml.training.submit(...)'
    );
  });

  it('shows the error of the list', async () => {
    mocked.listJobs.mockRejectedValue(
      new MaestroAPIError(503, 'BACKEND_UNAVAILABLE', 'Compute is down')
    );
    renderTab();
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('Compute is down');
  });

  it('expands a job to its log tail and follows it until complete', async () => {
    mocked.getJobLogs
      .mockResolvedValueOnce(chunk(100, 'line 1\n'))
      .mockResolvedValueOnce(chunk(107, ''))
      .mockResolvedValueOnce(chunk(107, 'line 2\n'))
      .mockResolvedValueOnce(chunk(114, 'line 3\n', true));
    const { container } = renderTab();
    await settle();
    const run = row(container, 'job-run');
    expect(run.querySelector('.maestro-job-log')).toBeNull();

    fireEvent.click(run.querySelector('.maestro-job-header') as HTMLElement);
    await settle();
    expect(mocked.getJobLogs).toHaveBeenCalledTimes(1);
    expect(mocked.getJobLogs.mock.calls[0][0]).toBe('job-run');
    expect(mocked.getJobLogs.mock.calls[0][1]).toMatchObject({
      tail: LOG_TAIL_BYTES
    });
    const log = run.querySelector('pre.maestro-job-log') as HTMLElement;
    expect(log.textContent).toBe('line 1\n');
    // The tail started after the beginning of the log.
    expect(run.querySelector('.maestro-job-log-note')).not.toBeNull();

    await settle(1000);
    expect(mocked.getJobLogs).toHaveBeenCalledTimes(2);
    expect(mocked.getJobLogs.mock.calls[1][1]).toMatchObject({ offset: 107 });
    await settle(1000);
    expect(mocked.getJobLogs.mock.calls[2][1]).toMatchObject({ offset: 107 });
    expect(log.textContent).toBe('line 1\nline 2\n');
    await settle(1000);
    expect(mocked.getJobLogs.mock.calls[3][1]).toMatchObject({ offset: 114 });
    expect(log.textContent).toBe('line 1\nline 2\nline 3\n');
    expect(log.getAttribute('data-complete')).toBe('true');
    expect(run.querySelector('.maestro-job-log-status')?.textContent).toBe(
      'End of log.'
    );

    // Complete: no more reads.
    await settle(10_000);
    expect(mocked.getJobLogs).toHaveBeenCalledTimes(4);

    // Collapsing removes the log.
    fireEvent.click(
      within(run).getByRole('button', { name: 'Log of job train-big' })
    );
    expect(run.querySelector('.maestro-job-log')).toBeNull();
  });

  it('scrolls the log to the bottom unless the user scrolled up', async () => {
    mocked.getJobLogs
      .mockResolvedValueOnce(chunk(0, 'a\n'))
      .mockResolvedValueOnce(chunk(2, 'b\n'))
      .mockResolvedValueOnce(chunk(4, 'c\n'));
    const { container } = renderTab();
    await settle();
    const run = row(container, 'job-run');
    fireEvent.click(run.querySelector('.maestro-job-header') as HTMLElement);
    await settle();
    const log = run.querySelector('pre.maestro-job-log') as HTMLElement;
    let scrollTop = 0;
    Object.defineProperty(log, 'scrollHeight', {
      configurable: true,
      get: () => 500
    });
    Object.defineProperty(log, 'clientHeight', {
      configurable: true,
      get: () => 100
    });
    Object.defineProperty(log, 'scrollTop', {
      configurable: true,
      get: () => scrollTop,
      set: (value: number) => {
        scrollTop = value;
      }
    });
    await settle(1000);
    expect(log.textContent).toBe('a\nb\n');
    expect(scrollTop).toBe(500);

    // The user scrolls up: new output does not move the view.
    scrollTop = 100;
    fireEvent.scroll(log);
    await settle(1000);
    expect(log.textContent).toBe('a\nb\nc\n');
    expect(scrollTop).toBe(100);
  });

  it('stops following the log when the tab is hidden', async () => {
    mocked.getJobLogs.mockResolvedValue(chunk(0, ''));
    const { container, rerender, props } = renderTab();
    await settle();
    fireEvent.click(
      row(container, 'job-run').querySelector(
        '.maestro-job-header'
      ) as HTMLElement
    );
    await settle();
    await settle(1000);
    expect(mocked.getJobLogs).toHaveBeenCalledTimes(2);
    rerender(<JobsTab {...props} active={false} />);
    await settle(5000);
    expect(mocked.getJobLogs).toHaveBeenCalledTimes(2);
    rerender(<JobsTab {...props} active={true} />);
    await settle();
    expect(mocked.getJobLogs).toHaveBeenCalledTimes(3);
    expect(mocked.getJobLogs.mock.calls[2][1]).toMatchObject({ offset: 0 });
  });

  it('asks before cancelling a job; Cancel in the dialog sends nothing', async () => {
    confirm.mockResolvedValue(false);
    const { container } = renderTab();
    await settle();
    const cancel = row(container, 'job-run').querySelector(
      '.maestro-job-cancel'
    ) as HTMLButtonElement;
    fireEvent.click(cancel);
    await settle();
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(confirm.mock.calls[0][0]).toMatchObject({
      title: 'Cancel job train-big?',
      accept: 'Cancel job'
    });
    expect(confirm.mock.calls[0][0].body).toContain('job-run is running');
    expect(mocked.cancelJob).not.toHaveBeenCalled();
    expect(cancel.disabled).toBe(false);
  });

  it('cancels an active job, disabled while pending', async () => {
    const request = deferred<api.Job>();
    mocked.cancelJob.mockReturnValue(request.promise);
    const { container } = renderTab();
    await settle();
    const cancel = row(container, 'job-run').querySelector(
      '.maestro-job-cancel'
    ) as HTMLButtonElement;
    fireEvent.click(cancel);
    await settle();
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(mocked.cancelJob).toHaveBeenCalledWith('job-run');
    expect(cancel.disabled).toBe(true);
    mocked.listJobs.mockResolvedValue({
      jobs: [{ ...running, status: 'cancelled' }, failed, done]
    });
    request.resolve({ ...running, status: 'cancelling' });
    await settle();
    // The list reloads after the cancellation.
    expect(mocked.listJobs).toHaveBeenCalledTimes(2);
    expect(
      row(container, 'job-run').querySelector('.maestro-job-status')
        ?.textContent
    ).toBe('cancelled');
    expect(
      row(container, 'job-run').querySelector('.maestro-job-cancel')
    ).toBeNull();
  });

  it("shows the server's message when cancelling fails", async () => {
    mocked.cancelJob.mockRejectedValue(
      new MaestroAPIError(409, 'INVALID_STATE', 'Job job-run already finished')
    );
    const { container } = renderTab();
    await settle();
    const run = row(container, 'job-run');
    const cancel = run.querySelector(
      '.maestro-job-cancel'
    ) as HTMLButtonElement;
    fireEvent.click(cancel);
    await settle();
    const alert = within(run).getByRole('alert');
    expect(alert.className).toBe('maestro-error');
    expect(alert.textContent).toBe('Job job-run already finished');
    expect(cancel.disabled).toBe(false);
  });
});
