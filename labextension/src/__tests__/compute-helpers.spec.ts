import {
  cancelJob,
  deleteDeployment,
  getJob,
  getJobLogs,
  jobPath,
  listDeployments,
  listJobs,
  listJobsQuery,
  MaestroAPIError,
  predict,
  scaleDeployment
} from '../api';
import {
  aliasState,
  deleteConfirmation,
  deploymentsRefreshSeconds,
  deploymentStatusClass,
  endpointURL,
  examplePayload,
  formatPrediction,
  isActiveDeployment,
  parsePayload,
  parseReplicas,
  servedText,
  showsDeploymentReason
} from '../deployments/helpers';
import {
  appendLog,
  displayLog,
  emptyJobsMessage,
  filterStatuses,
  formatJobDuration,
  isActiveJob,
  jobDuration,
  jobSourceLabel,
  jobStatusClass,
  resourcesSummary,
  showsReason
} from '../jobs/helpers';
import { jobsRefreshSeconds } from '../jobs/JobsTab';
import { job } from './compute-fixtures';
import { json, mockRequests } from './helpers/requests';

/** Path and query of the n-th request, relative to the API namespace. */
function requested(spy: jest.SpyInstance, call = 0): string {
  const url = new URL(spy.mock.calls[call][0] as string);
  const marker = '/maestro/api/v1/';
  return (
    url.pathname.slice(url.pathname.indexOf(marker) + marker.length) +
    url.search
  );
}

function init(spy: jest.SpyInstance, call = 0): RequestInit {
  return spy.mock.calls[call][1] as RequestInit;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('compute API', () => {
  it('lists jobs with a limit, statuses and a user', async () => {
    const spy = mockRequests(json({ jobs: [job()] }), json({ jobs: [] }));
    const response = await listJobs({
      limit: 20,
      status: ['queued', 'running'],
      user: 'bob'
    });
    expect(response.jobs[0].id).toBe('job-1');
    expect(requested(spy)).toBe(
      'training/jobs?limit=20&status=queued%2Crunning&user=bob'
    );
    expect(init(spy).method).toBe('GET');
    await listJobs();
    expect(requested(spy, 1)).toBe('training/jobs');
    expect(listJobsQuery({ status: [] })).toBe('');
  });

  it('gets and cancels a job, and reads its log', async () => {
    const spy = mockRequests(
      json(job()),
      json(job({ status: 'cancelling' })),
      json({
        job_id: 'a/b',
        offset: 0,
        next_offset: 5,
        text: 'hello',
        complete: false
      }),
      json({
        job_id: 'a/b',
        offset: 5,
        next_offset: 5,
        text: '',
        complete: true
      })
    );
    await getJob('a/b');
    expect(requested(spy)).toBe('training/jobs/a%2Fb');
    const cancelled = await cancelJob('a/b');
    expect(cancelled.status).toBe('cancelling');
    expect(requested(spy, 1)).toBe('training/jobs/a%2Fb/cancel');
    expect(init(spy, 1).method).toBe('POST');
    expect(init(spy, 1).body).toBe('{}');
    const tail = await getJobLogs('a/b', { tail: 16384 });
    expect(tail.text).toBe('hello');
    expect(requested(spy, 2)).toBe('training/jobs/a%2Fb/logs?tail=16384');
    await getJobLogs('a/b', { offset: 5 });
    expect(requested(spy, 3)).toBe('training/jobs/a%2Fb/logs?offset=5');
    expect(jobPath('x', 'logs')).toBe('training/jobs/x/logs');
  });

  it('lists, scales and deletes deployments', async () => {
    const spy = mockRequests(
      json({ deployments: [] }),
      json({ deployments: [] }),
      json({ id: 'd' }),
      json({ id: 'd', status: 'stopped' })
    );
    await listDeployments();
    expect(requested(spy)).toBe('deployments');
    await listDeployments({ all: true });
    expect(requested(spy, 1)).toBe('deployments?all=1');
    await scaleDeployment('d', 3);
    expect(requested(spy, 2)).toBe('deployments/d');
    expect(init(spy, 2).method).toBe('PATCH');
    expect(JSON.parse(init(spy, 2).body as string)).toEqual({ replicas: 3 });
    const deleted = await deleteDeployment('d');
    expect(deleted.status).toBe('stopped');
    expect(init(spy, 3).method).toBe('DELETE');
  });

  it("sends a prediction and raises the server's message", async () => {
    const spy = mockRequests(
      json({
        deployment: 'd',
        model: 'm',
        version: '1',
        predictions: [1],
        replica: 'd-0',
        latency_ms: 3.2
      }),
      json({ error: 'INVALID_PARAMETER', message: 'Missing column: age' }, 400),
      json(
        {
          error: 'GATE_REFUSED',
          message: 'Tests failed',
          failed_checks: ['accuracy']
        },
        409
      )
    );
    const payload = { dataframe_records: [{ a: 1 }] };
    const result = await predict('d', payload);
    expect(result.predictions).toEqual([1]);
    expect(requested(spy)).toBe('deployments/d/predict');
    expect(init(spy).method).toBe('POST');
    expect(JSON.parse(init(spy).body as string)).toEqual(payload);

    await expect(predict('d', payload)).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_PARAMETER',
      message: 'Missing column: age'
    });
    const refused = await scaleDeployment('d', 2).catch(error => error);
    expect(refused).toBeInstanceOf(MaestroAPIError);
    expect(refused.code).toBe('GATE_REFUSED');
    expect(refused.details.failed_checks).toEqual(['accuracy']);
  });
});

describe('job helpers', () => {
  const NOW = 1_700_000_100;

  it('computes the duration of running and finished jobs', () => {
    expect(
      jobDuration(job({ status: 'running', started_at: NOW - 65.7 }), NOW)
    ).toEqual({ seconds: expect.closeTo(65.7), live: true });
    expect(
      formatJobDuration(
        job({
          status: 'running',
          started_at: NOW - 65.7,
          duration_seconds: null
        }),
        NOW
      )
    ).toBe('1 min 5 s');
    expect(formatJobDuration(job({ duration_seconds: 42.1 }), NOW)).toBe(
      '42.1 s'
    );
    expect(formatJobDuration(job({ duration_seconds: 7325 }), NOW)).toBe(
      '2 h 2 min'
    );
    // Finished without duration_seconds: from the timestamps.
    expect(
      formatJobDuration(
        job({ duration_seconds: null, started_at: 100, finished_at: 103.5 }),
        NOW
      )
    ).toBe('3.5 s');
    // Queued: not started.
    expect(
      jobDuration(
        job({ status: 'queued', started_at: null, duration_seconds: null }),
        NOW
      )
    ).toBeNull();
    expect(
      formatJobDuration(
        job({ status: 'queued', started_at: null, duration_seconds: null }),
        NOW
      )
    ).toBe('');
    // A clock behind the server never shows a negative duration.
    expect(
      formatJobDuration(job({ status: 'running', started_at: NOW + 3 }), NOW)
    ).toBe('0 s');
  });

  it('classifies statuses', () => {
    expect(
      ['queued', 'starting', 'running', 'cancelling'].map(isActiveJob)
    ).toEqual([true, true, true, true]);
    expect(
      ['succeeded', 'failed', 'cancelled', 'lost'].map(isActiveJob)
    ).toEqual([false, false, false, false]);
    expect(jobStatusClass('running')).toBe(
      'maestro-job-status maestro-status-running'
    );
    expect(jobStatusClass('we ird')).toBe(
      'maestro-job-status maestro-status-we-ird'
    );
    expect(filterStatuses('all')).toEqual([]);
    expect(filterStatuses('active')).toContain('running');
    expect(filterStatuses('finished')).toEqual([
      'succeeded',
      'failed',
      'cancelled',
      'lost'
    ]);
    expect(showsReason(job({ status: 'failed', reason: 'OOM' }))).toBe(true);
    expect(showsReason(job({ status: 'lost', reason: 'node died' }))).toBe(
      true
    );
    expect(showsReason(job({ status: 'succeeded', reason: 'x' }))).toBe(false);
    expect(showsReason(job({ status: 'failed', reason: '' }))).toBe(false);
  });

  it('summarises resources and sources', () => {
    expect(
      resourcesSummary({ cpus: 2, memory: '4Gi', gpus: 1, workers: 3 })
    ).toBe('2 CPUs · 4Gi · 1 GPU · 3 workers');
    expect(
      resourcesSummary({ cpus: 1, memory: null, gpus: 0, workers: 1 })
    ).toBe('1 CPU');
    expect(
      resourcesSummary({ cpus: null, memory: null, gpus: 0, workers: 1 })
    ).toBe('');
    expect(resourcesSummary(null)).toBe('');
    expect(jobSourceLabel({ kind: 'script', source: 'a/b/train.py' })).toBe(
      'script train.py'
    );
    expect(jobSourceLabel({ kind: 'cell', source: 'print(1)' })).toBe('cell');
    expect(emptyJobsMessage('all')).toBe(
      'No training jobs yet. Submit one with %maestro train SCRIPT or ml.training.submit(...)'
    );
  });

  it('refreshes every 5 s while a job is active or code was just run', () => {
    expect(jobsRefreshSeconds([job({ status: 'running' })], 0)).toBe(5);
    expect(jobsRefreshSeconds([job({ status: 'running' })], 30)).toBe(5);
    expect(jobsRefreshSeconds([job()], 30)).toBe(30);
    expect(jobsRefreshSeconds([job()], 0)).toBe(0);
    expect(jobsRefreshSeconds([job()], 30, true)).toBe(5);
    expect(jobsRefreshSeconds([], 0, true)).toBe(5);
  });
});

describe('deployment alias and delete helpers', () => {
  const served = { model: 'churn', version: '3', alias: 'champion' };

  it('tells whether the alias still names the version served', () => {
    expect(aliasState({ ...served, alias_version: '3' })).toBe('current');
    expect(aliasState({ ...served, alias_version: '4' })).toBe('moved');
    expect(aliasState({ ...served, alias_version: null })).toBe('removed');
    expect(aliasState({ ...served, alias: null, alias_version: null })).toBe(
      'none'
    );
    // A server that does not say keeps the alias as recorded.
    expect(aliasState(served)).toBe('current');
  });

  it('says "version 3 (was champion)" once the alias moved or was removed', () => {
    expect(servedText({ ...served, alias_version: '3' }).text).toBe(
      'version 3'
    );
    const moved = servedText({ ...served, alias_version: '4' });
    expect(moved.text).toBe('version 3 (was champion)');
    expect(moved.title).toBe(
      'Model churn, version 3; deployed as champion, which now names version 4'
    );
    expect(servedText({ ...served, alias_version: null }).title).toContain(
      'an alias since removed'
    );
  });

  it('names the replicas and the endpoint in the delete confirmation', () => {
    const one = deleteConfirmation(
      {
        id: 'churn-champion',
        model: 'churn',
        version: '3',
        replicas: 1,
        ready_replicas: 1,
        status: 'ready'
      },
      'http://x/predict'
    );
    expect(one.body).toBe(
      'It runs 1 replica (1 ready) of churn version 3. Deleting stops it, and its endpoint http://x/predict stops ' +
        'answering: every caller gets an error from then on.'
    );
  });
});

describe('appendLog', () => {
  const empty = { text: '', truncated: false };

  it('appends chunks', () => {
    let buffer = appendLog(empty, 'epoch 1\nepo');
    buffer = appendLog(buffer, 'ch 2\n');
    expect(buffer).toEqual({ text: 'epoch 1\nepoch 2\n', truncated: false });
    expect(appendLog(buffer, '')).toBe(buffer);
  });

  it('keeps at most maxChars, from a line start', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('');
    const buffer = appendLog(empty, lines, 100);
    expect(buffer.truncated).toBe(true);
    expect(buffer.text.length).toBeLessThanOrEqual(100);
    expect(buffer.text.startsWith('line ')).toBe(true);
    expect(buffer.text.endsWith('line 99\n')).toBe(true);
  });

  it('collapses carriage returns and strips ANSI escapes', () => {
    let buffer = appendLog(empty, '\x1b[32mgreen\x1b[0m\n 10%\r 20%\r');
    expect(displayLog(buffer)).toBe('green\n 20%');
    buffer = appendLog(buffer, ' 30%\r\ndone\n');
    expect(buffer.text).toBe('green\n 30%\ndone\n');
    expect(displayLog(buffer)).toBe('green\n 30%\ndone\n');
  });
});

describe('deployment helpers', () => {
  it('builds the endpoint URL from the base URL', () => {
    expect(
      endpointURL(
        'maestro/api/v1/deployments/churn-champion/predict',
        'http://localhost:8888/lab/'
      )
    ).toBe(
      'http://localhost:8888/lab/maestro/api/v1/deployments/churn-champion/predict'
    );
    expect(endpointURL('/x/predict', 'http://h/')).toBe('http://h/x/predict');
    expect(endpointURL('https://serving/predict', 'http://h/')).toBe(
      'https://serving/predict'
    );
    expect(endpointURL('', 'http://h/')).toBe('');
  });

  it('parses replica counts within bounds', () => {
    expect(parseReplicas('3')).toBe(3);
    expect(parseReplicas(' 20 ')).toBe(20);
    expect(parseReplicas('0')).toBeNull();
    expect(parseReplicas('21')).toBeNull();
    expect(parseReplicas('1.5')).toBeNull();
    expect(parseReplicas('')).toBeNull();
  });

  it('makes an example payload from a signature', () => {
    expect(examplePayload(null)).toBe('{"dataframe_records": [{}]}');
    expect(examplePayload([{ type: 'tensor' }])).toBe(
      '{"dataframe_records": [{}]}'
    );
    expect(
      JSON.parse(
        examplePayload([
          { name: 'age', type: 'long' },
          { name: 'income', type: 'double' },
          { name: 'city', type: 'string' },
          { name: 'member', type: 'boolean' }
        ])
      )
    ).toEqual({
      dataframe_records: [{ age: 0, income: 0, city: '', member: false }]
    });
  });

  it('checks the payload client-side', () => {
    expect(parsePayload('{"inputs": [1]}')).toEqual({
      ok: true,
      payload: { inputs: [1] }
    });
    const invalid = parsePayload('{"dataframe_records": [');
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.message).toMatch(/^Invalid JSON/);
    const array = parsePayload('[1, 2]');
    expect(!array.ok && array.message).toMatch(/must be a JSON object/);
    expect(parsePayload('  ').ok).toBe(false);
  });

  it('formats predictions, statuses and refresh intervals', () => {
    expect(
      JSON.parse(
        formatPrediction({
          predictions: [0, 1],
          latency_ms: 3.14159,
          replica: 'r-0'
        })
      )
    ).toEqual({ predictions: [0, 1], latency_ms: 3.14, replica: 'r-0' });
    expect(deploymentStatusClass('ready')).toBe(
      'maestro-deployment-status maestro-status-ready'
    );
    expect(isActiveDeployment('degraded')).toBe(true);
    expect(isActiveDeployment('stopped')).toBe(false);
    expect(
      showsDeploymentReason({ status: 'degraded', reason: '1 replica down' })
    ).toBe(true);
    expect(showsDeploymentReason({ status: 'ready', reason: 'x' })).toBe(false);
    expect(deploymentsRefreshSeconds([{ status: 'starting' }], 0)).toBe(5);
    expect(deploymentsRefreshSeconds([{ status: 'updating' }], 60)).toBe(5);
    expect(deploymentsRefreshSeconds([{ status: 'ready' }], 60)).toBe(60);
    expect(deploymentsRefreshSeconds([{ status: 'ready' }], 0)).toBe(0);
    expect(deploymentsRefreshSeconds([{ status: 'ready' }], 60, true)).toBe(5);
  });
});
