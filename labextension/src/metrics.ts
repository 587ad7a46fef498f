/**
 * Metrics shown first, in this order, when a model's versions have them.
 */
export const PREFERRED_METRICS: readonly string[] = [
  'accuracy',
  'f1',
  'roc_auc',
  'r2',
  'rmse'
];

/**
 * Name of the training time "metric" the server adds for runs with a duration.
 */
export const TRAINING_TIME_METRIC = 'training_time_s';

/**
 * Number of key metrics shown for each version in the sidebar.
 */
export const KEY_METRIC_COUNT = 3;

/**
 * Pick the key metrics of a model: the preferred ones that are available (in
 * the preferred order), completed with the first other available ones, up to
 * `count`.
 */
export function pickKeyMetrics(
  available: readonly string[],
  count: number = KEY_METRIC_COUNT
): string[] {
  const preferred = PREFERRED_METRICS.filter(name => available.includes(name));
  const others = available.filter(
    name => !PREFERRED_METRICS.includes(name) && name !== TRAINING_TIME_METRIC
  );
  const picked = [...preferred, ...others];
  if (picked.length < count && available.includes(TRAINING_TIME_METRIC)) {
    picked.push(TRAINING_TIME_METRIC);
  }
  return picked.slice(0, Math.max(0, count));
}

/**
 * The metrics compared by default: the key metrics plus the training time.
 */
export function defaultCompareMetrics(available: readonly string[]): string[] {
  const picked = pickKeyMetrics(available);
  if (
    available.includes(TRAINING_TIME_METRIC) &&
    !picked.includes(TRAINING_TIME_METRIC)
  ) {
    picked.push(TRAINING_TIME_METRIC);
  }
  return picked;
}

/**
 * Whether a metric value is a usable number.
 */
export function isMetricValue(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The best of `values` for `metric` (the lowest for a loss or an error, the highest otherwise: `metricGoal`); null
 * when none is a number.
 */
export function bestMetricValue(
  metric: string,
  values: Iterable<number | null | undefined>
): number | null {
  const lower = metricGoal(metric) === 'min';
  let best: number | null = null;
  for (const value of values) {
    if (
      isMetricValue(value) &&
      (best === null || (lower ? value < best : value > best))
    ) {
      best = value;
    }
  }
  return best;
}

/**
 * The sidebar's one format of a metric value (4 significant digits); it lives in `format.ts` with the other formats.
 */
export { formatMetric } from './format';

/**
 * Display rank of a metric: preferred metrics first (in their order), then
 * the others alphabetically, the training time last.
 */
function metricRank(metric: string): [number, string] {
  const preferred = PREFERRED_METRICS.indexOf(metric);
  if (preferred !== -1) {
    return [preferred, ''];
  }
  if (metric === TRAINING_TIME_METRIC) {
    return [PREFERRED_METRICS.length + 1, ''];
  }
  return [PREFERRED_METRICS.length, metric];
}

/**
 * Sort metrics for display: preferred ones first, then the others
 * alphabetically, the training time last.
 */
export function orderMetrics(metrics: Iterable<string>): string[] {
  return [...new Set(metrics)].sort((a, b) => {
    const [rankA, nameA] = metricRank(a);
    const [rankB, nameB] = metricRank(b);
    if (rankA !== rankB) {
      return rankA - rankB;
    }
    return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
  });
}

/**
 * Words that mark a metric whose lowest value is the best (losses and errors;
 * `log_loss` is the words `log` and `loss`).
 */
const LOWER_IS_BETTER_WORDS: ReadonlySet<string> = new Set([
  'loss',
  'error',
  'rmse',
  'mae',
  'mse'
]);

/**
 * Which value of a metric is the best: `min` for names that look like losses
 * or errors (a word `loss`, `error`, `rmse`, `mae`, `mse` or `log_loss`, e.g.
 * `val_loss`, `valLoss`, `mean_absolute_error`, `test/rmse`) and for Maestro's training
 * time, `max` for anything else (accuracy, f1, roc_auc, r2…). scikit-learn's
 * negated scorers (`neg_mean_squared_error`) are `max`: their sign is already
 * flipped. The one rule every view highlights best values with.
 */
export function metricGoal(name: string): 'max' | 'min' {
  const lower = name.toLowerCase();
  if (lower === TRAINING_TIME_METRIC) {
    return 'min';
  }
  // camelCase (`valLoss`) splits into words like snake_case.
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words[0] === 'neg') {
    return 'max';
  }
  return words.some(word => LOWER_IS_BETTER_WORDS.has(word)) ? 'min' : 'max';
}
