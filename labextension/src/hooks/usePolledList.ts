import React, { useCallback, useEffect, useRef, useState } from 'react';

import { useRequest } from './useRequest';

/**
 * The refresh interval of a polled list in seconds (0: none): every
 * `fastSeconds` while an item is changing (`isChanging`), else
 * `refreshInterval` (when positive).
 */
export function pollingSeconds<T>(
  items: readonly T[],
  isChanging: (item: T) => boolean,
  refreshInterval: number,
  fastSeconds: number
): number {
  if (items.some(isChanging)) {
    return refreshInterval > 0
      ? Math.min(fastSeconds, refreshInterval)
      : fastSeconds;
  }
  return refreshInterval > 0 ? refreshInterval : 0;
}

/**
 * Call `tick` every `seconds` while `active` (not at all when `seconds` is
 * not positive), skipping the ticks when the browser tab is hidden or when
 * `busy()` (e.g. a request is in flight). The timer restarts when `active`,
 * `seconds` or `tick` change; `busy` is read from the latest render.
 */
export function usePolling(
  active: boolean,
  seconds: number,
  busy: () => boolean,
  tick: () => void
): void {
  const busyRef = useRef(busy);
  busyRef.current = busy;

  useEffect(() => {
    if (!active || !(seconds > 0)) {
      return;
    }
    const handle = window.setInterval(() => {
      if (document.visibilityState === 'hidden' || busyRef.current()) {
        return;
      }
      tick();
    }, seconds * 1000);
    return () => window.clearInterval(handle);
  }, [active, seconds, tick]);
}

/**
 * Options of `usePolledList`.
 */
export interface IPolledListOptions<T> {
  /** Load the list; it must honour `signal`. */
  fetch: (signal: AbortSignal) => Promise<T[]>;
  /** What the list depends on (as for `useEffect`): a change reloads it. */
  deps: React.DependencyList;
  /** The refresh interval in seconds for the items listed (0: none). */
  refreshSeconds: (items: readonly T[]) => number;
  /** Whether the list is shown (polling only runs while it is). */
  active: boolean;
  /** Called with each loaded list. */
  onLoaded?: (items: T[]) => void;
}

/**
 * The state of a list made with `usePolledList`.
 */
export interface IPolledList<T> {
  /** The items; null until the first load (and after `clear`). */
  items: T[] | null;
  /** Forget the items (e.g. to show the loading state for a new filter). */
  clear: () => void;
  /** Whether a request is in flight. */
  loading: boolean;
  /** The message of the last request's failure, if any. */
  error: string | null;
  /** Load the list again. */
  reload: () => void;
  /** The current refresh interval in seconds (0: none). */
  interval: number;
  /**
   * Merge an item returned by an action into the list (by `id`), then
   * reload the list.
   */
  update: (item: T) => void;
}

/**
 * A list loaded with `useRequest` and polled while shown: every
 * `refreshSeconds(items)` seconds, skipping the ticks while the browser tab
 * is hidden or a request is in flight.
 */
export function usePolledList<T extends { id: string }>(
  options: IPolledListOptions<T>
): IPolledList<T> {
  const { active, onLoaded } = options;
  const [items, setItems] = useState<T[] | null>(null);

  const { loading, error, reload } = useRequest(
    options.fetch,
    options.deps,
    received => {
      setItems(received);
      onLoaded?.(received);
    }
  );
  const interval = options.refreshSeconds(items ?? []);
  usePolling(active, interval, () => loading, reload);

  const clear = useCallback((): void => setItems(null), []);

  const update = useCallback(
    (item: T): void => {
      setItems(previous =>
        previous === null
          ? previous
          : previous.map(current =>
              current.id === item.id ? { ...current, ...item } : current
            )
      );
      reload();
    },
    [reload]
  );

  return { items, clear, loading, error, reload, interval, update };
}
