import { fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';

import * as api from '../api';
import { ModelSummary } from '../api';
import { emptyMessage, ModelsTab } from '../components/ModelsTab';
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

function renderTab(
  overrides: Partial<React.ComponentProps<typeof ModelsTab>> = {}
) {
  const props = {
    pageSize: 50,
    refreshInterval: 0,
    mlflowUiUrl: '',
    active: true,
    onOpenRun: jest.fn(),
    onOpenCard: jest.fn(),
    onOpenTests: jest.fn(),
    onCompare: jest.fn(),
    ...overrides
  };
  return { ...render(<ModelsTab {...props} />), props };
}

beforeEach(() => {
  jest.resetAllMocks();
  jest.useFakeTimers();
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
    const { container, props } = renderTab();
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
    expect(props.onCompare).toHaveBeenCalledWith('iris');

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
    const { container, props } = renderTab();
    await settle();
    const iris = container.querySelector(
      'li.maestro-model-item[data-model-name="iris"]'
    ) as HTMLElement;
    fireEvent.click(iris.querySelector('.maestro-model-toggle') as HTMLElement);
    await settle();
    fireEvent.click(
      within(iris).getByRole('button', { name: 'Model card of iris version 3' })
    );
    expect(props.onOpenCard).toHaveBeenCalledWith({
      name: 'iris',
      version: '3'
    });
    expect(props.onOpenRun).not.toHaveBeenCalled();
  });

  it('auto-refreshes while active', async () => {
    const { rerender, props } = renderTab({ refreshInterval: 10 });
    await settle();
    expect(mocked.listModels).toHaveBeenCalledTimes(1);
    await settle(10_000);
    expect(mocked.listModels).toHaveBeenCalledTimes(2);
    rerender(<ModelsTab {...props} active={false} />);
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
