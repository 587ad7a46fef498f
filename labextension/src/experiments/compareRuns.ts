/**
 * The main-area widget of the `maestro:compare-runs` command: the runs
 * comparison view (`compare/RunsCompareView.tsx`) in a `MainAreaWidget`.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { Widget } from '@lumino/widgets';

import { RunsCompareWidget } from '../compare/RunsCompareView';
import { maestroIcon } from '../icons';
import { runsCompareWidgetId } from './helpers';

export { compareRunIds, runsCompareWidgetId } from './helpers';

/** Create the main-area widget comparing the runs. */
export function createRunsCompareWidget(runIds: string[]): Widget {
  const content = new RunsCompareWidget({ runIds });
  if (!content.title.label) {
    content.title.label = `Compare ${runIds.length} runs`;
  }
  if (!content.title.caption) {
    content.title.caption = `Compare runs ${runIds.join(', ')}`;
  }
  if (!content.title.icon) {
    content.title.icon = maestroIcon;
  }
  const widget = new MainAreaWidget({ content });
  widget.id = runsCompareWidgetId(runIds);
  widget.addClass('maestro-runs-compare');
  widget.title.closable = true;
  return widget;
}
