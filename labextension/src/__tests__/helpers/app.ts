/**
 * Shared by the specs: a fake JupyterLab application that activates the
 * plugin.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { Contents } from '@jupyterlab/services';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import plugin from '../../index';

/**
 * What a spec looks at in the fake application.
 */
export interface IFakeApp {
  commands: CommandRegistry;
  /** Widgets added to the main area. */
  main: Widget[];
  /** Ids of the widgets activated. */
  activated: string[];
  /** Commands added to the palette. */
  palette: string[];
  /** Items added to the context menu. */
  contextMenuItems: unknown[];
  /** Select items in the file browser (when there is one). */
  select: (...items: Contents.IModel[]) => void;
}

/**
 * How to activate the plugin.
 */
export interface IActivateOptions {
  /** Give the plugin a command palette (default true). */
  palette?: boolean;
  /** Give the plugin a default file browser (default false). */
  browser?: boolean;
}

/**
 * Activate the plugin in a fake application; returns what the tests look at.
 */
export function activate(options: IActivateOptions = {}): IFakeApp {
  const commands = new CommandRegistry();
  const main: Widget[] = [];
  const activated: string[] = [];
  const palette: string[] = [];
  const contextMenuItems: unknown[] = [];
  let selected: Contents.IModel[] = [];
  const app = {
    commands,
    contextMenu: {
      addItem: (item: unknown) => contextMenuItems.push(item)
    },
    shell: {
      add: (widget: Widget, area: string) => {
        if (area === 'main') {
          main.push(widget);
        }
      },
      activateById: (id: string) => activated.push(id),
      widgets: (area: string) =>
        (area === 'main' ? main : [])[Symbol.iterator]()
    },
    serviceManager: {
      contents: {
        driveName: (path: string) => (path.startsWith('S3:') ? 'S3' : '')
      }
    }
  } as unknown as JupyterFrontEnd;
  const fakePalette = {
    addItem: (item: { command: string }) => palette.push(item.command)
  } as unknown as ICommandPalette;
  const browser = {
    selectedItems: () => selected[Symbol.iterator]()
  } as unknown as IDefaultFileBrowser;
  (plugin.activate as (app: JupyterFrontEnd, ...optional: unknown[]) => void)(
    app,
    options.palette === false ? null : fakePalette,
    null,
    null,
    options.browser ? browser : null
  );
  return {
    commands,
    main,
    activated,
    palette,
    contextMenuItems,
    select: (...items) => {
      selected = items;
    }
  };
}
