import { VersionComparison } from '../api';

/**
 * Quote a CSV field when needed (RFC 4180: fields containing a comma, a
 * double quote or a line break are quoted, inner quotes doubled).
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : '';
  }
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The version comparison as CSV text: a `version,aliases,<metrics...>`
 * header, then one row per version (in the comparison's order, oldest first).
 *
 * Aliases are separated by spaces (like the Python client's `to_csv`);
 * missing values are empty fields; lines end with `\n`.
 */
export function comparisonCSV(
  comparison: Pick<VersionComparison, 'versions'>,
  metrics: readonly string[]
): string {
  const lines = [['version', 'aliases', ...metrics].map(csvField).join(',')];
  for (const version of comparison.versions) {
    lines.push(
      [
        csvField(version.version),
        csvField((version.aliases ?? []).join(' ')),
        ...metrics.map(metric => csvField(version.metrics?.[metric]))
      ].join(',')
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * File name of the CSV export of a model's versions.
 */
export function csvFileName(name: string): string {
  return `${name}-versions.csv`;
}

/**
 * Make the browser download text as a file (Blob + object URL).
 */
export function downloadText(
  text: string,
  fileName: string,
  type = 'text/csv;charset=utf-8'
): void {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Give the browser time to start the download before revoking.
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
