/** `models/{name}/versions/{version}/tests`: model test reports. */
import { ServerConnection } from '@jupyterlab/services';

import { modelPath } from './models';
import { apiURL, requestAPI, requestText } from './request';
import type { TestCheck, TestHistory, TestReport } from './types';

/**
 * The status of one check of a model test report.
 */
export type TestStatus = TestCheck['status'];

/**
 * The verdict of a model test run: failed when any check failed.
 */
export type TestVerdict = TestReport['verdict'];

/**
 * A format a test report can be rendered in (the `format` query parameter).
 */
export type TestsReportFormat = 'html' | 'junit';

/**
 * Endpoint (relative to the API namespace) of a version's tests.
 */
export function testsPath(name: string, version: string): string {
  return modelPath(name, 'versions', version, 'tests');
}

/**
 * Get the latest test report and the test history of a version.
 */
export function getTests(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<TestHistory> {
  return requestAPI<TestHistory>(testsPath(name, version), {
    method: 'GET',
    signal
  });
}

/**
 * Get the latest test report of a version as a self-contained HTML
 * document.
 *
 * @throws {MaestroAPIError} `NOT_FOUND` when the version was never tested.
 */
export function getTestsHTML(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<string> {
  return requestText(`${testsPath(name, version)}?format=html`, {
    method: 'GET',
    signal
  });
}

/**
 * URL of a version's latest test report in a format (HTML or JUnit XML);
 * with `download`, as an attachment. A plain link works: the browser sends
 * Jupyter's authentication cookie.
 */
export function testsReportURL(
  name: string,
  version: string,
  format: TestsReportFormat,
  download = false,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return apiURL(
    `${testsPath(name, version)}?format=${format}${download ? '&download=1' : ''}`,
    settings
  );
}
