/**
 * Links to the MLflow web UI.
 *
 * Every function returns null when no usable (http or https) base URL is
 * known, so that callers simply hide the link.
 */

/**
 * The base URL of the MLflow UI without trailing slashes, or null when it is
 * empty or not an http(s) URL.
 */
export function mlflowBase(baseUrl: string | null | undefined): string | null {
  const base = (baseUrl ?? '').trim().replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/i.test(base)) {
    return null;
  }
  return base;
}

/**
 * The MLflow UI URL to use: the user setting when set, else the server's.
 */
export function effectiveMlflowUiUrl(
  setting: string | null | undefined,
  server: string | null | undefined
): string {
  const fromSetting = (setting ?? '').trim();
  return fromSetting || (server ?? '').trim();
}

/**
 * URL of a model's page in the MLflow UI.
 */
export function mlflowModelURL(baseUrl: string, name: string): string | null {
  const base = mlflowBase(baseUrl);
  return base === null ? null : `${base}/#/models/${encodeURIComponent(name)}`;
}

/**
 * URL of a model version's page in the MLflow UI.
 */
export function mlflowVersionURL(
  baseUrl: string,
  name: string,
  version: string
): string | null {
  const base = mlflowBase(baseUrl);
  return base === null
    ? null
    : `${base}/#/models/${encodeURIComponent(name)}/versions/${version}`;
}

/**
 * URL of a run's page in the MLflow UI.
 */
export function mlflowRunURL(
  baseUrl: string,
  experimentId: string,
  runId: string
): string | null {
  const base = mlflowBase(baseUrl);
  return base === null
    ? null
    : `${base}/#/experiments/${experimentId}/runs/${runId}`;
}
