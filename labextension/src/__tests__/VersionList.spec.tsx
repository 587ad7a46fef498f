import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import React from 'react';

import { IMaestroActions, MaestroActionsProvider } from '../actions';
import * as api from '../api';
import { ModelDetail, VersionComparison, MaestroAPIError } from '../api';
import { VersionList } from '../models/VersionList';
import {
  answerDialog,
  dialogText,
  openDialog,
  waitForDialog
} from './helpers/dialog';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getModel: jest.fn(),
  compareVersions: jest.fn(),
  getVersion: jest.fn(),
  setAlias: jest.fn(),
  deleteAlias: jest.fn(),
  listDeployments: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

function version(
  number: string,
  aliases: string[] = [],
  runId: string | null = `run-${number}`,
  tags: { [key: string]: string } = {}
): api.ModelVersion {
  return {
    name: 'iris',
    version: number,
    aliases,
    status: 'READY',
    status_message: null,
    description: '',
    creation_timestamp: Date.UTC(2024, 0, Number(number)),
    last_updated_timestamp: 0,
    run_id: runId,
    source: '',
    tags
  };
}

function detail(versions: api.ModelVersion[]): ModelDetail {
  const aliases: { [alias: string]: string } = {};
  for (const item of versions) {
    for (const alias of item.aliases) {
      aliases[alias] = item.version;
    }
  }
  return {
    name: 'iris',
    description: '',
    tags: {},
    aliases,
    latest_version: versions[0]?.version ?? null,
    creation_timestamp: 0,
    last_updated_timestamp: 0,
    versions
  };
}

const comparison: VersionComparison = {
  name: 'iris',
  metrics: ['accuracy', 'f1', 'loss', 'precision', 'training_time_s'],
  available_metrics: ['accuracy', 'f1', 'loss', 'precision', 'training_time_s'],
  versions: [
    {
      version: '1',
      aliases: [],
      creation_timestamp: 0,
      run_id: 'run-1',
      features: null,
      metrics: {
        accuracy: 0.9,
        f1: null,
        loss: 0.3,
        precision: 0.8,
        training_time_s: 1.5
      }
    },
    {
      version: '2',
      aliases: ['champion'],
      creation_timestamp: 0,
      run_id: 'run-2',
      features: null,
      metrics: {
        accuracy: 0.953846,
        f1: 0.94,
        loss: 1.25,
        precision: 0.9,
        training_time_s: 2
      }
    }
  ]
};

/** An active deployment of `model` at `version`, made through `alias`. */
function deployment(fields: {
  id: string;
  model: string;
  version: string;
  alias?: string;
}): api.Deployment {
  return {
    alias: 'champion',
    alias_version: fields.version,
    status: 'ready',
    replicas: 1,
    ready_replicas: 1,
    ...fields
  } as unknown as api.Deployment;
}

function renderList() {
  const props = {
    name: 'iris',
    reloadKey: 0,
    onModelChanged: jest.fn<void, [api.ModelSummary]>()
  };
  // What `MaestroPanel` provides: the actions the versions open things with.
  const actions = {
    openRun: jest.fn(),
    openCard: jest.fn(),
    openTests: jest.fn(),
    compareVersions: jest.fn()
  } as unknown as jest.Mocked<IMaestroActions>;
  const result = render(
    <MaestroActionsProvider actions={actions}>
      <VersionList {...props} />
    </MaestroActionsProvider>
  );
  return { ...result, props, actions };
}

function item(container: HTMLElement, number: string): HTMLElement {
  const element = container.querySelector<HTMLElement>(
    `li.maestro-version-item[data-version="${number}"]`
  );
  if (!element) {
    throw new Error(`No version item ${number}`);
  }
  return element;
}

beforeEach(() => {
  jest.resetAllMocks();
  mocked.getModel.mockResolvedValue(
    detail([version('2', ['champion']), version('1', [], null)])
  );
  mocked.compareVersions.mockResolvedValue(comparison);
  mocked.listDeployments.mockResolvedValue({ deployments: [] });
});

afterEach(() => {
  // A dialog left open by a failed test must not answer the next one.
  document.querySelectorAll('.jp-Dialog').forEach(dialog => dialog.remove());
});

describe('VersionList', () => {
  it('lists versions newest first with aliases, status, metrics and actions', async () => {
    const { container, props, actions } = renderList();
    await screen.findByText('v2');

    const items = container.querySelectorAll('li.maestro-version-item');
    expect([...items].map(li => li.getAttribute('data-version'))).toEqual([
      '2',
      '1'
    ]);
    const v2 = item(container, '2');
    expect(
      [...v2.querySelectorAll('.maestro-version-alias')].map(chip =>
        chip.getAttribute('data-alias')
      )
    ).toEqual(['champion']);
    expect(
      within(v2).getByRole('button', { name: 'Remove alias champion' })
    ).toBeTruthy();
    expect(
      v2.querySelector('.maestro-version-status')?.getAttribute('data-status')
    ).toBe('READY');

    // Key metrics: the preferred ones first, at most 3.
    const metrics = [...v2.querySelectorAll('.maestro-metric')].map(metric =>
      metric.getAttribute('data-metric')
    );
    expect(metrics).toEqual(['accuracy', 'f1', 'loss']);
    expect(
      v2.querySelector('[data-metric="accuracy"] .maestro-metric-value')
        ?.textContent
    ).toBe('0.9538');
    // A missing value is not shown.
    const v1 = item(container, '1');
    // A column's values share their decimals: 0.9000 above 0.9538.
    expect(
      v1.querySelector('[data-metric="accuracy"] .maestro-metric-value')
        ?.textContent
    ).toBe('0.9000');
    expect(
      v1.querySelector('[data-metric="loss"] .maestro-metric-value')
        ?.textContent
    ).toBe('0.3000');
    // ... 1.2500 (not 1.250) in the column of 0.3000.
    expect(
      v2.querySelector('[data-metric="loss"] .maestro-metric-value')
        ?.textContent
    ).toBe('1.2500');
    expect(v1.querySelector('[data-metric="f1"]')).toBeNull();

    // One compare call for all versions.
    expect(mocked.compareVersions).toHaveBeenCalledTimes(1);
    expect(mocked.compareVersions.mock.calls[0][0]).toBe('iris');

    // The download link.
    const download = within(v2).getByRole('link', { name: 'Download' });
    expect(download.getAttribute('href')).toMatch(
      /\/maestro\/api\/v1\/models\/iris\/versions\/2\/download$/
    );
    expect(download.hasAttribute('download')).toBe(true);

    // Open run, disabled without a run.
    fireEvent.click(within(v2).getByRole('button', { name: 'Open run' }));
    expect(actions.openRun).toHaveBeenCalledWith({
      runId: 'run-2',
      name: 'iris',
      version: '2'
    });
    expect(
      (
        within(v1).getByRole('button', {
          name: 'Open run'
        }) as HTMLButtonElement
      ).disabled
    ).toBe(true);

    // The model card, on every version (with or without a run).
    const card = within(v1).getByRole('button', {
      name: 'Model card of iris version 1'
    });
    expect(card.classList.contains('maestro-version-card')).toBe(true);
    expect(card.getAttribute('title')).toBe('Open the model card');
    fireEvent.click(card);
    expect(actions.openCard).toHaveBeenCalledWith({
      name: 'iris',
      version: '1'
    });
    fireEvent.click(
      within(v2).getByRole('button', { name: 'Model card of iris version 2' })
    );
    expect(actions.openCard).toHaveBeenLastCalledWith({
      name: 'iris',
      version: '2'
    });
    expect(actions.openCard).toHaveBeenCalledTimes(2);
    expect(actions.openRun).toHaveBeenCalledTimes(1);

    // The model summary goes up to the list (without the versions).
    expect(props.onModelChanged).toHaveBeenCalledWith(
      expect.not.objectContaining({ versions: expect.anything() })
    );
    expect(props.onModelChanged.mock.calls[0][0]).toMatchObject({
      name: 'iris',
      aliases: { champion: '2' }
    });
  });

  it('sets an alias then reloads the versions (not the metrics)', async () => {
    const { container, props } = renderList();
    await screen.findByText('v1');
    mocked.setAlias.mockResolvedValue(version('1', ['staging']));
    mocked.getModel.mockResolvedValue(
      detail([version('2', ['champion']), version('1', ['staging'], null)])
    );

    const v1 = item(container, '1');
    fireEvent.click(within(v1).getByRole('button', { name: 'Set alias' }));
    const input = within(v1).getByRole('textbox', { name: 'Alias name' });
    fireEvent.change(input, { target: { value: 'staging' } });
    fireEvent.submit(input.closest('form') as HTMLFormElement);

    await waitFor(() =>
      expect(
        item(container, '1').querySelector('[data-alias="staging"]')
      ).not.toBeNull()
    );
    // A new alias moves nothing: no question.
    expect(openDialog()).toBeNull();
    expect(mocked.setAlias).toHaveBeenCalledWith('iris', 'staging', '1');
    expect(mocked.getModel).toHaveBeenCalledTimes(2);
    expect(mocked.compareVersions).toHaveBeenCalledTimes(1);
    expect(props.onModelChanged).toHaveBeenLastCalledWith(
      expect.objectContaining({ aliases: { champion: '2', staging: '1' } })
    );
    // The form closed.
    expect(within(item(container, '1')).queryByRole('textbox')).toBeNull();
  });

  it("shows the server's message when an alias is rejected", async () => {
    const { container } = renderList();
    await screen.findByText('v1');
    mocked.setAlias.mockRejectedValue(
      new MaestroAPIError(
        400,
        'INVALID_PARAMETER',
        "Alias 'latest' is reserved"
      )
    );
    const v1 = item(container, '1');
    fireEvent.click(within(v1).getByRole('button', { name: 'Set alias' }));
    const input = within(v1).getByRole('textbox', { name: 'Alias name' });
    fireEvent.change(input, { target: { value: 'latest' } });
    fireEvent.submit(input.closest('form') as HTMLFormElement);
    expect((await within(v1).findByRole('alert')).textContent).toBe(
      "Alias 'latest' is reserved"
    );
  });

  it('removes an alias with its chip button', async () => {
    const { container } = renderList();
    await screen.findByText('v2');
    mocked.deleteAlias.mockResolvedValue(undefined);
    mocked.getModel.mockResolvedValue(
      detail([version('2'), version('1', [], null)])
    );
    fireEvent.click(
      within(item(container, '2')).getByRole('button', {
        name: 'Remove alias champion'
      })
    );
    await answerDialog('Remove alias');
    await waitFor(() =>
      expect(container.querySelector('.maestro-version-alias')).toBeNull()
    );
    expect(mocked.deleteAlias).toHaveBeenCalledWith('iris', 'champion');
  });

  it('asks before removing an alias, naming the deployment serving it, and sends nothing on Cancel', async () => {
    mocked.listDeployments.mockResolvedValue({
      deployments: [
        deployment({ id: 'churn-prod', model: 'iris', version: '2' }),
        // Another model's champion, and a deployment made through champion
        // before it moved to version 2: neither serves iris@champion.
        deployment({ id: 'wine-prod', model: 'wine', version: '2' }),
        deployment({ id: 'iris-old', model: 'iris', version: '1' })
      ]
    });
    const { container } = renderList();
    await screen.findByText('v2');
    const remove = within(item(container, '2')).getByRole('button', {
      name: 'Remove alias champion'
    }) as HTMLButtonElement;
    fireEvent.click(remove);
    await waitForDialog();
    expect(dialogText().title).toBe('Remove alias champion?');
    expect(dialogText().body).toContain(
      'Deployment churn-prod serves iris@champion (version 2). Removing the alias leaves it serving version 2, no longer as champion.'
    );
    expect(dialogText().body).not.toContain('wine-prod');
    expect(dialogText().body).not.toContain('iris-old');
    expect(mocked.listDeployments).toHaveBeenCalledTimes(1);

    await answerDialog('Cancel');
    expect(openDialog()).toBeNull();
    expect(mocked.deleteAlias).not.toHaveBeenCalled();
    expect(
      item(container, '2').querySelector('[data-alias="champion"]')
    ).not.toBeNull();
    await waitFor(() => expect(remove.disabled).toBe(false));
    // Nothing was reloaded either.
    expect(mocked.getModel).toHaveBeenCalledTimes(1);
  });

  it('still asks when the deployments cannot be listed, saying so', async () => {
    mocked.listDeployments.mockRejectedValue(
      new MaestroAPIError(503, 'UNAVAILABLE', 'The store is down')
    );
    mocked.deleteAlias.mockResolvedValue(undefined);
    const { container } = renderList();
    await screen.findByText('v2');
    fireEvent.click(
      within(item(container, '2')).getByRole('button', {
        name: 'Remove alias champion'
      })
    );
    await waitForDialog();
    expect(dialogText().body).toContain(
      'Could not check which deployments serve iris@champion: The store is down'
    );
    await answerDialog('Remove alias');
    await waitFor(() =>
      expect(mocked.deleteAlias).toHaveBeenCalledWith('iris', 'champion')
    );
  });

  it('asks before moving an alias from another version, and sends nothing on Cancel', async () => {
    mocked.listDeployments.mockResolvedValue({
      deployments: [
        deployment({ id: 'churn-prod', model: 'iris', version: '2' }),
        deployment({ id: 'churn-canary', model: 'iris', version: '2' })
      ]
    });
    const { container } = renderList();
    await screen.findByText('v1');
    const v1 = item(container, '1');
    fireEvent.click(within(v1).getByRole('button', { name: 'Set alias' }));
    const input = within(v1).getByRole('textbox', { name: 'Alias name' });
    fireEvent.change(input, { target: { value: 'champion' } });
    fireEvent.submit(input.closest('form') as HTMLFormElement);

    await waitForDialog();
    expect(dialogText().title).toBe('Move alias champion to version 1?');
    expect(dialogText().body).toContain(
      'Deployments churn-prod and churn-canary serve iris@champion (version 2). Moving the alias leaves them serving version 2, no longer as champion.'
    );
    await answerDialog('Cancel');
    expect(mocked.setAlias).not.toHaveBeenCalled();
    // The form stays, with what was typed.
    expect(
      (
        within(v1).getByRole('textbox', {
          name: 'Alias name'
        }) as HTMLInputElement
      ).value
    ).toBe('champion');

    mocked.setAlias.mockResolvedValue(version('1', ['champion']));
    mocked.getModel.mockResolvedValue(
      detail([version('2'), version('1', ['champion'], null)])
    );
    fireEvent.submit(input.closest('form') as HTMLFormElement);
    await answerDialog('Move alias');
    await waitFor(() =>
      expect(mocked.setAlias).toHaveBeenCalledWith('iris', 'champion', '1')
    );
    await waitFor(() =>
      expect(
        item(container, '1').querySelector('[data-alias="champion"]')
      ).not.toBeNull()
    );
  });

  it('copies the load snippet and shows "Copied"', async () => {
    jest.useFakeTimers();
    try {
      const writeText = jest.fn().mockResolvedValue(undefined);
      Object.defineProperty(navigator, 'clipboard', {
        value: { writeText },
        configurable: true
      });
      mocked.getVersion.mockResolvedValue({
        ...version('2'),
        model_uri: 'models:/iris/2',
        run: null,
        signature: null,
        flavors: [],
        features: null,
        load_snippet: "mlflow.pyfunc.load_model('models:/iris/2')"
      });
      const { container } = renderList();
      await screen.findByText('v2');
      const button = within(item(container, '2')).getByRole('button', {
        name: 'Copy load snippet'
      });
      fireEvent.click(button);
      await waitFor(() => expect(button.textContent).toBe('Copied'));
      expect(writeText).toHaveBeenCalledWith(
        "mlflow.pyfunc.load_model('models:/iris/2')"
      );
      expect(mocked.getVersion).toHaveBeenCalledWith('iris', '2');
      act(() => {
        jest.runAllTimers();
      });
      expect(button.textContent).toBe('Snippet');
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows the server message when the versions cannot be loaded', async () => {
    mocked.getModel.mockRejectedValue(
      new MaestroAPIError(404, 'NOT_FOUND', "Model 'iris' not found")
    );
    renderList();
    expect((await screen.findByRole('alert')).textContent).toContain(
      "Model 'iris' not found"
    );
  });

  it('still lists the versions when the metrics fail', async () => {
    mocked.compareVersions.mockRejectedValue(new Error('boom'));
    const { container } = renderList();
    await screen.findByText('Metrics unavailable: boom');
    expect(container.querySelectorAll('li.maestro-version-item')).toHaveLength(
      2
    );
  });

  it('shows the test verdict of each version and opens its test report', async () => {
    const ranAt = '2026-11-26T10:00:00+00:00';
    mocked.getModel.mockResolvedValue(
      detail([
        version('3', [], 'run-3', {
          'maestro.tests.verdict': 'failed',
          'maestro.tests.ran_at': ranAt
        }),
        version('2', ['champion'], 'run-2', {
          'maestro.tests.verdict': 'passed',
          'maestro.tests.ran_at': ranAt
        }),
        version('1', [], null)
      ])
    );
    const { container, actions } = renderList();
    await screen.findByText('v3');
    const badge = (number: string): HTMLElement =>
      item(container, number).querySelector(
        '.maestro-version-header .maestro-version-verdict'
      ) as HTMLElement;

    expect(
      ['3', '2', '1'].map(n => badge(n).getAttribute('data-verdict'))
    ).toEqual(['failed', 'passed', 'untested']);
    expect(['3', '2', '1'].map(n => badge(n).textContent)).toEqual([
      'tests failed',
      'tests passed',
      'untested'
    ]);
    const local = new Date(ranAt).toLocaleString();
    expect(badge('3').getAttribute('title')).toBe(
      `Tests failed on ${local}: open the test report`
    );
    expect(badge('2').getAttribute('title')).toBe(
      `Tests passed on ${local}: open the test report`
    );

    // A verdict opens the report; "untested" is not a button.
    expect(badge('3').tagName).toBe('BUTTON');
    expect(badge('1').tagName).toBe('SPAN');
    expect(
      within(item(container, '1')).queryByRole('button', {
        name: 'Open the test report of version 1'
      })
    ).toBeNull();
    fireEvent.click(
      within(item(container, '3')).getByRole('button', {
        name: 'Open the test report of version 3'
      })
    );
    expect(actions.openTests).toHaveBeenCalledWith({
      name: 'iris',
      version: '3'
    });
    fireEvent.click(
      within(item(container, '2')).getByRole('button', {
        name: 'Open the test report of version 2'
      })
    );
    expect(actions.openTests).toHaveBeenLastCalledWith({
      name: 'iris',
      version: '2'
    });

    // The "Test report" action, on every version (tested or not).
    const action = within(item(container, '1')).getByRole('button', {
      name: 'Test report of iris version 1'
    });
    expect(action.classList.contains('maestro-version-tests')).toBe(true);
    expect(action.textContent).toBe('Test report');
    fireEvent.click(action);
    expect(actions.openTests).toHaveBeenLastCalledWith({
      name: 'iris',
      version: '1'
    });
    expect(actions.openTests).toHaveBeenCalledTimes(3);
    expect(actions.openCard).not.toHaveBeenCalled();
  });

  it('overrides a refused promotion from the alias form', async () => {
    const { container, actions } = renderList();
    await screen.findByText('v1');
    mocked.setAlias.mockRejectedValueOnce(
      new MaestroAPIError(
        409,
        'GATE_REFUSED',
        "Version 1 of 'iris' cannot take alias 'champion': its tests failed (accuracy).",
        { failed_checks: ['accuracy'] }
      )
    );
    mocked.setAlias.mockResolvedValueOnce(version('1', ['champion']));
    mocked.getModel.mockResolvedValue(
      detail([version('2'), version('1', ['champion'], null)])
    );

    const v1 = item(container, '1');
    fireEvent.click(within(v1).getByRole('button', { name: 'Set alias' }));
    const input = within(v1).getByRole('textbox', { name: 'Alias name' });
    fireEvent.change(input, { target: { value: 'champion' } });
    fireEvent.submit(input.closest('form') as HTMLFormElement);
    // champion names version 2: setting it on version 1 moves it.
    await answerDialog('Move alias');
    expect((await within(v1).findByRole('alert')).textContent).toContain(
      'its tests failed (accuracy)'
    );
    expect(mocked.setAlias).toHaveBeenLastCalledWith('iris', 'champion', '1');
    expect(
      [...v1.querySelectorAll('.maestro-gate-failed-checks li')].map(
        li => li.textContent
      )
    ).toEqual(['accuracy']);

    // The refusal links to the version's test report.
    fireEvent.click(
      within(v1).getByRole('button', { name: 'Open test report' })
    );
    expect(actions.openTests).toHaveBeenCalledWith({
      name: 'iris',
      version: '1'
    });

    fireEvent.change(
      within(v1).getByRole('textbox', { name: 'Reason for the override' }),
      { target: { value: 'hotfix approved by Ana' } }
    );
    fireEvent.click(
      within(v1).getByRole('button', { name: 'Override and set alias' })
    );
    // The override asks first (JupyterLab's dialog), naming the failed check.
    await waitForDialog();
    expect(dialogText().body).toContain('failed the check accuracy');
    expect(mocked.setAlias).toHaveBeenCalledTimes(1);
    await answerDialog('Override and set alias');
    await waitFor(() =>
      expect(
        item(container, '1').querySelector('[data-alias="champion"]')
      ).not.toBeNull()
    );
    expect(mocked.setAlias).toHaveBeenLastCalledWith(
      'iris',
      'champion',
      '1',
      'hotfix approved by Ana'
    );
    // Like a normal save: the form closed and the versions reloaded.
    expect(within(item(container, '1')).queryByRole('textbox')).toBeNull();
    expect(mocked.getModel).toHaveBeenCalledTimes(2);
  });
});
