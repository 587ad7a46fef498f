/**
 * Shared by the specs: answers to `ServerConnection.makeRequest`, the one
 * call every request of the sidebar goes through.
 */
import { ServerConnection } from '@jupyterlab/services';

type MakeRequest = typeof ServerConnection.makeRequest;

/**
 * A JSON response.
 */
export function json(body: unknown, status = 200, statusText = 'OK'): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' }
  });
}

/**
 * Replace `ServerConnection.makeRequest` by a mock answering `responses` in
 * turn (or throwing when given an Error); returns the mock. Restore it with
 * `jest.restoreAllMocks()`.
 */
export function mockRequests(
  ...responses: Array<Response | Error>
): jest.SpyInstance<ReturnType<MakeRequest>, Parameters<MakeRequest>> {
  const spy = jest.spyOn(ServerConnection, 'makeRequest');
  for (const response of responses) {
    spy.mockImplementationOnce(async () => {
      if (response instanceof Error) {
        throw response;
      }
      return response;
    });
  }
  return spy;
}
