import React, { useCallback, useEffect, useRef, useState } from 'react';

import { errorMessage } from '../format';

/**
 * The state of a request made with `useRequest`.
 */
export interface IRequestState<T> {
  /** The last loaded value; kept while reloading and after a failure. */
  value: T | null;
  /** Whether a request is in flight. */
  loading: boolean;
  /** The message of the last request's failure (`errorMessage`), if any. */
  error: string | null;
  /** Make the request again, aborting the one in flight. */
  reload: () => void;
}

/**
 * Make an abortable request when the component mounts and whenever `deps`
 * change, and expose its value, loading state and error.
 *
 * - A request in flight is aborted when a new one starts (a change of `deps`
 *   or `reload`) and on unmount; the result or error of an aborted request is
 *   ignored.
 * - The last good value is kept while reloading (and when a reload fails), so
 *   that a view can keep showing it.
 * - `error` is cleared when a request starts and set to
 *   `errorMessage(reason)` when it fails.
 * - `onLoaded` is called with each loaded value, in the same batch as the
 *   value update. Both `fetch` and `onLoaded` are read from the latest render:
 *   a new identity of either does not make a new request; only `deps` do.
 *
 * @param fetch - Make the request; it must honour `signal`.
 * @param deps - What the request depends on (as for `useEffect`).
 * @param onLoaded - Called with each loaded value.
 */
export function useRequest<T>(
  fetch: (signal: AbortSignal) => Promise<T>,
  deps: React.DependencyList,
  onLoaded?: (value: T) => void
): IRequestState<T> {
  const [value, setValue] = useState<T | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;
  const onLoadedRef = useRef(onLoaded);
  onLoadedRef.current = onLoaded;

  const load = useCallback(async (): Promise<void> => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setLoading(true);
    setError(null);
    try {
      const result = await fetchRef.current(current.signal);
      if (!current.signal.aborted) {
        setValue(() => result);
        onLoadedRef.current?.(result);
      }
    } catch (reason) {
      if (!current.signal.aborted) {
        setError(errorMessage(reason));
      }
    } finally {
      if (controller.current === current) {
        controller.current = null;
        setLoading(false);
      }
    }
  }, deps);

  useEffect(() => {
    void load();
    return () => {
      controller.current?.abort();
      controller.current = null;
    };
  }, [load]);

  const reload = useCallback((): void => {
    void load();
  }, [load]);

  return { value, loading, error, reload };
}
