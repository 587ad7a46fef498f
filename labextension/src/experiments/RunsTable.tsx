import React, {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState
} from 'react';

import type { RunSummary } from '../api';
import { useMaestroActions } from '../actions';
import {
  formatDate,
  formatDuration,
  formatMetric,
  formatRelativeTime,
  metricDecimals
} from '../format';
import { metricGoal } from '../metrics';
import {
  ATTRIBUTE_COLUMNS,
  ATTRIBUTE_LABELS,
  AttributeColumn,
  bestValues,
  chosenColumnIds,
  ColumnId,
  IColumnChoice,
  isNumericColumn,
  ISortState,
  parseColumnId,
  runLabel,
  selectRange,
  sortRuns,
  statusLabel
} from './helpers';

/** Rows rendered at first, and added by "Show more": the DOM stays small. */
export const ROWS_STEP = 100;

/** The sort before any click: the server's order, newest first. */
const INITIAL_SORT: ISortState = { column: 'started', direction: 'descending' };

const KIND_LABELS = { metric: 'metric', param: 'param', tag: 'tag' } as const;
const GROUP_LABELS = { metric: 'Metrics', param: 'Params', tag: 'Tags' };

/**
 * Properties of `RunsTable`.
 */
export interface IRunsTableProps {
  /** For the table's accessible name. */
  experimentName: string;
  /** The loaded runs, in the server's order. */
  runs: readonly RunSummary[];
  /** The metric, param and tag columns shown. */
  columns: IColumnChoice;
  /** Ids of the selected runs. */
  selected: ReadonlySet<string>;
  onSelectionChange: (selected: ReadonlySet<string>) => void;
  /** The time relative times are counted from (ms). */
  now: number;
}

/**
 * The runs table: run name, status, started, duration, then the chosen
 * metrics, params and tags. Headers sort the loaded runs (client-side, keys
 * computed once per sort); the best value of each metric is highlighted;
 * checkboxes select runs (shift-click selects a range). Only the first rows
 * are rendered, with "Show more", so that thousands of runs stay fast.
 */
export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { runs, columns, selected, now } = props;
  const actions = useMaestroActions();
  const [sort, setSort] = useState<ISortState>(INITIAL_SORT);
  const [shown, setShown] = useState(ROWS_STEP);
  const anchor = useRef<number | null>(null);
  const selectAll = useRef<HTMLInputElement>(null);

  const ordered = useMemo(() => sortRuns(runs, sort), [runs, sort]);
  const positions = useMemo(
    () => new Map(ordered.map((run, index) => [run.run_id, index])),
    [ordered]
  );
  const best = useMemo(
    () => bestValues(runs, columns.metrics),
    [runs, columns.metrics]
  );
  // One number of decimals per metric column, so that its values line up.
  const decimals = useMemo(() => {
    const result = new Map<string, number>();
    for (const metric of columns.metrics) {
      result.set(
        metric,
        metricDecimals(runs.map(run => run.metrics?.[metric]))
      );
    }
    return result;
  }, [runs, columns.metrics]);
  const dataColumns = useMemo(() => chosenColumnIds(columns), [columns]);
  // Params and tags whose values are all numbers are right-aligned.
  const numeric = useMemo(
    () => new Set(dataColumns.filter(id => isNumericColumn(id, runs))),
    [dataColumns, runs]
  );

  const visible = ordered.slice(0, shown);
  const visibleSelected = visible.filter(run =>
    selected.has(run.run_id)
  ).length;
  useEffect(() => {
    if (selectAll.current) {
      selectAll.current.indeterminate =
        visibleSelected > 0 && visibleSelected < visible.length;
    }
  });

  const sortBy = (column: ColumnId): void => {
    setSort(previous => {
      if (previous.column === column) {
        return {
          column,
          direction:
            previous.direction === 'ascending' ? 'descending' : 'ascending'
        };
      }
      return { column, direction: firstDirection(column, runs) };
    });
  };

  const toggleRow = (runId: string, shiftKey: boolean): void => {
    const index = positions.get(runId);
    if (index === undefined) {
      return;
    }
    const run = ordered[index];
    if (shiftKey && anchor.current !== null) {
      props.onSelectionChange(
        selectRange(selected, ordered, anchor.current, index)
      );
    } else {
      const next = new Set(selected);
      if (next.has(run.run_id)) {
        next.delete(run.run_id);
      } else {
        next.add(run.run_id);
      }
      props.onSelectionChange(next);
    }
    anchor.current = index;
  };

  // Stable callbacks and no position among a row's properties: a sort only
  // moves the rows, and a row re-renders only when its own data changes.
  const toggleRef = useRef(toggleRow);
  toggleRef.current = toggleRow;
  const onToggle = useCallback(
    (runId: string, shiftKey: boolean) => toggleRef.current(runId, shiftKey),
    []
  );
  const onOpen = useCallback(
    (runId: string) => actions.openRun({ runId }),
    [actions]
  );

  const toggleAll = (): void => {
    const next = new Set(selected);
    const all = visibleSelected === visible.length;
    for (const run of visible) {
      if (all) {
        next.delete(run.run_id);
      } else {
        next.add(run.run_id);
      }
    }
    props.onSelectionChange(next);
  };

  const groups = (['metric', 'param', 'tag'] as const)
    .map(kind => ({
      kind,
      span: dataColumns.filter(id => parseColumnId(id)?.kind === kind).length
    }))
    .filter(group => group.span > 0);

  const header = (id: ColumnId): JSX.Element => {
    const parsed = parseColumnId(id);
    const label = parsed ? parsed.key : ATTRIBUTE_LABELS[id as AttributeColumn];
    const isSorted = sort.column === id;
    const goal = parsed?.kind === 'metric' ? metricGoal(parsed.key) : null;
    return (
      <th
        key={id}
        scope="col"
        data-column={id}
        aria-sort={isSorted ? sort.direction : undefined}
        className={
          numeric.has(id) || id === 'started' || id === 'duration'
            ? 'maestro-number'
            : undefined
        }
        title={
          goal
            ? `metric ${parsed?.key}: best is the ${goal === 'max' ? 'highest' : 'lowest'}`
            : parsed
              ? `${KIND_LABELS[parsed.kind]} ${parsed.key}`
              : undefined
        }
      >
        <button
          type="button"
          className="maestro-sort-button"
          onClick={() => sortBy(id)}
        >
          {parsed && (
            <span className="maestro-visually-hidden">{`${KIND_LABELS[parsed.kind]} `}</span>
          )}
          {label}
          <span className="maestro-sort-indicator" aria-hidden="true">
            {isSorted ? (sort.direction === 'ascending' ? '▲' : '▼') : ''}
          </span>
        </button>
      </th>
    );
  };

  return (
    <>
      <div className="maestro-runs-table-wrapper">
        <table
          className="maestro-runs-table"
          aria-label={`Runs of ${props.experimentName}`}
        >
          <thead>
            {groups.length > 0 && (
              <tr className="maestro-runs-groups" aria-hidden="true">
                <th colSpan={1 + ATTRIBUTE_COLUMNS.length} />
                {groups.map(group => (
                  <th
                    key={group.kind}
                    colSpan={group.span}
                    className="maestro-runs-group"
                    data-kind={group.kind}
                  >
                    {GROUP_LABELS[group.kind]}
                  </th>
                ))}
              </tr>
            )}
            <tr>
              <th scope="col" className="maestro-runs-select">
                <input
                  ref={selectAll}
                  type="checkbox"
                  aria-label="Select all shown runs"
                  checked={
                    visible.length > 0 && visibleSelected === visible.length
                  }
                  onChange={toggleAll}
                />
              </th>
              {ATTRIBUTE_COLUMNS.map(header)}
              {dataColumns.map(header)}
            </tr>
          </thead>
          <tbody>
            {visible.map(run => (
              <RunRow
                key={run.run_id}
                run={run}
                columns={dataColumns}
                numeric={numeric}
                best={best}
                decimals={decimals}
                selected={selected.has(run.run_id)}
                now={now}
                onToggle={onToggle}
                onOpen={onOpen}
              />
            ))}
          </tbody>
        </table>
      </div>
      {ordered.length > shown && (
        <div className="maestro-load-more-row maestro-runs-more">
          <span>{`Showing ${shown} of ${ordered.length} runs`}</span>
          <button
            type="button"
            className="maestro-button"
            onClick={() => setShown(value => value + ROWS_STEP)}
          >
            {`Show ${Math.min(ROWS_STEP, ordered.length - shown)} more`}
          </button>
          <button
            type="button"
            className="maestro-button"
            onClick={() => setShown(ordered.length)}
          >
            Show all
          </button>
        </div>
      )}
    </>
  );
}

/**
 * The first direction of a newly sorted column: best first for a metric
 * (descending, or ascending for losses and errors), newest and longest first
 * for times, A to Z for text.
 */
export function firstDirection(
  column: ColumnId,
  runs: readonly RunSummary[]
): ISortState['direction'] {
  const parsed = parseColumnId(column);
  if (parsed?.kind === 'metric') {
    return metricGoal(parsed.key) === 'min' ? 'ascending' : 'descending';
  }
  return isNumericColumn(column, runs) ? 'descending' : 'ascending';
}

/**
 * One row of the runs table (memoised: selecting a run re-renders its row
 * only).
 */
const RunRow = memo(function RunRow(props: {
  run: RunSummary;
  columns: readonly ColumnId[];
  numeric: ReadonlySet<ColumnId>;
  best: ReadonlyMap<string, number>;
  decimals: ReadonlyMap<string, number>;
  selected: boolean;
  now: number;
  onToggle: (runId: string, shiftKey: boolean) => void;
  onOpen: (runId: string) => void;
}): JSX.Element {
  const { run, best } = props;
  const label = runLabel(run);
  const started = formatDate(run.start_time);
  return (
    <tr
      className={props.selected ? 'maestro-mod-selected' : undefined}
      data-run-id={run.run_id}
    >
      <td className="maestro-runs-select">
        <input
          type="checkbox"
          aria-label={`Select run ${label}`}
          checked={props.selected}
          onChange={() => undefined}
          onClick={event => props.onToggle(run.run_id, event.shiftKey)}
        />
      </td>
      <th scope="row" className="maestro-runs-name">
        <button
          type="button"
          className="maestro-link-button"
          title={`Open run ${run.run_id}`}
          onClick={() => props.onOpen(run.run_id)}
        >
          {label}
        </button>
      </th>
      <td>
        <span
          className="maestro-run-status"
          data-status={(run.status || '').toLowerCase()}
        >
          {statusLabel(run.status)}
        </span>
      </td>
      <td className="maestro-number" title={started?.full}>
        {formatRelativeTime(run.start_time, props.now)}
      </td>
      <td className="maestro-number">{formatDuration(run.duration_seconds)}</td>
      {props.columns.map(id => {
        const parsed = parseColumnId(id);
        if (parsed === null) {
          return null;
        }
        if (parsed.kind === 'metric') {
          const value = run.metrics?.[parsed.key];
          const isBest = best.has(parsed.key) && value === best.get(parsed.key);
          return (
            <td
              key={id}
              className={`maestro-number${isBest ? ' maestro-best' : ''}`}
              title={value === undefined ? undefined : String(value)}
            >
              {formatMetric(value, props.decimals.get(parsed.key))}
              {isBest && (
                <span className="maestro-visually-hidden"> (best)</span>
              )}
            </td>
          );
        }
        const value = (parsed.kind === 'param' ? run.params : run.tags)?.[
          parsed.key
        ];
        return (
          <td
            key={id}
            className={props.numeric.has(id) ? 'maestro-number' : undefined}
          >
            {value === undefined || value === '' ? (
              <span className="maestro-missing">—</span>
            ) : (
              value
            )}
          </td>
        );
      })}
    </tr>
  );
});
