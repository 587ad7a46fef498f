import { render, screen } from '@testing-library/react';
import React from 'react';

import { IMaestroActions, MaestroActionsProvider } from '../actions';
import * as api from '../api';
import { ModelDetail, VersionComparison } from '../api';
import { featuresSummary } from '../models/VersionItem';
import { indexMetrics, VersionList } from '../models/VersionList';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getModel: jest.fn(),
  compareVersions: jest.fn(),
  getVersion: jest.fn(),
  listDeployments: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

const REGISTRY = '5f0c2d4e-1111-4a5b-9c3d-2e8f7a6b1c00';

function version(number: string): api.ModelVersion {
  return {
    name: 'churn',
    version: number,
    aliases: [],
    status: 'READY',
    status_message: null,
    description: '',
    creation_timestamp: Date.UTC(2024, 0, Number(number)),
    last_updated_timestamp: 0,
    run_id: `run-${number}`,
    source: '',
    tags: {}
  };
}

const model: ModelDetail = {
  name: 'churn',
  description: '',
  tags: {},
  aliases: {},
  latest_version: '3',
  creation_timestamp: 0,
  last_updated_timestamp: 0,
  versions: [version('3'), version('2'), version('1')]
};

// The comparison as the server sends it: each version's metrics and, when its
// run recorded them, the features it trained on.
const comparison = {
  name: 'churn',
  metrics: ['accuracy'],
  available_metrics: ['accuracy'],
  versions: [
    {
      version: '1',
      aliases: [],
      creation_timestamp: 0,
      run_id: 'run-1',
      metrics: { accuracy: 0.8 },
      features: null
    },
    {
      version: '2',
      aliases: [],
      creation_timestamp: 0,
      run_id: 'run-2',
      metrics: { accuracy: 0.85 },
      features: {
        service: 'churn_v1',
        views: ['customer_activity', 'customer_profile'],
        refs: [],
        registry_version: REGISTRY,
        project: 'maestro'
      }
    },
    {
      version: '3',
      aliases: [],
      creation_timestamp: 0,
      run_id: 'run-3',
      metrics: { accuracy: 0.86 },
      features: {
        service: null,
        views: ['customer_profile'],
        refs: [
          'customer_profile:tenure_months',
          'customer_profile:monthly_charges'
        ],
        registry_version: null,
        project: 'maestro'
      }
    }
  ]
} as unknown as VersionComparison;

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
  mocked.getModel.mockResolvedValue(model);
  mocked.compareVersions.mockResolvedValue(comparison);
  mocked.listDeployments.mockResolvedValue({ deployments: [] });
});

describe('featuresSummary', () => {
  it('names the service, its views and the registry version', () => {
    const summary = featuresSummary({
      service: 'churn_v1',
      views: ['customer_activity', 'customer_profile'],
      registry_version: REGISTRY,
      project: 'maestro'
    });
    expect(summary).toEqual({
      label: 'churn_v1',
      views: 'customer_activity, customer_profile',
      registry: '5f0c2d4e…',
      title:
        'Trained on feature service churn_v1\n' +
        'views: customer_activity, customer_profile\n' +
        `registry version: ${REGISTRY}\n` +
        'Feast project: maestro'
    });
  });

  it('counts the features when no service was named, and says nothing without lineage', () => {
    expect(
      featuresSummary({ refs: ['a:x'], views: ['a'], registry_version: '7' })
    ).toEqual({
      label: '1 feature',
      views: 'a',
      registry: '7',
      title: 'Trained on a:x\nviews: a\nregistry version: 7'
    });
    expect(featuresSummary(null)).toBeNull();
    expect(featuresSummary(undefined)).toBeNull();
    expect(featuresSummary({ service: null, refs: [], views: [] })).toBeNull();
  });
});

describe('indexMetrics', () => {
  it('keeps the features of the versions that recorded them', () => {
    const index = indexMetrics(comparison);
    expect([...(index.features?.keys() ?? [])]).toEqual(['2', '3']);
    expect(index.features?.get('2')?.service).toBe('churn_v1');
  });
});

describe('VersionList features', () => {
  it("shows each version's feature service, views and registry version", async () => {
    const actions = {
      openRun: jest.fn(),
      openCard: jest.fn(),
      openTests: jest.fn(),
      compareVersions: jest.fn()
    } as unknown as jest.Mocked<IMaestroActions>;
    const { container } = render(
      <MaestroActionsProvider actions={actions}>
        <VersionList name="churn" reloadKey={0} onModelChanged={jest.fn()} />
      </MaestroActionsProvider>
    );
    await screen.findByText('churn_v1');
    // One compare request carries every version's lineage: no request per version.
    expect(mocked.compareVersions).toHaveBeenCalledTimes(1);
    expect(mocked.getVersion).not.toHaveBeenCalled();

    const v2 = item(container, '2').querySelector<HTMLElement>(
      '.maestro-version-features'
    );
    expect(v2).not.toBeNull();
    expect(v2?.getAttribute('aria-label')).toBe('Trained on features');
    expect(
      v2?.querySelector('.maestro-version-features-service')?.textContent
    ).toBe('churn_v1');
    expect(
      v2?.querySelector('.maestro-version-features-views')?.textContent
    ).toBe('customer_activity, customer_profile');
    expect(
      v2?.querySelector('.maestro-version-features-registry')?.textContent
    ).toBe('registry 5f0c2d4e…');
    expect(v2?.title).toContain(`registry version: ${REGISTRY}`);

    const v3 = item(container, '3').querySelector<HTMLElement>(
      '.maestro-version-features'
    );
    expect(
      v3?.querySelector('.maestro-version-features-service')?.textContent
    ).toBe('2 features');
    expect(v3?.querySelector('.maestro-version-features-registry')).toBeNull();

    // A version whose run recorded no features shows no line.
    expect(
      item(container, '1').querySelector('.maestro-version-features')
    ).toBeNull();
  });
});
