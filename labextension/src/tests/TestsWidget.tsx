import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { maestroIcon } from '../icons';
import { testsWidgetId } from './helpers';
import { TestsView } from './TestsView';

export { testsWidgetId };

/**
 * What a tests widget shows: one version of a registered model.
 */
export interface ITestsWidgetOptions {
  name: string;
  version: string;
}

/**
 * The content of the tests widget of a version.
 */
export class TestsContent extends ReactWidget {
  constructor(options: ITestsWidgetOptions) {
    super();
    this.options = options;
    this.addClass('maestro-tests-content');
  }

  /** The model version shown. */
  readonly options: ITestsWidgetOptions;

  protected render(): JSX.Element {
    return (
      <TestsView name={this.options.name} version={this.options.version} />
    );
  }
}

/**
 * Create the main-area widget of a version's automated tests (class
 * `maestro-tests`, attributes `data-name` and `data-version`, id `id` or
 * else `maestro-tests-<sanitised name>-<version>`).
 */
export function createTestsWidget(
  options: ITestsWidgetOptions,
  id: string = testsWidgetId(options.name, options.version)
): MainAreaWidget<TestsContent> {
  const content = new TestsContent(options);
  const widget = new MainAreaWidget({ content });
  widget.id = id;
  widget.addClass('maestro-tests');
  widget.node.dataset.name = options.name;
  widget.node.dataset.version = options.version;
  widget.title.label = `Tests: ${options.name} v${options.version}`;
  widget.title.caption = `Automated tests of ${options.name} version ${options.version}`;
  widget.title.icon = maestroIcon;
  widget.title.closable = true;
  return widget;
}
