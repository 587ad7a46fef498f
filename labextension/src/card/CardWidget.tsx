import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { createVersionWidget } from '../versionWidget';
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
  return createVersionWidget(new CardContent(options), {
    ...options,
    id,
    className: 'maestro-card',
    label: 'Card',
    caption: 'Model card'
  });
}
