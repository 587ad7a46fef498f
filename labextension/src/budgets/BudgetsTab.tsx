import React, { useState } from 'react';

import { AlertsSection } from './AlertsSection';
import { BudgetsSection } from './BudgetsSection';
import { SpendSection } from './SpendSection';

/**
 * Properties of `BudgetsTab`.
 */
export interface IBudgetsTabProps {
  /** Auto-refresh interval in seconds; 0 to disable. */
  refreshInterval: number;
  /** Whether the tab is shown (polling only runs while it is). */
  active: boolean;
}

/**
 * The Budgets tab: the budgets with their spend in the current period (and,
 * for admins, the form setting them), the spend breakdown and the latest
 * budget alerts. Each section refreshes every `refreshInterval` seconds
 * while the tab is shown.
 */
export function BudgetsTab(props: IBudgetsTabProps): JSX.Element {
  const { refreshInterval, active } = props;
  const [revision, setRevision] = useState(0);
  return (
    <div className="maestro-section maestro-budgets">
      <BudgetsSection
        refreshInterval={refreshInterval}
        active={active}
        onChanged={() => setRevision(r => r + 1)}
      />
      <SpendSection refreshInterval={refreshInterval} active={active} />
      <AlertsSection
        refreshInterval={refreshInterval}
        active={active}
        revision={revision}
      />
    </div>
  );
}
