import { ServerConnection } from '@jupyterlab/services';

import {
  apiURL,
  cardDownloadURL,
  compareVersions,
  deleteAlias,
  downloadURL,
  getCard,
  getCardHTML,
  getModel,
  getRun,
  getTests,
  getTestsHTML,
  getVersion,
  listModels,
  listModelsQuery,
  MaestroAPIError,
  profileData,
  requestAPI,
  requestText,
  setAlias,
  testsReportURL,
  updateCard
} from '../api';
import { listArtifacts } from '../api/experiments';
import { json, mockRequests } from './helpers/requests';

const settings = ServerConnection.makeSettings({
  baseUrl: 'http://localhost:8888/lab-base/'
});

/** The URL of the n-th request made through the mock. */
function requestedURL(spy: jest.SpyInstance, call = 0): URL {
  return new URL(spy.mock.calls[call][0] as string);
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('apiURL', () => {
  it('joins the base URL, the namespace and the endpoint', () => {
    expect(apiURL('models', settings)).toBe(
      'http://localhost:8888/lab-base/maestro/api/v1/models'
    );
  });

  it('keeps the query string verbatim', () => {
    expect(apiURL('models?search=a%2Fb&tag=k%3Dv', settings)).toBe(
      'http://localhost:8888/lab-base/maestro/api/v1/models?search=a%2Fb&tag=k%3Dv'
    );
  });

  it('keeps encoded path segments', () => {
    expect(apiURL('models/a%2Fb%20c/versions/2', settings)).toBe(
      'http://localhost:8888/lab-base/maestro/api/v1/models/a%2Fb%20c/versions/2'
    );
  });
});

describe('requestAPI', () => {
  it('returns the parsed JSON body', async () => {
    const spy = mockRequests(json({ version: '1.0' }));
    await expect(requestAPI('info', {}, settings)).resolves.toEqual({
      version: '1.0'
    });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][0]).toBe(
      'http://localhost:8888/lab-base/maestro/api/v1/info'
    );
  });

  it('returns null for an empty (204) body', async () => {
    mockRequests(new Response(null, { status: 204 }));
    await expect(requestAPI('x', { method: 'DELETE' }, settings)).resolves.toBe(
      null
    );
  });

  it('raises the server message of a JSON error', async () => {
    mockRequests(
      json(
        { error: 'INVALID_PARAMETER', message: 'Alias "v1" is reserved' },
        400,
        'Bad Request'
      )
    );
    const error = await requestAPI('models', {}, settings).catch(e => e);
    expect(error).toBeInstanceOf(MaestroAPIError);
    expect(error).toMatchObject({
      status: 400,
      code: 'INVALID_PARAMETER',
      message: 'Alias "v1" is reserved'
    });
  });

  it('keeps the other fields of an error body as details', async () => {
    mockRequests(
      json(
        {
          error: 'GATE_REFUSED',
          message: "Version 3 of 'm' cannot take alias 'champion'",
          failed_checks: ['accuracy', 'latency_p95_ms'],
          docs: { url: 'https://example.com' }
        },
        409,
        'Conflict'
      ),
      json({ error: 'NOT_FOUND', message: 'No model m' }, 404),
      json(['not', 'an', 'object'], 400, 'Bad Request')
    );
    const refused = (await requestAPI('x', {}, settings).catch(
      e => e
    )) as MaestroAPIError;
    expect(refused).toBeInstanceOf(MaestroAPIError);
    expect(refused.code).toBe('GATE_REFUSED');
    expect(refused.status).toBe(409);
    expect(refused.details).toEqual({
      failed_checks: ['accuracy', 'latency_p95_ms'],
      docs: { url: 'https://example.com' }
    });
    // Nothing else: an empty object.
    const missing = (await requestAPI('x', {}, settings).catch(
      e => e
    )) as MaestroAPIError;
    expect(missing.details).toEqual({});
    const odd = (await requestAPI('x', {}, settings).catch(
      e => e
    )) as MaestroAPIError;
    expect(odd).toMatchObject({ code: 'HTTP_ERROR', message: 'Bad Request' });
    expect(odd.details).toEqual({});
    // Errors built by hand have no details either.
    expect(new MaestroAPIError(0, 'NETWORK_ERROR', 'down').details).toEqual({});
  });

  it('falls back on the status text for a non-JSON error', async () => {
    mockRequests(
      new Response('<html>Bad gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway'
      })
    );
    const error = await requestAPI('models', {}, settings).catch(e => e);
    expect(error).toBeInstanceOf(MaestroAPIError);
    expect(error).toMatchObject({
      status: 502,
      code: 'HTTP_ERROR',
      message: 'Bad Gateway'
    });
  });

  it('falls back on the status for an error without text', async () => {
    mockRequests(new Response('', { status: 500, statusText: '' }));
    await expect(requestAPI('models', {}, settings)).rejects.toMatchObject({
      status: 500,
      message: 'Request failed with status 500'
    });
  });

  it('reports an unreachable server', async () => {
    mockRequests(new TypeError('Failed to fetch'));
    await expect(requestAPI('models', {}, settings)).rejects.toMatchObject({
      status: 0,
      code: 'NETWORK_ERROR',
      message: 'Could not reach the Maestro server extension: Failed to fetch'
    });
  });

  it('rethrows the error of an aborted request', async () => {
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException('Aborted', 'AbortError');
    mockRequests(abort);
    await expect(
      requestAPI('models', { signal: controller.signal }, settings)
    ).rejects.toBe(abort);
  });

  it('rejects a successful response that is not JSON', async () => {
    mockRequests(new Response('not json', { status: 200 }));
    await expect(requestAPI('models', {}, settings)).rejects.toMatchObject({
      code: 'INVALID_RESPONSE'
    });
  });
});

describe('endpoints', () => {
  it('listModels sends search, repeated tags and paging', async () => {
    const spy = mockRequests(json({ models: [], next_page_token: null }));
    await listModels({
      search: ' iris ',
      tags: [
        { key: 'task', value: 'classification' },
        { key: 'team', value: 'a b&c' }
      ],
      maxResults: 25,
      pageToken: 'tok',
      orderBy: 'name ASC'
    });
    const url = requestedURL(spy);
    expect(url.pathname).toBe('/maestro/api/v1/models');
    expect(url.searchParams.get('search')).toBe('iris');
    expect(url.searchParams.getAll('tag')).toEqual([
      'task=classification',
      'team=a b&c'
    ]);
    expect(url.searchParams.get('max_results')).toBe('25');
    expect(url.searchParams.get('page_token')).toBe('tok');
    expect(url.searchParams.get('order_by')).toBe('name ASC');
    expect(spy.mock.calls[0][1]).toMatchObject({ method: 'GET' });
  });

  it('listModels omits empty parameters', () => {
    expect(listModelsQuery({ search: '  ', tags: [] })).toBe('');
    expect(listModelsQuery()).toBe('');
  });

  it('encodes model names in paths', async () => {
    const spy = mockRequests(
      json({ name: 'a/b c', versions: [] }),
      json({ version: '3' }),
      json({ run_id: 'r' })
    );
    await getModel('a/b c');
    await getVersion('a/b c', '3');
    await getRun('run 1');
    expect(spy.mock.calls[0][0]).toMatch(
      /\/maestro\/api\/v1\/models\/a%2Fb%20c$/
    );
    expect(spy.mock.calls[1][0]).toMatch(
      /\/maestro\/api\/v1\/models\/a%2Fb%20c\/versions\/3$/
    );
    expect(spy.mock.calls[2][0]).toMatch(/\/maestro\/api\/v1\/runs\/run%201$/);
  });

  it('listArtifacts leaves the path out for the root, as the server requires', async () => {
    const spy = mockRequests(
      json({ run_id: 'r1', path: '', files: [] }),
      json({ run_id: 'r1', path: 'evaluation', files: [] })
    );
    await listArtifacts('r1');
    await listArtifacts('r1', 'evaluation');
    expect(requestedURL(spy, 0).pathname).toBe(
      '/maestro/api/v1/runs/r1/artifacts'
    );
    expect(requestedURL(spy, 0).searchParams.has('path')).toBe(false);
    expect(requestedURL(spy, 1).searchParams.get('path')).toBe('evaluation');
  });

  it('compareVersions joins metrics and versions with commas', async () => {
    const spy = mockRequests(
      json({ name: 'm', metrics: [], available_metrics: [], versions: [] }),
      json({ name: 'm', metrics: [], available_metrics: [], versions: [] })
    );
    await compareVersions('m');
    await compareVersions('m', {
      metrics: ['accuracy', 'f1'],
      versions: ['1', '2']
    });
    expect(requestedURL(spy, 0).search).toBe('');
    const url = requestedURL(spy, 1);
    expect(url.pathname).toBe('/maestro/api/v1/models/m/compare');
    expect(url.searchParams.get('metrics')).toBe('accuracy,f1');
    expect(url.searchParams.get('versions')).toBe('1,2');
  });

  it('setAlias PUTs the version and deleteAlias DELETEs', async () => {
    const spy = mockRequests(
      json({ name: 'm', version: '2', aliases: ['champion'] }),
      new Response(null, { status: 204 })
    );
    await setAlias('m', 'champion', '2');
    await expect(deleteAlias('m', 'champion')).resolves.toBeUndefined();
    expect(spy.mock.calls[0][0]).toMatch(/\/models\/m\/aliases\/champion$/);
    expect(spy.mock.calls[0][1]).toMatchObject({
      method: 'PUT',
      body: JSON.stringify({ version: '2' })
    });
    expect(spy.mock.calls[1][1]).toMatchObject({ method: 'DELETE' });
  });

  it('setAlias sends override_reason only when given', async () => {
    const spy = mockRequests(
      json({ name: 'm', version: '3', aliases: ['champion'] }),
      json({ name: 'm', version: '3', aliases: ['champion'] })
    );
    await setAlias('m', 'champion', '3');
    await setAlias('m', 'champion', '3', 'hotfix approved by Ana');
    expect(JSON.parse(spy.mock.calls[0][1]?.body as string)).toEqual({
      version: '3'
    });
    expect(spy.mock.calls[1][0]).toMatch(/\/models\/m\/aliases\/champion$/);
    expect(spy.mock.calls[1][1]?.method).toBe('PUT');
    expect(JSON.parse(spy.mock.calls[1][1]?.body as string)).toEqual({
      version: '3',
      override_reason: 'hotfix approved by Ana'
    });
  });

  it('setAlias rejects a gated promotion with the failed checks', async () => {
    mockRequests(
      json(
        {
          error: 'GATE_REFUSED',
          message:
            "Version 3 of 'm' cannot take alias 'champion': its tests failed (accuracy).",
          failed_checks: ['accuracy']
        },
        409
      )
    );
    await expect(setAlias('m', 'champion', '3')).rejects.toMatchObject({
      status: 409,
      code: 'GATE_REFUSED',
      message:
        "Version 3 of 'm' cannot take alias 'champion': its tests failed (accuracy).",
      details: { failed_checks: ['accuracy'] }
    });
  });

  it('setAlias surfaces the server message of a rejected alias', async () => {
    mockRequests(
      json(
        {
          error: 'INVALID_PARAMETER',
          message: "Invalid alias 'latest': reserved"
        },
        400
      )
    );
    await expect(setAlias('m', 'latest', '1')).rejects.toThrow(
      "Invalid alias 'latest': reserved"
    );
  });

  it('downloadURL builds the download link', () => {
    expect(downloadURL('a/b c', '3', settings)).toBe(
      'http://localhost:8888/lab-base/maestro/api/v1/models/a%2Fb%20c/versions/3/download'
    );
  });
});

describe('profileData', () => {
  it('POSTs the path with a minimal report', async () => {
    const spy = mockRequests(
      json({ title: 'iris.csv', summary: { rows: 150 }, report_html: '' })
    );
    const signal = new AbortController().signal;
    const result = await profileData('data/iris data.csv', { signal });
    expect(result.summary.rows).toBe(150);
    expect(requestedURL(spy).pathname).toMatch(
      /\/maestro\/api\/v1\/data\/profile$/
    );
    expect(spy.mock.calls[0][1]?.method).toBe('POST');
    expect(spy.mock.calls[0][1]?.signal).toBe(signal);
    expect(JSON.parse(spy.mock.calls[0][1]?.body as string)).toEqual({
      path: 'data/iris data.csv',
      minimal: true,
      report: true
    });
  });

  it("surfaces the server's message", async () => {
    mockRequests(
      json(
        { error: 'FORBIDDEN', message: 'Path is outside the Jupyter root' },
        403
      )
    );
    const error = await profileData('../x.csv').catch(e => e);
    expect(error).toBeInstanceOf(MaestroAPIError);
    expect(error.status).toBe(403);
    expect(error.message).toBe('Path is outside the Jupyter root');
  });
});

describe('model cards', () => {
  it('getCard GETs the JSON card of a version', async () => {
    const spy = mockRequests(json({ schema_version: '1.0' }));
    await expect(getCard('iris model', '3')).resolves.toEqual({
      schema_version: '1.0'
    });
    expect(spy.mock.calls[0][0]).toMatch(
      /\/maestro\/api\/v1\/models\/iris%20model\/versions\/3\/card\?format=json$/
    );
    expect(spy.mock.calls[0][1]).toMatchObject({ method: 'GET' });
  });

  it('getCardHTML returns the HTML document as text', async () => {
    const html = '<!doctype html><html><body>card</body></html>';
    const spy = mockRequests(
      new Response(html, {
        status: 200,
        headers: { 'Content-Type': 'text/html' }
      })
    );
    await expect(getCardHTML('iris', '3')).resolves.toBe(html);
    expect(requestedURL(spy).pathname).toMatch(
      /\/maestro\/api\/v1\/models\/iris\/versions\/3\/card$/
    );
    expect(requestedURL(spy).searchParams.get('format')).toBe('html');
  });

  it("requestText surfaces the server's message of a JSON error", async () => {
    mockRequests(
      json(
        { error: 'NOT_FOUND', message: "Model 'iris' has no version 9" },
        404,
        'Not Found'
      ),
      new Response('<html>oops</html>', {
        status: 500,
        statusText: 'Internal Server Error'
      })
    );
    const error = await requestText('models/iris/versions/9/card', {}, settings)
      .then(() => null)
      .catch(reason => reason);
    expect(error).toBeInstanceOf(MaestroAPIError);
    expect(error.status).toBe(404);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe("Model 'iris' has no version 9");

    await expect(
      requestText('models/iris/versions/9/card', {}, settings)
    ).rejects.toMatchObject({
      status: 500,
      code: 'HTTP_ERROR',
      message: 'Internal Server Error'
    });
  });

  it('requestText reports an unreachable server', async () => {
    mockRequests(new TypeError('Failed to fetch'));
    await expect(requestText('x', {}, settings)).rejects.toMatchObject({
      status: 0,
      code: 'NETWORK_ERROR'
    });
  });

  it('updateCard PUTs the update and returns the card', async () => {
    const spy = mockRequests(json({ approval: { status: 'approved' } }));
    const result = await updateCard('iris', '3', {
      status: 'approved',
      comment: 'LGTM'
    });
    expect(result).toEqual({ approval: { status: 'approved' } });
    expect(requestedURL(spy).pathname).toMatch(
      /\/maestro\/api\/v1\/models\/iris\/versions\/3\/card$/
    );
    expect(requestedURL(spy).search).toBe('');
    const init = spy.mock.calls[0][1] as RequestInit;
    expect(init.method).toBe('PUT');
    expect(JSON.parse(init.body as string)).toEqual({
      status: 'approved',
      comment: 'LGTM'
    });
  });

  it('cardDownloadURL asks for a format as an attachment', () => {
    expect(cardDownloadURL('iris model', '3', 'pdf', settings)).toBe(
      'http://localhost:8888/lab-base/maestro/api/v1/models/iris%20model/versions/3/card?format=pdf&download=1'
    );
  });
});

describe('model tests', () => {
  it('getTests GETs the report and history of a version', async () => {
    const history = {
      name: 'iris model',
      version: '3',
      latest: null,
      history: []
    };
    const spy = mockRequests(json(history));
    const signal = new AbortController().signal;
    await expect(getTests('iris model', '3', signal)).resolves.toEqual(history);
    expect(spy.mock.calls[0][0]).toMatch(
      /\/maestro\/api\/v1\/models\/iris%20model\/versions\/3\/tests$/
    );
    expect(spy.mock.calls[0][1]?.method).toBe('GET');
    expect(spy.mock.calls[0][1]?.signal).toBe(signal);
  });

  it('getTestsHTML returns the HTML report, or the server message', async () => {
    const html = '<!doctype html><html><body>tests</body></html>';
    const spy = mockRequests(
      new Response(html, {
        status: 200,
        headers: { 'Content-Type': 'text/html' }
      }),
      json(
        { error: 'NOT_FOUND', message: "Version 3 of 'iris' was never tested" },
        404
      )
    );
    await expect(getTestsHTML('iris', '3')).resolves.toBe(html);
    expect(requestedURL(spy).pathname).toMatch(
      /\/maestro\/api\/v1\/models\/iris\/versions\/3\/tests$/
    );
    expect(requestedURL(spy).search).toBe('?format=html');
    await expect(getTestsHTML('iris', '3')).rejects.toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      message: "Version 3 of 'iris' was never tested"
    });
  });

  it('testsReportURL links to a format, as an attachment when asked', () => {
    expect(testsReportURL('iris model', '3', 'html', false, settings)).toBe(
      'http://localhost:8888/lab-base/maestro/api/v1/models/iris%20model/versions/3/tests?format=html'
    );
    expect(testsReportURL('iris model', '3', 'junit', true, settings)).toBe(
      'http://localhost:8888/lab-base/maestro/api/v1/models/iris%20model/versions/3/tests?format=junit&download=1'
    );
    expect(testsReportURL('a/b', '1', 'html')).toMatch(
      /\/maestro\/api\/v1\/models\/a%2Fb\/versions\/1\/tests\?format=html$/
    );
  });
});
