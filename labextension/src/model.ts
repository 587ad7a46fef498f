import { ISignal, Signal } from '@lumino/signaling';

import { getInfo, MaestroInfo } from './api';
import { effectiveMlflowUiUrl } from './mlflow';

/**
 * User-configurable options (see `schema/plugin.json`).
 */
export interface IMaestroOptions {
  /** Page size sent as `max_results`. */
  pageSize: number;
  /** Auto-refresh interval of the lists, in seconds; 0 to disable. */
  refreshInterval: number;
  /** Base URL of the MLflow web UI; empty to use the server's. */
  mlflowUiUrl: string;
}

/**
 * Default options (the schema's defaults).
 */
export const DEFAULT_OPTIONS: IMaestroOptions = {
  pageSize: 50,
  // Live by default: a job started from a notebook must show up without a
  // click (and every 5 s while jobs or deployments are changing).
  refreshInterval: 30,
  mlflowUiUrl: ''
};

/**
 * How long after code was run in a notebook, console or editor the Jobs and
 * Deployments tabs poll fast (`activityAt`), in milliseconds: long enough for
 * a cell's `%maestro train` or `ml.deployments.create` to reach the server.
 */
export const ACTIVITY_WINDOW_MS = 60_000;

/**
 * Whether a command runs code (a notebook cell, a console, a file): the
 * commands after which a new job or deployment may appear.
 */
export function isRunCommand(id: string): boolean {
  return /^(notebook|console|runmenu|fileeditor|editor):(.*-)?run(-|$)/.test(
    id
  );
}

/**
 * Whether `activityAt` (epoch ms, 0 for never) is within
 * `ACTIVITY_WINDOW_MS` of `now`.
 */
export function isRecentActivity(activityAt: number, now: number): boolean {
  return activityAt > 0 && now - activityAt < ACTIVITY_WINDOW_MS;
}

/**
 * Read the options from the user settings (`get` returns a setting's
 * composite value), falling back to the defaults for missing or invalid
 * values.
 */
export function readOptions(get: (key: string) => unknown): IMaestroOptions {
  const pageSize = get('pageSize');
  const refreshInterval = get('refreshInterval');
  const mlflowUiUrl = get('mlflowUiUrl');
  return {
    pageSize:
      typeof pageSize === 'number' && Number.isInteger(pageSize) && pageSize > 0
        ? pageSize
        : DEFAULT_OPTIONS.pageSize,
    refreshInterval:
      typeof refreshInterval === 'number' &&
      Number.isFinite(refreshInterval) &&
      refreshInterval >= 0
        ? refreshInterval
        : DEFAULT_OPTIONS.refreshInterval,
    mlflowUiUrl:
      typeof mlflowUiUrl === 'string'
        ? mlflowUiUrl
        : DEFAULT_OPTIONS.mlflowUiUrl
  };
}

/**
 * State shared by the Maestro widgets: the user options and the server
 * information (fetched lazily, on first use, never at start-up).
 */
export class MaestroModel {
  constructor(options: Partial<IMaestroOptions> = {}) {
    this._options = { ...DEFAULT_OPTIONS, ...options };
  }

  /**
   * Emitted when the options or the server information change.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * Current options.
   */
  get options(): IMaestroOptions {
    return this._options;
  }

  /**
   * Update the options (e.g. when the user settings change).
   */
  setOptions(options: Partial<IMaestroOptions>): void {
    this._options = { ...this._options, ...options };
    this._changed.emit();
  }

  /**
   * When code was last run in the application (epoch ms; 0 before), see
   * `noteActivity`.
   */
  get activityAt(): number {
    return this._activityAt;
  }

  /**
   * Record that code was just run (a notebook cell, a console): the lists
   * that code may change (jobs, deployments) poll fast for a while.
   */
  noteActivity(): void {
    this._activityAt = Date.now();
    this._changed.emit();
  }

  /**
   * The server information, once loaded (see `loadInfo`).
   */
  get info(): MaestroInfo | null {
    return this._info;
  }

  /**
   * The MLflow UI URL to link to: the `mlflowUiUrl` setting when set, else
   * the server's `mlflow_ui_url` (once the information is loaded); empty
   * when none is known.
   */
  get mlflowUiUrl(): string {
    return effectiveMlflowUiUrl(
      this._options.mlflowUiUrl,
      this._info?.mlflow_ui_url
    );
  }

  /**
   * Load the server information once (later calls return the same promise).
   * A failure is logged and resolves to null: it only hides MLflow links.
   */
  loadInfo(): Promise<MaestroInfo | null> {
    if (this._infoPromise === null) {
      this._infoPromise = getInfo().then(
        info => {
          this._info = info;
          this._changed.emit();
          return info;
        },
        reason => {
          console.warn('maestro-jupyter: could not get server info.', reason);
          return null;
        }
      );
    }
    return this._infoPromise;
  }

  private _options: IMaestroOptions;
  private _activityAt = 0;
  private _info: MaestroInfo | null = null;
  private _infoPromise: Promise<MaestroInfo | null> | null = null;
  private _changed = new Signal<this, void>(this);
}
