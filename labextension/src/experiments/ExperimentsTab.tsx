import React, { useCallback, useEffect, useRef, useState } from 'react';

import { Experiment, listExperiments } from '../api';
import { SearchBox } from '../components/SearchBox';
import { LoadMore } from '../components/LoadMore';
import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import { errorMessage, formatDate, formatRelativeTime } from '../format';
import { RunsBrowser } from './RunsBrowser';

/** Delay between the last keystroke in the search box and the request. */
export const SEARCH_DEBOUNCE_MS = 300;

/**
 * Properties of `ExperimentsTab`.
 */
export interface IExperimentsTabProps {
  /** Page size of the experiment list (`max_results`). */
  pageSize: number;
}

/**
 * The Experiments tab: the experiments by name (search box, most recently
 * updated first); selecting one shows its runs (`RunsBrowser`), with a way
 * back to the list.
 */
export function ExperimentsTab(props: IExperimentsTabProps): JSX.Element {
  const [selected, setSelected] = useState<Experiment | null>(null);
  // The list stays mounted (hidden) while runs are shown, so that going back
  // finds the same search, page and scroll position.
  return (
    <>
      <ExperimentList
        pageSize={props.pageSize}
        hidden={selected !== null}
        onSelect={setSelected}
      />
      {selected !== null && (
        <RunsBrowser
          key={selected.experiment_id}
          experiment={selected}
          onBack={() => setSelected(null)}
        />
      )}
    </>
  );
}

/**
 * The experiments by name, with a search box and "Load more".
 */
function ExperimentList(props: {
  pageSize: number;
  hidden: boolean;
  onSelect: (experiment: Experiment) => void;
}): JSX.Element {
  const { pageSize } = props;
  const [searchText, setSearchText] = useState('');
  const [query, setQuery] = useState('');
  const [experiments, setExperiments] = useState<Experiment[]>([]);
  const [nextPageToken, setNextPageToken] = useState<string | null>(null);
  const [loading, setLoading] = useState<'replace' | 'append' | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const [now, setNow] = useState(() => Date.now());
  // The experiment last opened: focused again when its runs are left.
  const openedRef = useRef<HTMLButtonElement | null>(null);

  useEffect(() => {
    if (!props.hidden) {
      openedRef.current?.focus();
    }
  }, [props.hidden]);

  useEffect(() => {
    const handle = window.setTimeout(
      () => setQuery(searchText.trim()),
      SEARCH_DEBOUNCE_MS
    );
    return () => window.clearTimeout(handle);
  }, [searchText]);

  const load = useCallback(
    async (mode: 'replace' | 'append', pageToken: string | null) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      setLoading(mode);
      setError(null);
      try {
        const page = await listExperiments({
          search: query,
          maxResults: pageSize,
          pageToken,
          signal: controller.signal
        });
        if (controller.signal.aborted) {
          return;
        }
        const received = Array.isArray(page.experiments)
          ? page.experiments
          : [];
        setExperiments(previous => {
          if (mode === 'replace') {
            return received;
          }
          const seen = new Set(previous.map(e => e.experiment_id));
          return previous.concat(
            received.filter(e => !seen.has(e.experiment_id))
          );
        });
        setNextPageToken(page.next_page_token || null);
        setNow(Date.now());
      } catch (reason) {
        if (!controller.signal.aborted) {
          setError(errorMessage(reason));
        }
      } finally {
        if (controllerRef.current === controller) {
          controllerRef.current = null;
          setLoading(null);
          setLoaded(true);
        }
      }
    },
    [query, pageSize]
  );

  useEffect(() => {
    void load('replace', null);
  }, [load]);

  useEffect(() => () => controllerRef.current?.abort(), []);

  const refresh = (): void => {
    const text = searchText.trim();
    if (text !== query) {
      setQuery(text);
    } else {
      void load('replace', null);
    }
  };

  const count = experiments.length;
  return (
    <section
      className="maestro-section maestro-experiments"
      aria-label="Experiments"
      hidden={props.hidden}
    >
      <div className="maestro-section-header">
        <span className="maestro-experiment-count" aria-live="polite">
          {loaded && error === null
            ? `${count}${nextPageToken !== null ? '+' : ''} ${
                count === 1 && nextPageToken === null
                  ? 'experiment'
                  : 'experiments'
              }`
            : ''}
        </span>
        <SectionTools autoRefresh={0} onRefresh={refresh} />
      </div>
      <SearchBox
        label="Search experiments"
        value={searchText}
        onChange={setSearchText}
      />
      <Section
        label="experiments"
        loading={loading === 'replace' || !loaded}
        error={error}
        empty={count === 0}
        emptyMessage={
          query ? `No experiments match “${query}”.` : 'No experiments yet.'
        }
        onRetry={() =>
          void load(
            nextPageToken && count > 0 ? 'append' : 'replace',
            count > 0 ? nextPageToken : null
          )
        }
      >
        <ul className="maestro-experiment-list" aria-label="Experiments">
          {experiments.map(experiment => {
            const updated =
              experiment.last_update_time ?? experiment.creation_time;
            return (
              <li
                key={experiment.experiment_id}
                className="maestro-experiment-item"
                data-experiment-id={experiment.experiment_id}
              >
                <button
                  type="button"
                  className="maestro-experiment-open"
                  onClick={event => {
                    openedRef.current = event.currentTarget;
                    props.onSelect(experiment);
                  }}
                >
                  <span className="maestro-experiment-name">
                    {experiment.name}
                  </span>
                  <span
                    className="maestro-experiment-updated"
                    title={formatDate(updated)?.full}
                  >
                    {updated
                      ? `updated ${formatRelativeTime(updated, now)}`
                      : ''}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
        {nextPageToken !== null && (
          <LoadMore
            label="Load more"
            busy={loading !== null}
            appending={loading === 'append'}
            onLoad={() => void load('append', nextPageToken)}
          />
        )}
      </Section>
    </section>
  );
}
