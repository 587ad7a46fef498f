/** `data`: profiling data files. */
import { requestAPI } from './request';
import type { ProfileData, ProfileResult } from './types';

/**
 * Options of `profileData`.
 */
export interface IProfileOptions {
  /** Minimal (faster) report; default true. */
  minimal?: boolean;
  /** Whether to compute the HTML report; default true. */
  report?: boolean;
  /** Signal to abort the request. */
  signal?: AbortSignal;
}

/**
 * Profile a data file (CSV, TSV or Parquet) of the Jupyter root.
 *
 * @param path - path relative to the Jupyter root, as the file browser
 *   gives it (e.g. `data/iris.csv`).
 */
export function profileData(
  path: string,
  options: IProfileOptions = {}
): Promise<ProfileResult> {
  const body: ProfileData = {
    path,
    minimal: options.minimal ?? true,
    report: options.report ?? true
  };
  return requestAPI<ProfileResult>('data/profile', {
    method: 'POST',
    body: JSON.stringify(body),
    signal: options.signal
  });
}
