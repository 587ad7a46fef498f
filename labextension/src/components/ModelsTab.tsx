import { searchIcon } from '@jupyterlab/ui-components';
import React, { useCallback, useEffect, useRef, useState } from 'react';

import { ModelSummary, ITagFilter, listModels } from '../api';
import { errorMessage } from '../format';
import { usePolling } from '../hooks/usePolledList';
import { formatTagFilter } from '../tags';
import { SectionTools } from './SectionTools';
import { ErrorMessage, Loading } from './ErrorMessage';
import { ModelItem } from './ModelItem';
import { TagFilter } from './TagFilter';
import { IOpenCardArgs, IOpenRunArgs, IOpenTestsArgs } from './VersionItem';

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
  /** Open a version's source run in the main area. */
  onOpenRun: (args: IOpenRunArgs) => void;
  /** Open a version's model card in the main area. */
  onOpenCard: (args: IOpenCardArgs) => void;
  /** Open a version's automated tests in the main area. */
  onOpenTests: (args: IOpenTestsArgs) => void;
  /** Open the version comparison of a model in the main area. */
  onCompare: (name: string) => void;
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
 * The Models tab: search box, tag filter, refresh button and the paginated
 * list of models, which expand to their versions.
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

  const [models, setModels] = useState<ModelSummary[]>([]);
  const [nextPageToken, setNextPageToken] = useState<string | null>(null);
  const [loading, setLoading] = useState<LoadMode | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ITabError | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  // Incremented by every refresh: expanded models reload their versions.
  const [reloadKey, setReloadKey] = useState(0);

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
    [query, tagsKey, pageSize]
  );

  // (Re)load the first page when the search, the tags or the page size change.
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

      <div className="maestro-search">
        <searchIcon.react
          tag="span"
          className="maestro-search-icon"
          elementSize="normal"
        />
        <input
          type="search"
          className="maestro-search-input"
          aria-label="Search models"
          placeholder="Search models"
          value={searchText}
          onChange={event => setSearchText(event.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
      </div>

      <TagFilter tags={tags} onChange={setTags} />

      {loading === 'replace' && <Loading text="Loading models…" />}

      {error !== null && error.mode === 'replace' && (
        <ErrorMessage message={error.message} onRetry={retry} />
      )}

      {showEmpty && (
        <div className="maestro-empty" role="status">
          {emptyMessage(query, tags)}
        </div>
      )}

      {showList && (
        <ModelList
          models={models}
          mlflowUiUrl={mlflowUiUrl}
          busy={loading !== null && loading !== 'silent'}
          expanded={expanded}
          onToggle={toggle}
          reloadKey={reloadKey}
          onModelChanged={updateModel}
          onOpenRun={props.onOpenRun}
          onOpenCard={props.onOpenCard}
          onOpenTests={props.onOpenTests}
          onCompare={props.onCompare}
        />
      )}

      {error !== null && error.mode === 'append' && (
        <ErrorMessage message={error.message} onRetry={retry} />
      )}

      {showList && nextPageToken !== null && error === null && (
        <div className="maestro-load-more-row">
          <button
            type="button"
            className="maestro-button maestro-load-more"
            onClick={loadMore}
            disabled={loading !== null && loading !== 'silent'}
          >
            {loading === 'append' ? 'Loading…' : 'Load more'}
          </button>
        </div>
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
 * The list of models. Items are focusable; arrow keys, Home and End move
 * the focus between them; right and left arrows expand and collapse.
 */
function ModelList(props: {
  models: ModelSummary[];
  mlflowUiUrl: string;
  busy: boolean;
  expanded: ReadonlySet<string>;
  onToggle: (name: string) => void;
  reloadKey: number;
  onModelChanged: (summary: ModelSummary) => void;
  onOpenRun: (args: IOpenRunArgs) => void;
  onOpenCard: (args: IOpenCardArgs) => void;
  onOpenTests: (args: IOpenTestsArgs) => void;
  onCompare: (name: string) => void;
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
          onOpenRun={props.onOpenRun}
          onOpenCard={props.onOpenCard}
          onOpenTests={props.onOpenTests}
          onCompare={props.onCompare}
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
