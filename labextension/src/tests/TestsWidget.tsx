import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { createVersionWidget } from '../versionWidget';
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
  return createVersionWidget(new TestsContent(options), {
    ...options,
    id,
    className: 'maestro-tests',
    label: 'Tests',
    caption: 'Automated tests'
  });
}
