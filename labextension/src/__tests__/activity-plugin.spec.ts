/**
 * The plugin tells the sidebar when code is run (a notebook cell, a console), so that a job it submits shows up
 * within seconds.
 */
import { MaestroModel } from '../model';
import { activate } from './helpers/app';

describe('the plugin and code runs', () => {
  it('notes an activity when a command runs code, not for other commands', async () => {
    const noted = jest.spyOn(MaestroModel.prototype, 'noteActivity');
    try {
      const app = activate();
      app.commands.addCommand('notebook:run-cell-and-select-next', {
        execute: () => undefined
      });
      app.commands.addCommand('docmanager:save', { execute: () => undefined });
      await app.commands.execute('docmanager:save');
      expect(noted).not.toHaveBeenCalled();
      await app.commands.execute('notebook:run-cell-and-select-next');
      expect(noted).toHaveBeenCalledTimes(1);
    } finally {
      noted.mockRestore();
    }
  });
});
