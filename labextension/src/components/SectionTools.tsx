import { refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';

/**
 * Properties of `SectionTools`.
 */
export interface ISectionToolsProps {
  /** Seconds shown in the auto-refresh badge; 0 hides the badge. */
  autoRefresh: number;
  /** Called by the refresh button. */
  onRefresh: () => void;
  /** Controls shown between the badge and the refresh button. */
  children?: React.ReactNode;
}

/**
 * The tools of a section header: the auto-refresh badge (while polling),
 * the section's own controls and the refresh button.
 */
export function SectionTools(props: ISectionToolsProps): JSX.Element {
  const { autoRefresh } = props;
  return (
    <div className="maestro-section-tools">
      {autoRefresh > 0 && (
        <span
          className="maestro-auto-refresh"
          title={`Refreshes every ${autoRefresh} s while shown`}
        >
          {`auto ${autoRefresh} s`}
        </span>
      )}
      {props.children}
      <button
        type="button"
        className="maestro-icon-button"
        aria-label="Refresh"
        title="Refresh"
        onClick={props.onRefresh}
      >
        <refreshIcon.react tag="span" elementSize="normal" />
      </button>
    </div>
  );
}
