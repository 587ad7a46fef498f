import { Deployment, Job } from '../api';

/**
 * A training job (succeeded, finished) with overrides.
 */
export function job(overrides: Partial<Job> = {}): Job {
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
    memory_gb_seconds: null,
    gpu_seconds: null,
    gpu_type: null,
    cost: null,
    estimate: null,
    duration_seconds: 42.1,
    ...overrides
  };
}

/**
 * A deployment (ready, 2 replicas) with overrides.
 */
export function deployment(overrides: Partial<Deployment> = {}): Deployment {
  const id = overrides.id ?? 'churn-champion';
  return {
    id,
    model: 'churn',
    version: '3',
    alias: 'champion',
    alias_version: '3',
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
    estimate: null,
    ...overrides
  };
}
