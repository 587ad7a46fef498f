import { refreshIcon, searchIcon } from '@jupyterlab/ui-components';
import React, { useCallback, useEffect, useRef, useState } from 'react';

import { IModelSummary, listModels } from '../api';
import { maestroIcon } from '../icons';

/**
 * Delay between the last keystroke in the search box and the request.
 */
export const SEARCH_DEBOUNCE_MS = 300;

/**
 * Maximal length of the description shown in the list.
 */
const DESCRIPTION_MAX_LENGTH = 140;

/**
 * Properties shared by the Maestro panels.
 */
export interface IPanelProps {
  /** Page size sent as `max_results`. */
  pageSize: number;
  /** Base URL of the MLflow web UI; empty to hide MLflow links. */
  mlflowUiUrl: string;
}

/**
 * The whole Maestro sidebar content: a header and the Models section.
 *
 * Later the section becomes one tab among Models/Jobs/Deployments/Budgets.
 */
export function MaestroPanel(props: IPanelProps): JSX.Element {
  return (
    <div className="maestro-panel">
      <header className="maestro-header">
        <maestroIcon.react
          tag="span"
          className="maestro-header-icon"
          elementSize="normal"
        />
        <h2 className="maestro-title">Maestro</h2>
      </header>
      <ModelsPanel {...props} />
    </div>
  );
}

/**
 * An error displayed by the panel, with what "Retry" should do.
 */
interface IPanelError {
  message: string;
  /** `replace`: reload the first page; `append`: reload the next page. */
  mode: LoadMode;
}

type LoadMode = 'replace' | 'append';

/**
 * The Models section: search box, refresh button and the paginated list.
 */
export function ModelsPanel(props: IPanelProps): JSX.Element {
  const { pageSize, mlflowUiUrl } = props;

  // Text typed by the user, and the (debounced) text actually searched.
  const [searchText, setSearchText] = useState('');
  const [query, setQuery] = useState('');

  const [models, setModels] = useState<IModelSummary[]>([]);
  const [nextPageToken, setNextPageToken] = useState<string | null>(null);
  const [loading, setLoading] = useState<LoadMode | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<IPanelError | null>(null);

  // The request in flight, aborted when superseded or on unmount.
  const controllerRef = useRef<AbortController | null>(null);

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
      setError(null);
      if (mode === 'replace') {
        setNextPageToken(null);
      }
      try {
        const page = await listModels({
          search: query,
          maxResults: pageSize,
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
      } catch (reason) {
        if (controller.signal.aborted) {
          return;
        }
        if (mode === 'replace') {
          setModels([]);
        }
        setError({ message: errorMessage(reason), mode });
      } finally {
        if (controllerRef.current === controller) {
          controllerRef.current = null;
          setLoading(null);
        }
      }
    },
    [query, pageSize]
  );

  // (Re)load the first page when the search or the page size changes.
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

  const refresh = (): void => {
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

  const showList = models.length > 0;
  const showEmpty =
    loaded && loading === null && error === null && models.length === 0;

  return (
    <section className="maestro-section maestro-models" aria-label="Models">
      <div className="maestro-section-header">
        <h3 className="maestro-section-title">Models</h3>
        <button
          type="button"
          className="maestro-icon-button"
          aria-label="Refresh"
          title="Refresh"
          onClick={refresh}
        >
          <refreshIcon.react tag="span" elementSize="normal" />
        </button>
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

      {loading === 'replace' && (
        <div className="maestro-loading" role="status" aria-live="polite">
          <span className="maestro-spinner" aria-hidden="true" />
          Loading models…
        </div>
      )}

      {error !== null && error.mode === 'replace' && (
        <ErrorMessage message={error.message} onRetry={retry} />
      )}

      {showEmpty && (
        <div className="maestro-empty" role="status">
          {query ? `No models match “${query}”.` : 'No models match.'}
        </div>
      )}

      {showList && (
        <ModelList
          models={models}
          mlflowUiUrl={mlflowUiUrl}
          busy={loading !== null}
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
            disabled={loading !== null}
          >
            {loading === 'append' ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}

/**
 * Error state: the server's message and a Retry button.
 */
function ErrorMessage(props: {
  message: string;
  onRetry: () => void;
}): JSX.Element {
  return (
    <div className="maestro-error" role="alert">
      <p className="maestro-error-message">{props.message}</p>
      <button
        type="button"
        className="maestro-button maestro-retry"
        onClick={props.onRetry}
      >
        Retry
      </button>
    </div>
  );
}

/**
 * The list of models. Items are focusable; arrow keys, Home and End move
 * the focus between them.
 */
function ModelList(props: {
  models: IModelSummary[];
  mlflowUiUrl: string;
  busy: boolean;
}): JSX.Element {
  const onKeyDown = (event: React.KeyboardEvent<HTMLLIElement>): void => {
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
  };

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
          onKeyDown={onKeyDown}
        />
      ))}
    </ul>
  );
}

/**
 * One model of the list.
 */
function ModelItem(props: {
  model: IModelSummary;
  mlflowUiUrl: string;
  onKeyDown: (event: React.KeyboardEvent<HTMLLIElement>) => void;
}): JSX.Element {
  const { model } = props;
  const aliases = Object.entries(model.aliases ?? {});
  const tagCount = Object.keys(model.tags ?? {}).length;
  const description = shortDescription(model.description);
  const updated = formatDate(model.last_updated_timestamp);
  const link = mlflowModelURL(props.mlflowUiUrl, model.name);

  return (
    <li
      className="maestro-model-item"
      data-model-name={model.name}
      tabIndex={0}
      onKeyDown={props.onKeyDown}
    >
      <div className="maestro-model-header">
        <span className="maestro-model-name" title={model.name}>
          {model.name}
        </span>
        <span
          className="maestro-model-version"
          title={
            model.latest_version
              ? `Latest version: ${model.latest_version}`
              : 'No versions registered'
          }
        >
          {model.latest_version ? `v${model.latest_version}` : 'no versions'}
        </span>
      </div>

      {aliases.length > 0 && (
        <div className="maestro-aliases" aria-label="Aliases">
          {aliases.map(([alias, version]) => (
            <span
              key={alias}
              className="maestro-alias"
              title={`Alias ${alias} points to version ${version}`}
            >
              {`${alias} → v${version}`}
            </span>
          ))}
        </div>
      )}

      {description && (
        <p className="maestro-model-description" title={model.description}>
          {description}
        </p>
      )}

      <div className="maestro-model-meta">
        <span className="maestro-model-tags">
          {tagCount === 1 ? '1 tag' : `${tagCount} tags`}
        </span>
        {updated && (
          <span className="maestro-model-updated" title={updated.full}>
            {`Updated ${updated.short}`}
          </span>
        )}
        {link && (
          <a
            className="maestro-model-link"
            href={link}
            target="_blank"
            rel="noopener noreferrer"
          >
            Open in MLflow
          </a>
        )}
      </div>
    </li>
  );
}

/**
 * Append a page to the list, skipping models already present.
 */
function mergeModels(
  previous: IModelSummary[],
  page: IModelSummary[]
): IModelSummary[] {
  const seen = new Set(previous.map(model => model.name));
  return previous.concat(page.filter(model => !seen.has(model.name)));
}

/**
 * The message to show for an error (the server's `message` for API errors).
 */
function errorMessage(reason: unknown): string {
  if (reason instanceof Error && reason.message) {
    return reason.message;
  }
  if (typeof reason === 'string' && reason) {
    return reason;
  }
  return 'An unknown error occurred.';
}

/**
 * First line of a description, truncated.
 */
function shortDescription(description: string | null | undefined): string {
  const firstLine = (description ?? '').trim().split(/\r?\n/, 1)[0].trim();
  if (firstLine.length <= DESCRIPTION_MAX_LENGTH) {
    return firstLine;
  }
  return `${firstLine.slice(0, DESCRIPTION_MAX_LENGTH - 1).trimEnd()}…`;
}

/**
 * Short and full local representations of a millisecond timestamp.
 */
function formatDate(
  timestamp: number | null | undefined
): { short: string; full: string } | null {
  if (typeof timestamp !== 'number' || !isFinite(timestamp) || timestamp <= 0) {
    return null;
  }
  const date = new Date(timestamp);
  return { short: date.toLocaleDateString(), full: date.toLocaleString() };
}

/**
 * URL of a model's page in the MLflow UI, or null when no (http) UI is set.
 */
export function mlflowModelURL(baseUrl: string, name: string): string | null {
  const base = (baseUrl ?? '').trim().replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(base)) {
    return null;
  }
  return `${base}/#/models/${encodeURIComponent(name)}`;
}
