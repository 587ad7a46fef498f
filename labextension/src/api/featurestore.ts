/**
 * `features/...`: the team's Feast feature store (views, entities, data
 * sources, feature services, search) and its lineage to the model versions
 * trained on it. Times are in seconds since the epoch.
 */
import { requestAPI } from './request';
import type {
  DataSourceInfo,
  DataSourceList,
  EntityInfo,
  EntityList,
  FeatureLineage,
  FeatureSearchResult,
  FeatureServiceInfo,
  FeatureServiceList,
  FeatureStoreOverview,
  FeatureViewList,
  FeatureViewSummary
} from './types';

/**
 * Which lineage to ask for: the versions trained on a service or a view.
 */
export type FeatureLineageQuery = { service: string } | { view: string };

/** Everything the Features tab lists, fetched together. */
export interface IFeatureCatalog {
  overview: FeatureStoreOverview;
  views: FeatureViewSummary[];
  entities: EntityInfo[];
  sources: DataSourceInfo[];
  services: FeatureServiceInfo[];
}

/**
 * An endpoint with its (encoded) query string; empty values are left out.
 */
function withQuery(
  path: string,
  params: { [key: string]: string | undefined }
): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value) {
      query.set(key, value);
    }
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function get<T>(endpoint: string, signal?: AbortSignal): Promise<T> {
  return requestAPI<T>(endpoint, { method: 'GET', signal });
}

/** The store's overview (project, registry version, stores, counts). */
export function getFeatureStore(
  signal?: AbortSignal
): Promise<FeatureStoreOverview> {
  return get('features/store', signal);
}

/** The feature views, optionally only those matching `search`. */
export function listFeatureViews(
  options: { search?: string; signal?: AbortSignal } = {}
): Promise<FeatureViewList> {
  return get(
    withQuery('features/views', { search: options.search }),
    options.signal
  );
}

/** One feature view. */
export function getFeatureView(
  name: string,
  signal?: AbortSignal
): Promise<FeatureViewSummary> {
  return get(`features/views/${encodeURIComponent(name)}`, signal);
}

/** The entities (join keys) of the store. */
export function listFeatureEntities(signal?: AbortSignal): Promise<EntityList> {
  return get('features/entities', signal);
}

/** The data sources of the store. */
export function listFeatureSources(
  signal?: AbortSignal
): Promise<DataSourceList> {
  return get('features/sources', signal);
}

/** The feature services, optionally only those matching `search`. */
export function listFeatureServices(
  options: { search?: string; signal?: AbortSignal } = {}
): Promise<FeatureServiceList> {
  return get(
    withQuery('features/services', { search: options.search }),
    options.signal
  );
}

/** One feature service. */
export function getFeatureService(
  name: string,
  signal?: AbortSignal
): Promise<FeatureServiceInfo> {
  return get(`features/services/${encodeURIComponent(name)}`, signal);
}

/** Views, features, entities, sources and services matching `query`. */
export function searchFeatureStore(
  query: string,
  signal?: AbortSignal
): Promise<FeatureSearchResult> {
  return get(withQuery('features/search', { q: query }), signal);
}

/** The model versions trained on a feature service or a feature view. */
export function getFeatureLineage(
  query: FeatureLineageQuery,
  signal?: AbortSignal
): Promise<FeatureLineage> {
  const params =
    'service' in query ? { service: query.service } : { view: query.view };
  return get(withQuery('features/lineage', params), signal);
}

/**
 * The overview and every list of the store, in one go (the Features tab
 * shows them together, and one failure, e.g. an unreachable registry, is
 * one message).
 */
export async function loadFeatureCatalog(
  signal?: AbortSignal
): Promise<IFeatureCatalog> {
  const [overview, views, entities, sources, services] = await Promise.all([
    getFeatureStore(signal),
    listFeatureViews({ signal }),
    listFeatureEntities(signal),
    listFeatureSources(signal),
    listFeatureServices({ signal })
  ]);
  return {
    overview,
    views: views.items ?? [],
    entities: entities.items ?? [],
    sources: sources.items ?? [],
    services: services.items ?? []
  };
}
