import React, {
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState
} from 'react';

import { ModelSummary, ITagFilter, listModels } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { SearchBox } from '../components/SearchBox';
import { LoadMore } from '../components/LoadMore';
import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import { errorMessage, metricDecimals } from '../format';
import { usePolling } from '../hooks/usePolledList';
import { pickKeyMetrics } from '../metrics';
import { formatTagFilter } from '../tags';
import { IModelSortValue, ModelItem } from './ModelItem';
import {
  IModelSort,
  MODEL_SORT_OPTIONS,
  ModelSortKey,
  readModelSort,
  serverOrder,
  sortableMetrics,
  sortByMetric,
  writeModelSort
} from './sort';
import { TagFilter } from './TagFilter';
import { useModelMetrics } from './useModelMetrics';

/**
 * Delay between the last keystroke in the search box and the request.
 */
export const SEARCH_DEBOUNCE_MS = 300;

/**
 * Largest page the server returns (`max_results`).
 */
export const MAX_PAGE_SIZE = 1000;

/**
 * Properties of `ModelsTab`.
 */
export interface IModelsTabProps {
  /** Page size sent as `max_results`. */
  pageSize: number;
  /** Auto-refresh interval in seconds; 0 to disable. */
  refreshInterval: number;
  /** MLflow UI base URL; empty to hide MLflow links. */
  mlflowUiUrl: string;
  /** Whether the tab is shown (auto-refresh only runs while it is). */
  active: boolean;
}

/**
 * An error displayed by the tab, with what "Retry" should do.
 */
interface ITabError {
  message: string;
  /** `replace`: reload the first page; `append`: reload the next page. */
  mode: LoadMode;
}

/**
 * `replace`: load the first page (showing the loading state);
 * `append`: load the next page ("Load more");
 * `silent`: reload as many models as are listed, keeping the list on screen
 * (auto-refresh).
 */
type LoadMode = 'replace' | 'append' | 'silent';

/**
 * The Models tab: search box, tag filter, sort, refresh button and the
 * paginated list of models, which expand to their versions. What a version
 * opens (run, card, tests, comparison) comes from `useMaestroActions()`.
 */
export function ModelsTab(props: IModelsTabProps): JSX.Element {
  const { pageSize, refreshInterval, mlflowUiUrl, active } = props;

  // Text typed by the user, and the (debounced) text actually searched.
  const [searchText, setSearchText] = useState('');
  const [query, setQuery] = useState('');
  const [tags, setTags] = useState<ITagFilter[]>([]);
  // `load` depends on this key rather than on `tags`, so that setting an
  // equal list does not reload.
  const tagsKey = tags.map(formatTagFilter).join('\n');
  const tagsRef = useRef(tags);
  tagsRef.current = tags;

  // The order, remembered for the session.
  const [sort, setSortState] = useState<IModelSort>(readModelSort);
  const setSort = useCallback((next: IModelSort): void => {
    setSortState(next);
    writeModelSort(next);
  }, []);
  const orderBy = serverOrder(sort.key);

  const [models, setModels] = useState<ModelSummary[]>([]);
  const [nextPageToken, setNextPageToken] = useState<string | null>(null);
  const [loading, setLoading] = useState<LoadMode | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ITabError | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  // Incremented by every refresh: expanded models reload their versions.
  const [reloadKey, setReloadKey] = useState(0);
  // Incremented by a manual refresh only: the metric sort reloads its
  // metrics then, not on every auto-refresh.
  const [metricsKey, setMetricsKey] = useState(0);

  // The request in flight, aborted when superseded or on unmount.
  const controllerRef = useRef<AbortController | null>(null);
  const modelCount = useRef(0);
  modelCount.current = models.length;

  // Debounce the search text.
  useEffect(() => {
    const handle = window.setTimeout(() => {
      setQuery(searchText.trim());
    }, SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(handle);
  }, [searchText]);

  const load = useCallback(
    async (mode: LoadMode, pageToken: string | null): Promise<void> => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      setLoading(mode);
      if (mode !== 'silent') {
        setError(null);
      }
      if (mode === 'replace') {
        setNextPageToken(null);
      }
      const maxResults =
        mode === 'silent'
          ? Math.min(MAX_PAGE_SIZE, Math.max(pageSize, modelCount.current))
          : pageSize;
      try {
        const page = await listModels({
          search: query,
          tags: tagsRef.current,
          maxResults,
          pageToken,
          orderBy,
          signal: controller.signal
        });
        if (controller.signal.aborted) {
          return;
        }
        const received = Array.isArray(page.models) ? page.models : [];
        setModels(previous =>
          mode === 'append' ? mergeModels(previous, received) : received
        );
        setNextPageToken(page.next_page_token || null);
        setLoaded(true);
        setError(null);
      } catch (reason) {
        if (controller.signal.aborted) {
          return;
        }
        if (mode === 'replace') {
          setModels([]);
        }
        setError({
          message: errorMessage(reason),
          mode: mode === 'append' ? 'append' : 'replace'
        });
        setLoaded(true);
      } finally {
        if (controllerRef.current === controller) {
          controllerRef.current = null;
          setLoading(null);
        }
      }
    },
    [query, tagsKey, pageSize, orderBy]
  );

  // (Re)load the first page when the search, the tags, the server's order or
  // the page size change.
  useEffect(() => {
    void load('replace', null);
  }, [load]);

  // Abort any request in flight on unmount.
  useEffect(
    () => () => {
      controllerRef.current?.abort();
      controllerRef.current = null;
    },
    []
  );

  // Auto-refresh while the tab is shown (and the browser tab visible),
  // skipping the ticks while a request is in flight.
  const autoRefresh = useCallback((): void => {
    void load('silent', null);
    setReloadKey(key => key + 1);
  }, [load]);
  usePolling(
    active,
    refreshInterval,
    () => controllerRef.current !== null,
    autoRefresh
  );

  const refresh = (): void => {
    setReloadKey(key => key + 1);
    setMetricsKey(key => key + 1);
    const text = searchText.trim();
    if (text !== query) {
      // Changing the query triggers the reload.
      setQuery(text);
    } else {
      void load('replace', null);
    }
  };

  const retry = (): void => {
    if (error?.mode === 'append' && nextPageToken) {
      void load('append', nextPageToken);
    } else {
      void load('replace', null);
    }
  };

  const loadMore = (): void => {
    if (nextPageToken) {
      void load('append', nextPageToken);
    }
  };

  const toggle = useCallback((name: string): void => {
    setExpanded(previous => {
      const next = new Set(previous);
      if (next.has(name)) {
        next.delete(name);
      } else {
        next.add(name);
      }
      return next;
    });
  }, []);

  const updateModel = useCallback((summary: ModelSummary): void => {
    setModels(previous =>
      previous.map(model =>
        model.name === summary.name ? { ...model, ...summary } : model
      )
    );
  }, []);

  // The metric sort: the best value of each loaded model (one comparison
  // per model, for the loaded pages only).
  const byMetric = sort.key === 'metric';
  const names = useMemo(() => models.map(model => model.name), [models]);
  const modelMetrics = useModelMetrics(names, byMetric, metricsKey);
  // The metrics of the models loaded so far; the chosen one stays offered
  // while the models that have it are still loading.
  const metricChoices = useMemo(() => {
    if (!byMetric) {
      return [];
    }
    const available = sortableMetrics(modelMetrics.summaries.values());
    return sort.metric &&
      modelMetrics.pending > 0 &&
      !available.includes(sort.metric)
      ? [sort.metric, ...available]
      : available;
  }, [byMetric, modelMetrics, sort.metric]);
  const sortMetric = byMetric
    ? metricChoices.includes(sort.metric)
      ? sort.metric
      : (pickKeyMetrics(metricChoices, 1)[0] ?? '')
    : '';
  const bestOf = useCallback(
    (name: string): number | null | undefined => {
      const summary = modelMetrics.summaries.get(name);
      if (summary === undefined) {
        return modelMetrics.failed.has(name) ? null : undefined;
      }
      return summary.best[sortMetric] ?? null;
    },
    [modelMetrics, sortMetric]
  );
  const shown = useMemo(
    () => (sortMetric ? sortByMetric(models, sortMetric, bestOf) : models),
    [models, sortMetric, bestOf]
  );
  const sortDecimals = useMemo(
    () => metricDecimals(models.map(model => bestOf(model.name))),
    [models, bestOf]
  );
  // One object per model, kept while nothing changes (`ModelItem` is memoised).
  const sortValues = useMemo(
    () =>
      sortMetric
        ? new Map<string, IModelSortValue>(
            models.map(model => [
              model.name,
              {
                metric: sortMetric,
                value: bestOf(model.name),
                decimals: sortDecimals
              }
            ])
          )
        : null,
    [models, sortMetric, bestOf, sortDecimals]
  );

  const showList = models.length > 0;
  const showEmpty =
    loaded && loading === null && error === null && models.length === 0;

  return (
    <section className="maestro-section maestro-models" aria-label="Models">
      <div className="maestro-section-header">
        <span className="maestro-model-count" aria-live="polite">
          {loaded && error === null
            ? `${models.length}${nextPageToken !== null ? '+' : ''} ${
                models.length === 1 && nextPageToken === null
                  ? 'model'
                  : 'models'
              }`
            : ''}
        </span>
        <SectionTools autoRefresh={refreshInterval} onRefresh={refresh} />
      </div>

      <SearchBox
        label="Search models"
        value={searchText}
        onChange={setSearchText}
      />

      <TagFilter tags={tags} onChange={setTags} />

      <SortControls
        sort={sort}
        onChange={setSort}
        metric={sortMetric}
        metrics={metricChoices}
        loaded={models.length}
        pending={modelMetrics.pending}
        failed={modelMetrics.failed.size}
      />

      <Section
        label="models"
        loading={loading === 'replace' && !showList}
        error={
          error !== null && error.mode === 'replace' ? error.message : null
        }
        onRetry={retry}
        empty={showEmpty}
        emptyMessage={emptyMessage(query, tags)}
      >
        {showList && (
          <ModelList
            models={shown}
            mlflowUiUrl={mlflowUiUrl}
            busy={loading !== null && loading !== 'silent'}
            expanded={expanded}
            onToggle={toggle}
            reloadKey={reloadKey}
            onModelChanged={updateModel}
            sortValues={sortValues}
          />
        )}
      </Section>

      {error !== null && error.mode === 'append' && (
        <ErrorMessage message={error.message} onRetry={retry} />
      )}

      {showList && nextPageToken !== null && error === null && (
        <LoadMore
          label="Load more"
          busy={loading !== null && loading !== 'silent'}
          appending={loading === 'append'}
          onLoad={loadMore}
        />
      )}
    </section>
  );
}

/**
 * The text shown when no model matches.
 */
export function emptyMessage(
  query: string,
  tags: readonly ITagFilter[]
): string {
  const withTags =
    tags.length > 0
      ? ` with tag${tags.length > 1 ? 's' : ''} ${tags.map(formatTagFilter).join(', ')}`
      : '';
  if (query) {
    return `No models match “${query}”${withTags}.`;
  }
  return withTags ? `No models${withTags}.` : 'No models match.';
}

/**
 * The sort controls: what the list is sorted by and, for a metric, which
 * one, with what the metric sort covers (the models loaded).
 */
function SortControls(props: {
  sort: IModelSort;
  onChange: (sort: IModelSort) => void;
  /** The metric sorted by (empty until one is known). */
  metric: string;
  /** The metrics to choose from. */
  metrics: readonly string[];
  /** Models loaded. */
  loaded: number;
  /** Models whose metrics are awaited. */
  pending: number;
  /** Models whose metrics could not be loaded. */
  failed: number;
}): JSX.Element {
  const { sort, onChange, metric, metrics } = props;
  const sortId = useId();
  const metricId = useId();
  const byMetric = sort.key === 'metric';
  let note = '';
  if (byMetric) {
    if (props.pending > 0) {
      note = `Loading metrics (${props.loaded - props.pending} of ${props.loaded} models)…`;
    } else if (metrics.length === 0) {
      note = props.loaded > 0 ? 'No metrics to sort by.' : '';
    } else {
      note = `Best value among the versions, for the ${props.loaded} ${
        props.loaded === 1 ? 'model' : 'models'
      } loaded${props.failed > 0 ? ` (${props.failed} without metrics)` : ''}.`;
    }
  }
  return (
    <div className="maestro-models-sort">
      <label className="maestro-models-sort-label" htmlFor={sortId}>
        Sort by
      </label>
      <select
        id={sortId}
        className="maestro-select maestro-models-sort-key"
        value={sort.key}
        onChange={event =>
          onChange({
            ...sort,
            key: event.target.value as ModelSortKey
          })
        }
      >
        {MODEL_SORT_OPTIONS.map(option => (
          <option key={option.key} value={option.key}>
            {option.label}
          </option>
        ))}
      </select>
      {byMetric && metrics.length > 0 && (
        <>
          <label className="maestro-visually-hidden" htmlFor={metricId}>
            Metric to sort by
          </label>
          <select
            id={metricId}
            className="maestro-select maestro-models-sort-metric"
            value={metric}
            onChange={event =>
              onChange({ ...sort, metric: event.target.value })
            }
          >
            {metrics.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </>
      )}
      {byMetric && (
        <span className="maestro-models-sort-note" role="status">
          {note}
        </span>
      )}
    </div>
  );
}

/**
 * The list of models. Items are focusable; arrow keys, Home and End move
 * the focus between them; Enter, Space and the right and left arrows expand
 * and collapse.
 */
function ModelList(props: {
  models: ModelSummary[];
  mlflowUiUrl: string;
  busy: boolean;
  expanded: ReadonlySet<string>;
  onToggle: (name: string) => void;
  reloadKey: number;
  onModelChanged: (summary: ModelSummary) => void;
  /** When sorted by a metric: each model's best value of it. */
  sortValues: ReadonlyMap<string, IModelSortValue> | null;
}): JSX.Element {
  return (
    <ul
      className="maestro-model-list"
      aria-label="Registered models"
      aria-busy={props.busy}
    >
      {props.models.map(model => (
        <ModelItem
          key={model.name}
          model={model}
          mlflowUiUrl={props.mlflowUiUrl}
          expanded={props.expanded.has(model.name)}
          onToggle={props.onToggle}
          reloadKey={props.reloadKey}
          onModelChanged={props.onModelChanged}
          sortValue={props.sortValues?.get(model.name)}
          onKeyDown={listKeyDown}
        />
      ))}
    </ul>
  );
}

/**
 * Keyboard navigation between the items of the model list: arrow keys,
 * Home and End move the focus (only when an item itself has the focus).
 */
function listKeyDown(event: React.KeyboardEvent<HTMLLIElement>): void {
  if (event.target !== event.currentTarget) {
    return;
  }
  const item = event.currentTarget;
  const list = item.parentElement;
  let target: Element | null | undefined = null;
  switch (event.key) {
    case 'ArrowDown':
      target = item.nextElementSibling;
      break;
    case 'ArrowUp':
      target = item.previousElementSibling;
      break;
    case 'Home':
      target = list?.firstElementChild;
      break;
    case 'End':
      target = list?.lastElementChild;
      break;
    default:
      return;
  }
  event.preventDefault();
  if (target instanceof HTMLElement) {
    target.focus();
  }
}

/**
 * Append a page to the list, skipping models already present.
 */
function mergeModels(
  previous: ModelSummary[],
  page: ModelSummary[]
): ModelSummary[] {
  const seen = new Set(previous.map(model => model.name));
  return previous.concat(page.filter(model => !seen.has(model.name)));
}
