/**
 * Shared by the specs (jest collects `*.spec.ts[x]` only, never this
 * folder): deferred promises and settling React updates.
 */
import { act } from '@testing-library/react';

/**
 * A promise and the functions that settle it.
 */
export interface IDeferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

export function deferred<T>(): IDeferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Let pending promises (a few chained `then`s deep) settle.
 */
export async function flushPromises(): Promise<void> {
  for (let index = 0; index < 10; index++) {
    await Promise.resolve();
  }
}

/**
 * Advance the (fake) timers by `ms` and let pending promises settle, inside
 * React's `act`.
 */
export async function settle(ms = 0): Promise<void> {
  await act(async () => {
    if (ms > 0) {
      jest.advanceTimersByTime(ms);
    }
    await flushPromises();
  });
}
