import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { maestroIcon } from './icons';
import { DEFAULT_OPTIONS, IMaestroOptions, MaestroSidebar } from './widget';

/**
 * The plugin id; also the id of the settings schema (`schema/plugin.json`).
 */
export const PLUGIN_ID = 'maestro-jupyter:plugin';

/**
 * The id of the sidebar widget.
 */
export const SIDEBAR_ID = 'maestro-sidebar';

/**
 * Command ids.
 */
export namespace CommandIDs {
  export const open = 'maestro:open';
}

/**
 * Read the options from the user settings, falling back to the defaults
 * for missing or invalid values.
 */
function readOptions(settings: ISettingRegistry.ISettings): IMaestroOptions {
  const pageSize = settings.get('pageSize').composite;
  const mlflowUiUrl = settings.get('mlflowUiUrl').composite;
  return {
    pageSize:
      typeof pageSize === 'number' && Number.isInteger(pageSize) && pageSize > 0
        ? pageSize
        : DEFAULT_OPTIONS.pageSize,
    mlflowUiUrl:
      typeof mlflowUiUrl === 'string'
        ? mlflowUiUrl
        : DEFAULT_OPTIONS.mlflowUiUrl
  };
}

/**
 * The Maestro sidebar plugin.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'A left-sidebar panel to browse MLflow models (and later jobs, deployments and budgets).',
  autoStart: true,
  optional: [ICommandPalette, ISettingRegistry, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null
  ): void => {
    // Settings are loaded in the background (not awaited: they must not
    // delay the application start-up). The panel waits for them before its
    // first request, so that the configured page size is used.
    const settingsApplied: Promise<void> = settingRegistry
      ? settingRegistry
          .load(PLUGIN_ID)
          .then(settings => {
            const update = (): void =>
              sidebar.setOptions(readOptions(settings));
            update();
            settings.changed.connect(update);
          })
          .catch(reason => {
            console.error('maestro-jupyter: failed to load settings.', reason);
          })
      : Promise.resolve();

    // Creating the widget performs no request: the panel content is only
    // mounted (and the API called) the first time the sidebar is shown.
    const sidebar = new MaestroSidebar({}, settingsApplied);
    sidebar.id = SIDEBAR_ID;
    sidebar.title.icon = maestroIcon;
    sidebar.title.caption = 'Maestro';
    app.shell.add(sidebar, 'left', { rank: 200 });
    if (restorer) {
      restorer.add(sidebar, SIDEBAR_ID);
    }

    app.commands.addCommand(CommandIDs.open, {
      label: 'Open Maestro',
      caption: 'Open the Maestro sidebar',
      icon: args => (args['isPalette'] ? undefined : maestroIcon),
      execute: () => {
        app.shell.activateById(sidebar.id);
      }
    });
    if (palette) {
      palette.addItem({ command: CommandIDs.open, category: 'Maestro' });
    }
  }
};

export default plugin;
