import { fireEvent, render, screen, within } from '@testing-library/react';
import axe from 'axe-core';
import React from 'react';

import { IMaestroActions, MaestroActionsProvider } from '../actions';
import * as api from '../api';
import { ModelSummary } from '../api';
import { emptyMessage, ModelsTab } from '../models/ModelsTab';
import { MODEL_SORT_STORAGE_KEY } from '../models/sort';
import { settle } from './helpers/async';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  listModels: jest.fn(),
  getModel: jest.fn(),
  compareVersions: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

function model(
  name: string,
  aliases: { [alias: string]: string } = {}
): ModelSummary {
  return {
    name,
    description: `The ${name} model`,
    tags: { task: 'classification' },
    aliases,
    latest_version: '3',
    creation_timestamp: 1,
    last_updated_timestamp: 1
  };
}

/** Actions that record their calls (what `MaestroPanel` provides in the sidebar). */
function mockActions(): jest.Mocked<IMaestroActions> {
  return {
    openRun: jest.fn(),
    openCard: jest.fn(),
    openTests: jest.fn(),
    compareVersions: jest.fn()
  } as unknown as jest.Mocked<IMaestroActions>;
}

function renderTab(
  overrides: Partial<React.ComponentProps<typeof ModelsTab>> = {}
) {
  const props = {
    pageSize: 50,
    refreshInterval: 0,
    mlflowUiUrl: '',
    active: true,
    ...overrides
  };
  const actions = mockActions();
  const tree = (tabProps: typeof props) => (
    <MaestroActionsProvider actions={actions}>
      <ModelsTab {...tabProps} />
    </MaestroActionsProvider>
  );
  const result = render(tree(props));
  return {
    ...result,
    props,
    actions,
    rerenderTab: (next: typeof props) => result.rerender(tree(next))
  };
}

beforeEach(() => {
  jest.resetAllMocks();
  jest.useFakeTimers();
  window.sessionStorage.clear();
  mocked.listModels.mockResolvedValue({
    models: [model('iris', { champion: '3' }), model('wine')],
    next_page_token: null
  });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('ModelsTab', () => {
  it('lists the models with their alias chips', async () => {
    const { container } = renderTab();
    await settle();
    const items = container.querySelectorAll('li.maestro-model-item');
    expect([...items].map(li => li.getAttribute('data-model-name'))).toEqual([
      'iris',
      'wine'
    ]);
    expect(
      container.querySelector('[data-model-name="iris"] .maestro-alias')
        ?.textContent
    ).toBe('champion → v3');
    expect(mocked.listModels).toHaveBeenCalledTimes(1);
    expect(mocked.listModels.mock.calls[0][0]).toMatchObject({
      search: '',
      tags: [],
      maxResults: 50
    });
  });

  it('applies tag filters as chips and removes them', async () => {
    const { container } = renderTab();
    await settle();
    const input = screen.getByRole('textbox', { name: 'Filter by tag' });

    fireEvent.change(input, { target: { value: 'no-equal-sign' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByRole('alert').textContent).toMatch(/key=value/);
    expect(mocked.listModels).toHaveBeenCalledTimes(1);

    fireEvent.change(input, { target: { value: 'task=classification' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await settle();
    expect(mocked.listModels).toHaveBeenCalledTimes(2);
    expect(mocked.listModels.mock.calls[1][0]?.tags).toEqual([
      { key: 'task', value: 'classification' }
    ]);
    const chip = container.querySelector(
      '.maestro-tag-chip[data-tag="task=classification"]'
    ) as HTMLElement;
    expect(chip).not.toBeNull();

    fireEvent.click(
      within(chip).getByRole('button', {
        name: 'Remove tag filter task=classification'
      })
    );
    await settle();
    expect(mocked.listModels).toHaveBeenCalledTimes(3);
    expect(mocked.listModels.mock.calls[2][0]?.tags).toEqual([]);
    expect(container.querySelector('.maestro-tag-chip')).toBeNull();
  });

  it('expands a model to its versions and opens the comparison', async () => {
    mocked.getModel.mockResolvedValue({
      ...model('iris', { champion: '3' }),
      versions: []
    });
    mocked.compareVersions.mockResolvedValue({
      name: 'iris',
      metrics: [],
      available_metrics: [],
      versions: []
    });
    const { container, actions } = renderTab();
    await settle();
    const iris = container.querySelector(
      'li.maestro-model-item[data-model-name="iris"]'
    ) as HTMLElement;
    const toggle = iris.querySelector('.maestro-model-toggle') as HTMLElement;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    await settle();
    expect(mocked.getModel).toHaveBeenCalledTimes(1);
    expect(mocked.compareVersions).toHaveBeenCalledTimes(1);
    expect(within(iris).getByText('No versions registered.')).toBeTruthy();

    fireEvent.click(
      within(iris).getByRole('button', { name: 'Compare versions of iris' })
    );
    expect(actions.compareVersions).toHaveBeenCalledWith('iris');

    fireEvent.click(toggle);
    expect(iris.querySelector('.maestro-versions')).toBeNull();
  });

  it("opens a version's model card from the expanded model", async () => {
    mocked.getModel.mockResolvedValue({
      ...model('iris', { champion: '3' }),
      versions: [
        {
          name: 'iris',
          version: '3',
          aliases: ['champion'],
          status: 'READY',
          status_message: null,
          description: '',
          creation_timestamp: 1,
          last_updated_timestamp: 1,
          run_id: null,
          source: '',
          tags: {}
        }
      ]
    });
    mocked.compareVersions.mockResolvedValue({
      name: 'iris',
      metrics: [],
      available_metrics: [],
      versions: []
    });
    const { container, actions } = renderTab();
    await settle();
    const iris = container.querySelector(
      'li.maestro-model-item[data-model-name="iris"]'
    ) as HTMLElement;
    fireEvent.click(iris.querySelector('.maestro-model-toggle') as HTMLElement);
    await settle();
    fireEvent.click(
      within(iris).getByRole('button', { name: 'Model card of iris version 3' })
    );
    expect(actions.openCard).toHaveBeenCalledWith({
      name: 'iris',
      version: '3'
    });
    expect(actions.openRun).not.toHaveBeenCalled();
  });

  it('expands a model by clicking its name, or with Enter or Space on the item', async () => {
    mocked.getModel.mockResolvedValue({ ...model('iris'), versions: [] });
    mocked.compareVersions.mockResolvedValue({
      name: 'iris',
      metrics: [],
      available_metrics: [],
      versions: []
    });
    const { container } = renderTab();
    await settle();
    const iris = container.querySelector(
      'li.maestro-model-item[data-model-name="iris"]'
    ) as HTMLElement;
    // The name is inside the button that expands the model.
    const button = within(iris).getByRole('button', {
      name: 'Versions of iris'
    });
    const name = iris.querySelector('.maestro-model-name') as HTMLElement;
    expect(name.textContent).toBe('iris');
    expect(button.contains(name)).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('false');

    fireEvent.click(name);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(button.getAttribute('aria-controls')).toBe(
      iris.querySelector('.maestro-versions')?.id
    );
    await settle();
    expect(mocked.getModel).toHaveBeenCalledWith('iris', expect.anything());

    // Enter and Space on the focused item collapse and expand it.
    iris.focus();
    fireEvent.keyDown(iris, { key: 'Enter' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(iris.querySelector('.maestro-versions')).toBeNull();
    fireEvent.keyDown(iris, { key: ' ' });
    expect(button.getAttribute('aria-expanded')).toBe('true');
    await settle();
    // Keys typed inside the item (e.g. in an alias form) do not toggle it.
    fireEvent.keyDown(button, { key: 'Enter' });
    expect(button.getAttribute('aria-expanded')).toBe('true');
  });

  it('sorts by last updated (newest first) by default, or by name, remembered for the session', async () => {
    const { unmount } = renderTab();
    await settle();
    expect(mocked.listModels.mock.calls[0][0]?.orderBy).toBe(
      'last_updated_timestamp DESC'
    );
    const select = screen.getByRole('combobox', {
      name: 'Sort by'
    }) as HTMLSelectElement;
    expect(select.value).toBe('updated');
    expect([...select.options].map(option => option.text)).toEqual([
      'Last updated',
      'Name',
      'Best metric'
    ]);

    fireEvent.change(select, { target: { value: 'name' } });
    await settle();
    expect(mocked.listModels).toHaveBeenCalledTimes(2);
    expect(mocked.listModels.mock.calls[1][0]?.orderBy).toBe('name ASC');
    unmount();

    // A new tab (e.g. after switching tabs) starts with the same order.
    renderTab();
    await settle();
    expect(mocked.listModels.mock.calls[2][0]?.orderBy).toBe('name ASC');
    expect(
      (screen.getByRole('combobox', { name: 'Sort by' }) as HTMLSelectElement)
        .value
    ).toBe('name');
    expect(
      JSON.parse(window.sessionStorage.getItem(MODEL_SORT_STORAGE_KEY) ?? '')
    ).toMatchObject({ key: 'name' });
  });

  it('sorts by the best value of a chosen metric among the versions', async () => {
    const summary = (name: string, updated: number): ModelSummary => ({
      ...model(name),
      last_updated_timestamp: updated
    });
    mocked.listModels.mockResolvedValue({
      models: [summary('a', 3), summary('b', 2), summary('c', 1)],
      next_page_token: null
    });
    const versions = (
      rows: Array<{ [metric: string]: number | null }>
    ): api.VersionComparison['versions'] =>
      rows.map((metrics, index) => ({
        version: String(index + 1),
        aliases: [],
        creation_timestamp: 0,
        run_id: null,
        features: null,
        metrics
      }));
    const comparisons: { [name: string]: api.VersionComparison } = {
      a: {
        name: 'a',
        metrics: ['accuracy', 'loss'],
        available_metrics: ['accuracy', 'loss'],
        versions: versions([
          { accuracy: 0.9, loss: 0.3 },
          { accuracy: 0.91, loss: 0.2 }
        ])
      },
      b: {
        name: 'b',
        metrics: ['accuracy', 'loss'],
        available_metrics: ['accuracy', 'loss'],
        versions: versions([
          { accuracy: 0.958, loss: 0.25 },
          { accuracy: null, loss: 0.4 }
        ])
      },
      c: { name: 'c', metrics: [], available_metrics: [], versions: [] }
    };
    mocked.compareVersions.mockImplementation(async name => comparisons[name]);
    const { container } = renderTab();
    await settle();
    const order = (): string[] =>
      [...container.querySelectorAll('li.maestro-model-item')].map(
        li => li.getAttribute('data-model-name') ?? ''
      );
    const best = (name: string): string | null | undefined =>
      container.querySelector(
        `[data-model-name="${name}"] .maestro-model-best-value`
      )?.textContent;
    expect(order()).toEqual(['a', 'b', 'c']);
    // No metric requests until a metric sort needs them.
    expect(mocked.compareVersions).not.toHaveBeenCalled();

    fireEvent.change(screen.getByRole('combobox', { name: 'Sort by' }), {
      target: { value: 'metric' }
    });
    await settle();
    // One comparison per loaded model; the models list is not reloaded.
    expect(
      mocked.compareVersions.mock.calls.map(call => call[0]).sort()
    ).toEqual(['a', 'b', 'c']);
    expect(mocked.listModels).toHaveBeenCalledTimes(1);
    const metric = screen.getByRole('combobox', {
      name: 'Metric to sort by'
    }) as HTMLSelectElement;
    expect(metric.value).toBe('accuracy');
    expect([...metric.options].map(option => option.value)).toEqual([
      'accuracy',
      'loss'
    ]);
    // Highest accuracy first; a model without the metric last.
    expect(order()).toEqual(['b', 'a', 'c']);
    expect([best('b'), best('a'), best('c')]).toEqual([
      '0.9580',
      '0.9100',
      '—'
    ]);
    expect(screen.getByText(/for the 3 models loaded/)).toBeTruthy();

    // A loss: the lowest first.
    fireEvent.change(metric, { target: { value: 'loss' } });
    await settle();
    expect(order()).toEqual(['a', 'b', 'c']);
    expect([best('a'), best('b')]).toEqual(['0.2000', '0.2500']);
    expect(mocked.compareVersions).toHaveBeenCalledTimes(3);
    expect(
      JSON.parse(window.sessionStorage.getItem(MODEL_SORT_STORAGE_KEY) ?? '')
    ).toEqual({ key: 'metric', metric: 'loss' });
  });

  it('has no serious or critical axe-core violations, expanded and sorted by a metric', async () => {
    jest.useRealTimers();
    mocked.getModel.mockResolvedValue({
      ...model('iris', { champion: '3' }),
      versions: [
        {
          name: 'iris',
          version: '3',
          aliases: ['champion'],
          status: 'READY',
          status_message: null,
          description: '',
          creation_timestamp: 1,
          last_updated_timestamp: 1,
          run_id: 'run-3',
          source: '',
          tags: {}
        }
      ]
    });
    mocked.compareVersions.mockResolvedValue({
      name: 'iris',
      metrics: ['accuracy'],
      available_metrics: ['accuracy'],
      versions: [
        {
          version: '3',
          aliases: ['champion'],
          creation_timestamp: 1,
          run_id: 'run-3',
          features: null,
          metrics: { accuracy: 0.958 }
        }
      ]
    });
    const { container } = renderTab();
    await screen.findByText('wine');
    fireEvent.change(screen.getByRole('combobox', { name: 'Sort by' }), {
      target: { value: 'metric' }
    });
    await screen.findByRole('combobox', { name: 'Metric to sort by' });
    fireEvent.click(screen.getByRole('button', { name: 'Versions of iris' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Set alias' }));

    const results = await axe.run(container, {
      // jsdom lays nothing out: contrast is checked in the browser (Playwright).
      rules: { 'color-contrast': { enabled: false } }
    });
    const serious = results.violations
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(v => `${v.id}: ${v.nodes.map(n => n.html).join(' | ')}`);
    expect(serious).toEqual([]);
  });

  it('auto-refreshes while active', async () => {
    const { rerenderTab, props } = renderTab({ refreshInterval: 10 });
    await settle();
    expect(mocked.listModels).toHaveBeenCalledTimes(1);
    await settle(10_000);
    expect(mocked.listModels).toHaveBeenCalledTimes(2);
    rerenderTab({ ...props, active: false });
    await settle(30_000);
    expect(mocked.listModels).toHaveBeenCalledTimes(2);
  });

  it('shows the server message of an error', async () => {
    mocked.listModels.mockRejectedValue(
      new api.MaestroAPIError(400, 'INVALID_PARAMETER', 'Bad search')
    );
    renderTab();
    await settle();
    const alert = screen.getByRole('alert');
    expect(alert.className).toBe('maestro-error');
    expect(alert.textContent).toContain('Bad search');
  });

  it('describes an empty result', () => {
    expect(emptyMessage('x', [])).toBe('No models match “x”.');
    expect(emptyMessage('', [])).toBe('No models match.');
    expect(emptyMessage('', [{ key: 'a', value: 'b' }])).toBe(
      'No models with tag a=b.'
    );
  });
});
