import React from 'react';

import { IMaestroActions, MaestroActionsProvider } from '../actions';

import { BudgetsTab } from '../budgets/BudgetsTab';
import { DeploymentsTab } from '../deployments/DeploymentsTab';
import { ExperimentsTab } from '../experiments/ExperimentsTab';
import { FeaturesTab } from '../features/FeaturesTab';
import {
  budgetsIcon,
  deploymentsIcon,
  experimentsIcon,
  featuresIcon,
  jobsIcon,
  maestroIcon,
  modelsIcon
} from '../icons';
import { JobsTab } from '../jobs/JobsTab';
import { ModelsTab } from '../models/ModelsTab';
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
  /**
   * When code was last run in a notebook or console (epoch ms; 0 or absent:
   * never): the Jobs and Deployments tabs poll fast for a while after.
   */
  activityAt?: number;
  actions: IMaestroActions;
}

/**
 * The tabs of the sidebar, in order: Models, Experiments, Features, Jobs,
 * Deployments and Budgets.
 */
export function sidebarTabs(props: IPanelProps): ITabDefinition[] {
  return [
    {
      id: 'models',
      label: 'Models',
      icon: modelsIcon,
      render: active => (
        <ModelsTab
          pageSize={props.pageSize}
          refreshInterval={props.refreshInterval}
          mlflowUiUrl={props.mlflowUiUrl}
          active={active && props.visible}
        />
      )
    },
    {
      id: 'experiments',
      label: 'Experiments',
      icon: experimentsIcon,
      render: () => <ExperimentsTab pageSize={props.pageSize} />
    },
    {
      id: 'features',
      label: 'Features',
      icon: featuresIcon,
      render: active => (
        <FeaturesTab
          refreshInterval={props.refreshInterval}
          active={active && props.visible}
        />
      )
    },
    {
      id: 'jobs',
      label: 'Jobs',
      icon: jobsIcon,
      render: active => (
        <JobsTab
          limit={props.pageSize}
          refreshInterval={props.refreshInterval}
          activityAt={props.activityAt}
          active={active && props.visible}
          onOpenRun={props.actions.openRun}
        />
      )
    },
    {
      id: 'deployments',
      label: 'Deployments',
      icon: deploymentsIcon,
      render: active => (
        <DeploymentsTab
          refreshInterval={props.refreshInterval}
          activityAt={props.activityAt}
          active={active && props.visible}
        />
      )
    },
    {
      id: 'budgets',
      label: 'Budgets',
      icon: budgetsIcon,
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
      <div className="maestro-header">
        <maestroIcon.react
          tag="span"
          className="maestro-header-icon"
          elementSize="normal"
        />
        <h2 className="maestro-title">Maestro</h2>
      </div>
      <MaestroActionsProvider actions={props.actions}>
        <Tabs tabs={sidebarTabs(props)} label="Maestro sections" />
      </MaestroActionsProvider>
    </div>
  );
}
