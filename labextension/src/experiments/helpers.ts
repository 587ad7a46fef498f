/**
 * Pure helpers of the experiments browser: the columns of the runs table,
 * their sort keys, sorting, best values and the column choice remembered per
 * experiment.
 */
import type { RunSummary } from '../api';
import { isMetricValue, metricGoal } from '../metrics';

/** The kinds of data columns a user chooses. */
export type ColumnKind = 'metric' | 'param' | 'tag';

/** The fixed columns, always shown, in this order. */
export const ATTRIBUTE_COLUMNS = [
  'name',
  'status',
  'started',
  'duration'
] as const;

export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number];

/** A column of the runs table: a fixed one or `metric:…`, `param:…`, `tag:…`. */
export type ColumnId = AttributeColumn | `${ColumnKind}:${string}`;

/** Headers of the fixed columns. */
export const ATTRIBUTE_LABELS: { [key in AttributeColumn]: string } = {
  name: 'Run',
  status: 'Status',
  started: 'Started',
  duration: 'Duration'
};

/** The metrics, params and tags shown (each list in display order). */
export interface IColumnChoice {
  metrics: string[];
  params: string[];
  tags: string[];
}

/** Fewest and most runs the comparison view takes. */
export const MIN_COMPARE_RUNS = 2;
export const MAX_COMPARE_RUNS = 100;

/** Largest number of params and tags shown by default (metrics: all). */
export const DEFAULT_EXTRA_COLUMNS = 3;

/** The id of a metric, param or tag column. */
export function columnId(kind: ColumnKind, key: string): ColumnId {
  return `${kind}:${key}`;
}

/** The kind and key of a column id (`null` for a fixed column). */
export function parseColumnId(
  id: ColumnId
): { kind: ColumnKind; key: string } | null {
  const colon = id.indexOf(':');
  if (colon < 0) {
    return null;
  }
  return { kind: id.slice(0, colon) as ColumnKind, key: id.slice(colon + 1) };
}

/** Every metric, param and tag key of the runs, each list sorted by name. */
export function availableColumns(runs: readonly RunSummary[]): IColumnChoice {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    Object.keys(run.metrics ?? {}).forEach(key => metrics.add(key));
    Object.keys(run.params ?? {}).forEach(key => params.add(key));
    Object.keys(run.tags ?? {}).forEach(key => tags.add(key));
  }
  const sorted = (keys: Set<string>): string[] =>
    [...keys].sort((a, b) => a.localeCompare(b));
  return {
    metrics: sorted(metrics),
    params: sorted(params),
    tags: sorted(tags)
  };
}

/**
 * The columns shown before the user chooses: every metric, then up to
 * `DEFAULT_EXTRA_COLUMNS` params and tags together — params first, and among
 * them those whose value differs between the runs (what tells runs apart).
 */
export function defaultColumns(
  runs: readonly RunSummary[],
  available: IColumnChoice = availableColumns(runs)
): IColumnChoice {
  const differs = (kind: 'params' | 'tags', key: string): boolean => {
    const values = new Set(runs.map(run => run[kind]?.[key]));
    return values.size > 1;
  };
  const pick = (kind: 'params' | 'tags', room: number): string[] => {
    const keys = available[kind];
    const varying = keys.filter(key => differs(kind, key));
    const constant = keys.filter(key => !differs(kind, key));
    return [...varying, ...constant]
      .slice(0, Math.max(0, room))
      .sort((a, b) => a.localeCompare(b));
  };
  const params = pick('params', DEFAULT_EXTRA_COLUMNS);
  const tags = pick('tags', DEFAULT_EXTRA_COLUMNS - params.length);
  return { metrics: [...available.metrics], params, tags };
}

/** The column ids of a choice, in display order. */
export function chosenColumnIds(choice: IColumnChoice): ColumnId[] {
  return [
    ...choice.metrics.map(key => columnId('metric', key)),
    ...choice.params.map(key => columnId('param', key)),
    ...choice.tags.map(key => columnId('tag', key))
  ];
}

/** The choice without the keys that no loaded run has. */
export function keepAvailable(
  choice: IColumnChoice,
  available: IColumnChoice
): IColumnChoice {
  const keep = (keys: string[], present: string[]): string[] => {
    const set = new Set(present);
    return keys.filter(key => set.has(key));
  };
  return {
    metrics: keep(choice.metrics, available.metrics),
    params: keep(choice.params, available.params),
    tags: keep(choice.tags, available.tags)
  };
}

/**
 * The column choices made in this session, per experiment id (a module-level
 * map: it outlives the tab's components, not the page).
 */
const rememberedColumns = new Map<string, IColumnChoice>();

/** The choice remembered for an experiment, if any. */
export function rememberedChoice(experimentId: string): IColumnChoice | null {
  return rememberedColumns.get(experimentId) ?? null;
}

/** Remember the choice made for an experiment, for the session. */
export function rememberChoice(
  experimentId: string,
  choice: IColumnChoice
): void {
  rememberedColumns.set(experimentId, choice);
}

/** Forget every remembered choice (tests). */
export function forgetChoices(): void {
  rememberedColumns.clear();
}

/** What the user sees as a run's name: its name, else its id. */
export function runLabel(run: RunSummary): string {
  return run.run_name || run.run_id;
}

/** A sort of the runs table. */
export interface ISortState {
  column: ColumnId;
  direction: 'ascending' | 'descending';
}

/** Whether a column holds numbers (the first click sorts it descending). */
export function isNumericColumn(
  column: ColumnId,
  runs: readonly RunSummary[]
): boolean {
  if (column === 'started' || column === 'duration') {
    return true;
  }
  const parsed = parseColumnId(column);
  if (parsed === null) {
    return false;
  }
  if (parsed.kind === 'metric') {
    return true;
  }
  return numericStrings(runs, parsed.kind, parsed.key);
}

/** Whether every present value of a param or tag reads as a number. */
function numericStrings(
  runs: readonly RunSummary[],
  kind: 'param' | 'tag',
  key: string
): boolean {
  let any = false;
  for (const run of runs) {
    const value = (kind === 'param' ? run.params : run.tags)?.[key];
    if (value === undefined || value === null || value === '') {
      continue;
    }
    if (!isFinite(Number(value))) {
      return false;
    }
    any = true;
  }
  return any;
}

/**
 * The sort keys of a column, computed once per sort (not per comparison):
 * numbers (NaN when missing) or strings (null when missing).
 */
export type SortKeys =
  | { numeric: true; keys: Float64Array }
  | { numeric: false; keys: Array<string | null> };

/** Compute the sort keys of a column over the runs. */
export function sortKeys(
  runs: readonly RunSummary[],
  column: ColumnId
): SortKeys {
  const n = runs.length;
  const numbers = (get: (run: RunSummary) => unknown): SortKeys => {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const value = get(runs[i]);
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value !== ''
            ? Number(value)
            : NaN;
      keys[i] = isFinite(number) ? number : NaN;
    }
    return { numeric: true, keys };
  };
  const strings = (get: (run: RunSummary) => unknown): SortKeys => {
    const keys = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const value = get(runs[i]);
      keys[i] =
        value === undefined || value === null || value === ''
          ? null
          : String(value);
    }
    return { numeric: false, keys };
  };
  switch (column) {
    case 'name':
      return strings(runLabel);
    case 'status':
      return strings(run => run.status);
    case 'started':
      return numbers(run => run.start_time);
    case 'duration':
      return numbers(run => run.duration_seconds);
  }
  const parsed = parseColumnId(column);
  if (parsed === null) {
    return strings(() => null);
  }
  const { kind, key } = parsed;
  if (kind === 'metric') {
    return numbers(run => run.metrics?.[key]);
  }
  const get = (run: RunSummary): unknown =>
    (kind === 'param' ? run.params : run.tags)?.[key];
  return numericStrings(runs, kind, key) ? numbers(get) : strings(get);
}

/** Compares texts the way people expect: case-insensitive, "run 2" < "run 10". */
const collator = new Intl.Collator(undefined, {
  numeric: true,
  sensitivity: 'base'
});

/**
 * The runs in the order of `sort` (a new array; `runs` is untouched). Keys are
 * computed once, then indices are sorted; missing values come last in both
 * directions, and ties keep the loaded order (stable).
 */
export function sortRuns(
  runs: readonly RunSummary[],
  sort: ISortState | null
): RunSummary[] {
  if (sort === null) {
    return [...runs];
  }
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const order = Array.from(runs.keys());
  const keyed = sortKeys(runs, sort.column);
  if (keyed.numeric) {
    const keys = keyed.keys;
    order.sort((a, b) => {
      const x = keys[a];
      const y = keys[b];
      const xMissing = x !== x; // NaN
      const yMissing = y !== y;
      if (xMissing || yMissing) {
        return xMissing === yMissing ? a - b : xMissing ? 1 : -1;
      }
      return x === y ? a - b : x < y ? -sign : sign;
    });
  } else {
    const keys = keyed.keys;
    order.sort((a, b) => {
      const x = keys[a];
      const y = keys[b];
      if (x === null || y === null) {
        return x === y ? a - b : x === null ? 1 : -1;
      }
      return sign * collator.compare(x, y) || a - b;
    });
  }
  return order.map(index => runs[index]);
}

/**
 * The best value of each metric over the runs (the max, or the min for losses
 * and errors: `metricGoal`); a metric only two or more runs have a value of
 * has no best.
 */
export function bestValues(
  runs: readonly RunSummary[],
  metrics: readonly string[]
): Map<string, number> {
  const best = new Map<string, number>();
  for (const metric of metrics) {
    const goal = metricGoal(metric);
    let value: number | null = null;
    let count = 0;
    for (const run of runs) {
      const candidate = run.metrics?.[metric];
      if (!isMetricValue(candidate)) {
        continue;
      }
      count++;
      if (
        value === null ||
        (goal === 'max' ? candidate > value : candidate < value)
      ) {
        value = candidate;
      }
    }
    if (value !== null && count >= 2) {
      best.set(metric, value);
    }
  }
  return best;
}

/**
 * The run ids selected by a shift-click from `anchor` to `index` (both
 * positions in `ordered`, inclusive), added to `selected`.
 */
export function selectRange(
  selected: ReadonlySet<string>,
  ordered: readonly RunSummary[],
  anchor: number,
  index: number
): Set<string> {
  const next = new Set(selected);
  const [from, to] = anchor <= index ? [anchor, index] : [index, anchor];
  for (let i = Math.max(0, from); i <= Math.min(ordered.length - 1, to); i++) {
    next.add(ordered[i].run_id);
  }
  return next;
}

/** How a run's status reads in the table ("Finished", "Running"…). */
export function statusLabel(status: string): string {
  const lower = (status || 'unknown').toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/**
 * The distinct run ids of a command's `runIds` argument (an array of strings,
 * or one comma-separated string), in order; `null` when there are fewer than
 * 2 or more than 100.
 */
export function compareRunIds(value: unknown): string[] | null {
  const raw = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',')
      : [];
  const ids = [
    ...new Set(
      raw
        .filter((id): id is string => typeof id === 'string')
        .map(id => id.trim())
        .filter(Boolean)
    )
  ];
  return ids.length >= MIN_COMPARE_RUNS && ids.length <= MAX_COMPARE_RUNS
    ? ids
    : null;
}

/**
 * The id of the comparison widget of a set of runs: the same runs in any
 * order give the same id, so that comparing them again shows the open view.
 */
export function runsCompareWidgetId(runIds: readonly string[]): string {
  // FNV-1a over the sorted ids: a short, stable id for up to 100 run ids.
  let hash = 0x811c9dc5;
  for (const char of [...runIds].sort().join(',')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `maestro-runs-compare-${runIds.length}-${hash.toString(16)}`;
}
