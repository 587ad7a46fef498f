import { copyIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useId, useRef, useState } from 'react';

import { confirmAction } from '../components/confirm';
import { ErrorMessage } from '../components/ErrorMessage';
import { deleteDeployment, Deployment, scaleDeployment } from '../api';
import { errorMessage } from '../format';
import { useCopyText } from '../hooks/useCopyText';
import { formatEpochSeconds, resourcesSummary } from '../jobs/helpers';
import {
  aliasState,
  deleteConfirmation,
  deploymentStatusClass,
  endpointURL,
  isActiveDeployment,
  MAX_REPLICAS,
  MIN_REPLICAS,
  parseReplicas,
  servedText,
  showsDeploymentReason
} from './helpers';
import { PredictBox } from './PredictBox';

/**
 * Properties of `DeploymentItem`.
 */
export interface IDeploymentItemProps {
  deployment: Deployment;
  /** Base URL of the server the endpoint is relative to. */
  baseUrl?: string;
  /** Called with the deployment returned by a scale or a delete. */
  onDeploymentChanged: (deployment: Deployment) => void;
}

/**
 * What is being done to the deployment.
 */
type Pending = 'scale' | 'delete' | null;

/**
 * One deployment: status, id, model version (and alias), ready/desired
 * replicas, endpoint URL (with a copy button), user and reason; scale and
 * delete controls, and a "try it" prediction box.
 */
export function DeploymentItem(props: IDeploymentItemProps): JSX.Element {
  const { deployment } = props;
  const replicasId = useId();
  const [replicas, setReplicas] = useState(String(deployment.replicas));
  const [pending, setPending] = useState<Pending>(null);
  const [error, setError] = useState<string | null>(null);
  const { copyState, copy } = useCopyText();
  // Whether the user changed the replica input since the last scale.
  const edited = useRef(false);
  const mounted = useRef(true);

  useEffect(
    () => () => {
      mounted.current = false;
    },
    []
  );

  // Follow the desired replicas from the server until the user edits.
  useEffect(() => {
    if (!edited.current) {
      setReplicas(String(deployment.replicas));
    }
  }, [deployment.replicas]);

  const url = endpointURL(deployment.endpoint, props.baseUrl);
  const alias = aliasState(deployment);
  const served = servedText(deployment);
  const status = deployment.status || 'unknown';
  const active = isActiveDeployment(deployment);
  const stopped = status === 'stopped';
  const wanted = parseReplicas(replicas);
  const resources = resourcesSummary(deployment.resources);
  const updated = formatEpochSeconds(deployment.updated_at);
  const instances = Array.isArray(deployment.instances)
    ? deployment.instances
    : [];

  const run = async (
    kind: Exclude<Pending, null>,
    action: () => Promise<Deployment>
  ): Promise<void> => {
    setPending(kind);
    setError(null);
    try {
      const changed = await action();
      if (kind === 'scale') {
        edited.current = false;
      }
      props.onDeploymentChanged(changed);
    } catch (reason) {
      if (mounted.current) {
        setError(errorMessage(reason));
      }
    } finally {
      if (mounted.current) {
        setPending(null);
      }
    }
  };

  const scale = (): void => {
    if (wanted === null) {
      setError(
        `The number of replicas must be a whole number from ${MIN_REPLICAS} to ${MAX_REPLICAS}.`
      );
      return;
    }
    void run('scale', () => scaleDeployment(deployment.id, wanted));
  };

  const remove = async (): Promise<void> => {
    if (!(await confirmAction(deleteConfirmation(deployment, url)))) {
      return;
    }
    if (mounted.current) {
      void run('delete', () => deleteDeployment(deployment.id));
    }
  };

  const copyEndpoint = async (): Promise<void> => {
    try {
      await copy(url);
    } catch (reason) {
      if (mounted.current) {
        setError(errorMessage(reason));
      }
    }
  };

  return (
    <li
      className={`maestro-deployment${stopped ? ' maestro-mod-stopped' : ''}`}
      data-deployment-id={deployment.id}
      data-status={status}
    >
      <div className="maestro-deployment-header">
        <span className={deploymentStatusClass(status)} data-status={status}>
          {status}
        </span>
        <span className="maestro-deployment-id" title={deployment.id}>
          {deployment.id}
        </span>
        <span
          className="maestro-deployment-ready"
          title={`${deployment.ready_replicas} of ${deployment.replicas} replicas ready`}
        >
          {`${deployment.ready_replicas}/${deployment.replicas}`}
        </span>
      </div>

      <div className="maestro-deployment-model">
        <span className="maestro-deployment-name">{deployment.model}</span>
        <span className="maestro-deployment-version" title={served.title}>
          {served.text}
        </span>
        {alias === 'current' && (
          <span
            className="maestro-alias maestro-deployment-alias"
            title={`${deployment.alias} names version ${deployment.version}, the one served`}
          >
            {deployment.alias}
          </span>
        )}
      </div>

      {url && (
        <div className="maestro-deployment-endpoint-row">
          <code
            className="maestro-deployment-endpoint"
            title={deployment.url ? `Serving at ${deployment.url}` : url}
          >
            {url}
          </code>
          <button
            type="button"
            className="maestro-action maestro-deployment-copy"
            aria-label="Copy endpoint URL"
            title="Copy the prediction endpoint URL"
            data-state={copyState}
            onClick={() => void copyEndpoint()}
          >
            <copyIcon.react tag="span" elementSize="small" />
            <span className="maestro-action-label">
              {copyState === 'copied' ? 'Copied' : 'Copy'}
            </span>
          </button>
          <span className="maestro-visually-hidden" role="status">
            {copyState === 'copied' ? 'Endpoint URL copied' : ''}
          </span>
        </div>
      )}

      <div className="maestro-deployment-meta">
        {deployment.user && (
          <span className="maestro-deployment-user" title="User">
            {deployment.user}
          </span>
        )}
        {deployment.backend && (
          <span className="maestro-deployment-backend" title="Compute backend">
            {deployment.backend}
          </span>
        )}
        {resources && (
          <span
            className="maestro-deployment-resources"
            title="Resources per replica"
          >
            {resources}
          </span>
        )}
        {updated && (
          <span
            className="maestro-deployment-updated"
            title={`Updated ${updated}`}
          >
            {`Updated ${updated}`}
          </span>
        )}
      </div>

      {showsDeploymentReason(deployment) && (
        <div className="maestro-deployment-reason">{deployment.reason}</div>
      )}

      {instances.length > 0 && !stopped && (
        <ul className="maestro-deployment-instances" aria-label="Replicas">
          {instances.map(instance => (
            <li
              key={instance.name}
              className="maestro-deployment-instance"
              data-status={instance.status}
              title={[
                instance.name,
                instance.status,
                instance.pid !== null && instance.pid !== undefined
                  ? `pid ${instance.pid}`
                  : '',
                instance.url ?? ''
              ]
                .filter(Boolean)
                .join(' · ')}
            >
              <span className="maestro-deployment-instance-name">
                {instance.name}
              </span>
              <span className="maestro-deployment-instance-status">
                {instance.status}
              </span>
            </li>
          ))}
        </ul>
      )}

      {!stopped && (
        <div className="maestro-deployment-actions">
          {active && (
            <>
              <label className="maestro-visually-hidden" htmlFor={replicasId}>
                {`Replicas of ${deployment.id}`}
              </label>
              <input
                id={replicasId}
                type="number"
                className="maestro-deployment-replicas"
                min={MIN_REPLICAS}
                max={MAX_REPLICAS}
                step={1}
                value={replicas}
                aria-invalid={wanted === null}
                onChange={event => {
                  edited.current = true;
                  setReplicas(event.target.value);
                }}
                onKeyDown={event => {
                  if (event.key === 'Enter') {
                    event.preventDefault();
                    scale();
                  }
                }}
              />
              <button
                type="button"
                className="maestro-action maestro-deployment-scale"
                title="Set the number of replicas"
                disabled={pending !== null || wanted === null}
                onClick={scale}
              >
                {pending === 'scale' ? 'Scaling…' : 'Scale'}
              </button>
            </>
          )}
          <button
            type="button"
            className="maestro-action maestro-deployment-delete"
            title={`Stop and delete deployment ${deployment.id}`}
            disabled={pending !== null}
            onClick={() => void remove()}
          >
            {pending === 'delete' ? 'Deleting…' : 'Delete'}
          </button>
        </div>
      )}

      {error !== null && <ErrorMessage message={error} />}

      {active && (
        <PredictBox
          deploymentId={deployment.id}
          model={deployment.model}
          version={deployment.version}
        />
      )}
    </li>
  );
}
