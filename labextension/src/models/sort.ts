/**
 * The order of the Models tab: last updated (newest first, the default), name, or the best value of a chosen metric
 * among a model's versions. Name and last updated are the server's order (`order_by`), so pages come in that order;
 * a metric orders the models loaded so far (the server cannot sort by a metric of the versions).
 */
import type { ModelSummary, VersionComparison } from '../api';
import { bestMetricValue, metricGoal, orderMetrics } from '../metrics';

/**
 * What the models list is sorted by.
 */
export type ModelSortKey = 'updated' | 'name' | 'metric';

/**
 * The sort keys, in the order the select offers them, with their labels.
 */
export const MODEL_SORT_OPTIONS: ReadonlyArray<{
  key: ModelSortKey;
  label: string;
}> = [
  { key: 'updated', label: 'Last updated' },
  { key: 'name', label: 'Name' },
  { key: 'metric', label: 'Best metric' }
];

/**
 * The sort of the list: a key and, for `metric`, which metric (empty: the first key metric available).
 */
export interface IModelSort {
  key: ModelSortKey;
  metric: string;
}

/**
 * The default: last updated, newest first.
 */
export const DEFAULT_MODEL_SORT: IModelSort = { key: 'updated', metric: '' };

/**
 * Where the sort is remembered for the session (`sessionStorage`: kept across tab switches and reloads of the page,
 * forgotten with the browser tab).
 */
export const MODEL_SORT_STORAGE_KEY = 'maestro:models-sort';

/**
 * The sort remembered for this session, or the default.
 */
export function readModelSort(): IModelSort {
  try {
    const stored = JSON.parse(
      window.sessionStorage.getItem(MODEL_SORT_STORAGE_KEY) ?? 'null'
    ) as Partial<IModelSort> | null;
    if (
      stored !== null &&
      MODEL_SORT_OPTIONS.some(option => option.key === stored.key)
    ) {
      return {
        key: stored.key as ModelSortKey,
        metric: typeof stored.metric === 'string' ? stored.metric : ''
      };
    }
  } catch {
    // No storage (private mode, a sandboxed frame) or a stale value: the default.
  }
  return DEFAULT_MODEL_SORT;
}

/**
 * Remember the sort for this session (silently not, without storage).
 */
export function writeModelSort(sort: IModelSort): void {
  try {
    window.sessionStorage.setItem(MODEL_SORT_STORAGE_KEY, JSON.stringify(sort));
  } catch {
    // Nothing to remember it in: the sort still applies until the tab closes.
  }
}

/**
 * The server's `order_by` for a sort: a metric sort pages the newest models first, then orders what is loaded.
 */
export function serverOrder(key: ModelSortKey): string {
  return key === 'name' ? 'name ASC' : 'last_updated_timestamp DESC';
}

/**
 * What the metric sort knows of one model: every metric any version has, and each one's best value among the
 * versions (the highest, or the lowest for losses and errors).
 */
export interface IModelMetricSummary {
  available: string[];
  best: { [metric: string]: number | null };
}

/**
 * Summarise a model's version comparison for the metric sort.
 */
export function summarizeComparison(
  comparison: VersionComparison
): IModelMetricSummary {
  const available = comparison.available_metrics ?? comparison.metrics ?? [];
  const best: { [metric: string]: number | null } = {};
  for (const metric of available) {
    best[metric] = bestMetricValue(
      metric,
      (comparison.versions ?? []).map(version => version.metrics?.[metric])
    );
  }
  return { available: [...available], best };
}

/**
 * The metrics to sort by: those of any loaded model, preferred ones first.
 */
export function sortableMetrics(
  summaries: Iterable<IModelMetricSummary>
): string[] {
  const names: string[] = [];
  for (const summary of summaries) {
    names.push(...summary.available);
  }
  return orderMetrics(names);
}

/**
 * The models ordered by their best value of `metric`, best first (highest, or lowest for a loss or an error); models
 * without a value (none of their versions has the metric, or it is not loaded yet) after them, then by name.
 */
export function sortByMetric(
  models: readonly ModelSummary[],
  metric: string,
  bestOf: (name: string) => number | null | undefined
): ModelSummary[] {
  const sign = metricGoal(metric) === 'min' ? 1 : -1;
  const keyed = models.map(model => ({ model, value: bestOf(model.name) }));
  keyed.sort((a, b) => {
    const hasA = typeof a.value === 'number';
    const hasB = typeof b.value === 'number';
    if (hasA && hasB && a.value !== b.value) {
      return sign * ((a.value as number) - (b.value as number));
    }
    if (hasA !== hasB) {
      return hasA ? -1 : 1;
    }
    return a.model.name < b.model.name
      ? -1
      : a.model.name > b.model.name
        ? 1
        : 0;
  });
  return keyed.map(item => item.model);
}
