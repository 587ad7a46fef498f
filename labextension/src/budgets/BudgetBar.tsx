import React from 'react';

import type { Budget } from '../api';
import {
  barWidth,
  budgetState,
  budgetUsageText,
  formatPercent,
  tickThresholds,
  usedPercent
} from './helpers';

/**
 * A budget's progress bar: the fill shows the share of the amount spent
 * (capped at 100 %) in the colour of its state (`maestro-budget-ok`,
 * `-warn`, `-over`), with a tick at each alert threshold below 100 %.
 */
export function BudgetBar(props: { budget: Budget }): JSX.Element {
  const { budget } = props;
  const used = usedPercent(budget);
  const thresholds = Array.isArray(budget.thresholds) ? budget.thresholds : [];
  const state = budgetState(used, thresholds);
  const width = barWidth(used);
  return (
    <div
      className="maestro-budget-bar"
      role="progressbar"
      aria-label={`Budget ${budget.id} used`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(width)}
      aria-valuetext={`${formatPercent(used)} used: ${budgetUsageText(budget)}`}
      data-state={state}
    >
      <div
        className={`maestro-budget-fill maestro-budget-${state}`}
        style={{ width: `${width}%` }}
      />
      {tickThresholds(thresholds).map(threshold => (
        <span
          key={threshold}
          className="maestro-budget-tick"
          data-threshold={threshold}
          style={{ left: `${threshold}%` }}
          title={`${threshold}% alert`}
        />
      ))}
    </div>
  );
}
