import { act } from '@testing-library/react';

import { IDeployment, IJob } from '../compute';

/**
 * A training job (succeeded, finished) with overrides.
 */
export function job(overrides: Partial<IJob> = {}): IJob {
  return {
    id: 'job-1',
    name: 'train-iris',
    status: 'succeeded',
    user: 'alice',
    project: 'demo',
    backend: 'local',
    kind: 'script',
    source: 'scripts/train.py',
    params: {},
    resources: { cpus: 2, memory: '4Gi', gpus: 0, workers: 1 },
    experiment: 'iris',
    experiment_id: '1',
    run_id: 'abcdef0123456789',
    created_at: 1_700_000_000,
    started_at: 1_700_000_001,
    finished_at: 1_700_000_043,
    exit_code: 0,
    reason: '',
    cpu_seconds: 40,
    peak_memory_mb: 300,
    duration_seconds: 42.1,
    ...overrides
  };
}

/**
 * A deployment (ready, 2 replicas) with overrides.
 */
export function deployment(overrides: Partial<IDeployment> = {}): IDeployment {
  const id = overrides.id ?? 'churn-champion';
  return {
    id,
    model: 'churn',
    version: '3',
    alias: 'champion',
    status: 'ready',
    user: 'alice',
    project: 'demo',
    backend: 'local',
    replicas: 2,
    ready_replicas: 2,
    endpoint: `maestro/api/v1/deployments/${id}/predict`,
    url: 'http://127.0.0.1:5001',
    resources: { cpus: 1, memory: null, gpus: 0, workers: 1 },
    created_at: 1_700_000_000,
    updated_at: 1_700_000_100,
    reason: '',
    instances: [
      { name: `${id}-0`, status: 'ready', url: null, pid: 11 },
      { name: `${id}-1`, status: 'ready', url: null, pid: 12 }
    ],
    ...overrides
  };
}

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
 * Advance the (fake) timers by `ms` and let pending promises settle.
 */
export async function settle(ms = 0): Promise<void> {
  await act(async () => {
    if (ms > 0) {
      jest.advanceTimersByTime(ms);
    }
    for (let index = 0; index < 10; index++) {
      await Promise.resolve();
    }
  });
}
