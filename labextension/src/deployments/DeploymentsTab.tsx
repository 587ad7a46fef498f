import React, { useState } from 'react';

import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import { Deployment, listDeployments } from '../api';
import { usePolledList } from '../hooks/usePolledList';
import { isRecentActivity } from '../model';
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
  /** When code was last run in a notebook or console (epoch ms; 0: never). */
  activityAt?: number;
  /** Base URL of the server (default: the page's). */
  baseUrl?: string;
}

/**
 * The Deployments tab: the model deployments (the stopped and failed ones
 * too with "Show stopped"), with their endpoint, scale and delete controls
 * and a prediction box. The list refreshes every 5 s while a deployment is
 * starting or updating or just after code was run in a notebook (else every
 * `refreshInterval` seconds), while the tab is shown.
 */
export function DeploymentsTab(props: IDeploymentsTabProps): JSX.Element {
  const { refreshInterval, active, baseUrl } = props;
  const activityAt = props.activityAt ?? 0;
  const [showStopped, setShowStopped] = useState(false);

  const {
    items: deployments,
    clear,
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
    refreshSeconds: list =>
      deploymentsRefreshSeconds(
        list,
        refreshInterval,
        isRecentActivity(activityAt, Date.now())
      ),
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

      <Section
        label="deployments"
        loading={deployments === null}
        error={error}
        empty={deployments !== null && count === 0}
        emptyMessage={EMPTY_DEPLOYMENTS_MESSAGE}
        onRetry={reload}
      >
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
      </Section>
    </section>
  );
}
