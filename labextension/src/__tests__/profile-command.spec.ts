import { Contents } from '@jupyterlab/services';

import * as api from '../api';
import { CommandIDs, PROFILE_CONTEXT_SELECTOR } from '../index';
import { activate } from './helpers/app';

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

beforeEach(() => {
  jest.resetAllMocks();
  mocked.profileData.mockReturnValue(new Promise(() => undefined));
});

describe('maestro:profile-file', () => {
  it('is in the context menu of the files of the file browser', () => {
    const { commands, contextMenuItems } = activate({
      palette: false,
      browser: true
    });
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
    const { commands, select } = activate({ palette: false, browser: true });
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
    const { commands } = activate({ palette: false, browser: false });
    expect(commands.isVisible(CommandIDs.profileFile)).toBe(false);
    expect(
      commands.isVisible(CommandIDs.profileFile, { path: 'data/iris.csv' })
    ).toBe(true);
    expect(
      commands.isVisible(CommandIDs.profileFile, { path: 'notes.txt' })
    ).toBe(false);
  });

  it('opens one profile tab per file and reuses it', async () => {
    const { commands, main, activated, select } = activate({
      palette: false,
      browser: true
    });
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
    const { commands, main } = activate({ palette: false, browser: true });
    await expect(
      commands.execute(CommandIDs.profileFile, { path: 'notes.txt' })
    ).rejects.toThrow(/CSV, TSV or Parquet/);
    expect(main).toHaveLength(0);
  });
});
