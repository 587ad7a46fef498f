/**
 * Maximal length of a description shown in the list.
 */
export const DESCRIPTION_MAX_LENGTH = 140;

/**
 * The message to show for an error (the server's `message` for API errors).
 */
export function errorMessage(reason: unknown): string {
  if (reason instanceof Error && reason.message) {
    return reason.message;
  }
  if (typeof reason === 'string' && reason) {
    return reason;
  }
  return 'An unknown error occurred.';
}

/**
 * Whether an error is the rejection of an aborted request.
 */
export function isAbortError(reason: unknown): boolean {
  return (
    typeof reason === 'object' &&
    reason !== null &&
    (reason as { name?: unknown }).name === 'AbortError'
  );
}

/**
 * First line of a description, truncated.
 */
export function shortDescription(
  description: string | null | undefined,
  maxLength: number = DESCRIPTION_MAX_LENGTH
): string {
  const firstLine = (description ?? '').trim().split(/\r?\n/, 1)[0].trim();
  if (firstLine.length <= maxLength) {
    return firstLine;
  }
  return `${firstLine.slice(0, maxLength - 1).trimEnd()}…`;
}

/**
 * Short (date) and full (date and time) local representations of a
 * millisecond timestamp; null for a missing or invalid one.
 */
export function formatDate(
  timestamp: number | null | undefined
): { short: string; full: string } | null {
  if (typeof timestamp !== 'number' || !isFinite(timestamp) || timestamp <= 0) {
    return null;
  }
  const date = new Date(timestamp);
  return { short: date.toLocaleDateString(), full: date.toLocaleString() };
}

/**
 * A duration in seconds as text, e.g. `42.1 s`, `3 min 5 s`, `2 h 3 min`.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !isFinite(seconds) || seconds < 0) {
    return '—';
  }
  if (seconds < 60) {
    return `${Number(seconds.toFixed(seconds < 10 ? 2 : 1))} s`;
  }
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min ${secs} s`;
}

/**
 * Significant digits of a metric value in the sidebar.
 */
export const METRIC_SIGNIFICANT_DIGITS = 4;

/** Largest number of decimals a metric column uses (4 significant digits of 0.001). */
const MAX_METRIC_DECIMALS = 6;

/** Whether a metric value is shown in exponent notation (too small or too large for decimals). */
function isExponentRange(value: number): boolean {
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e7);
}

/**
 * The one format of a metric value in the sidebar: 4 significant digits, trailing zeros kept (`0.9580`, `12.50`,
 * `1235`), integers as they are (`12`), exponent notation below 0.001 and from 10 million (`1.234e-5`), an em dash
 * for a missing value. With `decimals` (from `metricDecimals` over a column), exactly that many decimals, so that
 * the values of a column line up (`0.9580` against `0.9674`).
 */
export function formatMetric(
  value: number | null | undefined,
  decimals?: number
): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return '—';
  }
  if (isExponentRange(value)) {
    return value.toExponential(METRIC_SIGNIFICANT_DIGITS - 1);
  }
  if (decimals !== undefined) {
    return value.toFixed(Math.max(0, Math.min(MAX_METRIC_DECIMALS, decimals)));
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  return value.toFixed(decimalsFor(value));
}

/** Decimals giving `value` 4 significant digits (0 from 1,000 up). */
function decimalsFor(value: number): number {
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  return Math.max(
    0,
    Math.min(MAX_METRIC_DECIMALS, METRIC_SIGNIFICANT_DIGITS - 1 - magnitude)
  );
}

/**
 * The decimals of a column of metric values: enough for every value to keep 4 significant digits, so one column
 * reads `0.9580` and `0.9674` rather than `0.958` and `0.9674`. 0 for a column of integers (counts stay `12`).
 */
export function metricDecimals(
  values: Iterable<number | null | undefined>
): number {
  let decimals = 0;
  for (const value of values) {
    if (
      typeof value === 'number' &&
      Number.isFinite(value) &&
      !Number.isInteger(value) &&
      !isExponentRange(value)
    ) {
      decimals = Math.max(decimals, decimalsFor(value));
    }
  }
  return decimals;
}

/**
 * How long ago a millisecond timestamp was, e.g. `just now`, `5 min ago`,
 * `3 h ago`, `yesterday`, `4 days ago`, then the local date after 30 days;
 * an em dash for a missing one. A time in the future (a skewed clock) reads
 * `just now`.
 */
export function formatRelativeTime(
  timestamp: number | null | undefined,
  now: number = Date.now()
): string {
  if (typeof timestamp !== 'number' || !isFinite(timestamp) || timestamp <= 0) {
    return '—';
  }
  const seconds = Math.max(0, (now - timestamp) / 1000);
  if (seconds < 60) {
    return 'just now';
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  const days = Math.floor(seconds / 86400);
  if (days <= 30) {
    return days === 1 ? 'yesterday' : `${days} days ago`;
  }
  return new Date(timestamp).toLocaleDateString();
}
