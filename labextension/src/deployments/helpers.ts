import { PageConfig, URLExt } from '@jupyterlab/coreutils';

import { ACTIVE_DEPLOYMENT_STATUSES, Deployment, Signature } from '../api';
import { pollingSeconds } from '../hooks/usePolledList';

/**
 * A column of a model signature: MLflow's JSON, typically with a `name` and
 * a `type`.
 */
type SignatureColumn = Signature['inputs'][number];

/**
 * List refresh interval while a deployment is starting or updating (or just
 * after code was run in a notebook), in seconds.
 */
export const TRANSITION_REFRESH_SECONDS = 5;

/**
 * Bounds of the number of replicas.
 */
export const MIN_REPLICAS = 1;
export const MAX_REPLICAS = 20;

/**
 * The example payload of the predict box when the model's signature is
 * unknown.
 */
export const DEFAULT_PREDICT_PAYLOAD = '{"dataframe_records": [{}]}';

/**
 * The text shown when no deployment is listed.
 */
export const EMPTY_DEPLOYMENTS_MESSAGE =
  'No deployments. Deploy a version with %maestro deploy NAME@ALIAS or ml.deployments.create(...)';

/**
 * Whether a deployment is (meant to be) serving.
 */
export function isActiveDeployment(
  deployment: Pick<Deployment, 'status'> | string
): boolean {
  const status =
    typeof deployment === 'string' ? deployment : deployment.status;
  return (ACTIVE_DEPLOYMENT_STATUSES as readonly string[]).includes(status);
}

/**
 * Whether a deployment is changing (starting or updating).
 */
export function isTransitioning(
  deployment: Pick<Deployment, 'status'>
): boolean {
  return deployment.status === 'starting' || deployment.status === 'updating';
}

/**
 * The refresh interval of the deployments list in seconds (0: none): every
 * `TRANSITION_REFRESH_SECONDS` while a deployment is starting or updating or
 * `recentActivity` (code was just run: a deployment may be on its way), else
 * `refreshInterval`.
 */
export function deploymentsRefreshSeconds(
  deployments: readonly Pick<Deployment, 'status'>[],
  refreshInterval: number,
  recentActivity = false
): number {
  return pollingSeconds(
    deployments,
    isTransitioning,
    refreshInterval,
    TRANSITION_REFRESH_SECONDS,
    recentActivity
  );
}

/**
 * Where a deployment's alias stands: `current` while it still names the
 * version served, `moved` once it names another, `removed` once it is gone,
 * `none` without an alias. A server that does not say (`alias_version`
 * absent) leaves the alias as recorded (`current`).
 */
export type AliasState = 'current' | 'moved' | 'removed' | 'none';

export function aliasState(
  deployment: Pick<Deployment, 'alias' | 'version'> & {
    alias_version?: string | null;
  }
): AliasState {
  if (!deployment.alias) {
    return 'none';
  }
  const target = deployment.alias_version;
  if (target === undefined || target === deployment.version) {
    return 'current';
  }
  return target === null ? 'removed' : 'moved';
}

/**
 * What the deployment serves, in words: "version 3", and "(was champion)"
 * once the alias it was deployed through moved on or was removed, with a
 * tooltip saying where the alias is now.
 */
export function servedText(
  deployment: Pick<Deployment, 'alias' | 'version' | 'model'> & {
    alias_version?: string | null;
  }
): { text: string; title: string } {
  const version = `version ${deployment.version}`;
  const state = aliasState(deployment);
  const base = `Model ${deployment.model}, ${version}`;
  switch (state) {
    case 'moved':
      return {
        text: `${version} (was ${deployment.alias})`,
        title: `${base}; deployed as ${deployment.alias}, which now names version ${deployment.alias_version}`
      };
    case 'removed':
      return {
        text: `${version} (was ${deployment.alias})`,
        title: `${base}; deployed as ${deployment.alias}, an alias since removed`
      };
    default:
      return { text: version, title: base };
  }
}

/**
 * What deleting a deployment will do, for its confirmation: how many
 * replicas stop and that its endpoint stops answering.
 */
export function deleteConfirmation(
  deployment: Pick<
    Deployment,
    'id' | 'model' | 'version' | 'replicas' | 'ready_replicas' | 'status'
  >,
  url: string
): { title: string; body: string; accept: string } {
  const replicas = deployment.replicas;
  const running =
    deployment.status === 'stopped'
      ? 'It is stopped'
      : `It runs ${replicas} ${replicas === 1 ? 'replica' : 'replicas'} (${deployment.ready_replicas} ready) of ${deployment.model} version ${deployment.version}`;
  return {
    title: `Delete deployment ${deployment.id}?`,
    body:
      `${running}. Deleting stops ${replicas === 1 ? 'it' : 'them all'}, and its endpoint` +
      `${url ? ` ${url}` : ''} stops answering: every caller gets an error from then on.`,
    accept: 'Delete deployment'
  };
}

/**
 * Whether the reason of a deployment's state is worth showing.
 */
export function showsDeploymentReason(
  deployment: Pick<Deployment, 'status' | 'reason'>
): boolean {
  return (
    Boolean(deployment.reason) &&
    ['failed', 'degraded'].includes(deployment.status)
  );
}

/**
 * The CSS classes of a deployment's status chip.
 */
export function deploymentStatusClass(status: string): string {
  const safe = String(status || 'unknown')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-');
  return `maestro-deployment-status maestro-status-${safe}`;
}

/**
 * The full URL of a deployment's prediction endpoint (`endpoint` is
 * relative to the server's base URL; an absolute URL is kept).
 */
export function endpointURL(
  endpoint: string,
  baseUrl: string = PageConfig.getBaseUrl()
): string {
  if (!endpoint) {
    return '';
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) {
    return endpoint;
  }
  return URLExt.join(baseUrl, endpoint.replace(/^\/+/, ''));
}

/**
 * A replica count typed by the user, or null when it is not a whole number
 * within bounds.
 */
export function parseReplicas(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return value >= MIN_REPLICAS && value <= MAX_REPLICAS ? value : null;
}

/**
 * The "zero" value of a column type of an MLflow signature.
 */
export function exampleValue(type: string | undefined): unknown {
  switch ((type ?? '').toLowerCase()) {
    case 'double':
    case 'float':
    case 'long':
    case 'integer':
    case 'int':
    case 'number':
      return 0;
    case 'boolean':
    case 'bool':
      return false;
    default:
      return '';
  }
}

/**
 * An example scoring payload for a model signature's inputs: one record
 * with every named input column set to a zero or empty value; the default
 * `{"dataframe_records": [{}]}` when the inputs are unknown or unnamed
 * (e.g. tensors).
 */
export function examplePayload(
  inputs: readonly SignatureColumn[] | null | undefined
): string {
  const columns = (inputs ?? []).filter(
    (column): column is SignatureColumn & { name: string } =>
      typeof column?.name === 'string' && column.name !== ''
  );
  if (columns.length === 0) {
    return DEFAULT_PREDICT_PAYLOAD;
  }
  const record: { [name: string]: unknown } = {};
  for (const column of columns) {
    record[column.name] = exampleValue(
      typeof column.type === 'string' ? column.type : undefined
    );
  }
  return JSON.stringify({ dataframe_records: [record] }, null, 2);
}

/**
 * The result of checking the predict box's text before sending it.
 */
export type PayloadCheck =
  | { ok: true; payload: { [key: string]: unknown } }
  | { ok: false; message: string };

/**
 * Parse and check the predict box's text: it must be a JSON object.
 */
export function parsePayload(text: string): PayloadCheck {
  if (!text.trim()) {
    return {
      ok: false,
      message:
        'Enter a JSON scoring payload, e.g. {"dataframe_records": [...]}.'
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (reason) {
    const detail = reason instanceof Error ? reason.message : String(reason);
    return { ok: false, message: `Invalid JSON: ${detail}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      message:
        'The payload must be a JSON object, e.g. {"dataframe_records": [...]}, {"dataframe_split": {...}} or {"inputs": ...}.'
    };
  }
  return { ok: true, payload: value as { [key: string]: unknown } };
}

/**
 * The text shown for a prediction: the predictions, the latency and the
 * replica that answered, as pretty-printed JSON.
 */
export function formatPrediction(result: {
  predictions: unknown;
  latency_ms: number | null;
  replica: string | null;
}): string {
  return JSON.stringify(
    {
      predictions: result.predictions ?? null,
      latency_ms:
        typeof result.latency_ms === 'number'
          ? Math.round(result.latency_ms * 100) / 100
          : null,
      replica: result.replica ?? null
    },
    null,
    2
  );
}
