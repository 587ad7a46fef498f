import { Widget } from '@lumino/widgets';
import { act, waitFor } from '@testing-library/react';

import * as api from '../api';
import { DEFAULT_OPTIONS, MaestroModel, readOptions } from '../model';
import { MaestroSidebar } from '../widget';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  listModels: jest.fn(),
  getInfo: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

beforeEach(() => {
  jest.resetAllMocks();
  mocked.listModels.mockResolvedValue({ models: [], next_page_token: null });
  mocked.getInfo.mockResolvedValue({
    version: '1',
    user: 'u',
    admin: false,
    projects: ['default'],
    tracking_uri: 'sqlite://',
    compute: 'local',
    project: 'default',
    mlflow_ui_url: 'http://server-ui'
  });
});

describe('MaestroSidebar', () => {
  it('makes no request before it is shown', async () => {
    const sidebar = new MaestroSidebar({ model: new MaestroModel() });
    sidebar.hide();
    await act(async () => {
      Widget.attach(sidebar, document.body);
      await Promise.resolve();
    });
    expect(mocked.listModels).not.toHaveBeenCalled();
    expect(mocked.getInfo).not.toHaveBeenCalled();
    expect(sidebar.activated).toBe(false);

    await act(async () => {
      sidebar.show();
    });
    await waitFor(() => expect(mocked.listModels).toHaveBeenCalledTimes(1));
    expect(mocked.getInfo).toHaveBeenCalledTimes(1);
    expect(sidebar.node.querySelector('[role="tablist"]')).not.toBeNull();
    expect(
      [...sidebar.node.querySelectorAll('[role="tab"]')].map(
        tab => tab.textContent
      )
    ).toEqual([
      'Models',
      'Experiments',
      'Features',
      'Jobs',
      'Deployments',
      'Budgets'
    ]);
    act(() => {
      sidebar.dispose();
    });
  });
});

describe('MaestroModel', () => {
  it('prefers the mlflowUiUrl setting over the server URL', async () => {
    const model = new MaestroModel();
    expect(model.mlflowUiUrl).toBe('');
    const changed = jest.fn();
    model.changed.connect(changed);
    await model.loadInfo();
    await model.loadInfo();
    expect(mocked.getInfo).toHaveBeenCalledTimes(1);
    expect(model.mlflowUiUrl).toBe('http://server-ui');
    model.setOptions({ mlflowUiUrl: 'http://setting-ui' });
    expect(model.mlflowUiUrl).toBe('http://setting-ui');
    expect(changed).toHaveBeenCalledTimes(2);
  });

  it('ignores a failure to get the server information', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    mocked.getInfo.mockRejectedValue(new Error('down'));
    const model = new MaestroModel();
    await expect(model.loadInfo()).resolves.toBeNull();
    expect(model.mlflowUiUrl).toBe('');
  });
});

describe('readOptions', () => {
  it('reads valid settings and falls back on the defaults', () => {
    const values: { [key: string]: unknown } = {
      pageSize: 20,
      refreshInterval: 30,
      mlflowUiUrl: 'http://ui'
    };
    expect(readOptions(key => values[key])).toEqual({
      pageSize: 20,
      refreshInterval: 30,
      mlflowUiUrl: 'http://ui'
    });
    expect(
      readOptions(
        key =>
          ({ pageSize: 0, refreshInterval: -1, mlflowUiUrl: 3 })[
            key as 'pageSize'
          ]
      )
    ).toEqual(DEFAULT_OPTIONS);
  });
});
