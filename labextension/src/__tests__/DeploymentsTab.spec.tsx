import { fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';

import * as api from '../api';
import { MaestroAPIError } from '../api';
import * as clipboard from '../clipboard';
import { confirmAction } from '../components/confirm';
import { DeploymentsTab } from '../deployments/DeploymentsTab';
import { deployment } from './compute-fixtures';
import { deferred, settle } from './helpers/async';
import { DEFAULT_OPTIONS } from '../model';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  listDeployments: jest.fn(),
  scaleDeployment: jest.fn(),
  deleteDeployment: jest.fn(),
  predict: jest.fn(),
  getVersion: jest.fn()
}));

jest.mock('../clipboard', () => ({
  ...jest.requireActual('../clipboard'),
  copyText: jest.fn()
}));

jest.mock('../components/confirm', () => ({ confirmAction: jest.fn() }));

const mocked = api as jest.Mocked<typeof api>;
const confirm = confirmAction as jest.MockedFunction<typeof confirmAction>;
const mockedClipboard = clipboard as jest.Mocked<typeof clipboard>;

const BASE_URL = 'http://localhost:8888/jupyter/';

function renderTab(
  overrides: Partial<React.ComponentProps<typeof DeploymentsTab>> = {}
) {
  const props = {
    refreshInterval: 0,
    active: true,
    baseUrl: BASE_URL,
    ...overrides
  };
  return { ...render(<DeploymentsTab {...props} />), props };
}

function row(container: HTMLElement, id: string): HTMLElement {
  const element = container.querySelector<HTMLElement>(
    `.maestro-deployment[data-deployment-id="${id}"]`
  );
  if (!element) {
    throw new Error(`No deployment row ${id}`);
  }
  return element;
}

const champion = deployment();
const degraded = deployment({
  id: 'iris-1',
  model: 'iris',
  version: '1',
  alias: null,
  status: 'degraded',
  replicas: 3,
  ready_replicas: 1,
  reason: '2 replicas crashed'
});

function versionDetail(
  signature: api.VersionDetail['signature']
): api.VersionDetail {
  return {
    name: 'churn',
    version: '3',
    aliases: [],
    status: 'READY',
    status_message: null,
    description: '',
    creation_timestamp: 0,
    last_updated_timestamp: 0,
    run_id: null,
    source: '',
    tags: {},
    model_uri: 'models:/churn/3',
    run: null,
    signature,
    flavors: [],
    features: null,
    load_snippet: ''
  };
}

beforeEach(() => {
  jest.resetAllMocks();
  jest.useFakeTimers();
  mocked.listDeployments.mockResolvedValue({
    deployments: [champion, degraded]
  });
  mocked.getVersion.mockResolvedValue(versionDetail(null));
  confirm.mockResolvedValue(true);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('DeploymentsTab', () => {
  it('lists the deployments with status, replicas, endpoint and reason', async () => {
    const { container } = renderTab();
    await settle();
    expect(mocked.listDeployments).toHaveBeenCalledTimes(1);
    expect(mocked.listDeployments.mock.calls[0][0]).toMatchObject({
      all: false
    });
    const rows = container.querySelectorAll('li.maestro-deployment');
    expect([...rows].map(li => li.getAttribute('data-deployment-id'))).toEqual([
      'churn-champion',
      'iris-1'
    ]);

    const first = row(container, 'churn-champion');
    const status = first.querySelector('.maestro-deployment-status');
    expect(status?.textContent).toBe('ready');
    expect(status?.className).toBe(
      'maestro-deployment-status maestro-status-ready'
    );
    expect(first.querySelector('.maestro-deployment-name')?.textContent).toBe(
      'churn'
    );
    expect(
      first.querySelector('.maestro-deployment-version')?.textContent
    ).toBe('version 3');
    expect(first.querySelector('.maestro-deployment-alias')?.textContent).toBe(
      'champion'
    );
    expect(first.querySelector('.maestro-deployment-ready')?.textContent).toBe(
      '2/2'
    );
    expect(
      first.querySelector('.maestro-deployment-endpoint')?.textContent
    ).toBe(
      'http://localhost:8888/jupyter/maestro/api/v1/deployments/churn-champion/predict'
    );
    expect(first.querySelector('.maestro-deployment-user')?.textContent).toBe(
      'alice'
    );
    expect(first.querySelector('.maestro-deployment-reason')).toBeNull();

    const second = row(container, 'iris-1');
    expect(
      second.querySelector('.maestro-deployment-status')?.textContent
    ).toBe('degraded');
    expect(second.querySelector('.maestro-deployment-alias')).toBeNull();
    expect(second.querySelector('.maestro-deployment-ready')?.textContent).toBe(
      '1/3'
    );
    expect(
      second.querySelector('.maestro-deployment-reason')?.textContent
    ).toBe('2 replicas crashed');
  });

  it('copies the endpoint URL', async () => {
    mockedClipboard.copyText.mockResolvedValue(undefined);
    const { container } = renderTab();
    await settle();
    const first = row(container, 'churn-champion');
    const copy = first.querySelector(
      '.maestro-deployment-copy'
    ) as HTMLButtonElement;
    fireEvent.click(copy);
    await settle();
    expect(mockedClipboard.copyText).toHaveBeenCalledWith(
      'http://localhost:8888/jupyter/maestro/api/v1/deployments/churn-champion/predict'
    );
    expect(copy.textContent).toBe('Copied');
  });

  it('shows the empty state and the stopped deployments on demand', async () => {
    mocked.listDeployments.mockResolvedValue({ deployments: [] });
    const { container } = renderTab();
    await settle();
    expect(screen.getByRole('status').textContent).toBe(
      'No deployments. Deploy a version with %maestro deploy NAME@ALIAS or ml.deployments.create(...)'
    );
    mocked.listDeployments.mockResolvedValue({
      deployments: [deployment({ status: 'stopped', ready_replicas: 0 })]
    });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Show stopped' }));
    await settle();
    expect(mocked.listDeployments).toHaveBeenCalledTimes(2);
    expect(mocked.listDeployments.mock.calls[1][0]).toMatchObject({
      all: true
    });
    const stopped = row(container, 'churn-champion');
    expect(
      stopped.querySelector('.maestro-deployment-status')?.textContent
    ).toBe('stopped');
    // No controls on a stopped deployment.
    expect(stopped.querySelector('.maestro-deployment-delete')).toBeNull();
    expect(stopped.querySelector('.maestro-predict')).toBeNull();
  });

  it('polls every 5 s while a deployment is starting', async () => {
    mocked.listDeployments.mockResolvedValue({
      deployments: [deployment({ status: 'starting', ready_replicas: 0 })]
    });
    renderTab({ refreshInterval: 60 });
    await settle();
    await settle(4000);
    expect(mocked.listDeployments).toHaveBeenCalledTimes(1);
    await settle(1000);
    expect(mocked.listDeployments).toHaveBeenCalledTimes(2);
    mocked.listDeployments.mockResolvedValue({ deployments: [champion] });
    await settle(5000);
    expect(mocked.listDeployments).toHaveBeenCalledTimes(3);
    // Ready: back to the refresh interval.
    await settle(59_000);
    expect(mocked.listDeployments).toHaveBeenCalledTimes(3);
    await settle(1000);
    expect(mocked.listDeployments).toHaveBeenCalledTimes(4);
  });

  it('refreshes on its own with the default settings, never while hidden', async () => {
    const { container, rerender, props } = renderTab({
      refreshInterval: DEFAULT_OPTIONS.refreshInterval,
      active: false
    });
    // Hidden from the start: the one request of the mount, then nothing.
    await settle(120_000);
    expect(mocked.listDeployments).toHaveBeenCalledTimes(1);
    rerender(<DeploymentsTab {...props} active={true} />);
    await settle();
    expect(mocked.listDeployments).toHaveBeenCalledTimes(2);
    // A deployment made from a notebook shows up within the interval, no click.
    mocked.listDeployments.mockResolvedValue({
      deployments: [champion, degraded, deployment({ id: 'new-one' })]
    });
    await settle(30_000);
    expect(mocked.listDeployments).toHaveBeenCalledTimes(3);
    expect(row(container, 'new-one')).toBeTruthy();
  });

  it('shows the alias only while it still names the version served', async () => {
    mocked.listDeployments.mockResolvedValue({
      deployments: [
        deployment(),
        deployment({ id: 'moved', alias_version: '4' }),
        deployment({ id: 'removed', alias_version: null }),
        deployment({ id: 'plain', alias: null, alias_version: null })
      ]
    });
    const { container } = renderTab();
    await settle();
    const served = (id: string) => {
      const item = row(container, id);
      return [
        item.querySelector('.maestro-deployment-version')?.textContent,
        item.querySelector('.maestro-deployment-alias')?.textContent ?? null
      ];
    };
    expect(served('churn-champion')).toEqual(['version 3', 'champion']);
    expect(served('moved')).toEqual(['version 3 (was champion)', null]);
    expect(
      row(container, 'moved')
        .querySelector('.maestro-deployment-version')
        ?.getAttribute('title')
    ).toContain('champion, which now names version 4');
    expect(served('removed')).toEqual(['version 3 (was champion)', null]);
    expect(served('plain')).toEqual(['version 3', null]);
  });

  it('asks before deleting, naming the replicas and the endpoint; Cancel sends nothing', async () => {
    confirm.mockResolvedValue(false);
    const { container } = renderTab();
    await settle();
    const remove = row(container, 'iris-1').querySelector(
      '.maestro-deployment-delete'
    ) as HTMLButtonElement;
    fireEvent.click(remove);
    await settle();
    expect(confirm).toHaveBeenCalledTimes(1);
    const asked = confirm.mock.calls[0][0];
    expect(asked.title).toBe('Delete deployment iris-1?');
    expect(asked.accept).toBe('Delete deployment');
    expect(asked.body).toContain(
      'It runs 3 replicas (1 ready) of iris version 1'
    );
    expect(asked.body).toContain(
      `its endpoint ${BASE_URL}maestro/api/v1/deployments/iris-1/predict stops answering`
    );
    expect(mocked.deleteDeployment).not.toHaveBeenCalled();
    expect(remove.disabled).toBe(false);
    expect(row(container, 'iris-1')).toBeTruthy();
  });

  it('scales a deployment', async () => {
    const request = deferred<api.Deployment>();
    mocked.scaleDeployment.mockReturnValue(request.promise);
    const { container } = renderTab();
    await settle();
    const first = row(container, 'churn-champion');
    const input = first.querySelector(
      'input.maestro-deployment-replicas'
    ) as HTMLInputElement;
    const scale = first.querySelector(
      '.maestro-deployment-scale'
    ) as HTMLButtonElement;
    expect(input.value).toBe('2');
    expect(input.min).toBe('1');
    expect(input.max).toBe('20');

    fireEvent.change(input, { target: { value: '25' } });
    expect(scale.disabled).toBe(true);
    fireEvent.change(input, { target: { value: '4' } });
    expect(scale.disabled).toBe(false);
    fireEvent.click(scale);
    expect(mocked.scaleDeployment).toHaveBeenCalledWith('churn-champion', 4);
    expect(scale.disabled).toBe(true);

    const scaled = { ...champion, status: 'updating' as const, replicas: 4 };
    mocked.listDeployments.mockResolvedValue({
      deployments: [scaled, degraded]
    });
    request.resolve(scaled);
    await settle();
    expect(mocked.listDeployments).toHaveBeenCalledTimes(2);
    expect(first.querySelector('.maestro-deployment-status')?.textContent).toBe(
      'updating'
    );
    expect(first.querySelector('.maestro-deployment-ready')?.textContent).toBe(
      '2/4'
    );
    expect(scale.disabled).toBe(false);
  });

  it("shows the server's message when scaling fails", async () => {
    mocked.scaleDeployment.mockRejectedValue(
      new MaestroAPIError(400, 'INVALID_PARAMETER', 'At most 8 replicas here')
    );
    const { container } = renderTab();
    await settle();
    const first = row(container, 'churn-champion');
    fireEvent.change(
      first.querySelector('.maestro-deployment-replicas') as HTMLElement,
      { target: { value: '9' } }
    );
    fireEvent.click(
      first.querySelector('.maestro-deployment-scale') as HTMLElement
    );
    await settle();
    expect(within(first).getByRole('alert').textContent).toBe(
      'At most 8 replicas here'
    );
  });

  it('deletes a deployment, which leaves the list on refresh', async () => {
    mocked.deleteDeployment.mockResolvedValue({
      ...degraded,
      status: 'stopped'
    });
    mocked.listDeployments
      .mockResolvedValueOnce({ deployments: [champion, degraded] })
      .mockResolvedValueOnce({ deployments: [champion] });
    const { container } = renderTab();
    await settle();
    const remove = row(container, 'iris-1').querySelector(
      '.maestro-deployment-delete'
    ) as HTMLButtonElement;
    expect(remove.textContent).toBe('Delete');
    fireEvent.click(remove);
    await settle();
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(mocked.deleteDeployment).toHaveBeenCalledWith('iris-1');
    await settle();
    expect(mocked.listDeployments).toHaveBeenCalledTimes(2);
    expect(container.querySelector('[data-deployment-id="iris-1"]')).toBeNull();
    expect(container.querySelectorAll('.maestro-deployment').length).toBe(1);
  });

  it('prefills the predict box from the model signature', async () => {
    mocked.listDeployments.mockResolvedValue({ deployments: [champion] });
    mocked.getVersion.mockResolvedValue(
      versionDetail({
        inputs: [
          { name: 'age', type: 'long' },
          { name: 'plan', type: 'string' }
        ],
        outputs: []
      })
    );
    const { container } = renderTab();
    await settle();
    expect(mocked.getVersion).toHaveBeenCalledWith(
      'churn',
      '3',
      expect.anything()
    );
    const input = row(container, 'churn-champion').querySelector(
      'textarea.maestro-predict-input'
    ) as HTMLTextAreaElement;
    expect(JSON.parse(input.value)).toEqual({
      dataframe_records: [{ age: 0, plan: '' }]
    });
  });

  it('keeps the default payload without a signature', async () => {
    mocked.listDeployments.mockResolvedValue({ deployments: [champion] });
    mocked.getVersion.mockRejectedValue(new Error('not found'));
    const { container } = renderTab();
    await settle();
    const input = row(container, 'churn-champion').querySelector(
      'textarea.maestro-predict-input'
    ) as HTMLTextAreaElement;
    expect(input.value).toBe('{"dataframe_records": [{}]}');
  });

  it('checks the JSON before sending a prediction', async () => {
    mocked.listDeployments.mockResolvedValue({ deployments: [champion] });
    const { container } = renderTab();
    await settle();
    const box = row(container, 'churn-champion').querySelector(
      '.maestro-predict'
    ) as HTMLElement;
    fireEvent.change(
      box.querySelector('.maestro-predict-input') as HTMLElement,
      { target: { value: '{"dataframe_records": [' } }
    );
    fireEvent.click(box.querySelector('.maestro-predict-send') as HTMLElement);
    await settle();
    expect(mocked.predict).not.toHaveBeenCalled();
    expect(box.querySelector('.maestro-predict-error')?.textContent).toMatch(
      /^Invalid JSON/
    );
    expect(box.querySelector('.maestro-predict-output')).toBeNull();
  });

  it("shows the serving process's message on a bad input", async () => {
    mocked.listDeployments.mockResolvedValue({ deployments: [champion] });
    mocked.predict.mockRejectedValue(
      new MaestroAPIError(
        400,
        'INVALID_INPUT',
        "Failed to enforce schema: missing column 'age'"
      )
    );
    const { container } = renderTab();
    await settle();
    const box = row(container, 'churn-champion').querySelector(
      '.maestro-predict'
    ) as HTMLElement;
    fireEvent.click(box.querySelector('.maestro-predict-send') as HTMLElement);
    await settle();
    expect(mocked.predict).toHaveBeenCalledWith(
      'churn-champion',
      { dataframe_records: [{}] },
      expect.anything()
    );
    const error = box.querySelector('.maestro-predict-error');
    expect(error?.textContent).toBe(
      "Failed to enforce schema: missing column 'age'"
    );
    expect(error?.getAttribute('role')).toBe('alert');
  });

  it('shows the predictions, latency and replica', async () => {
    mocked.listDeployments.mockResolvedValue({ deployments: [champion] });
    const request = deferred<api.Prediction>();
    mocked.predict.mockReturnValue(request.promise);
    const { container } = renderTab();
    await settle();
    const box = row(container, 'churn-champion').querySelector(
      '.maestro-predict'
    ) as HTMLElement;
    const send = box.querySelector(
      '.maestro-predict-send'
    ) as HTMLButtonElement;
    fireEvent.change(
      box.querySelector('.maestro-predict-input') as HTMLElement,
      { target: { value: '{"dataframe_records": [{"age": 40}]}' } }
    );
    fireEvent.click(send);
    expect(send.disabled).toBe(true);
    expect(mocked.predict).toHaveBeenCalledWith(
      'churn-champion',
      { dataframe_records: [{ age: 40 }] },
      expect.anything()
    );
    request.resolve({
      deployment: 'churn-champion',
      model: 'churn',
      version: '3',
      predictions: [1],
      replica: 'churn-champion-1',
      latency_ms: 12.345
    });
    await settle();
    expect(send.disabled).toBe(false);
    const output = box.querySelector('pre.maestro-predict-output');
    expect(JSON.parse(output?.textContent ?? '')).toEqual({
      predictions: [1],
      latency_ms: 12.35,
      replica: 'churn-champion-1'
    });
    expect(box.querySelector('.maestro-predict-error')).toBeNull();
  });
});
