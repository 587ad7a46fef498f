/** `deployments`: served model versions. */
import { requestAPI } from './request';
import type {
  Deployment,
  DeploymentList,
  Prediction,
  UpdateDeployment
} from './types';

/**
 * Status of a deployment (`starting`, `ready`, `updating` and `degraded`
 * are active; `failed` and `stopped` are final), as the contract types it.
 */
export type DeploymentStatus = Deployment['status'];

/**
 * The statuses of a deployment that is (meant to be) serving.
 */
export const ACTIVE_DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = [
  'starting',
  'ready',
  'updating',
  'degraded'
];

/**
 * Options of `listDeployments`.
 */
export interface IListDeploymentsOptions {
  /** Include the stopped and failed deployments (sent as `all=1`). */
  all?: boolean;
  signal?: AbortSignal;
}

/**
 * Path of a deployment's endpoint, with the id URL-encoded.
 */
export function deploymentPath(id: string, ...rest: string[]): string {
  return ['deployments', encodeURIComponent(id), ...rest].join('/');
}

/**
 * List deployments (the active ones, or all with `all`).
 */
export function listDeployments(
  options: IListDeploymentsOptions = {}
): Promise<DeploymentList> {
  return requestAPI<DeploymentList>(
    options.all ? 'deployments?all=1' : 'deployments',
    { method: 'GET', signal: options.signal }
  );
}

/**
 * Scale a deployment to a number of replicas; returns the deployment.
 */
export function scaleDeployment(
  id: string,
  replicas: number
): Promise<Deployment> {
  const body: UpdateDeployment = { replicas };
  return requestAPI<Deployment>(deploymentPath(id), {
    method: 'PATCH',
    body: JSON.stringify(body)
  });
}

/**
 * Stop and delete a deployment; returns it (now `stopped`).
 */
export function deleteDeployment(id: string): Promise<Deployment> {
  return requestAPI<Deployment>(deploymentPath(id), { method: 'DELETE' });
}

/**
 * Score data with a deployment. `payload` is MLflow's scoring JSON, e.g.
 * `{"dataframe_records": [...]}`, `{"dataframe_split": {...}}` or
 * `{"inputs": ...}`.
 *
 * @throws {MaestroAPIError} with the serving process's message on a bad
 *   input (400).
 */
export function predict(
  id: string,
  payload: unknown,
  signal?: AbortSignal
): Promise<Prediction> {
  return requestAPI<Prediction>(deploymentPath(id, 'predict'), {
    method: 'POST',
    body: JSON.stringify(payload),
    signal
  });
}
