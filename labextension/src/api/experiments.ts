/** `runs`: MLflow runs. */
import { requestAPI } from './request';
import type { RunSummary } from './types';

/**
 * Get an MLflow run with its metrics, params and tags.
 */
export function getRun(
  runId: string,
  signal?: AbortSignal
): Promise<RunSummary> {
  return requestAPI<RunSummary>(`runs/${encodeURIComponent(runId)}`, {
    method: 'GET',
    signal
  });
}
