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
 * A compact representation of a metric value (4 significant digits);
 * an em dash for a missing value.
 */
export function formatMetric(value: number | null | undefined): string {
  if (!isMetricValue(value)) {
    return '—';
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e7) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(4)));
}

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
