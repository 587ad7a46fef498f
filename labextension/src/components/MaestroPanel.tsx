import React from 'react';

import { IMaestroActions, MaestroActionsProvider } from '../actions';

import { BudgetsTab } from '../budgets/BudgetsTab';
import { DeploymentsTab } from '../deployments/DeploymentsTab';
import { maestroIcon } from '../icons';
import { JobsTab } from '../jobs/JobsTab';
import { ModelsTab } from './ModelsTab';
import { ITabDefinition, Tabs } from './Tabs';

export type { IMaestroActions } from '../actions';

/**
 * Properties of `MaestroPanel` (and of every tab).
 */
export interface IPanelProps {
  /** Page size sent as `max_results`. */
  pageSize: number;
  /** Auto-refresh interval of the lists in seconds; 0 to disable. */
  refreshInterval: number;
  /** MLflow UI base URL; empty to hide MLflow links. */
  mlflowUiUrl: string;
  /** Whether the sidebar is shown. */
  visible: boolean;
  actions: IMaestroActions;
}

/**
 * The tabs of the sidebar, in order: Models, Jobs, Deployments and
 * Budgets.
 */
export function sidebarTabs(props: IPanelProps): ITabDefinition[] {
  return [
    {
      id: 'models',
      label: 'Models',
      render: active => (
        <ModelsTab
          pageSize={props.pageSize}
          refreshInterval={props.refreshInterval}
          mlflowUiUrl={props.mlflowUiUrl}
          active={active && props.visible}
          onOpenRun={props.actions.openRun}
          onOpenCard={props.actions.openCard}
          onOpenTests={props.actions.openTests}
          onCompare={props.actions.compareVersions}
        />
      )
    },
    {
      id: 'jobs',
      label: 'Jobs',
      render: active => (
        <JobsTab
          limit={props.pageSize}
          refreshInterval={props.refreshInterval}
          active={active && props.visible}
          onOpenRun={props.actions.openRun}
        />
      )
    },
    {
      id: 'deployments',
      label: 'Deployments',
      render: active => (
        <DeploymentsTab
          refreshInterval={props.refreshInterval}
          active={active && props.visible}
        />
      )
    },
    {
      id: 'budgets',
      label: 'Budgets',
      render: active => (
        <BudgetsTab
          refreshInterval={props.refreshInterval}
          active={active && props.visible}
        />
      )
    }
  ];
}

/**
 * The whole Maestro sidebar content: a header and the tabs.
 */
export function MaestroPanel(props: IPanelProps): JSX.Element {
  return (
    <div className="maestro-panel">
      <header className="maestro-header">
        <maestroIcon.react
          tag="span"
          className="maestro-header-icon"
          elementSize="normal"
        />
        <h2 className="maestro-title">Maestro</h2>
      </header>
      <MaestroActionsProvider actions={props.actions}>
        <Tabs tabs={sidebarTabs(props)} label="Maestro sections" />
      </MaestroActionsProvider>
    </div>
  );
}
