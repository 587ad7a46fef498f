import { MainAreaWidget } from '@jupyterlab/apputils';

import { RunsCompareWidget } from '../compare/RunsCompareView';
import { runsCompareWidgetId } from '../experiments/helpers';
import { CommandIDs } from '../index';
import { activate } from './helpers/app';

describe('maestro:compare-runs', () => {
  it('needs 2 to 100 distinct run ids', async () => {
    const { commands, main, palette } = activate();
    expect(CommandIDs.compareRuns).toBe('maestro:compare-runs');
    expect(commands.hasCommand(CommandIDs.compareRuns)).toBe(true);
    expect(commands.label(CommandIDs.compareRuns)).toBe('Compare runs');
    // Not a palette item: it needs the runs.
    expect(palette).not.toContain(CommandIDs.compareRuns);
    await expect(
      commands.execute(CommandIDs.compareRuns, { runIds: ['a'] })
    ).rejects.toThrow(/2 to 100/);
    await expect(
      commands.execute(CommandIDs.compareRuns, { runIds: ['a', 'a'] })
    ).rejects.toThrow(/2 to 100/);
    await expect(
      commands.execute(CommandIDs.compareRuns, {
        runIds: Array.from({ length: 101 }, (_, i) => `r${i}`)
      })
    ).rejects.toThrow(/2 to 100/);
    expect(main).toHaveLength(0);
  });

  it('opens the comparison of the runs, and shows it again for the same runs', async () => {
    const { commands, main, activated } = activate();
    await commands.execute(CommandIDs.compareRuns, { runIds: ['r1', 'r2'] });
    expect(main).toHaveLength(1);
    const widget = main[0] as MainAreaWidget;
    expect(widget.content).toBeInstanceOf(RunsCompareWidget);
    expect(widget.id).toBe(runsCompareWidgetId(['r1', 'r2']));
    expect(widget.hasClass('maestro-runs-compare')).toBe(true);
    expect(widget.title.label).toBeTruthy();
    expect(widget.title.closable).toBe(true);
    expect(activated).toEqual([widget.id]);

    // The same runs in another order: the open view is shown again.
    await commands.execute(CommandIDs.compareRuns, { runIds: ['r2', 'r1'] });
    expect(main).toHaveLength(1);
    expect(activated).toEqual([widget.id, widget.id]);

    // Other runs: a second view.
    await commands.execute(CommandIDs.compareRuns, {
      runIds: ['r1', 'r2', 'r3']
    });
    expect(main).toHaveLength(2);
    widget.dispose();
    main[1].dispose();
  });
});
