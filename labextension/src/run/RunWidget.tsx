import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { RunSummary } from '../api';
import { maestroIcon } from '../icons';
import { MaestroModel } from '../model';
import { IRunWidgetOptions, RunView, runWidgetId } from './RunView';

export { runWidgetId };
export type { IRunWidgetOptions };

/**
 * The content of the run widget; re-renders when the MLflow URL changes.
 */
export class RunContent extends ReactWidget {
  constructor(options: IRunWidgetOptions, model: MaestroModel) {
    super();
    this.options = options;
    this._model = model;
    this.addClass('maestro-run-content');
    model.changed.connect(this._onChanged, this);
    void model.loadInfo();
  }

  /** What the widget shows. */
  readonly options: IRunWidgetOptions;

  /** Called once the run is loaded. */
  onLoaded: ((run: RunSummary) => void) | undefined;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <RunView
        {...this.options}
        mlflowUiUrl={this._model.mlflowUiUrl}
        onLoaded={run => this.onLoaded?.(run)}
      />
    );
  }

  private _onChanged(): void {
    this.update();
  }

  private _model: MaestroModel;
}

/**
 * Create the main-area widget of a run (id `maestro-run-<run id>`, class
 * `maestro-run`).
 */
export function createRunWidget(
  options: IRunWidgetOptions,
  model: MaestroModel
): MainAreaWidget<RunContent> {
  const content = new RunContent(options, model);
  const widget = new MainAreaWidget({ content });
  widget.id = runWidgetId(options.runId);
  widget.addClass('maestro-run');
  widget.node.dataset.runId = options.runId;
  widget.title.label = `Run ${options.runId.slice(0, 8)}`;
  widget.title.caption = `MLflow run ${options.runId}`;
  widget.title.icon = maestroIcon;
  widget.title.closable = true;
  content.onLoaded = run => {
    if (run.run_name) {
      widget.title.label = `Run ${run.run_name}`;
    }
  };
  return widget;
}
