import { act, fireEvent, render, screen, within } from '@testing-library/react';
import axe from 'axe-core';
import * as fs from 'fs';
import * as path from 'path';
import React from 'react';

import { IMaestroActions, MaestroActionsProvider } from '../actions';
import {
  DataSourceInfo,
  EntityInfo,
  FeatureLineage,
  FeatureServiceInfo,
  FeatureStoreOverview,
  FeatureViewSummary,
  MaestroAPIError
} from '../api';
import * as api from '../api/request';
import { IPanelProps, sidebarTabs } from '../components/MaestroPanel';
import { FeaturesTab } from '../features/FeaturesTab';
import { formatTTL, groupRefs, viewFreshness } from '../features/helpers';
import { settle } from './helpers/async';

// The resource modules call `requestAPI` of `api/request`: the fake server sits there.
jest.mock('../api/request', () => ({
  ...jest.requireActual('../api/request'),
  requestAPI: jest.fn()
}));

const mockedApi = api as jest.Mocked<typeof api>;

/** "Now" of the tests, in epoch seconds. */
const NOW = 1_780_000_000;
const DAY = 86_400;

function view(overrides: Partial<FeatureViewSummary> = {}): FeatureViewSummary {
  return {
    name: 'customer_profile',
    kind: 'batch',
    entities: ['customer'],
    features: [
      {
        name: 'plan',
        dtype: 'String',
        description: 'Subscription plan',
        tags: {}
      },
      { name: 'tenure_months', dtype: 'Int64', description: '', tags: {} },
      {
        name: 'monthly_charges',
        dtype: 'Float64',
        description: 'Billed per month, USD',
        tags: {}
      }
    ],
    owner: 'growth@example.org',
    description: 'Slowly changing facts about a customer.\nOne row a day.',
    tags: { team: 'growth', pii: 'false' },
    ttl_seconds: 90 * DAY,
    source: 'customer_profile_source',
    sources: [],
    last_materialized: NOW - 5 * 60,
    online_rows: 1200,
    services: ['churn_v1'],
    ...overrides
  };
}

const profile = view();
const activity = view({
  name: 'customer_activity',
  features: [
    { name: 'logins_7d', dtype: 'Int64', description: '', tags: {} },
    { name: 'support_tickets_30d', dtype: 'Int64', description: '', tags: {} }
  ],
  owner: 'product@example.org',
  description: 'Usage over rolling windows.',
  tags: {},
  ttl_seconds: 2 * DAY,
  source: 'customer_activity_source',
  // Materialized 3 days ago, with a 2-day TTL: older than its TTL.
  last_materialized: NOW - 3 * DAY,
  online_rows: 200,
  services: []
});
const ratios = view({
  name: 'customer_ratios',
  kind: 'on_demand',
  entities: [],
  features: [
    {
      name: 'charges_per_tenure_month',
      dtype: 'Float64',
      description: '',
      tags: {}
    }
  ],
  owner: 'growth@example.org',
  description: 'Computed when asked for.',
  tags: { mode: 'pandas' },
  ttl_seconds: null,
  source: null,
  sources: ['customer_profile', 'customer_activity'],
  last_materialized: null,
  online_rows: null,
  services: ['churn_v1']
});

const customer: EntityInfo = {
  name: 'customer',
  join_keys: ['customer_id'],
  value_type: 'INT64',
  description: 'A paying customer',
  owner: '',
  tags: {},
  views: ['customer_profile', 'customer_activity']
};

const profileSource: DataSourceInfo = {
  name: 'customer_profile_source',
  kind: 'file',
  location: '/home/me/.maestro/feature_repo/data/profile.parquet',
  timestamp_field: 'event_timestamp',
  created_timestamp_column: 'created',
  views: ['customer_profile']
};

const churn: FeatureServiceInfo = {
  name: 'churn_v1',
  description: 'What the churn model trains on',
  owner: 'growth@example.org',
  tags: { stage: 'production' },
  features: [
    'customer_profile:plan',
    'customer_profile:tenure_months',
    'customer_ratios:charges_per_tenure_month'
  ],
  views: ['customer_profile', 'customer_ratios'],
  created_at: NOW - 2 * DAY
};

function overview(
  overrides: Partial<FeatureStoreOverview> = {}
): FeatureStoreOverview {
  return {
    project: 'maestro',
    repo: '/home/me/.maestro/feature_repo',
    registry_version: '7f3a',
    provider: 'local',
    online_store: 'sqlite',
    offline_store: 'file',
    views: 2,
    on_demand_views: 1,
    entities: 1,
    sources: 1,
    services: 1,
    last_materialized: NOW - 5 * 60,
    ...overrides
  };
}

const trained: FeatureLineage = {
  query: 'service churn_v1',
  items: [
    {
      model: 'churn-model',
      version: '3',
      run_id: 'run-3',
      service: 'churn_v1',
      views: ['customer_profile', 'customer_ratios'],
      refs: [],
      registry_version: '7f3a',
      project: 'maestro',
      trained_at: NOW - 2 * 3600
    }
  ]
};

/** What the fake server answers (an Error is thrown). */
let answers: { [endpoint: string]: unknown };

async function server(endpoint = '', init: RequestInit = {}): Promise<unknown> {
  const method = init.method ?? 'GET';
  if (method !== 'GET') {
    throw new Error(`Unexpected request ${method} ${endpoint}`);
  }
  const path = endpoint.split('?')[0];
  const answer =
    endpoint in answers
      ? answers[endpoint]
      : path === 'features/lineage'
        ? { items: [] }
        : answers[path];
  if (answer === undefined) {
    throw new Error(`Unexpected request ${method} ${endpoint}`);
  }
  if (answer instanceof Error) {
    throw answer;
  }
  return answer;
}

/** The endpoints asked for, in order. */
function requests(): string[] {
  return mockedApi.requestAPI.mock.calls.map(([endpoint]) => String(endpoint));
}

const actions: IMaestroActions = {
  openRun: jest.fn(),
  openCard: jest.fn(),
  openTests: jest.fn(),
  compareVersions: jest.fn(),
  compareRuns: jest.fn()
};

function renderTab(
  overrides: Partial<React.ComponentProps<typeof FeaturesTab>> = {}
) {
  const props = { refreshInterval: 0, active: true, ...overrides };
  const tree = (p: typeof props) => (
    <MaestroActionsProvider actions={actions}>
      <FeaturesTab {...p} />
    </MaestroActionsProvider>
  );
  const result = render(tree(props));
  return {
    ...result,
    props,
    rerenderTab: (next: typeof props) => result.rerender(tree(next))
  };
}

function item(container: HTMLElement, attribute: string, name: string) {
  const element = container.querySelector<HTMLElement>(
    `li[${attribute}="${name}"]`
  );
  if (!element) {
    throw new Error(`No item ${attribute}=${name}`);
  }
  return element;
}

function text(element: Element | null | undefined): string {
  return element?.textContent ?? '';
}

beforeEach(() => {
  jest.resetAllMocks();
  jest.useFakeTimers();
  jest.setSystemTime(NOW * 1000);
  answers = {
    'features/store': overview(),
    'features/views': { items: [profile, activity, ratios], total: 3 },
    'features/entities': { items: [customer] },
    'features/sources': { items: [profileSource] },
    'features/services': { items: [churn] }
  };
  mockedApi.requestAPI.mockImplementation(server as typeof api.requestAPI);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('FeaturesTab: browsing the store', () => {
  it('lists views, services, entities and sources with the store summary', async () => {
    const { container } = renderTab();
    expect(screen.getByRole('status').textContent).toContain(
      'Loading the feature store'
    );
    await settle();
    expect(requests()).toEqual([
      'features/store',
      'features/views',
      'features/entities',
      'features/sources',
      'features/services'
    ]);
    expect(text(container.querySelector('.maestro-feature-store-count'))).toBe(
      '3 views · 1 entity · 1 source · 1 service'
    );
    expect(text(container.querySelector('summary'))).toBe(
      'Project maestro · last materialized 5 min ago'
    );

    const groups = [
      ...container.querySelectorAll('.maestro-feature-heading')
    ].map(text);
    expect(groups).toEqual([
      'Feature views 3',
      'Feature services 1',
      'Entities 1',
      'Data sources 1'
    ]);
    const views = screen.getByRole('list', { name: 'Feature views 3' });
    expect(
      [...views.querySelectorAll('li')].map(li =>
        li.getAttribute('data-feature-view')
      )
    ).toEqual(['customer_profile', 'customer_activity', 'customer_ratios']);

    // Freshness: last materialized as a relative time, rows online.
    const first = item(container, 'data-feature-view', 'customer_profile');
    expect(text(first.querySelector('.maestro-feature-freshness'))).toBe(
      'materialized 5 min ago'
    );
    expect(text(first.querySelector('.maestro-feature-rows'))).toBe(
      '1,200 rows online'
    );
    expect(text(first.querySelector('.maestro-feature-count-features'))).toBe(
      '3 features'
    );
    expect(text(first.querySelector('.maestro-feature-entities'))).toBe(
      'by customer'
    );
    expect(first.querySelector('.maestro-feature-stale')).toBeNull();
    expect(first.querySelector('.maestro-feature-kind')).toBeNull();
    // The first line of the description only, while folded.
    expect(text(first.querySelector('.maestro-feature-description'))).toBe(
      'Slowly changing facts about a customer.'
    );

    // Older than its TTL: said so.
    const stale = item(container, 'data-feature-view', 'customer_activity');
    expect(text(stale.querySelector('.maestro-feature-freshness'))).toBe(
      'materialized 3 days ago'
    );
    expect(text(stale.querySelector('.maestro-feature-stale'))).toBe(
      'older than TTL'
    );
    expect(
      stale.querySelector('.maestro-feature-stale')?.getAttribute('title')
    ).toContain('2 days');

    // On-demand: its kind, computed on request, no rows.
    const onDemand = item(container, 'data-feature-view', 'customer_ratios');
    expect(text(onDemand.querySelector('.maestro-feature-kind'))).toBe(
      'on-demand'
    );
    expect(text(onDemand.querySelector('.maestro-feature-freshness'))).toBe(
      'on request'
    );
    expect(onDemand.querySelector('.maestro-feature-rows')).toBeNull();

    const entity = item(container, 'data-feature-entity', 'customer');
    expect(text(entity)).toContain('customer_id');
    expect(text(entity)).toContain('INT64');
    expect(text(entity)).toContain(
      'used by customer_profile, customer_activity'
    );
    const source = item(
      container,
      'data-feature-source',
      'customer_profile_source'
    );
    expect(text(source)).toContain(profileSource.location);
    expect(text(source)).toContain('event_timestamp');
    expect(text(source)).toContain('feeds customer_profile');
    const service = item(container, 'data-feature-service', 'churn_v1');
    expect(text(service.querySelector('.maestro-feature-count-features'))).toBe(
      '3 features from 2 views'
    );
  });

  it('expands a view to its schema, owner, tags, TTL and the models trained on it', async () => {
    answers['features/lineage?view=customer_profile'] = trained;
    const { container } = renderTab();
    await settle();
    const toggle = screen.getByRole('button', {
      name: 'Feature view customer_profile'
    });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    await settle();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const details = document.getElementById(
      toggle.getAttribute('aria-controls') ?? ''
    ) as HTMLElement;
    expect(details).not.toBeNull();

    const facts = Object.fromEntries(
      [...details.querySelectorAll('dt')].map(dt => [
        text(dt),
        text(dt.nextElementSibling)
      ])
    );
    expect(facts).toMatchObject({
      Owner: 'growth@example.org',
      TTL: '90 days',
      Entities: 'customer',
      Source: 'customer_profile_source',
      Online: '1,200 rows online',
      Services: 'churn_v1'
    });
    expect(facts.Materialized).toMatch(/\(5 min ago\)$/);
    expect(
      text(details.querySelector('.maestro-feature-full-description'))
    ).toBe(profile.description);
    const tags = within(details).getByRole('list', {
      name: 'Tags of customer_profile'
    });
    expect([...tags.querySelectorAll('li')].map(text)).toEqual([
      'team=growth',
      'pii=false'
    ]);

    const schema = within(details).getByRole('table', {
      name: 'Schema of customer_profile'
    });
    const rows = [...schema.querySelectorAll('tbody tr')].map(row => [
      text(row.querySelector('.maestro-feature-field')),
      text(row.querySelector('.maestro-feature-dtype'))
    ]);
    expect(rows).toEqual([
      ['plan', 'String'],
      ['tenure_months', 'Int64'],
      ['monthly_charges', 'Float64']
    ]);
    expect(text(schema)).toContain('Billed per month, USD');

    // Lineage: asked for this view, and each version opens its card or its run.
    expect(requests()).toContain('features/lineage?view=customer_profile');
    const lineage = within(details).getByRole('list', {
      name: 'Model versions trained on feature view customer_profile'
    });
    const entry = lineage.querySelector('li') as HTMLElement;
    expect(text(entry.querySelector('.maestro-feature-lineage-model'))).toBe(
      'churn-model v3'
    );
    expect(text(entry.querySelector('.maestro-feature-lineage-via'))).toBe(
      'via churn_v1'
    );
    expect(text(entry.querySelector('.maestro-feature-lineage-when'))).toBe(
      'trained 2 h ago'
    );
    fireEvent.click(
      within(entry).getByRole('button', {
        name: 'Model card of churn-model version 3'
      })
    );
    expect(actions.openCard).toHaveBeenCalledWith({
      name: 'churn-model',
      version: '3'
    });
    fireEvent.click(
      within(entry).getByRole('button', {
        name: 'Training run of churn-model version 3'
      })
    );
    expect(actions.openRun).toHaveBeenCalledWith({
      runId: 'run-3',
      name: 'churn-model',
      version: '3'
    });

    // Folding it again hides the details.
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(
      item(container, 'data-feature-view', 'customer_profile').querySelector(
        '.maestro-feature-details'
      )
    ).toBeNull();
  });

  it("shows an on-demand view's inputs instead of a source and TTL", async () => {
    renderTab();
    await settle();
    fireEvent.click(
      screen.getByRole('button', { name: 'Feature view customer_ratios' })
    );
    await settle();
    const item = document.querySelector(
      'li[data-feature-view="customer_ratios"]'
    ) as HTMLElement;
    const terms = [...item.querySelectorAll('dt')].map(text);
    expect(terms).toEqual(['Owner', 'Inputs', 'Services']);
    expect(text(item.querySelector('dt + dd.maestro-feature-code'))).toBe(
      'customer_profile, customer_activity'
    );
    expect(text(item.querySelector('.maestro-feature-lineage'))).toContain(
      'No model version was trained on it yet.'
    );
  });

  it('expands a service to its features by view and the models trained on it', async () => {
    answers['features/lineage?service=churn_v1'] = trained;
    renderTab();
    await settle();
    fireEvent.click(
      screen.getByRole('button', { name: 'Feature service churn_v1' })
    );
    await settle();
    expect(requests()).toContain('features/lineage?service=churn_v1');
    const table = screen.getByRole('table', { name: 'Features of churn_v1' });
    expect(
      [...table.querySelectorAll('tbody tr')].map(row =>
        [...row.querySelectorAll('td')].map(text)
      )
    ).toEqual([
      ['customer_profile', 'plan, tenure_months'],
      ['customer_ratios', 'charges_per_tenure_month']
    ]);
    const lineage = screen.getByRole('list', {
      name: 'Model versions trained on feature service churn_v1'
    });
    expect(text(lineage)).toContain('churn-model v3');
    // Trained on this very service: no "via".
    expect(lineage.querySelector('.maestro-feature-lineage-via')).toBeNull();
  });

  it('says where to define views when the store is empty', async () => {
    answers = {
      'features/store': overview({
        views: 0,
        on_demand_views: 0,
        entities: 0,
        sources: 0,
        services: 0,
        last_materialized: null
      }),
      'features/views': { items: [], total: 0 },
      'features/entities': { items: [] },
      'features/sources': { items: [] },
      'features/services': { items: [] }
    };
    const { container } = renderTab();
    await settle();
    expect(text(container.querySelector('.maestro-empty'))).toBe(
      'The feature store in /home/me/.maestro/feature_repo has no feature views yet. ' +
        'Define entities, sources and views in a Python file of the repo and apply them (feast apply).'
    );
    expect(container.querySelector('.maestro-feature-list')).toBeNull();
  });

  it("shows the server's message when the store cannot be reached, and retries", async () => {
    answers['features/views'] = new MaestroAPIError(
      503,
      'BACKEND_UNAVAILABLE',
      'The feature registry cannot be reached: connection refused'
    );
    const { container } = renderTab();
    await settle();
    expect(screen.getByRole('alert').textContent).toContain(
      'The feature registry cannot be reached: connection refused'
    );
    expect(container.querySelector('.maestro-feature-list')).toBeNull();
    answers['features/views'] = { items: [profile], total: 1 };
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await settle();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(
      container.querySelector('li[data-feature-view="customer_profile"]')
    ).not.toBeNull();
  });

  it('refreshes the lists and expanded lineage on the refresh button and while shown', async () => {
    answers['features/lineage?view=customer_profile'] = { items: [] };
    const { rerenderTab, props } = renderTab({ refreshInterval: 30 });
    await settle();
    fireEvent.click(
      screen.getByRole('button', { name: 'Feature view customer_profile' })
    );
    await settle();
    const count = (endpoint: string) =>
      requests().filter(request => request === endpoint).length;
    expect(count('features/views')).toBe(1);
    expect(count('features/lineage?view=customer_profile')).toBe(1);

    // The store was materialized again meanwhile.
    answers['features/views'] = {
      items: [{ ...profile, last_materialized: NOW + 20, online_rows: 1500 }],
      total: 1
    };
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await settle();
    expect(count('features/views')).toBe(2);
    expect(count('features/lineage?view=customer_profile')).toBe(2);
    expect(
      text(
        document.querySelector(
          'li[data-feature-view="customer_profile"] .maestro-feature-rows'
        )
      )
    ).toBe('1,500 rows online');

    await settle(30_000);
    expect(count('features/views')).toBe(3);
    rerenderTab({ ...props, active: false });
    await settle(90_000);
    expect(count('features/views')).toBe(3);
  });
});

describe('FeaturesTab: search', () => {
  beforeEach(() => {
    answers['features/search?q=tenure'] = {
      query: 'tenure',
      items: [
        {
          kind: 'feature',
          name: 'tenure_months',
          view: 'customer_profile',
          description: 'Months since sign-up'
        },
        {
          kind: 'service',
          name: 'churn_v1',
          view: null,
          description: ''
        },
        { kind: 'entity', name: 'customer', view: null, description: '' }
      ]
    };
    answers['features/search?q=nothing'] = { query: 'nothing', items: [] };
  });

  it('asks the server once typing pauses and lists the matches', async () => {
    renderTab();
    await settle();
    const box = screen.getByRole('searchbox', { name: 'Search features' });
    fireEvent.change(box, { target: { value: 'ten' } });
    await settle(100);
    fireEvent.change(box, { target: { value: ' tenure ' } });
    await settle(299);
    expect(requests().filter(r => r.startsWith('features/search'))).toEqual([]);
    await settle(1);
    expect(requests().filter(r => r.startsWith('features/search'))).toEqual([
      'features/search?q=tenure'
    ]);
    const matches = screen.getByRole('list', { name: 'Matches for tenure' });
    expect(
      [...matches.querySelectorAll('button')].map(button => [
        text(button.querySelector('.maestro-feature-hit-kind')),
        text(button.querySelector('.maestro-feature-hit-name'))
      ])
    ).toEqual([
      ['feature', 'customer_profile:tenure_months'],
      ['service', 'churn_v1'],
      ['entity', 'customer']
    ]);
    expect(text(document.querySelector('.maestro-feature-hit-count'))).toBe(
      '3 matches'
    );
    // The lists give way to the matches.
    expect(document.querySelector('[data-feature-view]')).toBeNull();

    fireEvent.change(box, { target: { value: 'nothing' } });
    await settle(300);
    expect(text(document.querySelector('.maestro-empty'))).toBe(
      'Nothing in the feature store matches “nothing”.'
    );
  });

  it("opens a feature's view, focused, and clears the search", async () => {
    renderTab();
    await settle();
    const box = screen.getByRole('searchbox', { name: 'Search features' });
    fireEvent.change(box, { target: { value: 'tenure' } });
    await settle(300);
    fireEvent.click(
      screen.getByRole('button', { name: /customer_profile:tenure_months/ })
    );
    await settle();
    expect((box as HTMLInputElement).value).toBe('');
    const toggle = screen.getByRole('button', {
      name: 'Feature view customer_profile'
    });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(toggle);
    expect(
      screen.getByRole('table', { name: 'Schema of customer_profile' })
    ).toBeTruthy();
  });

  it('opens a service hit expanded, and focuses an entity row', async () => {
    renderTab();
    await settle();
    const box = screen.getByRole('searchbox', { name: 'Search features' });
    fireEvent.change(box, { target: { value: 'tenure' } });
    await settle(300);
    fireEvent.click(screen.getByRole('button', { name: /churn_v1/ }));
    await settle();
    const service = screen.getByRole('button', {
      name: 'Feature service churn_v1'
    });
    expect(service.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(service);

    fireEvent.change(box, { target: { value: 'tenure' } });
    await settle(300);
    fireEvent.click(screen.getByRole('button', { name: /^entity customer/ }));
    await settle();
    expect(document.activeElement).toBe(
      document.querySelector('li[data-feature-entity="customer"]')
    );
  });

  it("shows a failed search's message", async () => {
    answers['features/search?q=tenure'] = new MaestroAPIError(
      400,
      'INVALID_PARAMETER',
      'The search text is too long'
    );
    renderTab();
    await settle();
    fireEvent.change(
      screen.getByRole('searchbox', { name: 'Search features' }),
      { target: { value: 'tenure' } }
    );
    await settle(300);
    expect(screen.getByRole('alert').textContent).toContain(
      'The search text is too long'
    );
  });
});

describe('FeaturesTab: accessibility and place in the sidebar', () => {
  it('has no serious or critical axe-core violations, expanded', async () => {
    answers['features/lineage?view=customer_profile'] = trained;
    answers['features/lineage?service=churn_v1'] = trained;
    const { container } = renderTab();
    await settle();
    fireEvent.click(
      screen.getByRole('button', { name: 'Feature view customer_profile' })
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Feature view customer_ratios' })
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Feature service churn_v1' })
    );
    await settle();
    fireEvent.click(container.querySelector('summary') as HTMLElement);
    jest.useRealTimers();
    let results: axe.AxeResults | undefined;
    await act(async () => {
      results = await axe.run(container, {
        // jsdom lays nothing out: contrast is checked in the browser (Playwright).
        rules: { 'color-contrast': { enabled: false } }
      });
    });
    const serious = (results?.violations ?? [])
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(v => `${v.id}: ${v.nodes.map(n => n.html).join(' | ')}`);
    expect(serious).toEqual([]);
  });

  it('is a sidebar tab with an icon and a short label', () => {
    const tabs = sidebarTabs({
      pageSize: 50,
      refreshInterval: 30,
      mlflowUiUrl: '',
      visible: true,
      actions
    } as IPanelProps);
    const features = tabs.find(tab => tab.id === 'features');
    expect(features?.label).toBe('Features');
    expect(features?.icon?.name).toBe('maestro-jupyter:features');
    expect(tabs.map(tab => tab.id)).toEqual([
      'models',
      'experiments',
      'features',
      'jobs',
      'deployments',
      'budgets'
    ]);
  });

  it('has its stylesheet imported, with theme colours only', () => {
    const style = path.resolve(__dirname, '../../style');
    const css = fs.readFileSync(path.join(style, 'features.css'), 'utf-8');
    expect(fs.readFileSync(path.join(style, 'index.css'), 'utf-8')).toContain(
      "@import url('features.css');"
    );
    expect(fs.readFileSync(path.join(style, 'index.js'), 'utf-8')).toContain(
      "import './features.css';"
    );
    const colours = [
      ...css
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .matchAll(/(?:^|;|\{)\s*(color|background|border[\w-]*):([^;]+);/g)
    ].map(match => match[2].trim());
    expect(colours.length).toBeGreaterThan(10);
    for (const value of colours) {
      expect(value).not.toMatch(
        /#[0-9a-f]{3,8}\b|\brgba?\(|\bwhite\b|\bblack\b/i
      );
    }
  });
});

describe('features helpers', () => {
  it('formats TTLs', () => {
    expect(formatTTL(null)).toBe('none');
    expect(formatTTL(0)).toBe('none');
    expect(formatTTL(45)).toBe('45 s');
    expect(formatTTL(30 * 60)).toBe('30 min');
    expect(formatTTL(6 * 3600)).toBe('6 h');
    expect(formatTTL(DAY + 12 * 3600)).toBe('1 day 12 h');
    expect(formatTTL(90 * DAY)).toBe('90 days');
  });

  it('tells when a view was last materialized, and whether that is past its TTL', () => {
    const now = NOW * 1000;
    expect(viewFreshness(profile, now)).toMatchObject({
      materialized: 'materialized 5 min ago',
      ago: '5 min ago',
      rows: '1,200 rows online',
      stale: false
    });
    expect(
      viewFreshness(
        { ...profile, last_materialized: null, online_rows: 0 },
        now
      )
    ).toMatchObject({
      materialized: 'never materialized',
      materializedFull: null,
      rows: '0 rows online',
      stale: false
    });
    expect(viewFreshness(activity, now).stale).toBe(true);
    // No TTL: never stale.
    expect(viewFreshness({ ...activity, ttl_seconds: null }, now).stale).toBe(
      false
    );
    expect(viewFreshness({ ...profile, online_rows: null }, now).rows).toBe(
      null
    );
  });

  it('groups a service’s references by view, in order', () => {
    expect(groupRefs(['a:x', 'b:y', 'a:z', 'bare'])).toEqual([
      ['a', ['x', 'z']],
      ['b', ['y']],
      ['', ['bare']]
    ]);
  });
});
