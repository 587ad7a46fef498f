import * as api from '../api';
import { CommandIDs } from '../index';
import { activate } from './helpers/app';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getCard: jest.fn(),
  getCardHTML: jest.fn(),
  listModels: jest.fn(),
  getInfo: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

beforeEach(() => {
  jest.resetAllMocks();
  mocked.getCard.mockReturnValue(new Promise(() => undefined));
  mocked.getCardHTML.mockReturnValue(new Promise(() => undefined));
});

describe('maestro:open-card', () => {
  it('is labelled and only runs with a name and a version', async () => {
    const { commands, main, palette } = activate();
    expect(CommandIDs.openCard).toBe('maestro:open-card');
    expect(commands.hasCommand(CommandIDs.openCard)).toBe(true);
    expect(commands.label(CommandIDs.openCard)).toBe('Open Model Card');
    // Like openRun: not a palette item of its own (it needs arguments).
    expect(palette).not.toContain(CommandIDs.openCard);
    await expect(
      commands.execute(CommandIDs.openCard, { name: 'iris' })
    ).rejects.toThrow(/name and version/);
    await expect(
      commands.execute(CommandIDs.openCard, { version: '3' })
    ).rejects.toThrow(/name and version/);
    expect(main).toHaveLength(0);
  });

  it('opens one card tab per version and reuses it', async () => {
    const { commands, main, activated } = activate();
    await commands.execute(CommandIDs.openCard, { name: 'iris', version: '3' });
    expect(main).toHaveLength(1);
    const widget = main[0];
    expect(widget.id).toBe('maestro-card-iris-3');
    expect(widget.hasClass('maestro-card')).toBe(true);
    expect(widget.title.label).toBe('Card: iris v3');
    expect(widget.title.closable).toBe(true);
    expect(activated).toEqual(['maestro-card-iris-3']);

    // The same version again (a number is accepted): only activated.
    await commands.execute(CommandIDs.openCard, { name: 'iris', version: 3 });
    expect(main).toHaveLength(1);
    expect(activated).toEqual(['maestro-card-iris-3', 'maestro-card-iris-3']);

    // Another version, and a name with the same sanitised form.
    await commands.execute(CommandIDs.openCard, { name: 'iris', version: '2' });
    await commands.execute(CommandIDs.openCard, {
      name: 'iris model',
      version: '3'
    });
    await commands.execute(CommandIDs.openCard, {
      name: 'iris/model',
      version: '3'
    });
    expect(main.map(w => w.id)).toEqual([
      'maestro-card-iris-3',
      'maestro-card-iris-2',
      'maestro-card-iris-model-3',
      'maestro-card-iris-model-3-2'
    ]);
    expect(main[3].title.label).toBe('Card: iris/model v3');
    // Nothing is requested before a tab is attached and shown.
    expect(mocked.getCard).not.toHaveBeenCalled();
    main.forEach(w => w.dispose());
  });
});
