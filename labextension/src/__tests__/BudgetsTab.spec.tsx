import { act, fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';

import { AlertList, BudgetList, CostSummary, MaestroAPIError } from '../api';
import * as api from '../api/request';
import { BudgetsTab } from '../budgets/BudgetsTab';
import { confirmAction } from '../components/confirm';
import { DEFAULT_OPTIONS } from '../model';
import { alert, budget, costGroup, costSummary, NOW } from './budgets-fixtures';
import { settle } from './helpers/async';

// The resource modules call `requestAPI` of `api/request`: the fake server sits there.
jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

jest.mock('../components/confirm', () => ({ confirmAction: jest.fn() }));

const mockedApi = api as jest.Mocked<typeof api>;
const confirm = confirmAction as jest.MockedFunction<typeof confirmAction>;

const churn = budget();
const bob = budget({
  scope: 'user',
  subject: 'bob',
  period: 'weekly',
  amount: 100,
  spent: 85,
  hard_limit: true,
  thresholds: [100, 80, 50]
});
const big = budget({
  subject: 'big',
  amount: 10,
  spent: 13,
  thresholds: [75, 100],
  webhook: 'https://hooks.example.org/big'
});

/** What the fake server answers. */
let budgets: BudgetList;
let costs: CostSummary;
let alerts: AlertList;
/** Answers of the PUT and DELETE requests (an Error is thrown). */
let writeResult: unknown;

/**
 * The fake Maestro server behind `requestAPI`.
 */
async function server(endpoint = '', init: RequestInit = {}): Promise<unknown> {
  const method = init.method ?? 'GET';
  if (method !== 'GET') {
    if (writeResult instanceof Error) {
      throw writeResult;
    }
    return writeResult;
  }
  if (endpoint === 'budgets') {
    return budgets;
  }
  if (endpoint.startsWith('costs')) {
    return costs;
  }
  if (endpoint.startsWith('alerts')) {
    return alerts;
  }
  throw new Error(`Unexpected request ${method} ${endpoint}`);
}

/** The requests made, as `METHOD endpoint`. */
function requests(method?: string): string[] {
  return mockedApi.requestAPI.mock.calls
    .map(([endpoint, init]) => `${init?.method ?? 'GET'} ${endpoint}`)
    .filter(text => method === undefined || text.startsWith(`${method} `));
}

function renderTab(
  overrides: Partial<React.ComponentProps<typeof BudgetsTab>> = {}
) {
  const props = { refreshInterval: 0, active: true, ...overrides };
  return { ...render(<BudgetsTab {...props} />), props };
}

function row(container: HTMLElement, id: string): HTMLElement {
  const element = container.querySelector<HTMLElement>(
    `li.maestro-budget[data-budget-id="${id}"]`
  );
  if (!element) {
    throw new Error(`No budget row ${id}`);
  }
  return element;
}

function form(container: HTMLElement): HTMLFormElement {
  const element = container.querySelector<HTMLFormElement>(
    'form.maestro-budget-form'
  );
  if (!element) {
    throw new Error('No budget form');
  }
  return element;
}

function field<T extends HTMLElement>(parent: HTMLElement, name: string): T {
  const element = parent.querySelector<T>(`.maestro-budget-form-${name}`);
  if (!element) {
    throw new Error(`No field ${name}`);
  }
  return element;
}

beforeEach(() => {
  jest.resetAllMocks();
  jest.useFakeTimers();
  jest.setSystemTime(NOW * 1000);
  budgets = { budgets: [churn, bob, big], can_edit: true };
  costs = costSummary([
    costGroup('churn', 10),
    costGroup('iris', 2.5),
    costGroup('tiny', 0.001)
  ]);
  alerts = {
    alerts: [
      alert({ id: 3, threshold: 50, created_at: NOW - 7200 }),
      alert({
        id: 9,
        threshold: 100,
        created_at: NOW - 60,
        message: 'project big has spent $13.00 of its $10.00 monthly budget',
        delivery: 'failed: HTTP 500'
      }),
      alert()
    ]
  };
  writeResult = null;
  mockedApi.requestAPI.mockImplementation(server as typeof api.requestAPI);
  confirm.mockResolvedValue(true);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('BudgetsTab: budgets', () => {
  it('shows each budget with its use, bar, ticks and badge', async () => {
    const { container } = renderTab();
    await settle();
    expect(requests()).toEqual(
      expect.arrayContaining([
        'GET budgets',
        'GET costs?by=project&window=30d',
        'GET alerts?limit=20'
      ])
    );
    const ids = [...container.querySelectorAll('li.maestro-budget')].map(li =>
      li.getAttribute('data-budget-id')
    );
    expect(ids).toEqual(['project:churn', 'user:bob', 'project:big']);
    expect(container.querySelector('.maestro-budget-count')?.textContent).toBe(
      '3 budgets'
    );

    const first = row(container, 'project:churn');
    expect(first.querySelector('.maestro-budget-scope')?.textContent).toBe(
      'project'
    );
    expect(first.querySelector('.maestro-budget-subject')?.textContent).toBe(
      'churn'
    );
    expect(first.querySelector('.maestro-budget-usage')?.textContent).toBe(
      '$123.40 of $500.00 this month'
    );
    expect(first.querySelector('.maestro-budget-hard-limit')).toBeNull();
    const bar = first.querySelector('.maestro-budget-bar') as HTMLElement;
    expect(bar.getAttribute('role')).toBe('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(bar.getAttribute('aria-valuetext')).toBe(
      '25% used: $123.40 of $500.00 this month'
    );
    const fill = bar.querySelector('.maestro-budget-fill') as HTMLElement;
    expect(fill.style.width).toBe('24.68%');
    expect(fill.classList.contains('maestro-budget-ok')).toBe(true);
    const ticks = [
      ...bar.querySelectorAll<HTMLElement>('.maestro-budget-tick')
    ];
    expect(ticks.map(tick => tick.getAttribute('data-threshold'))).toEqual([
      '50',
      '80'
    ]);
    expect(ticks.map(tick => tick.style.left)).toEqual(['50%', '80%']);
    expect(first.getAttribute('data-state')).toBe('ok');

    const second = row(container, 'user:bob');
    expect(second.querySelector('.maestro-budget-usage')?.textContent).toBe(
      '$85.00 of $100.00 this week'
    );
    expect(
      second.querySelector('.maestro-budget-hard-limit')?.textContent
    ).toBe('hard limit');
    const warn = second.querySelector('.maestro-budget-fill') as HTMLElement;
    expect(warn.style.width).toBe('85%');
    expect(warn.className).toBe('maestro-budget-fill maestro-budget-warn');

    const third = row(container, 'project:big');
    const over = third.querySelector('.maestro-budget-fill') as HTMLElement;
    expect(over.style.width).toBe('100%');
    expect(over.className).toBe('maestro-budget-fill maestro-budget-over');
    expect(
      third.querySelector('.maestro-budget-bar')?.getAttribute('aria-valuenow')
    ).toBe('100');
    expect(third.querySelector('.maestro-budget-pct')?.textContent).toBe(
      '130%'
    );
    expect(third.querySelector('.maestro-budget-remaining')?.textContent).toBe(
      '$3.00 over'
    );
    expect(
      [...third.querySelectorAll('.maestro-budget-tick')].map(tick =>
        tick.getAttribute('data-threshold')
      )
    ).toEqual(['75']);
  });

  it('hides the form and the buttons without can_edit', async () => {
    budgets = { budgets: [churn], can_edit: false };
    const { container } = renderTab();
    await settle();
    expect(container.querySelector('li.maestro-budget')).not.toBeNull();
    expect(container.querySelector('form.maestro-budget-form')).toBeNull();
    expect(container.querySelector('.maestro-budget-edit')).toBeNull();
    expect(container.querySelector('.maestro-budget-delete')).toBeNull();
  });

  it('shows the empty state', async () => {
    budgets = { budgets: [], can_edit: false };
    const { container } = renderTab();
    await settle();
    const part = container.querySelector(
      '.maestro-budgets-list-part'
    ) as HTMLElement;
    expect(within(part).getByRole('status').textContent).toMatch(
      /^No budgets\./
    );
  });

  it('sets a budget with PUT, then refreshes and empties the form', async () => {
    const { container } = renderTab();
    await settle();
    const element = form(container);
    expect(field<HTMLInputElement>(element, 'thresholds').value).toBe(
      '50,80,100'
    );
    fireEvent.change(field(element, 'scope'), { target: { value: 'user' } });
    fireEvent.change(field(element, 'subject'), {
      target: { value: 'bob smith' }
    });
    fireEvent.change(field(element, 'amount'), { target: { value: '250' } });
    fireEvent.change(field(element, 'period'), { target: { value: 'weekly' } });
    fireEvent.click(field(element, 'hard-limit'));
    fireEvent.change(field(element, 'thresholds'), {
      target: { value: '90, 50' }
    });
    writeResult = budget({ scope: 'user', subject: 'bob smith' });
    fireEvent.submit(element);
    await settle();

    const put = mockedApi.requestAPI.mock.calls.find(
      ([, init]) => init?.method === 'PUT'
    );
    expect(put?.[0]).toBe('budgets/user/bob%20smith');
    expect(JSON.parse(String(put?.[1]?.body))).toEqual({
      amount: 250,
      period: 'weekly',
      thresholds: [50, 90],
      hard_limit: true
    });
    expect(requests('GET').filter(text => text === 'GET budgets')).toHaveLength(
      2
    );
    // A save may cross thresholds: the alerts are read again at once.
    expect(
      requests('GET').filter(text => text.startsWith('GET alerts'))
    ).toHaveLength(2);
    expect(field<HTMLInputElement>(element, 'subject').value).toBe('');
    expect(field<HTMLInputElement>(element, 'amount').value).toBe('');
  });

  it('checks the form before sending it', async () => {
    const { container } = renderTab();
    await settle();
    const element = form(container);
    fireEvent.change(field(element, 'subject'), { target: { value: 'x' } });
    fireEvent.change(field(element, 'amount'), { target: { value: '10' } });
    fireEvent.change(field(element, 'thresholds'), {
      target: { value: '50,2000' }
    });
    fireEvent.submit(element);
    await settle();
    expect(requests('PUT')).toEqual([]);
    expect(within(element).getByRole('alert').textContent).toMatch(
      /^Invalid threshold "2000"/
    );
  });

  it("shows the server's message when the PUT is refused", async () => {
    writeResult = new MaestroAPIError(
      403,
      'PERMISSION_DENIED',
      'Only an admin can set budgets'
    );
    const { container } = renderTab();
    await settle();
    const element = form(container);
    fireEvent.change(field(element, 'subject'), { target: { value: 'churn' } });
    fireEvent.change(field(element, 'amount'), { target: { value: '10' } });
    fireEvent.submit(element);
    await settle();
    expect(requests('PUT')).toEqual(['PUT budgets/project/churn']);
    expect(within(element).getByRole('alert').textContent).toBe(
      'Only an admin can set budgets'
    );
    // The values are kept for another try.
    expect(field<HTMLInputElement>(element, 'amount').value).toBe('10');
  });

  it('edits a budget: the form is filled and keeps the webhook', async () => {
    const { container } = renderTab();
    await settle();
    fireEvent.click(
      row(container, 'project:big').querySelector(
        '.maestro-budget-edit'
      ) as HTMLElement
    );
    const element = form(container);
    expect(element.getAttribute('aria-label')).toBe('Edit budget project:big');
    expect(field<HTMLSelectElement>(element, 'scope').value).toBe('project');
    expect(field<HTMLInputElement>(element, 'subject').value).toBe('big');
    expect(field<HTMLInputElement>(element, 'amount').value).toBe('10');
    expect(field<HTMLInputElement>(element, 'thresholds').value).toBe('75,100');
    expect(document.activeElement).toBe(field(element, 'amount'));
    fireEvent.change(field(element, 'amount'), { target: { value: '20' } });
    fireEvent.submit(element);
    await settle();
    const put = mockedApi.requestAPI.mock.calls.find(
      ([, init]) => init?.method === 'PUT'
    );
    expect(put?.[0]).toBe('budgets/project/big');
    expect(JSON.parse(String(put?.[1]?.body))).toEqual({
      amount: 20,
      period: 'monthly',
      thresholds: [75, 100],
      hard_limit: false,
      webhook: 'https://hooks.example.org/big'
    });
  });

  it('cancels an edit', async () => {
    const { container } = renderTab();
    await settle();
    fireEvent.click(
      row(container, 'user:bob').querySelector(
        '.maestro-budget-edit'
      ) as HTMLElement
    );
    const element = form(container);
    expect(field<HTMLInputElement>(element, 'hard-limit').checked).toBe(true);
    fireEvent.click(field(element, 'cancel'));
    expect(element.getAttribute('aria-label')).toBe('Set a budget');
    expect(field<HTMLInputElement>(element, 'subject').value).toBe('');
    expect(element.querySelector('.maestro-budget-form-cancel')).toBeNull();
  });

  it('deletes a budget, then refreshes', async () => {
    const { container } = renderTab();
    await settle();
    budgets = { budgets: [bob, big], can_edit: true };
    const remove = row(container, 'project:churn').querySelector(
      '.maestro-budget-delete'
    ) as HTMLButtonElement;
    expect(remove.textContent).toBe('Delete');
    fireEvent.click(remove);
    await act(async () => {
      await Promise.resolve();
    });
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(remove.disabled).toBe(true);
    await settle();
    expect(requests('DELETE')).toEqual(['DELETE budgets/project/churn']);
    expect(
      requests('GET').filter(text => text.startsWith('GET alerts'))
    ).toHaveLength(2);
    expect(
      container.querySelector('[data-budget-id="project:churn"]')
    ).toBeNull();
    expect(container.querySelectorAll('li.maestro-budget')).toHaveLength(2);
  });

  it('asks before deleting a budget; Cancel sends nothing', async () => {
    confirm.mockResolvedValue(false);
    const { container } = renderTab();
    await settle();
    const item = row(container, 'user:bob');
    fireEvent.click(
      item.querySelector('.maestro-budget-delete') as HTMLElement
    );
    await settle();
    expect(confirm).toHaveBeenCalledTimes(1);
    const asked = confirm.mock.calls[0][0];
    expect(asked.title).toBe('Delete the budget of user bob?');
    expect(asked.accept).toBe('Delete budget');
    expect(asked.body).toContain('$100.00');
    expect(asked.body).toContain('no hard limit refusing jobs and deployments');
    expect(requests('DELETE')).toEqual([]);
    expect(row(container, 'user:bob')).toBeTruthy();
  });

  it("shows the server's message when a delete is refused", async () => {
    writeResult = new MaestroAPIError(
      403,
      'PERMISSION_DENIED',
      'Only an admin can delete budgets'
    );
    const { container } = renderTab();
    await settle();
    const item = row(container, 'user:bob');
    fireEvent.click(
      item.querySelector('.maestro-budget-delete') as HTMLElement
    );
    await settle();
    expect(requests('DELETE')).toEqual(['DELETE budgets/user/bob']);
    expect(within(item).getByRole('alert').textContent).toBe(
      'Only an admin can delete budgets'
    );
  });

  it('shows a load error with a Retry button', async () => {
    mockedApi.requestAPI.mockImplementation((async (
      endpoint: string,
      init?: RequestInit
    ) => {
      if (endpoint === 'budgets') {
        throw new MaestroAPIError(500, 'INTERNAL', 'Budgets are unavailable');
      }
      return server(endpoint, init);
    }) as typeof api.requestAPI);
    const { container } = renderTab();
    await settle();
    const part = container.querySelector(
      '.maestro-budgets-list-part'
    ) as HTMLElement;
    expect(
      within(part).getByRole('alert').querySelector('.maestro-error-message')
        ?.textContent
    ).toBe('Budgets are unavailable');
    mockedApi.requestAPI.mockImplementation(server as typeof api.requestAPI);
    budgets = { budgets: [churn], can_edit: false };
    fireEvent.click(within(part).getByRole('button', { name: 'Retry' }));
    await settle();
    expect(within(part).queryByRole('alert')).toBeNull();
    expect(part.querySelectorAll('li.maestro-budget')).toHaveLength(1);
  });
});

describe('BudgetsTab: spend', () => {
  it('shows the breakdown with relative bars and the total', async () => {
    const { container } = renderTab();
    await settle();
    const rows = [
      ...container.querySelectorAll<HTMLElement>('li.maestro-cost-row')
    ];
    expect(rows.map(li => li.getAttribute('data-key'))).toEqual([
      'churn',
      'iris',
      'tiny'
    ]);
    expect(
      rows.map(li => li.querySelector('.maestro-cost-amount')?.textContent)
    ).toEqual(['$10.00', '$2.50', '<$0.01']);
    expect(
      rows.map(
        li =>
          (li.querySelector('.maestro-cost-fill') as HTMLElement).style.width
      )
    ).toEqual(['100%', '25%', '0.01%']);
    expect(container.querySelector('.maestro-cost-total')?.textContent).toBe(
      'Total $12.50 in the last 30 days'
    );
  });

  it('changes the request with the grouping and the window', async () => {
    const { container } = renderTab();
    await settle();
    costs = costSummary([costGroup('churn', 4), costGroup('', 1)], {
      by: 'model'
    });
    fireEvent.change(
      container.querySelector('select.maestro-cost-by') as HTMLElement,
      { target: { value: 'model' } }
    );
    await settle();
    expect(
      requests('GET').filter(text => text.startsWith('GET costs'))
    ).toEqual([
      'GET costs?by=project&window=30d',
      'GET costs?by=model&window=30d'
    ]);
    const empty = container.querySelector(
      'li.maestro-cost-row[data-key=""]'
    ) as HTMLElement;
    expect(empty.querySelector('.maestro-cost-key')?.textContent).toBe(
      '(no model)'
    );

    costs = costSummary([costGroup('churn', 1)], { by: 'model', window: '7d' });
    fireEvent.change(
      container.querySelector('select.maestro-cost-window') as HTMLElement,
      { target: { value: '7d' } }
    );
    await settle();
    expect(
      requests('GET').filter(text => text.startsWith('GET costs'))
    ).toEqual([
      'GET costs?by=project&window=30d',
      'GET costs?by=model&window=30d',
      'GET costs?by=model&window=7d'
    ]);
    expect(container.querySelector('.maestro-cost-total')?.textContent).toBe(
      'Total $1.00 in the last 7 days'
    );
  });

  it('shows the empty state', async () => {
    costs = costSummary([]);
    const { container } = renderTab();
    await settle();
    const part = container.querySelector('.maestro-spend-part') as HTMLElement;
    expect(within(part).getByRole('status').textContent).toBe(
      'No spend recorded in the last 30 days.'
    );
    expect(part.querySelector('.maestro-cost-total')).toBeNull();
  });
});

describe('BudgetsTab: alerts', () => {
  it('lists the alerts newest first with their time and delivery', async () => {
    const { container } = renderTab();
    await settle();
    const items = [
      ...container.querySelectorAll<HTMLElement>('li.maestro-alert')
    ];
    expect(items.map(li => li.getAttribute('data-alert-id'))).toEqual([
      '9',
      '7',
      '3'
    ]);
    expect(
      items.map(li => li.querySelector('.maestro-alert-time')?.textContent)
    ).toEqual(['1 min ago', '5 min ago', '2 h ago']);
    expect(items[0].classList.contains('maestro-alert-over')).toBe(true);
    expect(items[1].classList.contains('maestro-alert-over')).toBe(false);
    expect(items[0].querySelector('.maestro-alert-message')?.textContent).toBe(
      'project big has spent $13.00 of its $10.00 monthly budget'
    );
    expect(
      items[0].querySelector('.maestro-alert-delivery-failed')?.textContent
    ).toBe('Webhook failed: HTTP 500');
    expect(items[1].querySelector('.maestro-alert-delivery-failed')).toBeNull();
  });

  it('shows the empty state', async () => {
    alerts = { alerts: [] };
    const { container } = renderTab();
    await settle();
    const part = container.querySelector('.maestro-alerts-part') as HTMLElement;
    expect(within(part).getByRole('status').textContent).toBe(
      'No budget alerts.'
    );
  });
});

describe('BudgetsTab: polling', () => {
  it('refreshes every refreshInterval seconds while active', async () => {
    const { rerender } = renderTab({ refreshInterval: 30 });
    await settle();
    expect(requests('GET')).toHaveLength(3);
    expect(screen.getAllByText('auto 30 s')).toHaveLength(3);
    await settle(30_000);
    expect(requests('GET')).toHaveLength(6);
    rerender(<BudgetsTab refreshInterval={30} active={false} />);
    await settle(60_000);
    expect(requests('GET')).toHaveLength(6);
    expect(screen.queryByText('auto 30 s')).toBeNull();
  });

  it('refreshes budgets, spend and alerts every 30 s with the default settings', async () => {
    renderTab({ refreshInterval: DEFAULT_OPTIONS.refreshInterval });
    await settle();
    expect(requests('GET')).toHaveLength(3);
    await settle(29_000);
    expect(requests('GET')).toHaveLength(3);
    await settle(1000);
    expect(requests('GET')).toHaveLength(6);
  });

  it('does not poll without a refresh interval', async () => {
    renderTab();
    await settle();
    await settle(120_000);
    expect(requests('GET')).toHaveLength(3);
  });
});
