import React from 'react';

import { usePolling } from '../hooks/usePolledList';
import { IRequestState, useRequest } from '../hooks/useRequest';

/**
 * The state of a request made with `usePolledRequest`.
 */
export interface IPolledRequest<T> extends IRequestState<T> {
  /** The current refresh interval in seconds (0: none). */
  interval: number;
}

/**
 * A request made with `useRequest` (on mount and when `deps` change) and
 * repeated every `refreshInterval` seconds while `active`, skipping the
 * ticks while the browser tab is hidden or a request is in flight.
 *
 * @param fetch - Make the request; it must honour `signal`.
 * @param deps - What the request depends on (as for `useEffect`).
 * @param active - Whether the view is shown (polling only runs while it is).
 * @param refreshInterval - Seconds between requests; 0 to disable.
 */
export function usePolledRequest<T>(
  fetch: (signal: AbortSignal) => Promise<T>,
  deps: React.DependencyList,
  active: boolean,
  refreshInterval: number
): IPolledRequest<T> {
  const state = useRequest(fetch, deps);
  const interval = refreshInterval > 0 ? refreshInterval : 0;
  usePolling(active, interval, () => state.loading, state.reload);
  return { ...state, interval };
}
