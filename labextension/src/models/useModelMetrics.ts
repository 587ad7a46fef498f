import { useEffect, useMemo, useRef, useState } from 'react';

import { compareVersions } from '../api';
import { errorMessage } from '../format';
import { IModelMetricSummary, summarizeComparison } from './sort';

/**
 * Comparisons requested at once for the metric sort.
 */
export const METRICS_CONCURRENCY = 4;

/**
 * The metrics of the loaded models, for the metric sort.
 */
export interface IModelMetrics {
  /** Model name -> its metrics (once loaded). */
  summaries: ReadonlyMap<string, IModelMetricSummary>;
  /** Model name -> why its metrics could not be loaded. */
  failed: ReadonlyMap<string, string>;
  /** Models whose metrics are still awaited. */
  pending: number;
}

/**
 * Load the metrics of the models `names` (one `compare` call per model, `METRICS_CONCURRENCY` at a time) while
 * `enabled`: the models list does not carry metrics, so sorting by one costs a request per model, and only for the
 * models loaded (the pages shown), never the whole registry. A model is loaded once; changing `reloadKey` (a manual
 * refresh) loads them again.
 */
export function useModelMetrics(
  names: readonly string[],
  enabled: boolean,
  reloadKey: number
): IModelMetrics {
  const cache = useRef({
    reloadKey,
    summaries: new Map<string, IModelMetricSummary>(),
    failed: new Map<string, string>()
  });
  if (cache.current.reloadKey !== reloadKey) {
    cache.current = {
      reloadKey,
      summaries: new Map(),
      failed: new Map()
    };
  }
  // Bumped when a comparison arrives, to re-render with the cache.
  const [arrived, setArrived] = useState(0);
  const namesKey = names.join('\n');

  useEffect(() => {
    if (!enabled) {
      return;
    }
    const current = cache.current;
    const todo = names.filter(
      name => !current.summaries.has(name) && !current.failed.has(name)
    );
    if (todo.length === 0) {
      return;
    }
    const controller = new AbortController();
    const queue = [...todo];
    const worker = async (): Promise<void> => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        try {
          const comparison = await compareVersions(name, {
            signal: controller.signal
          });
          if (controller.signal.aborted) {
            return;
          }
          current.summaries.set(name, summarizeComparison(comparison));
        } catch (reason) {
          if (controller.signal.aborted) {
            return;
          }
          current.failed.set(name, errorMessage(reason));
        }
        setArrived(count => count + 1);
      }
    };
    for (
      let index = 0;
      index < Math.min(METRICS_CONCURRENCY, todo.length);
      index++
    ) {
      void worker();
    }
    return () => controller.abort();
  }, [enabled, namesKey, reloadKey]);

  // A new object only when something arrived (or the models changed), so
  // that what is derived from it can be memoised.
  const { summaries, failed } = cache.current;
  return useMemo(
    () => ({
      summaries,
      failed,
      pending: enabled
        ? names.filter(name => !summaries.has(name) && !failed.has(name)).length
        : 0
    }),
    [summaries, failed, arrived, enabled, namesKey]
  );
}
