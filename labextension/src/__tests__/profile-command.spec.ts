import { JupyterFrontEnd } from '@jupyterlab/application';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { Contents } from '@jupyterlab/services';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import * as api from '../api';
import plugin, { CommandIDs, PROFILE_CONTEXT_SELECTOR } from '../index';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  profileData: jest.fn(),
  listModels: jest.fn(),
  getInfo: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

/** A file browser item. */
function item(path: string, type = 'file'): Contents.IModel {
  return { path, type, name: path.split('/').pop() } as Contents.IModel;
}

/**
 * Activate the plugin in a fake application; returns what the tests look at.
 */
function activate(withBrowser = true): {
  commands: CommandRegistry;
  contextMenuItems: unknown[];
  main: Widget[];
  activated: string[];
  select: (...items: Contents.IModel[]) => void;
} {
  const commands = new CommandRegistry();
  const contextMenuItems: unknown[] = [];
  const main: Widget[] = [];
  const activated: string[] = [];
  let selected: Contents.IModel[] = [];
  const app = {
    commands,
    contextMenu: {
      addItem: (options: unknown) => contextMenuItems.push(options)
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
  const browser = {
    selectedItems: () => selected[Symbol.iterator]()
  } as unknown as IDefaultFileBrowser;
  (plugin.activate as (app: JupyterFrontEnd, ...optional: unknown[]) => void)(
    app,
    null,
    null,
    null,
    withBrowser ? browser : null
  );
  return {
    commands,
    contextMenuItems,
    main,
    activated,
    select: (...items) => {
      selected = items;
    }
  };
}

beforeEach(() => {
  jest.resetAllMocks();
  mocked.profileData.mockReturnValue(new Promise(() => undefined));
});

describe('maestro:profile-file', () => {
  it('is in the context menu of the files of the file browser', () => {
    const { commands, contextMenuItems } = activate();
    expect(contextMenuItems).toEqual([
      expect.objectContaining({
        command: CommandIDs.profileFile,
        selector: PROFILE_CONTEXT_SELECTOR
      })
    ]);
    expect(PROFILE_CONTEXT_SELECTOR).toBe(
      '.jp-DirListing-item[data-isdir="false"]'
    );
    expect(commands.label(CommandIDs.profileFile)).toBe('Profile with Maestro');
    expect(commands.icon(CommandIDs.profileFile)).toBeDefined();
  });

  it('is only visible on a single selected data file', () => {
    const { commands, select } = activate();
    const visible = (): boolean => commands.isVisible(CommandIDs.profileFile);

    expect(visible()).toBe(false);
    select(item('data/iris.csv'));
    expect(visible()).toBe(true);
    expect(commands.isEnabled(CommandIDs.profileFile)).toBe(true);
    select(item('Sales.PARQUET'));
    expect(visible()).toBe(true);
    select(item('x.pq'));
    expect(visible()).toBe(true);
    select(item('x.tsv'));
    expect(visible()).toBe(true);
    select(item('notes.txt'));
    expect(visible()).toBe(false);
    expect(commands.isEnabled(CommandIDs.profileFile)).toBe(false);
    select(item('folder.csv', 'directory'));
    expect(visible()).toBe(false);
    select(item('a.csv'), item('b.csv'));
    expect(visible()).toBe(false);
    select(item('S3:bucket/a.csv'));
    expect(visible()).toBe(false);
  });

  it('takes an explicit path argument, even without a file browser', () => {
    const { commands } = activate(false);
    expect(commands.isVisible(CommandIDs.profileFile)).toBe(false);
    expect(
      commands.isVisible(CommandIDs.profileFile, { path: 'data/iris.csv' })
    ).toBe(true);
    expect(
      commands.isVisible(CommandIDs.profileFile, { path: 'notes.txt' })
    ).toBe(false);
  });

  it('opens one profile tab per file and reuses it', async () => {
    const { commands, main, activated, select } = activate();
    select(item('data/iris.csv'));
    await commands.execute(CommandIDs.profileFile);
    expect(main).toHaveLength(1);
    const widget = main[0];
    expect(widget.id).toBe('maestro-profile-data-iris-csv');
    expect(widget.hasClass('maestro-profile')).toBe(true);
    expect(widget.node.getAttribute('data-path')).toBe('data/iris.csv');
    expect(widget.title.label).toBe('Profile: iris.csv');
    expect(widget.title.closable).toBe(true);
    expect(activated).toEqual(['maestro-profile-data-iris-csv']);

    // The same file again (from an argument): the tab is only activated.
    await commands.execute(CommandIDs.profileFile, { path: 'data/iris.csv' });
    expect(main).toHaveLength(1);
    expect(activated).toHaveLength(2);

    // Another path with the same sanitised form gets an id of its own.
    await commands.execute(CommandIDs.profileFile, {
      path: 'data/iris-csv.csv'
    });
    await commands.execute(CommandIDs.profileFile, { path: 'data iris.csv' });
    expect(main.map(w => w.id)).toEqual([
      'maestro-profile-data-iris-csv',
      'maestro-profile-data-iris-csv-csv',
      'maestro-profile-data-iris-csv-2'
    ]);
    // Nothing is requested before the tab is attached and shown.
    expect(mocked.profileData).not.toHaveBeenCalled();
    main.forEach(w => w.dispose());
  });

  it('refuses to profile a file that is not a data file', async () => {
    const { commands, main } = activate();
    await expect(
      commands.execute(CommandIDs.profileFile, { path: 'notes.txt' })
    ).rejects.toThrow(/CSV, TSV or Parquet/);
    expect(main).toHaveLength(0);
  });
});
