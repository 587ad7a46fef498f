import { act, fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import { useRequest } from '../hooks/useRequest';
import { deferred, IDeferred } from './helpers/async';

/**
 * A fetch mock whose every call returns a new deferred promise; the calls'
 * signals and deferreds are recorded in order.
 */
function controlledFetch(): {
  fetch: jest.Mock<Promise<string>, [AbortSignal, string]>;
  calls: { signal: AbortSignal; id: string; request: IDeferred<string> }[];
} {
  const calls: {
    signal: AbortSignal;
    id: string;
    request: IDeferred<string>;
  }[] = [];
  const fetch = jest.fn((signal: AbortSignal, id: string) => {
    const request = deferred<string>();
    calls.push({ signal, id, request });
    return request.promise;
  });
  return { fetch, calls };
}

function Probe(props: {
  id: string;
  fetch: (signal: AbortSignal, id: string) => Promise<string>;
  onLoaded?: (value: string) => void;
}): JSX.Element {
  const { id } = props;
  const { value, loading, error, reload } = useRequest(
    signal => props.fetch(signal, id),
    [id],
    props.onLoaded
  );
  return (
    <div>
      <span data-testid="value">{value ?? 'none'}</span>
      <span data-testid="loading">{String(loading)}</span>
      <span data-testid="error">{error ?? 'none'}</span>
      <button type="button" onClick={reload}>
        Reload
      </button>
    </div>
  );
}

const text = (testId: string): string | null =>
  screen.getByTestId(testId).textContent;

describe('useRequest', () => {
  it('loads and exposes the value', async () => {
    const { fetch, calls } = controlledFetch();
    const onLoaded = jest.fn();
    render(<Probe id="a" fetch={fetch} onLoaded={onLoaded} />);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(calls[0].id).toBe('a');
    expect(text('loading')).toBe('true');
    expect(text('value')).toBe('none');

    await act(async () => calls[0].request.resolve('first'));
    expect(text('value')).toBe('first');
    expect(text('loading')).toBe('false');
    expect(text('error')).toBe('none');
    expect(onLoaded).toHaveBeenCalledTimes(1);
    expect(onLoaded).toHaveBeenCalledWith('first');
  });

  it('shows the message of an error', async () => {
    const { fetch, calls } = controlledFetch();
    const onLoaded = jest.fn();
    render(<Probe id="a" fetch={fetch} onLoaded={onLoaded} />);
    await act(async () => calls[0].request.reject(new Error('Server down')));
    expect(text('error')).toBe('Server down');
    expect(text('loading')).toBe('false');
    expect(text('value')).toBe('none');
    expect(onLoaded).not.toHaveBeenCalled();

    // A reason without a message: the generic message of `errorMessage`.
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(text('error')).toBe('none');
    await act(async () => calls[1].request.reject({}));
    expect(text('error')).toBe('An unknown error occurred.');
  });

  it('keeps the last value while reloading and after a failed reload', async () => {
    const { fetch, calls } = controlledFetch();
    render(<Probe id="a" fetch={fetch} />);
    await act(async () => calls[0].request.resolve('first'));

    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(text('loading')).toBe('true');
    expect(text('value')).toBe('first');

    await act(async () => calls[1].request.reject(new Error('Oops')));
    expect(text('value')).toBe('first');
    expect(text('error')).toBe('Oops');
    expect(text('loading')).toBe('false');
  });

  it('aborts the request in flight on reload and ignores its late result', async () => {
    const { fetch, calls } = controlledFetch();
    const onLoaded = jest.fn();
    render(<Probe id="a" fetch={fetch} onLoaded={onLoaded} />);

    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(calls[0].signal.aborted).toBe(true);
    expect(calls[1].signal.aborted).toBe(false);

    await act(async () => calls[1].request.resolve('second'));
    expect(text('value')).toBe('second');
    expect(text('loading')).toBe('false');

    // The first request answers late: ignored, and so is a late failure.
    await act(async () => calls[0].request.resolve('first'));
    expect(text('value')).toBe('second');
    expect(text('loading')).toBe('false');
    expect(onLoaded).toHaveBeenCalledTimes(1);
    expect(onLoaded).toHaveBeenCalledWith('second');
  });

  it('ignores the late failure of an aborted request', async () => {
    const { fetch, calls } = controlledFetch();
    render(<Probe id="a" fetch={fetch} />);
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(calls[0].signal.aborted).toBe(true);

    await act(async () => calls[0].request.reject(new Error('Aborted')));
    expect(text('error')).toBe('none');
    expect(text('loading')).toBe('true');

    await act(async () => calls[1].request.resolve('second'));
    expect(text('value')).toBe('second');
    expect(text('error')).toBe('none');
  });

  it('requests again when the dependencies change, not when the callbacks do', async () => {
    const { fetch, calls } = controlledFetch();
    const { rerender } = render(
      <Probe id="a" fetch={fetch} onLoaded={jest.fn()} />
    );
    await act(async () => calls[0].request.resolve('first'));

    // New identities of the fetch function and of `onLoaded`: no request.
    const onLoaded = jest.fn();
    rerender(
      <Probe id="a" fetch={(...args) => fetch(...args)} onLoaded={onLoaded} />
    );
    expect(fetch).toHaveBeenCalledTimes(1);

    rerender(<Probe id="b" fetch={fetch} onLoaded={onLoaded} />);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(calls[1].id).toBe('b');
    await act(async () => calls[1].request.resolve('second'));
    expect(text('value')).toBe('second');
    // The latest callback is called.
    expect(onLoaded).toHaveBeenCalledWith('second');
  });

  it('aborts the request in flight on unmount', async () => {
    const { fetch, calls } = controlledFetch();
    const onLoaded = jest.fn();
    const { unmount } = render(
      <Probe id="a" fetch={fetch} onLoaded={onLoaded} />
    );
    expect(calls[0].signal.aborted).toBe(false);
    unmount();
    expect(calls[0].signal.aborted).toBe(true);

    await act(async () => calls[0].request.resolve('late'));
    expect(onLoaded).not.toHaveBeenCalled();
  });
});
