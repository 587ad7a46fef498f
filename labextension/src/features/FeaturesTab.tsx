import React, { useCallback, useEffect, useRef, useState } from 'react';

import {
  DataSourceInfo,
  EntityInfo,
  FeatureSearchHit,
  FeatureStoreOverview,
  IFeatureCatalog,
  loadFeatureCatalog,
  searchFeatureStore
} from '../api';
import { SearchBox } from '../components/SearchBox';
import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import { formatRelativeTime, shortDescription } from '../format';
import { usePolling } from '../hooks/usePolledList';
import { useRequest } from '../hooks/useRequest';
import { hitTarget, overviewSummary, plural } from './helpers';
import { ServiceItem } from './ServiceItem';
import { ViewItem } from './ViewItem';

/**
 * Delay between the last keystroke in the search box and the request.
 */
export const FEATURE_SEARCH_DEBOUNCE_MS = 300;

/**
 * How often the relative times ("5 min ago") are brought up to date while
 * the tab is shown, in ms.
 */
const CLOCK_TICK_MS = 60_000;

/**
 * Properties of `FeaturesTab`.
 */
export interface IFeaturesTabProps {
  /** Auto-refresh interval in seconds; 0 to disable. */
  refreshInterval: number;
  /** Whether the tab is shown (auto-refresh only runs while it is). */
  active: boolean;
}

/** Which row to bring into view and focus once the lists are drawn. */
interface IFocusTarget {
  section: 'view' | 'service' | 'entity' | 'source';
  name: string;
}

/**
 * The Features tab: the team's Feast feature store. A summary of the store,
 * then its feature views (schema, owner, tags, description, TTL, freshness,
 * the model versions trained on them), feature services, entities and data
 * sources. The search box asks the server; a match opens its view, service,
 * entity or source in the lists.
 */
export function FeaturesTab(props: IFeaturesTabProps): JSX.Element {
  const { refreshInterval, active } = props;
  const [searchText, setSearchText] = useState('');
  const [query, setQuery] = useState('');
  const [expandedViews, setExpandedViews] = useState<ReadonlySet<string>>(
    new Set()
  );
  const [expandedServices, setExpandedServices] = useState<ReadonlySet<string>>(
    new Set()
  );
  const [reloadKey, setReloadKey] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const [focusTarget, setFocusTarget] = useState<IFocusTarget | null>(null);
  const root = useRef<HTMLElement>(null);

  const catalog = useRequest<IFeatureCatalog>(
    signal => loadFeatureCatalog(signal),
    [],
    () => setNow(Date.now())
  );
  const { reload: reloadCatalog } = catalog;

  const refresh = useCallback((): void => {
    reloadCatalog();
    setReloadKey(key => key + 1);
  }, [reloadCatalog]);
  usePolling(active, refreshInterval, () => catalog.loading, refresh);

  // Keep "materialized 5 min ago" true while the tab is shown.
  useEffect(() => {
    if (!active) {
      return;
    }
    setNow(Date.now());
    const handle = window.setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => window.clearInterval(handle);
  }, [active]);

  // Debounce the search text.
  useEffect(() => {
    const handle = window.setTimeout(
      () => setQuery(searchText.trim()),
      FEATURE_SEARCH_DEBOUNCE_MS
    );
    return () => window.clearTimeout(handle);
  }, [searchText]);

  const search = useRequest<{ query: string; hits: FeatureSearchHit[] }>(
    async signal => {
      if (!query) {
        return { query, hits: [] };
      }
      const result = await searchFeatureStore(query, signal);
      return { query, hits: result.items ?? [] };
    },
    [query, reloadKey]
  );

  const toggleIn =
    (setter: React.Dispatch<React.SetStateAction<ReadonlySet<string>>>) =>
    (name: string): void =>
      setter(previous => {
        const next = new Set(previous);
        if (next.has(name)) {
          next.delete(name);
        } else {
          next.add(name);
        }
        return next;
      });
  const toggleView = useCallback(toggleIn(setExpandedViews), []);
  const toggleService = useCallback(toggleIn(setExpandedServices), []);

  // A match: leave the search, open what it names and take the focus there.
  const openHit = (hit: FeatureSearchHit): void => {
    const target = hitTarget(hit);
    if (target.section === 'view') {
      setExpandedViews(previous => new Set([...previous, target.name]));
    } else if (target.section === 'service') {
      setExpandedServices(previous => new Set([...previous, target.name]));
    }
    setSearchText('');
    setQuery('');
    setFocusTarget(target);
  };

  useEffect(() => {
    if (focusTarget === null || query || catalog.value === null) {
      return;
    }
    const attribute = `data-feature-${focusTarget.section}`;
    const row = [
      ...(root.current?.querySelectorAll<HTMLElement>(`[${attribute}]`) ?? [])
    ].find(element => element.getAttribute(attribute) === focusTarget.name);
    const focusable =
      row?.querySelector<HTMLElement>('.maestro-feature-toggle') ?? row;
    if (focusable) {
      focusable.focus();
      focusable.scrollIntoView?.({ block: 'nearest' });
    }
    setFocusTarget(null);
  }, [focusTarget, query, catalog.value]);

  const value = catalog.value;
  const searching = query !== '';
  const empty =
    value !== null &&
    value.views.length === 0 &&
    value.services.length === 0 &&
    value.entities.length === 0 &&
    value.sources.length === 0;

  return (
    <section
      ref={root}
      className="maestro-section maestro-features"
      aria-label="Features"
    >
      <div className="maestro-section-header">
        <span className="maestro-feature-store-count" aria-live="polite">
          {value ? overviewSummary(value.overview) : ''}
        </span>
        <SectionTools
          autoRefresh={active ? refreshInterval : 0}
          onRefresh={refresh}
        />
      </div>

      <SearchBox
        label="Search features"
        value={searchText}
        onChange={setSearchText}
      />

      {searching ? (
        <SearchResults
          query={query}
          hits={search.value?.query === query ? search.value.hits : null}
          error={search.error}
          onRetry={search.reload}
          onOpen={openHit}
        />
      ) : (
        <Section
          label="the feature store"
          loading={value === null && !catalog.error}
          error={catalog.error}
          onRetry={refresh}
          empty={empty}
          emptyMessage={value ? emptyStoreMessage(value.overview) : undefined}
        >
          {value && (
            <>
              <StoreDetails overview={value.overview} now={now} />

              <Group
                id="views"
                title="Feature views"
                count={value.views.length}
                none="No feature views yet."
              >
                {value.views.map(view => (
                  <ViewItem
                    key={view.name}
                    view={view}
                    expanded={expandedViews.has(view.name)}
                    onToggle={toggleView}
                    now={now}
                    reloadKey={reloadKey}
                  />
                ))}
              </Group>

              <Group
                id="services"
                title="Feature services"
                count={value.services.length}
                none="No feature services yet: save a selection with ml.features.save_service(name, features)."
              >
                {value.services.map(service => (
                  <ServiceItem
                    key={service.name}
                    service={service}
                    expanded={expandedServices.has(service.name)}
                    onToggle={toggleService}
                    now={now}
                    reloadKey={reloadKey}
                  />
                ))}
              </Group>

              <Group
                id="entities"
                title="Entities"
                count={value.entities.length}
                none="No entities yet."
              >
                {value.entities.map(entity => (
                  <EntityRow key={entity.name} entity={entity} />
                ))}
              </Group>

              <Group
                id="sources"
                title="Data sources"
                count={value.sources.length}
                none="No data sources yet."
              >
                {value.sources.map(source => (
                  <SourceRow key={source.name} source={source} />
                ))}
              </Group>
            </>
          )}
        </Section>
      )}
    </section>
  );
}

/**
 * What an empty store says: where its definitions go.
 */
export function emptyStoreMessage(overview: FeatureStoreOverview): string {
  const where = overview.repo ? ` in ${overview.repo}` : '';
  return (
    `The feature store${where} has no feature views yet. Define entities, ` +
    'sources and views in a Python file of the repo and apply them (feast apply).'
  );
}

/**
 * The store itself: project, registry version, stores and last
 * materialization, folded by default.
 */
function StoreDetails(props: {
  overview: FeatureStoreOverview;
  now: number;
}): JSX.Element {
  const { overview } = props;
  const last =
    typeof overview.last_materialized === 'number' &&
    overview.last_materialized > 0
      ? new Date(overview.last_materialized * 1000)
      : null;
  return (
    <details className="maestro-feature-store">
      <summary className="maestro-feature-store-summary">
        {`Project ${overview.project}`}
        <span className="maestro-feature-store-fresh">
          {last
            ? ` · last materialized ${formatRelativeTime(last.getTime(), props.now)}`
            : ' · never materialized'}
        </span>
      </summary>
      <dl className="maestro-feature-facts">
        <dt>Repo</dt>
        <dd className="maestro-feature-code">{overview.repo || '—'}</dd>
        <dt>Registry</dt>
        <dd className="maestro-feature-code">
          {overview.registry_version || '—'}
        </dd>
        <dt>Provider</dt>
        <dd>{overview.provider || '—'}</dd>
        <dt>Online store</dt>
        <dd>{overview.online_store || '—'}</dd>
        <dt>Offline store</dt>
        <dd>{overview.offline_store || '—'}</dd>
        <dt>On-demand</dt>
        <dd>{plural(overview.on_demand_views ?? 0, 'view')}</dd>
        {last && (
          <>
            <dt>Materialized</dt>
            <dd>{last.toLocaleString()}</dd>
          </>
        )}
      </dl>
    </details>
  );
}

/**
 * A titled list of the store (views, services, entities or sources).
 */
function Group(props: {
  id: string;
  title: string;
  count: number;
  /** Said when the list is empty. */
  none: string;
  children: React.ReactNode;
}): JSX.Element {
  const headingId = `maestro-features-${props.id}-heading`;
  return (
    <div className="maestro-feature-group" data-group={props.id}>
      <h3 className="maestro-feature-heading" id={headingId}>
        {props.title}
        <span className="maestro-feature-heading-count">{` ${props.count}`}</span>
      </h3>
      {props.count === 0 ? (
        <p className="maestro-feature-none">{props.none}</p>
      ) : (
        <ul className="maestro-feature-list" aria-labelledby={headingId}>
          {props.children}
        </ul>
      )}
    </div>
  );
}

/** One entity: its name, join keys, key type, description and views. */
function EntityRow(props: { entity: EntityInfo }): JSX.Element {
  const { entity } = props;
  const views = entity.views ?? [];
  return (
    <li
      className="maestro-feature-item maestro-feature-row"
      data-feature-entity={entity.name}
      tabIndex={-1}
    >
      <div className="maestro-feature-header">
        <span className="maestro-feature-name">{entity.name}</span>
        <span className="maestro-feature-type">{entity.value_type}</span>
      </div>
      {entity.description && (
        <p className="maestro-feature-description" title={entity.description}>
          {shortDescription(entity.description)}
        </p>
      )}
      <div className="maestro-feature-meta">
        <span>
          {'join key '}
          <span className="maestro-feature-code">
            {(entity.join_keys ?? []).join(', ')}
          </span>
        </span>
        <span>{`used by ${views.length ? views.join(', ') : 'no view'}`}</span>
      </div>
    </li>
  );
}

/** One data source: its name, kind, location, timestamp field and views. */
function SourceRow(props: { source: DataSourceInfo }): JSX.Element {
  const { source } = props;
  const views = source.views ?? [];
  return (
    <li
      className="maestro-feature-item maestro-feature-row"
      data-feature-source={source.name}
      tabIndex={-1}
    >
      <div className="maestro-feature-header">
        <span className="maestro-feature-name">{source.name}</span>
        <span className="maestro-feature-type">{source.kind}</span>
      </div>
      {source.location && (
        <p className="maestro-feature-location maestro-feature-code">
          {source.location}
        </p>
      )}
      <div className="maestro-feature-meta">
        {source.timestamp_field && (
          <span>
            {'time '}
            <span className="maestro-feature-code">
              {source.timestamp_field}
            </span>
          </span>
        )}
        <span>{`feeds ${views.length ? views.join(', ') : 'no view'}`}</span>
      </div>
    </li>
  );
}

/**
 * The matches of a search: each opens its view, service, entity or source.
 */
function SearchResults(props: {
  query: string;
  /** Null while the answer for `query` is awaited. */
  hits: FeatureSearchHit[] | null;
  error: string | null;
  onRetry: () => void;
  onOpen: (hit: FeatureSearchHit) => void;
}): JSX.Element {
  const { query, hits } = props;
  return (
    <Section
      label="matches"
      loading={hits === null && !props.error}
      error={props.error}
      onRetry={props.onRetry}
      empty={hits !== null && hits.length === 0}
      emptyMessage={`Nothing in the feature store matches “${query}”.`}
    >
      {hits && (
        <div className="maestro-feature-group">
          <p className="maestro-feature-hit-count" role="status">
            {plural(hits.length, 'match', 'matches')}
          </p>
          <ul
            className="maestro-feature-list"
            aria-label={`Matches for ${query}`}
          >
            {hits.map(hit => (
              <li
                key={`${hit.kind}:${hit.view ?? ''}:${hit.name}`}
                className="maestro-feature-hit-item"
              >
                <button
                  type="button"
                  className="maestro-feature-hit"
                  data-kind={hit.kind}
                  onClick={() => props.onOpen(hit)}
                >
                  <span className="maestro-feature-hit-kind">{hit.kind}</span>
                  <span className="maestro-feature-hit-name">
                    {hit.kind === 'feature' && hit.view
                      ? `${hit.view}:${hit.name}`
                      : hit.name}
                  </span>
                  {hit.description && (
                    <span className="maestro-feature-hit-description">
                      {shortDescription(hit.description, 80)}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Section>
  );
}
