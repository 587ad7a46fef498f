import React, { createContext, useContext } from 'react';

/**
 * What to open for a run (e.g. a version's source run).
 */
export interface IOpenRunArgs {
  runId: string;
  /** Model name and version the run produced, for MLflow links. */
  name?: string;
  version?: string;
}

/**
 * Which model card to open.
 */
export interface IOpenCardArgs {
  name: string;
  version: string;
}

/**
 * Which version's automated tests to open.
 */
export interface IOpenTestsArgs {
  name: string;
  version: string;
}

/**
 * What any view of the sidebar can open in the main area. Provided once, by `MaestroPanel`, through
 * `MaestroActionsContext`, so that a nested component asks `useMaestroActions()` instead of receiving callbacks
 * through every component between it and the panel.
 */
export interface IMaestroActions {
  /** Open a run (of a model version) in the main area. */
  openRun: (args: IOpenRunArgs) => void;
  /** Open the model card of a version in the main area. */
  openCard: (args: IOpenCardArgs) => void;
  /** Open the automated tests of a version in the main area. */
  openTests: (args: IOpenTestsArgs) => void;
  /** Open the version comparison of a model in the main area. */
  compareVersions: (name: string) => void;
  /** Open the comparison of 2 to 100 runs (by id) in the main area. */
  compareRuns: (runIds: string[]) => void;
}

/**
 * Actions that do nothing: the context's value outside a `MaestroPanel` (e.g. a component rendered alone in a test
 * without a provider), so that a missing provider is visible as a dead button rather than a crash.
 */
const NO_ACTIONS: IMaestroActions = {
  openRun: () => undefined,
  openCard: () => undefined,
  openTests: () => undefined,
  compareVersions: () => undefined,
  compareRuns: () => undefined
};

/** The sidebar's actions, provided by `MaestroPanel`. */
export const MaestroActionsContext = createContext<IMaestroActions>(NO_ACTIONS);

/** The sidebar's actions (see `IMaestroActions`). */
export function useMaestroActions(): IMaestroActions {
  return useContext(MaestroActionsContext);
}

/** Provide `actions` to every component below. */
export function MaestroActionsProvider(props: {
  actions: IMaestroActions;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <MaestroActionsContext.Provider value={props.actions}>
      {props.children}
    </MaestroActionsContext.Provider>
  );
}
