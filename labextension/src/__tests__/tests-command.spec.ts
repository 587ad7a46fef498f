import * as api from '../api';
import { CommandIDs } from '../index';
import { activate } from './helpers/app';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getTests: jest.fn(),
  listModels: jest.fn(),
  getInfo: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

beforeEach(() => {
  jest.resetAllMocks();
  mocked.getTests.mockReturnValue(new Promise(() => undefined));
});

describe('maestro:open-tests', () => {
  it('is labelled and only runs with a name and a version', async () => {
    const { commands, main, palette } = activate();
    expect(CommandIDs.openTests).toBe('maestro:open-tests');
    expect(commands.hasCommand(CommandIDs.openTests)).toBe(true);
    expect(commands.label(CommandIDs.openTests)).toBe('Open Test Report');
    // Like openCard: not a palette item of its own (it needs arguments).
    expect(palette).not.toContain(CommandIDs.openTests);
    await expect(
      commands.execute(CommandIDs.openTests, { name: 'iris' })
    ).rejects.toThrow(/name and version/);
    await expect(
      commands.execute(CommandIDs.openTests, { name: ' ', version: '3' })
    ).rejects.toThrow(/name and version/);
    expect(main).toHaveLength(0);
  });

  it('opens one tests tab per version and reuses it', async () => {
    const { commands, main, activated } = activate();
    await commands.execute(CommandIDs.openTests, {
      name: 'iris',
      version: '3'
    });
    expect(main).toHaveLength(1);
    const widget = main[0];
    expect(widget.id).toBe('maestro-tests-iris-3');
    expect(widget.hasClass('maestro-tests')).toBe(true);
    expect(widget.title.label).toBe('Tests: iris v3');
    expect(widget.title.closable).toBe(true);
    expect(activated).toEqual(['maestro-tests-iris-3']);

    // The same version again (a number is accepted): only activated.
    await commands.execute(CommandIDs.openTests, { name: 'iris', version: 3 });
    expect(main).toHaveLength(1);
    expect(activated).toEqual(['maestro-tests-iris-3', 'maestro-tests-iris-3']);

    // The card of the same version is another tab; so are other versions
    // and names with the same sanitised form.
    await commands.execute(CommandIDs.openCard, { name: 'iris', version: '3' });
    await commands.execute(CommandIDs.openTests, {
      name: 'iris',
      version: '2'
    });
    await commands.execute(CommandIDs.openTests, {
      name: 'iris model',
      version: '3'
    });
    await commands.execute(CommandIDs.openTests, {
      name: 'iris/model',
      version: '3'
    });
    expect(main.map(w => w.id)).toEqual([
      'maestro-tests-iris-3',
      'maestro-card-iris-3',
      'maestro-tests-iris-2',
      'maestro-tests-iris-model-3',
      'maestro-tests-iris-model-3-2'
    ]);
    expect(main[4].title.label).toBe('Tests: iris/model v3');
    expect(main[4].node.dataset.name).toBe('iris/model');

    // Opening the card again activates the card, not the tests tab.
    await commands.execute(CommandIDs.openCard, { name: 'iris', version: 3 });
    expect(activated[activated.length - 1]).toBe('maestro-card-iris-3');
    await commands.execute(CommandIDs.openTests, {
      name: 'iris/model',
      version: '3'
    });
    expect(main).toHaveLength(5);
    expect(activated[activated.length - 1]).toBe(
      'maestro-tests-iris-model-3-2'
    );
    // Nothing is requested before a tab is attached and shown.
    expect(mocked.getTests).not.toHaveBeenCalled();
    main.forEach(w => w.dispose());
  });
});
