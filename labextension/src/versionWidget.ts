import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { maestroIcon } from './icons';

/**
 * How a main-area tab of one model version is labelled.
 */
export interface IVersionWidgetOptions {
  name: string;
  version: string;
  /** The widget's id. */
  id: string;
  /** Class of the widget, e.g. `maestro-card`. */
  className: string;
  /** Tab label prefix, e.g. `Card` gives `Card: NAME vN`. */
  label: string;
  /** What the tab shows, e.g. `Model card` gives `Model card of NAME version N`. */
  caption: string;
}

/**
 * A closable main-area tab around `content` for one model version, with
 * `data-name` and `data-version` attributes on its node.
 */
export function createVersionWidget<T extends Widget>(
  content: T,
  options: IVersionWidgetOptions
): MainAreaWidget<T> {
  const { name, version } = options;
  const widget = new MainAreaWidget({ content });
  widget.id = options.id;
  widget.addClass(options.className);
  widget.node.dataset.name = name;
  widget.node.dataset.version = version;
  widget.title.label = `${options.label}: ${name} v${version}`;
  widget.title.caption = `${options.caption} of ${name} version ${version}`;
  widget.title.icon = maestroIcon;
  widget.title.closable = true;
  return widget;
}

/**
 * The id of a version's tab: `PREFIX-NAME-VERSION` with every character
 * outside `[A-Za-z0-9_-]` replaced by `-`.
 */
export function versionWidgetId(
  prefix: string,
  name: string,
  version: string
): string {
  return `${prefix}-${name}-${version}`.replace(/[^A-Za-z0-9_-]/g, '-');
}
