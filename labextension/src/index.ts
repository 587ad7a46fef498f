import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, InputDialog } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

import { AlertNotifier } from './budgets/alertNotifier';
import { createCardWidget } from './card/CardWidget';
import { cardWidgetId } from './card/helpers';
import { IOpenCardArgs, IOpenRunArgs, IOpenTestsArgs } from './actions';
import { compareWidgetId, createCompareWidget } from './compare/CompareWidget';
import {
  compareRunIds,
  createRunsCompareWidget,
  runsCompareWidgetId
} from './experiments/compareRuns';
import { maestroIcon } from './icons';
import { isRunCommand, MaestroModel, readOptions } from './model';
import { isProfilablePath, profileWidgetId, uniqueId } from './profile/helpers';
import { createProfileWidget } from './profile/ProfileWidget';
import { createRunWidget, runWidgetId } from './run/RunWidget';
import { testsWidgetId } from './tests/helpers';
import { createTestsWidget } from './tests/TestsWidget';
import { MaestroSidebar } from './widget';

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
  /** Open (activate) the sidebar. */
  export const open = 'maestro:open';
  /** Compare the versions of a model; args `{name?: string}`. */
  export const compareVersions = 'maestro:compare-versions';
  /** Compare 2 to 100 runs side by side; args `{runIds: string[]}`. */
  export const compareRuns = 'maestro:compare-runs';
  /** Show a run; args `{runId: string, name?: string, version?: string}`. */
  export const openRun = 'maestro:open-run';
  /** Show the model card of a version; args `{name: string, version: string}`. */
  export const openCard = 'maestro:open-card';
  /**
   * Show the automated tests of a version (latest report and history);
   * args `{name: string, version: string}`.
   */
  export const openTests = 'maestro:open-tests';
  /**
   * Profile a CSV/TSV/Parquet file; args `{path?: string}` (default: the
   * file selected in the file browser).
   */
  export const profileFile = 'maestro:profile-file';
}

/**
 * Selector of the file browser's items the "Profile with Maestro" entry of
 * the context menu is added to (it is only visible on data files).
 */
export const PROFILE_CONTEXT_SELECTOR =
  '.jp-DirListing-item[data-isdir="false"]';

/**
 * A string argument of a command, or undefined.
 */
function stringArg(
  args: ReadonlyPartialJSONObject,
  key: string
): string | undefined {
  const value = args[key];
  if (typeof value === 'number') {
    return String(value);
  }
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * The Maestro sidebar plugin.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'A left-sidebar panel to browse MLflow models and compare their versions.',
  autoStart: true,
  optional: [
    ICommandPalette,
    ISettingRegistry,
    ILayoutRestorer,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null,
    fileBrowser: IDefaultFileBrowser | null
  ): void => {
    const model = new MaestroModel();
    // Code run in a notebook, console or file may start a job or a
    // deployment: the sidebar polls those lists fast for a while after.
    app.commands.commandExecuted.connect((_, executed) => {
      if (isRunCommand(executed.id)) {
        model.noteActivity();
      }
    });

    // Settings are loaded in the background (not awaited: they must not
    // delay the application start-up). The panel waits for them before its
    // first request, so that the configured page size is used.
    const settingsApplied: Promise<void> = settingRegistry
      ? settingRegistry
          .load(PLUGIN_ID)
          .then(settings => {
            const update = (): void =>
              model.setOptions(readOptions(key => settings.get(key).composite));
            update();
            settings.changed.connect(update);
          })
          .catch(reason => {
            console.error('maestro-jupyter: failed to load settings.', reason);
          })
      : Promise.resolve();

    /** Activate the main-area widget with this id, if there is one. */
    const activateExisting = (id: string): boolean => {
      for (const widget of app.shell.widgets('main')) {
        if (widget.id === id) {
          app.shell.activateById(id);
          return true;
        }
      }
      return false;
    };

    /** Add a widget to the main area and show it. */
    const addToMain = (widget: Widget): void => {
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
    };

    const openCompare = (name: string): void => {
      if (!activateExisting(compareWidgetId(name))) {
        addToMain(createCompareWidget(name));
      }
    };

    const openRun = (args: IOpenRunArgs): void => {
      if (!activateExisting(runWidgetId(args.runId))) {
        addToMain(createRunWidget(args, model));
      }
    };

    /**
     * Activate the main-area widget of class `className` showing a version,
     * or else add the one `create` makes, with a free id derived from
     * `baseId`.
     */
    const openVersionWidget = (
      className: string,
      args: { name: string; version: string },
      baseId: string,
      create: (id: string) => Widget
    ): void => {
      for (const widget of app.shell.widgets('main')) {
        if (
          widget.hasClass(className) &&
          widget.node.dataset.name === args.name &&
          widget.node.dataset.version === args.version
        ) {
          app.shell.activateById(widget.id);
          return;
        }
      }
      const taken = new Set<string>();
      for (const widget of app.shell.widgets('main')) {
        taken.add(widget.id);
      }
      addToMain(create(uniqueId(baseId, candidate => taken.has(candidate))));
    };

    /** Open (or activate) the model card of a version. */
    const openCard = (args: IOpenCardArgs): void => {
      openVersionWidget(
        'maestro-card',
        args,
        cardWidgetId(args.name, args.version),
        id => createCardWidget(args, id)
      );
    };

    /** Open (or activate) the automated tests of a version. */
    const openTests = (args: IOpenTestsArgs): void => {
      openVersionWidget(
        'maestro-tests',
        args,
        testsWidgetId(args.name, args.version),
        id => createTestsWidget(args, id)
      );
    };

    /** Open (or activate) the profile of a data file. */
    const openProfile = (path: string): void => {
      for (const widget of app.shell.widgets('main')) {
        if (
          widget.hasClass('maestro-profile') &&
          widget.node.dataset.path === path
        ) {
          app.shell.activateById(widget.id);
          return;
        }
      }
      const taken = new Set<string>();
      for (const widget of app.shell.widgets('main')) {
        taken.add(widget.id);
      }
      const id = uniqueId(profileWidgetId(path), candidate =>
        taken.has(candidate)
      );
      addToMain(createProfileWidget(path, id));
    };

    /**
     * The path of the data file a profile command applies to: its `path`
     * argument, else the single file selected in the file browser.
     */
    const profilePath = (args: ReadonlyPartialJSONObject): string | null => {
      let path: string | null = null;
      const arg = args['path'];
      if (typeof arg === 'string' && arg.trim()) {
        path = arg;
      } else if (fileBrowser) {
        const selected = Array.from(fileBrowser.selectedItems());
        if (selected.length === 1 && selected[0].type !== 'directory') {
          path = selected[0].path;
        }
      }
      // A file of another drive (`drive:path`) is not under the Jupyter root.
      if (
        path === null ||
        !isProfilablePath(path) ||
        app.serviceManager.contents.driveName(path) !== ''
      ) {
        return null;
      }
      return path;
    };

    // Creating the widget performs no request: the panel content is only
    // mounted (and the API called) the first time the sidebar is shown.
    const sidebar = new MaestroSidebar({
      model,
      ready: settingsApplied,
      actions: {
        openRun: args => {
          void app.commands.execute(CommandIDs.openRun, { ...args });
        },
        openCard: args => {
          void app.commands.execute(CommandIDs.openCard, { ...args });
        },
        openTests: args => {
          void app.commands.execute(CommandIDs.openTests, { ...args });
        },
        compareVersions: name => {
          void app.commands.execute(CommandIDs.compareVersions, { name });
        },
        compareRuns: runIds => {
          void app.commands.execute(CommandIDs.compareRuns, { runIds });
        }
      }
    });
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

    app.commands.addCommand(CommandIDs.compareVersions, {
      label: 'Compare versions',
      caption: 'Compare the metrics of the versions of a registered model',
      icon: args => (args['isPalette'] ? undefined : maestroIcon),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              description:
                'Name of the registered model; asked for when missing.'
            }
          }
        }
      },
      execute: async args => {
        let name = stringArg(args, 'name');
        if (name === undefined) {
          const result = await InputDialog.getText({
            title: 'Compare versions',
            label: 'Registered model name',
            placeholder: 'e.g. iris-classifier',
            okLabel: 'Compare'
          });
          name = result.button.accept ? result.value?.trim() : undefined;
          if (!name) {
            return;
          }
        }
        openCompare(name);
      }
    });

    app.commands.addCommand(CommandIDs.compareRuns, {
      label: 'Compare runs',
      caption:
        'Compare runs side by side: learning curves, params against metrics, and a diff table',
      icon: args => (args['isPalette'] ? undefined : maestroIcon),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            runIds: {
              type: 'array',
              items: { type: 'string' },
              minItems: 2,
              maxItems: 100,
              description: 'MLflow run ids (2 to 100).'
            }
          },
          required: ['runIds']
        }
      },
      execute: args => {
        const runIds = compareRunIds(args['runIds']);
        if (runIds === null) {
          throw new Error(
            `${CommandIDs.compareRuns} needs 2 to 100 distinct run ids (runIds).`
          );
        }
        if (!activateExisting(runsCompareWidgetId(runIds))) {
          addToMain(createRunsCompareWidget(runIds));
        }
      }
    });

    app.commands.addCommand(CommandIDs.openRun, {
      label: args => {
        const runId = stringArg(args, 'runId');
        return runId ? `Open Run ${runId.slice(0, 8)}` : 'Open Run';
      },
      caption: 'Show the params, metrics and tags of an MLflow run',
      describedBy: {
        args: {
          type: 'object',
          properties: {
            runId: { type: 'string', description: 'MLflow run id.' },
            name: {
              type: 'string',
              description: 'Registered model the run produced (for links).'
            },
            version: {
              type: 'string',
              description: 'Model version the run produced (for links).'
            }
          },
          required: ['runId']
        }
      },
      execute: args => {
        const runId = stringArg(args, 'runId');
        if (!runId) {
          throw new Error(`${CommandIDs.openRun} needs a runId argument.`);
        }
        openRun({
          runId,
          name: stringArg(args, 'name'),
          version: stringArg(args, 'version')
        });
      }
    });

    /**
     * A command that opens a view of one model version (args name, version).
     */
    const addVersionCommand = (
      id: string,
      label: string,
      caption: string,
      open: (args: { name: string; version: string }) => void
    ): void => {
      app.commands.addCommand(id, {
        label,
        caption,
        icon: args => (args['isPalette'] ? undefined : maestroIcon),
        describedBy: {
          args: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'Registered model name.' },
              version: { type: 'string', description: 'Model version.' }
            },
            required: ['name', 'version']
          }
        },
        execute: args => {
          const name = stringArg(args, 'name');
          const version = stringArg(args, 'version');
          if (!name || !version) {
            throw new Error(`${id} needs name and version arguments.`);
          }
          open({ name, version });
        }
      });
    };

    addVersionCommand(
      CommandIDs.openCard,
      'Open Model Card',
      'Show the model card of a model version: its status, completeness and sections',
      openCard
    );
    addVersionCommand(
      CommandIDs.openTests,
      'Open Test Report',
      'Show the automated tests of a model version: the verdict, the checks by category, the metrics and the history',
      openTests
    );

    app.commands.addCommand(CommandIDs.profileFile, {
      label: 'Profile with Maestro',
      caption:
        'Profile this CSV or Parquet file (rows, missing values, warnings and a full report)',
      icon: args => (args['isPalette'] ? undefined : maestroIcon),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description:
                'Path of a .csv, .tsv, .parquet or .pq file relative to the Jupyter root; default: the file selected in the file browser.'
            }
          }
        }
      },
      isEnabled: args => profilePath(args) !== null,
      isVisible: args => profilePath(args) !== null,
      execute: args => {
        const path = profilePath(args);
        if (path === null) {
          throw new Error(
            `${CommandIDs.profileFile} needs the path of a CSV, TSV or Parquet file.`
          );
        }
        openProfile(path);
      }
    });

    // Only in the file browser's context menu: without a data file selected
    // (as in the palette) the command has nothing to profile.
    app.contextMenu.addItem({
      command: CommandIDs.profileFile,
      selector: PROFILE_CONTEXT_SELECTOR,
      rank: 3
    });

    // Budget alerts become JupyterLab notifications (polled every minute).
    new AlertNotifier().start();

    if (palette) {
      palette.addItem({ command: CommandIDs.open, category: 'Maestro' });
      palette.addItem({
        command: CommandIDs.compareVersions,
        category: 'Maestro'
      });
    }
  }
};

export default plugin;
