import { Notification } from '@jupyterlab/apputils';

import { Alert, AlertList } from '../api';
import * as api from '../api/request';
import {
  ALERT_POLL_MS,
  AlertNotifier,
  alertsToShow,
  AlertStorage,
  FIRST_ALERT_POLL_MS,
  IAlertNotifierOptions,
  LAST_ALERT_KEY,
  notifyAlert,
  readLastAlertId
} from '../budgets/alertNotifier';
import { alert, NOW } from './budgets-fixtures';
import { deferred, flushPromises } from './helpers/async';

jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

const mockedApi = api as jest.Mocked<typeof api>;

/** A `Storage` kept in a map. */
function memoryStorage(
  initial: { [key: string]: string } = {}
): AlertStorage & {
  values: Map<string, string>;
} {
  const values = new Map(Object.entries(initial));
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => {
      values.set(key, value);
    }
  };
}

/** A notifier with fakes; returns them too. */
function makeNotifier(
  options: Partial<IAlertNotifierOptions> & { alerts?: Alert[] } = {}
) {
  const fetchAlerts = jest.fn(
    async (after: number | null): Promise<AlertList> => ({
      alerts: options.alerts ?? []
    })
  );
  const notify = jest.fn();
  const storage = memoryStorage();
  const notifier = new AlertNotifier({
    fetchAlerts,
    notify,
    storage,
    now: () => NOW * 1000,
    ...options
  });
  return { notifier, fetchAlerts, notify, storage };
}

/** The ids of the alerts notified, in order. */
function notified(notify: jest.Mock): number[] {
  return notify.mock.calls.map(([item]) => (item as Alert).id);
}

const old = alert({ id: 4, created_at: NOW - 2 * 86400 });
const recent = alert({ id: 6, created_at: NOW - 23 * 3600 });
const newest = alert({ id: 7, threshold: 100, created_at: NOW - 60 });

beforeEach(() => {
  jest.resetAllMocks();
  jest.restoreAllMocks();
});

describe('notifyAlert', () => {
  it('warns below 100 % and shows an error from 100 %, until dismissed', () => {
    const warning = jest.spyOn(Notification, 'warning').mockReturnValue('w');
    const error = jest.spyOn(Notification, 'error').mockReturnValue('e');
    expect(notifyAlert(alert({ threshold: 80, message: 'at 80%' }))).toBe('w');
    expect(warning).toHaveBeenCalledWith('at 80%', { autoClose: false });
    expect(notifyAlert(alert({ threshold: 100, message: 'spent' }))).toBe('e');
    expect(notifyAlert(alert({ threshold: 150, message: 'way over' }))).toBe(
      'e'
    );
    expect(error.mock.calls).toEqual([
      ['spent', { autoClose: false }],
      ['way over', { autoClose: false }]
    ]);
    expect(warning).toHaveBeenCalledTimes(1);
  });
});

describe('alertsToShow and readLastAlertId', () => {
  it('keeps the newer alerts, oldest first', () => {
    const alerts = [newest, recent, old];
    expect(alertsToShow(alerts, 5, NOW).map(item => item.id)).toEqual([6, 7]);
    expect(alertsToShow(alerts, 7, NOW)).toEqual([]);
    // First run: the last 24 h only.
    expect(alertsToShow(alerts, null, NOW).map(item => item.id)).toEqual([
      6, 7
    ]);
  });

  it('reads a valid stored id only', () => {
    expect(readLastAlertId(memoryStorage({ [LAST_ALERT_KEY]: '12' }))).toBe(12);
    expect(readLastAlertId(memoryStorage())).toBeNull();
    expect(
      readLastAlertId(memoryStorage({ [LAST_ALERT_KEY]: 'x' }))
    ).toBeNull();
    expect(readLastAlertId(null)).toBeNull();
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => undefined
    };
    expect(readLastAlertId(broken)).toBeNull();
  });
});

describe('AlertNotifier.poll', () => {
  it('shows only the alerts of the last 24 h on the first run', async () => {
    const { notifier, fetchAlerts, notify, storage } = makeNotifier({
      alerts: [newest, recent, old]
    });
    await notifier.poll();
    expect(fetchAlerts).toHaveBeenCalledWith(null);
    expect(notified(notify)).toEqual([6, 7]);
    expect(storage.values.get(LAST_ALERT_KEY)).toBe('7');
  });

  it('remembers 0 when there is no alert on the first run', async () => {
    const { notifier, fetchAlerts, storage } = makeNotifier();
    await notifier.poll();
    expect(storage.values.get(LAST_ALERT_KEY)).toBe('0');
    await notifier.poll();
    expect(fetchAlerts).toHaveBeenLastCalledWith(0);
  });

  it('shows each new alert once and stores the last id', async () => {
    const storage = memoryStorage({ [LAST_ALERT_KEY]: '5' });
    const { notifier, fetchAlerts, notify } = makeNotifier({
      storage,
      alerts: [newest, recent, old]
    });
    await notifier.poll();
    expect(fetchAlerts).toHaveBeenCalledWith(5);
    // Alert 6 is older than 24 h but new to this browser.
    expect(notified(notify)).toEqual([6, 7]);
    expect(storage.values.get(LAST_ALERT_KEY)).toBe('7');

    // The same answer again: nothing new.
    await notifier.poll();
    expect(fetchAlerts).toHaveBeenLastCalledWith(7);
    expect(notify).toHaveBeenCalledTimes(2);
  });

  it('does not repeat the alerts after a reload', async () => {
    const storage = memoryStorage();
    const first = makeNotifier({ storage, alerts: [newest] });
    await first.notifier.poll();
    first.notifier.dispose();
    const second = makeNotifier({ storage, alerts: [newest] });
    await second.notifier.poll();
    expect(second.fetchAlerts).toHaveBeenCalledWith(7);
    expect(second.notify).not.toHaveBeenCalled();
  });

  it('works without storage', async () => {
    const storage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      }
    };
    const warn = jest
      .spyOn(console, 'warn')
      .mockImplementation(() => undefined);
    const { notifier, fetchAlerts, notify } = makeNotifier({
      storage,
      alerts: [newest]
    });
    await notifier.poll();
    await notifier.poll();
    expect(fetchAlerts.mock.calls).toEqual([[null], [7]]);
    expect(notified(notify)).toEqual([7]);
    expect(warn).toHaveBeenCalled();
  });

  it('is silent on a failure and retries at the next poll', async () => {
    const warn = jest
      .spyOn(console, 'warn')
      .mockImplementation(() => undefined);
    const storage = memoryStorage({ [LAST_ALERT_KEY]: '5' });
    const { notifier, fetchAlerts, notify } = makeNotifier({ storage });
    fetchAlerts.mockRejectedValueOnce(new Error('server down'));
    await expect(notifier.poll()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(notify).not.toHaveBeenCalled();
    expect(storage.values.get(LAST_ALERT_KEY)).toBe('5');

    fetchAlerts.mockResolvedValueOnce({ alerts: [newest] });
    await notifier.poll();
    expect(fetchAlerts).toHaveBeenLastCalledWith(5);
    expect(notified(notify)).toEqual([7]);
  });

  it('asks the server for the alerts after the last id', async () => {
    mockedApi.requestAPI.mockResolvedValue({ alerts: [] });
    const notifier = new AlertNotifier({
      notify: jest.fn(),
      storage: memoryStorage({ [LAST_ALERT_KEY]: '7' })
    });
    await notifier.poll();
    expect(mockedApi.requestAPI).toHaveBeenCalledWith(
      'alerts?after=7&limit=50',
      expect.objectContaining({ method: 'GET' })
    );
  });

  it('uses localStorage by default', async () => {
    window.localStorage.setItem(LAST_ALERT_KEY, '6');
    const notify = jest.fn();
    const notifier = new AlertNotifier({
      fetchAlerts: async () => ({ alerts: [newest, recent] }),
      notify
    });
    await notifier.poll();
    expect(notified(notify)).toEqual([7]);
    expect(window.localStorage.getItem(LAST_ALERT_KEY)).toBe('7');
    window.localStorage.removeItem(LAST_ALERT_KEY);
  });
});

describe('AlertNotifier timers', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('polls shortly after the start, then every minute, until disposed', async () => {
    const { notifier, fetchAlerts } = makeNotifier();
    notifier.start();
    notifier.start();
    expect(fetchAlerts).not.toHaveBeenCalled();
    jest.advanceTimersByTime(FIRST_ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(3);

    notifier.dispose();
    expect(notifier.isDisposed).toBe(true);
    jest.advanceTimersByTime(10 * ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(3);
    await notifier.poll();
    expect(fetchAlerts).toHaveBeenCalledTimes(3);
    notifier.start();
    jest.advanceTimersByTime(10 * ALERT_POLL_MS);
    expect(fetchAlerts).toHaveBeenCalledTimes(3);
  });

  it('ignores an answer arriving after dispose', async () => {
    const { notifier, fetchAlerts, notify, storage } = makeNotifier();
    const answer = deferred<AlertList>();
    fetchAlerts.mockReturnValue(answer.promise);
    notifier.start();
    jest.advanceTimersByTime(FIRST_ALERT_POLL_MS);
    notifier.dispose();
    answer.resolve({ alerts: [newest] });
    await flushPromises();
    expect(notify).not.toHaveBeenCalled();
    expect(storage.values.has(LAST_ALERT_KEY)).toBe(false);
  });

  it('does not start a poll while one is in flight', async () => {
    const { notifier, fetchAlerts } = makeNotifier();
    const answer = deferred<AlertList>();
    fetchAlerts.mockReturnValueOnce(answer.promise);
    notifier.start();
    jest.advanceTimersByTime(FIRST_ALERT_POLL_MS + ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(1);
    answer.resolve({ alerts: [] });
    await flushPromises();
    jest.advanceTimersByTime(ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(2);
    notifier.dispose();
  });

  it('skips the polls while the browser tab is hidden', async () => {
    const visibility = jest
      .spyOn(document, 'visibilityState', 'get')
      .mockReturnValue('hidden');
    const { notifier, fetchAlerts } = makeNotifier();
    notifier.start();
    jest.advanceTimersByTime(FIRST_ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(1);
    visibility.mockReturnValue('visible');
    jest.advanceTimersByTime(ALERT_POLL_MS);
    await flushPromises();
    expect(fetchAlerts).toHaveBeenCalledTimes(2);
    notifier.dispose();
  });
});
