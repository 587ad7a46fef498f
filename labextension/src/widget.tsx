import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React from 'react';

import { MaestroPanel } from './components/ModelsPanel';

/**
 * User-configurable options of the sidebar (see `schema/plugin.json`).
 */
export interface IMaestroOptions {
  /** Page size sent as `max_results`. */
  pageSize: number;
  /** Base URL of the MLflow web UI; empty to hide MLflow links. */
  mlflowUiUrl: string;
}

export const DEFAULT_OPTIONS: IMaestroOptions = {
  pageSize: 50,
  mlflowUiUrl: ''
};

/**
 * The Maestro left-sidebar widget.
 *
 * The React tree (and therefore any network request) is only mounted the
 * first time the widget is actually shown, so registering the sidebar does
 * not slow down JupyterLab's start-up. Once mounted it stays mounted, so the
 * panel keeps its state when the sidebar is collapsed and reopened.
 */
export class MaestroSidebar extends ReactWidget {
  /**
   * @param options - initial options.
   * @param ready - resolved once the options are known (e.g. user settings
   *   loaded); the panel is not mounted before, to avoid requesting a page
   *   with a page size that is about to change. Its rejection is ignored.
   */
  constructor(
    options: Partial<IMaestroOptions> = {},
    ready: Promise<unknown> = Promise.resolve()
  ) {
    super();
    this._options = { ...DEFAULT_OPTIONS, ...options };
    this.addClass('maestro-sidebar');
    const markReady = (): void => {
      this._ready = true;
      this.update();
    };
    ready.then(markReady, markReady);
  }

  /**
   * Current options.
   */
  get options(): IMaestroOptions {
    return this._options;
  }

  /**
   * Update the options (e.g. when the user settings change) and re-render.
   */
  setOptions(options: Partial<IMaestroOptions>): void {
    this._options = { ...this._options, ...options };
    this.update();
  }

  /**
   * Whether the panel content has been mounted (the widget was shown once).
   */
  get activated(): boolean {
    return this._activated;
  }

  protected onAfterAttach(msg: Message): void {
    if (this.isVisible) {
      this._activated = true;
    }
    super.onAfterAttach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (!this._activated) {
      this._activated = true;
      this.update();
    }
  }

  protected render(): React.ReactElement | null {
    if (!this._activated || !this._ready) {
      return null;
    }
    return (
      <MaestroPanel
        pageSize={this._options.pageSize}
        mlflowUiUrl={this._options.mlflowUiUrl}
      />
    );
  }

  private _activated = false;
  private _ready = false;
  private _options: IMaestroOptions;
}
