import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useCallback, useEffect, useRef, useState } from 'react';

import { ErrorMessage, Loading } from '../components/ErrorMessage';
import { IDeployment, listDeployments } from '../compute';
import { useRequest } from '../hooks/useRequest';
import { DeploymentItem } from './DeploymentItem';
import {
  deploymentsRefreshSeconds,
  EMPTY_DEPLOYMENTS_MESSAGE
} from './helpers';

/**
 * Properties of `DeploymentsTab`.
 */
export interface IDeploymentsTabProps {
  /** Auto-refresh interval in seconds; 0 to disable (but see below). */
  refreshInterval: number;
  /** Whether the tab is shown (polling only runs while it is). */
  active: boolean;
  /** Base URL of the server (default: the page's). */
  baseUrl?: string;
}

/**
 * The Deployments tab: the model deployments (the stopped and failed ones
 * too with "Show stopped"), with their endpoint, scale and delete controls
 * and a prediction box. The list refreshes every 2 s while a deployment is
 * starting or updating (else every `refreshInterval` seconds), while the
 * tab is shown.
 */
export function DeploymentsTab(props: IDeploymentsTabProps): JSX.Element {
  const { refreshInterval, active, baseUrl } = props;
  const [showStopped, setShowStopped] = useState(false);
  const [deployments, setDeployments] = useState<IDeployment[] | null>(null);

  const { loading, error, reload } = useRequest(
    signal =>
      listDeployments({ all: showStopped, signal }).then(response =>
        Array.isArray(response.deployments) ? response.deployments : []
      ),
    [showStopped],
    setDeployments
  );
  const loadingRef = useRef(loading);
  loadingRef.current = loading;

  const interval = deploymentsRefreshSeconds(
    deployments ?? [],
    refreshInterval
  );
  useEffect(() => {
    if (!active || !(interval > 0)) {
      return;
    }
    const handle = window.setInterval(() => {
      if (document.visibilityState === 'hidden' || loadingRef.current) {
        return;
      }
      reload();
    }, interval * 1000);
    return () => window.clearInterval(handle);
  }, [active, interval, reload]);

  const updateDeployment = useCallback(
    (deployment: IDeployment): void => {
      setDeployments(previous =>
        previous === null
          ? previous
          : previous.map(item =>
              item.id === deployment.id ? { ...item, ...deployment } : item
            )
      );
      reload();
    },
    [reload]
  );

  const list = deployments ?? [];
  const count = list.length;

  return (
    <section
      className="maestro-section maestro-deployments"
      aria-label="Deployments"
    >
      <div className="maestro-section-header">
        <span className="maestro-deployment-count" aria-live="polite">
          {deployments !== null
            ? `${count} ${count === 1 ? 'deployment' : 'deployments'}`
            : ''}
        </span>
        <div className="maestro-section-tools">
          {interval > 0 && active && (
            <span
              className="maestro-auto-refresh"
              title={`Refreshes every ${interval} s while shown`}
            >
              {`auto ${interval} s`}
            </span>
          )}
          <label className="maestro-checkbox-label">
            <input
              type="checkbox"
              className="maestro-deployments-show-stopped"
              checked={showStopped}
              onChange={event => {
                setDeployments(null);
                setShowStopped(event.target.checked);
              }}
            />
            Show stopped
          </label>
          <button
            type="button"
            className="maestro-icon-button"
            aria-label="Refresh"
            title="Refresh"
            onClick={reload}
          >
            <refreshIcon.react tag="span" elementSize="normal" />
          </button>
        </div>
      </div>

      {deployments === null && loading && (
        <Loading text="Loading deployments…" />
      )}

      {error !== null && <ErrorMessage message={error} onRetry={reload} />}

      {deployments !== null && count === 0 && error === null && (
        <div className="maestro-empty" role="status">
          {EMPTY_DEPLOYMENTS_MESSAGE}
        </div>
      )}

      {count > 0 && (
        <ul className="maestro-deployment-list" aria-label="Deployments">
          {list.map(deployment => (
            <DeploymentItem
              key={deployment.id}
              deployment={deployment}
              baseUrl={baseUrl}
              onDeploymentChanged={updateDeployment}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
