import { Notification } from '@jupyterlab/apputils';

import { Alert, AlertList, listAlerts } from '../api';

/**
 * The `localStorage` key of the id of the last budget alert shown.
 */
export const LAST_ALERT_KEY = 'maestro:last-alert-id';

/**
 * Milliseconds between two polls of the alerts.
 */
export const ALERT_POLL_MS = 60_000;

/**
 * Milliseconds from the start to the first poll.
 */
export const FIRST_ALERT_POLL_MS = 5_000;

/**
 * How old (in seconds) the alerts shown on the very first run in a browser
 * may be.
 */
export const FIRST_RUN_MAX_AGE_SECONDS = 24 * 3600;

/**
 * Maximal number of alerts requested by a poll.
 */
export const NOTIFIER_ALERTS_LIMIT = 50;

/**
 * The part of `Storage` the notifier uses.
 */
export type AlertStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * Options of `AlertNotifier` (the defaults suit the application; tests
 * replace them).
 */
export interface IAlertNotifierOptions {
  /** Get the alerts with an id greater than `after` (all when null). */
  fetchAlerts?: (after: number | null) => Promise<AlertList>;
  /** Show an alert (default: `notifyAlert`). */
  notify?: (alert: Alert) => void;
  /** Where the last id shown is kept (default: `window.localStorage`). */
  storage?: AlertStorage | null;
  /** The current time in milliseconds (default: `Date.now`). */
  now?: () => number;
  /** Milliseconds between two polls. */
  intervalMs?: number;
  /** Milliseconds from `start` to the first poll. */
  firstDelayMs?: number;
}

/**
 * Show a budget alert as a JupyterLab notification that stays until it is
 * dismissed: a warning below 100 %, an error from 100 %.
 */
export function notifyAlert(alert: Alert): string {
  const options = { autoClose: false as const };
  return alert.threshold >= 100
    ? Notification.error(alert.message, options)
    : Notification.warning(alert.message, options);
}

/**
 * The alerts to show, oldest first: those with an id greater than
 * `lastId`, or, on the first run (`lastId` null), those created in the last
 * `FIRST_RUN_MAX_AGE_SECONDS`.
 */
export function alertsToShow(
  alerts: readonly Alert[],
  lastId: number | null,
  nowSeconds: number
): Alert[] {
  const fresh = alerts.filter(alert =>
    lastId === null
      ? alert.created_at >= nowSeconds - FIRST_RUN_MAX_AGE_SECONDS
      : alert.id > lastId
  );
  return fresh.sort((a, b) => a.id - b.id);
}

/**
 * The id of the last alert shown kept in `storage`, or null (none, invalid
 * or storage unavailable).
 */
export function readLastAlertId(storage: AlertStorage | null): number | null {
  let text: string | null = null;
  try {
    text = storage?.getItem(LAST_ALERT_KEY) ?? null;
  } catch {
    return null;
  }
  if (text === null || !/^\d+$/.test(text.trim())) {
    return null;
  }
  return Number(text.trim());
}

/**
 * The browser's `localStorage`, or null when it is not available.
 */
function defaultStorage(): AlertStorage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}

/**
 * Polls the budget alerts (shortly after `start`, then every minute) and
 * shows each new one once as a JupyterLab notification. The id of the last
 * alert shown is kept in `localStorage` so that a reload (or another
 * browser tab) does not show it again; on the very first run in a browser
 * only the alerts of the last 24 h are shown. A failed poll is only logged
 * and retried at the next one. Polling stops on `dispose`.
 */
export class AlertNotifier {
  constructor(options: IAlertNotifierOptions = {}) {
    this._fetchAlerts =
      options.fetchAlerts ??
      (after => listAlerts({ after, limit: NOTIFIER_ALERTS_LIMIT }));
    this._notify = options.notify ?? notifyAlert;
    this._storage =
      options.storage === undefined ? defaultStorage() : options.storage;
    this._now = options.now ?? Date.now;
    this._intervalMs = options.intervalMs ?? ALERT_POLL_MS;
    this._firstDelayMs = options.firstDelayMs ?? FIRST_ALERT_POLL_MS;
  }

  /** Whether the notifier is disposed. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Start polling (once); nothing happens after `dispose`.
   */
  start(): void {
    if (this._disposed || this._started) {
      return;
    }
    this._started = true;
    this._firstTimer = window.setTimeout(() => {
      this._firstTimer = undefined;
      void this.poll();
    }, this._firstDelayMs);
    this._interval = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') {
        void this.poll();
      }
    }, this._intervalMs);
  }

  /**
   * Get the new alerts and show them; does nothing while a poll is in
   * flight or once disposed. Never rejects.
   */
  async poll(): Promise<void> {
    if (this._disposed || this._polling) {
      return;
    }
    this._polling = true;
    try {
      const response = await this._fetchAlerts(this._lastId());
      if (this._disposed) {
        return;
      }
      const alerts = Array.isArray(response?.alerts) ? response.alerts : [];
      // Read again: another browser tab may have shown some meanwhile.
      const lastId = this._lastId();
      for (const alert of alertsToShow(alerts, lastId, this._now() / 1000)) {
        this._notify(alert);
      }
      const newest = alerts.reduce(
        (max, alert) => (alert.id > max ? alert.id : max),
        lastId ?? 0
      );
      this._remember(newest);
    } catch (reason) {
      console.warn('maestro-jupyter: failed to get the budget alerts.', reason);
    } finally {
      this._polling = false;
    }
  }

  /**
   * Stop polling; an answer arriving later is ignored.
   */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    window.clearTimeout(this._firstTimer);
    window.clearInterval(this._interval);
    this._firstTimer = undefined;
    this._interval = undefined;
  }

  /** The id of the last alert shown (here or in another tab), or null. */
  private _lastId(): number | null {
    const stored = readLastAlertId(this._storage);
    if (stored === null) {
      return this._memory;
    }
    return this._memory === null ? stored : Math.max(stored, this._memory);
  }

  /** Keep the id of the last alert shown. */
  private _remember(id: number): void {
    this._memory = id;
    try {
      this._storage?.setItem(LAST_ALERT_KEY, String(id));
    } catch (reason) {
      console.warn(
        'maestro-jupyter: could not save the last alert id.',
        reason
      );
    }
  }

  private readonly _fetchAlerts: (after: number | null) => Promise<AlertList>;
  private readonly _notify: (alert: Alert) => void;
  private readonly _storage: AlertStorage | null;
  private readonly _now: () => number;
  private readonly _intervalMs: number;
  private readonly _firstDelayMs: number;
  private _memory: number | null = null;
  private _disposed = false;
  private _started = false;
  private _polling = false;
  private _firstTimer: number | undefined = undefined;
  private _interval: number | undefined = undefined;
}
