import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { maestroIcon } from '../icons';
import { CardView } from './CardView';
import { cardWidgetId } from './helpers';

export { cardWidgetId };

/**
 * What a card widget shows: one version of a registered model.
 */
export interface ICardWidgetOptions {
  name: string;
  version: string;
}

/**
 * The content of the model card widget of a version.
 */
export class CardContent extends ReactWidget {
  constructor(options: ICardWidgetOptions) {
    super();
    this.options = options;
    this.addClass('maestro-card-content');
  }

  /** The model version shown. */
  readonly options: ICardWidgetOptions;

  protected render(): JSX.Element {
    return <CardView name={this.options.name} version={this.options.version} />;
  }
}

/**
 * Create the main-area widget of a version's model card (class
 * `maestro-card`, attributes `data-name` and `data-version`, id `id` or else
 * `maestro-card-<sanitised name>-<version>`).
 */
export function createCardWidget(
  options: ICardWidgetOptions,
  id: string = cardWidgetId(options.name, options.version)
): MainAreaWidget<CardContent> {
  const content = new CardContent(options);
  const widget = new MainAreaWidget({ content });
  widget.id = id;
  widget.addClass('maestro-card');
  widget.node.dataset.name = options.name;
  widget.node.dataset.version = options.version;
  widget.title.label = `Card: ${options.name} v${options.version}`;
  widget.title.caption = `Model card of ${options.name} version ${options.version}`;
  widget.title.icon = maestroIcon;
  widget.title.closable = true;
  return widget;
}
