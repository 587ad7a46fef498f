/**
 * Pure helpers of the data profile widget (no DOM, no request).
 */
import { relativeTime } from '../budgets/helpers';
import { formatDuration } from '../format';

/**
 * Extensions of the files that can be profiled (lower case, with the dot).
 */
export const PROFILABLE_EXTENSIONS: readonly string[] = [
  '.csv',
  '.tsv',
  '.parquet',
  '.pq'
];

/**
 * Whether a path names a data file the server can profile: it ends with
 * `.csv`, `.tsv`, `.parquet` or `.pq` (in any case) after a non-empty name
 * (and no trailing `/`).
 */
export function isProfilablePath(path: string | null | undefined): boolean {
  if (typeof path !== 'string' || path.endsWith('/')) {
    return false;
  }
  const name = fileName(path).toLowerCase();
  return PROFILABLE_EXTENSIONS.some(
    extension => name.length > extension.length && name.endsWith(extension)
  );
}

/**
 * The last segment of a path (`data/iris.csv` -> `iris.csv`).
 */
export function fileName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash === -1 ? trimmed : trimmed.slice(slash + 1);
}

/**
 * Id of the profile widget of a file: `maestro-profile-<sanitised path>`,
 * where every character other than an ASCII letter, digit, `-` or `_` is
 * replaced with `-` (e.g. `data/iris.csv` -> `maestro-profile-data-iris-csv`).
 *
 * Different paths may share a sanitised form; the caller disambiguates.
 */
export function profileWidgetId(path: string): string {
  return `maestro-profile-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/**
 * A count with thousands separators, e.g. `12,345`.
 */
export function formatCount(value: number | null | undefined): string {
  if (typeof value !== 'number' || !isFinite(value)) {
    return '—';
  }
  return Math.round(value).toLocaleString('en-US');
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/**
 * A size in bytes in human units (powers of 1024), e.g. `512 B`,
 * `4.5 KiB`, `12 MiB`, `1.25 GiB`.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (typeof bytes !== 'number' || !isFinite(bytes) || bytes < 0) {
    return '—';
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) {
    return `${Math.round(value)} B`;
  }
  // Three significant digits at most: 1.25, 12.5, 125.
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  // A value that rounds up to 1024 is shown in the next unit.
  if (Number(value.toFixed(digits)) >= 1024 && unit < BYTE_UNITS.length - 1) {
    return `1 ${BYTE_UNITS[unit + 1]}`;
  }
  return `${Number(value.toFixed(digits))} ${BYTE_UNITS[unit]}`;
}

/**
 * A share (a fraction between 0 and 1) as a percentage, e.g. `12.3%`;
 * `<0.1%` for a non-zero share that would round to zero.
 */
export function formatPercent(share: number | null | undefined): string {
  if (typeof share !== 'number' || !isFinite(share)) {
    return '—';
  }
  if (share === 0) {
    return '0%';
  }
  const percent = share * 100;
  if (percent > 0 && percent < 0.05) {
    return '<0.1%';
  }
  return `${Number(percent.toFixed(1))}%`;
}

/**
 * The note saying the report was computed on a sample, or null when it was
 * computed on every row (or the server did not say).
 */
export function sampleNote(
  reportRows: number | null | undefined,
  rows: number | null | undefined
): string | null {
  if (
    typeof reportRows !== 'number' ||
    typeof rows !== 'number' ||
    !isFinite(reportRows) ||
    !isFinite(rows) ||
    reportRows >= rows
  ) {
    return null;
  }
  return `Report on a random sample of ${formatCount(reportRows)} of ${formatCount(rows)} rows`;
}

/**
 * The text of the loading state.
 */
export function loadingText(path: string): string {
  return `Profiling ${fileName(path)}… (large files are sampled for the report)`;
}

/**
 * `base`, or `base-2`, `base-3`... : the first that is not taken.
 */
export function uniqueId(
  base: string,
  isTaken: (id: string) => boolean
): string {
  if (!isTaken(base)) {
    return base;
  }
  let index = 2;
  while (isTaken(`${base}-${index}`)) {
    index += 1;
  }
  return `${base}-${index}`;
}

/**
 * Where a profile's figures come from, for its summary: "Cached" (with when
 * it was computed) for a stored result of an earlier, identical request,
 * whose elapsed time belongs to that first run; else how long it took.
 */
export function provenance(
  result: {
    elapsed_seconds?: number | null;
    cached?: boolean | null;
    computed_at?: number | null;
  },
  nowSeconds: number
): { stat: string; label: string; value: string; title?: string } {
  const took = formatDuration(result.elapsed_seconds);
  if (result.cached) {
    const when =
      typeof result.computed_at === 'number'
        ? relativeTime(result.computed_at, nowSeconds)
        : '';
    return {
      stat: 'cached',
      label: 'Cached',
      value: when ? `computed ${when}` : 'yes',
      title:
        `The same data was profiled before${
          typeof result.computed_at === 'number'
            ? ` (${new Date(result.computed_at * 1000).toLocaleString()})`
            : ''
        }, in ${took}: ` +
        'this is that result. Change the data to profile it again.'
    };
  }
  return { stat: 'elapsed', label: 'Elapsed', value: took };
}
