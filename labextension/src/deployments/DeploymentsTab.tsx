import React, { useState } from 'react';

import { ErrorMessage, Loading } from '../components/ErrorMessage';
import { SectionTools } from '../components/SectionTools';
import { Deployment, listDeployments } from '../api';
import { usePolledList } from '../hooks/usePolledList';
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

  const {
    items: deployments,
    clear,
    loading,
    error,
    reload,
    interval,
    update: updateDeployment
  } = usePolledList<Deployment>({
    fetch: signal =>
      listDeployments({ all: showStopped, signal }).then(response =>
        Array.isArray(response.deployments) ? response.deployments : []
      ),
    deps: [showStopped],
    refreshSeconds: list => deploymentsRefreshSeconds(list, refreshInterval),
    active
  });

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
        <SectionTools autoRefresh={active ? interval : 0} onRefresh={reload}>
          <label className="maestro-checkbox-label">
            <input
              type="checkbox"
              className="maestro-deployments-show-stopped"
              checked={showStopped}
              onChange={event => {
                clear();
                setShowStopped(event.target.checked);
              }}
            />
            Show stopped
          </label>
        </SectionTools>
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
