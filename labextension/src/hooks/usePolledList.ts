import React, { useCallback, useEffect, useRef, useState } from 'react';

import { IRequestState, useRequest } from './useRequest';

/**
 * The refresh interval of a polled list in seconds (0: none): every
 * `fastSeconds` while an item is changing (`isChanging`) or `changing` is
 * true (e.g. code was just run that may add an item), else
 * `refreshInterval` (when positive).
 */
export function pollingSeconds<T>(
  items: readonly T[],
  isChanging: (item: T) => boolean,
  refreshInterval: number,
  fastSeconds: number,
  changing = false
): number {
  if (changing || items.some(isChanging)) {
    return refreshInterval > 0
      ? Math.min(fastSeconds, refreshInterval)
      : fastSeconds;
  }
  return refreshInterval > 0 ? refreshInterval : 0;
}

/**
 * Call `tick` every `seconds` while `active` (not at all when `seconds` is
 * not positive), skipping the ticks when the browser tab is hidden or when
 * `busy()` (e.g. a request is in flight). Nothing is requested while hidden;
 * back in view (the panel or tab shown again, or the browser tab), a tick
 * that was missed runs at once instead of a whole interval later. The timer
 * restarts when `active`, `seconds` or `tick` change; `busy` is read from
 * the latest render.
 */
export function usePolling(
  active: boolean,
  seconds: number,
  busy: () => boolean,
  tick: () => void
): void {
  const busyRef = useRef(busy);
  busyRef.current = busy;
  // When the list was last asked for: the mount's own request counts.
  const last = useRef(Date.now());
  const wasActive = useRef(active);

  const run = useCallback((): void => {
    if (document.visibilityState === 'hidden' || busyRef.current()) {
      return;
    }
    last.current = Date.now();
    tick();
  }, [tick]);

  const catchUp = useCallback((): void => {
    if (seconds > 0 && Date.now() - last.current >= seconds * 1000) {
      run();
    }
  }, [seconds, run]);

  useEffect(() => {
    if (!active || !(seconds > 0)) {
      return;
    }
    const handle = window.setInterval(run, seconds * 1000);
    const onVisibility = (): void => {
      if (document.visibilityState === 'visible') {
        catchUp();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.clearInterval(handle);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [active, seconds, run, catchUp]);

  // Shown again (only then: a new interval alone must not add a request).
  useEffect(() => {
    if (active && !wasActive.current) {
      catchUp();
    }
    wasActive.current = active;
  }, [active]);
}

/**
 * The state of a request made with `usePolledRequest`.
 */
export interface IPolledRequest<T> extends IRequestState<T> {
  /** The current refresh interval in seconds (0: none). */
  interval: number;
}

/**
 * A request made with `useRequest` (on mount and when `deps` change) and
 * repeated while `active`: every `refreshSeconds` seconds (a number, or a
 * function of the last value, e.g. faster while something is changing; 0:
 * never), skipping the ticks while the browser tab is hidden or a request is
 * in flight, and catching up at once when shown again (see `usePolling`).
 *
 * @param fetch - Make the request; it must honour `signal`.
 * @param deps - What the request depends on (as for `useEffect`).
 * @param active - Whether the view is shown (polling only runs while it is).
 * @param refreshSeconds - Seconds between requests, or how to compute them.
 * @param onLoaded - Called with each loaded value.
 */
export function usePolledRequest<T>(
  fetch: (signal: AbortSignal) => Promise<T>,
  deps: React.DependencyList,
  active: boolean,
  refreshSeconds: number | ((value: T | null) => number),
  onLoaded?: (value: T) => void
): IPolledRequest<T> {
  const state = useRequest(fetch, deps, onLoaded);
  const seconds =
    typeof refreshSeconds === 'function'
      ? refreshSeconds(state.value)
      : refreshSeconds;
  const interval = seconds > 0 ? seconds : 0;
  usePolling(active, interval, () => state.loading, state.reload);
  return { ...state, interval };
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
 * A list loaded and polled with `usePolledRequest`: every
 * `refreshSeconds(items)` seconds while shown, skipping the ticks while the
 * browser tab is hidden or a request is in flight.
 */
export function usePolledList<T extends { id: string }>(
  options: IPolledListOptions<T>
): IPolledList<T> {
  const { active, onLoaded } = options;
  const [items, setItems] = useState<T[] | null>(null);

  const { loading, error, reload, interval } = usePolledRequest(
    options.fetch,
    options.deps,
    active,
    () => options.refreshSeconds(items ?? []),
    received => {
      setItems(received);
      onLoaded?.(received);
    }
  );

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
