/**
 * Jest setup: the tests must never reach the network. Any `fetch` that is
 * not mocked fails loudly.
 */
const blocked = (input: unknown): Promise<never> =>
  Promise.reject(
    new Error(`Network access is disabled in tests (fetch ${String(input)})`)
  );

(globalThis as { fetch: unknown }).fetch = blocked;
if (typeof window !== 'undefined') {
  (window as unknown as { fetch: unknown }).fetch = blocked;
}
