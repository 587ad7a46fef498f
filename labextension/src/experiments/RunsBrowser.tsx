import { caretLeftIcon } from '@jupyterlab/ui-components';
import React, {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState
} from 'react';

import { Experiment, listRuns, RunSummary } from '../api';
import { useMaestroActions } from '../actions';
import { LoadMore } from '../components/LoadMore';
import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import { errorMessage } from '../format';
import { ColumnChooser } from './ColumnChooser';
import {
  availableColumns,
  defaultColumns,
  IColumnChoice,
  keepAvailable,
  MAX_COMPARE_RUNS,
  MIN_COMPARE_RUNS,
  rememberChoice,
  rememberedChoice
} from './helpers';
import { RunsTable } from './RunsTable';

/**
 * Runs asked for per request (the server takes up to 5,000): an experiment of
 * 2,000 runs arrives in one request, and sorting (client-side, over the loaded
 * runs) sees all of them; "Load more runs" fetches the next page.
 */
export const RUNS_PAGE_SIZE = 2000;

/**
 * The runs of one experiment: a filter in MLflow's search syntax (applied on
 * Enter, through the server), a column chooser, the sortable table with row
 * selection, and the actions on the selection (Open, Compare).
 */
export function RunsBrowser(props: {
  experiment: Experiment;
  onBack: () => void;
}): JSX.Element {
  const { experiment } = props;
  const actions = useMaestroActions();
  const [filterText, setFilterText] = useState('');
  const [filter, setFilter] = useState('');
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [nextPageToken, setNextPageToken] = useState<string | null>(null);
  const [loading, setLoading] = useState<'replace' | 'append' | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [choice, setChoice] = useState<IColumnChoice | null>(() =>
    rememberedChoice(experiment.experiment_id)
  );
  const [now, setNow] = useState(() => Date.now());
  const controllerRef = useRef<AbortController | null>(null);
  const backRef = useRef<HTMLButtonElement>(null);

  // The experiment's button that opened this view is hidden now: keyboard
  // focus moves here rather than being lost.
  useEffect(() => backRef.current?.focus(), []);

  const load = useCallback(
    async (mode: 'replace' | 'append', pageToken: string | null) => {
      controllerRef.current?.abort();
      const controller = new AbortController();
      controllerRef.current = controller;
      setLoading(mode);
      setError(null);
      try {
        const page = await listRuns(experiment.experiment_id, {
          filter,
          maxResults: RUNS_PAGE_SIZE,
          pageToken,
          signal: controller.signal
        });
        if (controller.signal.aborted) {
          return;
        }
        const received = Array.isArray(page.runs) ? page.runs : [];
        setRuns(previous => {
          if (mode === 'replace') {
            return received;
          }
          const seen = new Set(previous.map(run => run.run_id));
          return previous.concat(received.filter(run => !seen.has(run.run_id)));
        });
        setNextPageToken(page.next_page_token || null);
        setNow(Date.now());
      } catch (reason) {
        if (!controller.signal.aborted) {
          setError(errorMessage(reason));
          if (mode === 'replace') {
            setRuns([]);
            setNextPageToken(null);
          }
        }
      } finally {
        if (controllerRef.current === controller) {
          controllerRef.current = null;
          setLoading(null);
          setLoaded(true);
        }
      }
    },
    [experiment.experiment_id, filter]
  );

  useEffect(() => {
    void load('replace', null);
  }, [load]);

  useEffect(() => () => controllerRef.current?.abort(), []);

  // A selected run that a new filter or a refresh no longer lists is dropped.
  useEffect(() => {
    setSelected(previous => {
      const present = new Set(runs.map(run => run.run_id));
      const kept = [...previous].filter(id => present.has(id));
      return kept.length === previous.size ? previous : new Set(kept);
    });
  }, [runs]);

  const available = useMemo(() => availableColumns(runs), [runs]);
  const columns = useMemo(
    () =>
      choice === null
        ? defaultColumns(runs, available)
        : keepAvailable(choice, available),
    [choice, runs, available]
  );

  const chooseColumns = (next: IColumnChoice): void => {
    setChoice(next);
    rememberChoice(experiment.experiment_id, next);
  };

  const applyFilter = (): void => {
    const text = filterText.trim();
    if (text === filter) {
      void load('replace', null);
    } else {
      setFilter(text);
    }
  };

  const selectedIds = runs
    .filter(run => selected.has(run.run_id))
    .map(run => run.run_id);
  const canCompare =
    selectedIds.length >= MIN_COMPARE_RUNS &&
    selectedIds.length <= MAX_COMPARE_RUNS;
  const filterId = `maestro-runs-filter-${experiment.experiment_id}`;
  const hintId = `${filterId}-hint`;

  return (
    <section
      className="maestro-section maestro-runs-browser"
      aria-label={`Runs of ${experiment.name}`}
    >
      <div className="maestro-section-header">
        <button
          ref={backRef}
          type="button"
          className="maestro-button maestro-runs-back"
          onClick={props.onBack}
        >
          <caretLeftIcon.react tag="span" elementSize="normal" />
          Experiments
        </button>
        <SectionTools
          autoRefresh={0}
          onRefresh={() => void load('replace', null)}
        />
      </div>
      <h3 className="maestro-runs-title" title={experiment.name}>
        {experiment.name}
      </h3>
      <div className="maestro-runs-filter">
        <label className="maestro-visually-hidden" htmlFor={filterId}>
          Filter runs
        </label>
        <input
          id={filterId}
          type="search"
          className="maestro-search-input maestro-runs-filter-input"
          placeholder="metrics.accuracy > 0.9 and params.max_depth = '5'"
          aria-describedby={hintId}
          value={filterText}
          onChange={event => setFilterText(event.target.value)}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              event.preventDefault();
              applyFilter();
            }
          }}
          spellCheck={false}
          autoComplete="off"
        />
        <span id={hintId} className="maestro-runs-filter-hint">
          {filter
            ? `Filtered by ${filter} · press Enter to apply changes`
            : "MLflow's search syntax; press Enter to apply"}
        </span>
      </div>
      <div className="maestro-runs-toolbar">
        <span className="maestro-run-count" aria-live="polite">
          {loaded && error === null
            ? `${runs.length.toLocaleString('en-US')}${nextPageToken !== null ? '+' : ''} ${
                runs.length === 1 && nextPageToken === null ? 'run' : 'runs'
              }${selectedIds.length > 0 ? ` · ${selectedIds.length} selected` : ''}`
            : ''}
        </span>
        <ColumnChooser
          available={available}
          chosen={columns}
          onChange={chooseColumns}
        />
        <button
          type="button"
          className="maestro-button"
          disabled={selectedIds.length !== 1}
          title="Open the selected run"
          onClick={() => actions.openRun({ runId: selectedIds[0] })}
        >
          Open
        </button>
        <button
          type="button"
          className="maestro-button maestro-runs-compare"
          disabled={!canCompare}
          title={
            selectedIds.length > MAX_COMPARE_RUNS
              ? `Compare takes at most ${MAX_COMPARE_RUNS} runs`
              : 'Compare the selected runs (2 or more)'
          }
          onClick={() => actions.compareRuns(selectedIds)}
        >
          {`Compare (${selectedIds.length})`}
        </button>
      </div>
      <Section
        label="runs"
        loading={loading === 'replace' || !loaded}
        error={error}
        empty={runs.length === 0}
        emptyMessage={
          filter
            ? 'No runs match this filter.'
            : 'No runs in this experiment yet.'
        }
        onRetry={() =>
          void load(
            runs.length > 0 && nextPageToken ? 'append' : 'replace',
            runs.length > 0 ? nextPageToken : null
          )
        }
      >
        <RunsTable
          experimentName={experiment.name}
          runs={runs}
          columns={columns}
          selected={selected}
          onSelectionChange={setSelected}
          now={now}
        />
        {nextPageToken !== null && (
          <LoadMore
            label="Load more runs"
            busy={loading !== null}
            appending={loading === 'append'}
            onLoad={() => void load('append', nextPageToken)}
            note={
              <span className="maestro-runs-partial">
                Sorting applies to the {runs.length.toLocaleString('en-US')}{' '}
                loaded runs.
              </span>
            }
          />
        )}
      </Section>
    </section>
  );
}
