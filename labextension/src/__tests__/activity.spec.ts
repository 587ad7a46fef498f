/**
 * Live updates on by default: the default interval (model and settings schema agree), and the fast polling after
 * code is run in a notebook.
 */
import * as fs from 'fs';
import * as path from 'path';

import {
  ACTIVITY_WINDOW_MS,
  DEFAULT_OPTIONS,
  isRecentActivity,
  isRunCommand,
  MaestroModel
} from '../model';

describe('live updates', () => {
  it('refresh every 30 s by default, in the model and in the settings schema', () => {
    const schema = JSON.parse(
      fs.readFileSync(
        path.resolve(__dirname, '../../schema/plugin.json'),
        'utf-8'
      )
    );
    expect(DEFAULT_OPTIONS.refreshInterval).toBe(30);
    expect(schema.properties.refreshInterval.default).toBe(
      DEFAULT_OPTIONS.refreshInterval
    );
    // Still a setting: 0 turns it off.
    expect(schema.properties.refreshInterval.minimum).toBe(0);
    expect(new MaestroModel().options.refreshInterval).toBe(30);
  });

  it('knows the commands that run code', () => {
    for (const id of [
      'notebook:run-cell',
      'notebook:run-cell-and-select-next',
      'notebook:run-cell-and-insert-below',
      'notebook:run-all-cells',
      'notebook:run-all-above',
      'notebook:restart-run-all',
      'console:run-forced',
      'console:run-unforced',
      'runmenu:run',
      'runmenu:run-all',
      'fileeditor:run-code'
    ]) {
      expect([id, isRunCommand(id)]).toEqual([id, true]);
    }
    for (const id of [
      'notebook:interrupt-kernel',
      'notebook:render-all-markdown',
      'maestro:open',
      'docmanager:save',
      'kernelmenu:restart'
    ]) {
      expect([id, isRunCommand(id)]).toEqual([id, false]);
    }
  });

  it('records when code was run, and for how long that counts', () => {
    const model = new MaestroModel();
    const changed = jest.fn();
    model.changed.connect(changed);
    expect(model.activityAt).toBe(0);
    expect(isRecentActivity(model.activityAt, Date.now())).toBe(false);
    model.noteActivity();
    expect(changed).toHaveBeenCalledTimes(1);
    const at = model.activityAt;
    expect(isRecentActivity(at, at + 1000)).toBe(true);
    expect(isRecentActivity(at, at + ACTIVITY_WINDOW_MS - 1)).toBe(true);
    expect(isRecentActivity(at, at + ACTIVITY_WINDOW_MS)).toBe(false);
  });
});
