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
