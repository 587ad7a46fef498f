import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React from 'react';

import { IMaestroActions, MaestroPanel } from './components/MaestroPanel';
import { IMaestroOptions, MaestroModel } from './model';

export { DEFAULT_OPTIONS } from './model';
export type { IMaestroOptions } from './model';

/**
 * Actions doing nothing (a sidebar created without any).
 */
const NO_ACTIONS: IMaestroActions = {
  openRun: () => undefined,
  openCard: () => undefined,
  openTests: () => undefined,
  compareVersions: () => undefined,
  compareRuns: () => undefined
};

/**
 * Options of the sidebar.
 */
export interface IMaestroSidebarOptions {
  /** Shared state (options and server information). */
  model?: MaestroModel;
  /** What the panel can open in the main area. */
  actions?: IMaestroActions;
  /**
   * Resolved once the options are known (e.g. user settings loaded); the
   * panel is not mounted before, to avoid requesting a page with a page size
   * that is about to change. Its rejection is ignored.
   */
  ready?: Promise<unknown>;
}

/**
 * The Maestro left-sidebar widget.
 *
 * The React tree (and therefore any network request) is only mounted the
 * first time the widget is actually shown, so registering the sidebar does
 * not slow down JupyterLab's start-up. Once mounted it stays mounted, so the
 * panel keeps its state when the sidebar is collapsed and reopened.
 */
export class MaestroSidebar extends ReactWidget {
  constructor(options: IMaestroSidebarOptions = {}) {
    super();
    this._model = options.model ?? new MaestroModel();
    this._actions = options.actions ?? NO_ACTIONS;
    this.addClass('maestro-sidebar');
    this._model.changed.connect(this._onModelChanged, this);
    const markReady = (): void => {
      this._ready = true;
      this.update();
    };
    (options.ready ?? Promise.resolve()).then(markReady, markReady);
  }

  /**
   * The shared state.
   */
  get model(): MaestroModel {
    return this._model;
  }

  /**
   * Current options.
   */
  get options(): IMaestroOptions {
    return this._model.options;
  }

  /**
   * Update the options (e.g. when the user settings change) and re-render.
   */
  setOptions(options: Partial<IMaestroOptions>): void {
    this._model.setOptions(options);
  }

  /**
   * Whether the panel content has been mounted (the widget was shown once).
   */
  get activated(): boolean {
    return this._activated;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.changed.disconnect(this._onModelChanged, this);
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    if (this.isVisible) {
      this._activate();
    }
    super.onAfterAttach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._activate();
    this.update();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.update();
  }

  protected render(): React.ReactElement | null {
    if (!this._activated || !this._ready) {
      return null;
    }
    const options = this._model.options;
    return (
      <MaestroPanel
        pageSize={options.pageSize}
        refreshInterval={options.refreshInterval}
        activityAt={this._model.activityAt}
        mlflowUiUrl={this._model.mlflowUiUrl}
        visible={this.isVisible}
        actions={this._actions}
      />
    );
  }

  /**
   * Mark the panel as shown once; it then loads the server information
   * (for the MLflow links) along with its first page.
   */
  private _activate(): void {
    if (!this._activated) {
      this._activated = true;
      void this._model.loadInfo();
    }
  }

  private _onModelChanged(): void {
    this.update();
  }

  private _activated = false;
  private _ready = false;
  private _model: MaestroModel;
  private _actions: IMaestroActions;
}
