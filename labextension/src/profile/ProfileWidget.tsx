import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { maestroIcon } from '../icons';
import { fileName, profileWidgetId } from './helpers';
import { ProfileView } from './ProfileView';

export { profileWidgetId };

/**
 * The content of the profile widget of a data file.
 */
export class ProfileContent extends ReactWidget {
  constructor(path: string) {
    super();
    this.path = path;
    this.addClass('maestro-profile-content');
  }

  /** Path of the profiled file, relative to the Jupyter root. */
  readonly path: string;

  protected render(): JSX.Element {
    return <ProfileView path={this.path} />;
  }
}

/**
 * Create the main-area widget profiling a data file (class
 * `maestro-profile`, attribute `data-path`, id `id` or else
 * `maestro-profile-<sanitised path>`).
 */
export function createProfileWidget(
  path: string,
  id: string = profileWidgetId(path)
): MainAreaWidget<ProfileContent> {
  const content = new ProfileContent(path);
  const widget = new MainAreaWidget({ content });
  widget.id = id;
  widget.addClass('maestro-profile');
  widget.node.dataset.path = path;
  widget.title.label = `Profile: ${fileName(path)}`;
  widget.title.caption = `Data profile of ${path}`;
  widget.title.icon = maestroIcon;
  widget.title.closable = true;
  return widget;
}
