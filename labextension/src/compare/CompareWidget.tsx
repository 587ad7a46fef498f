import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { maestroIcon } from '../icons';
import { compareWidgetId, CompareView } from './CompareView';

export { compareWidgetId };

/**
 * The content of the comparison widget.
 */
export class CompareContent extends ReactWidget {
  constructor(name: string) {
    super();
    this.modelName = name;
    this.addClass('maestro-compare-content');
  }

  /** The compared model. */
  readonly modelName: string;

  protected render(): JSX.Element {
    return <CompareView name={this.modelName} />;
  }
}

/**
 * Create the main-area widget comparing the versions of a model
 * (id `maestro-compare-<name>`, class `maestro-compare`).
 */
export function createCompareWidget(
  name: string
): MainAreaWidget<CompareContent> {
  const content = new CompareContent(name);
  const widget = new MainAreaWidget({ content });
  widget.id = compareWidgetId(name);
  widget.addClass('maestro-compare');
  widget.node.dataset.modelName = name;
  widget.title.label = `Compare: ${name}`;
  widget.title.caption = `Compare the versions of ${name}`;
  widget.title.icon = maestroIcon;
  widget.title.closable = true;
  return widget;
}
