import React, { useEffect, useRef, useState } from 'react';

import { confirmAction } from '../components/confirm';
import { ErrorMessage } from '../components/ErrorMessage';
import { deleteBudget, Budget } from '../api';
import { errorMessage } from '../format';
import { formatEpochSeconds } from '../jobs/helpers';
import { BudgetBar } from './BudgetBar';
import {
  budgetState,
  budgetUsageText,
  formatDollars,
  formatPercent,
  usedPercent
} from './helpers';

/**
 * Properties of `BudgetItem`.
 */
export interface IBudgetItemProps {
  budget: Budget;
  /** Whether the Edit and Delete buttons are shown (admin role). */
  canEdit: boolean;
  /** Fill the budget form with this budget. */
  onEdit: (budget: Budget) => void;
  /** Called after the budget was deleted. */
  onDeleted: (budget: Budget) => void;
}

/**
 * One budget: its scope and subject, a "hard limit" badge, the spend of the
 * current period against the amount with a progress bar, and (for admins)
 * Edit and Delete buttons.
 */
export function BudgetItem(props: IBudgetItemProps): JSX.Element {
  const { budget, canEdit } = props;
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mounted = useRef(true);

  useEffect(
    () => () => {
      mounted.current = false;
    },
    []
  );

  const used = usedPercent(budget);
  const state = budgetState(used, budget.thresholds ?? []);
  const updated = formatEpochSeconds(budget.updated_at);

  const remove = async (): Promise<void> => {
    const confirmed = await confirmAction({
      title: `Delete the budget of ${budget.scope} ${budget.subject}?`,
      body:
        `Spend of ${budget.scope} ${budget.subject} will no longer be checked against ` +
        `${formatDollars(budget.amount)}: no alerts${budget.hard_limit ? ', and no hard limit refusing jobs and deployments' : ''}.`,
      accept: 'Delete budget'
    });
    if (!confirmed || !mounted.current) {
      return;
    }
    setDeleting(true);
    setError(null);
    try {
      await deleteBudget(budget.scope, budget.subject);
      props.onDeleted(budget);
    } catch (reason) {
      if (mounted.current) {
        setError(errorMessage(reason));
      }
    } finally {
      if (mounted.current) {
        setDeleting(false);
      }
    }
  };

  return (
    <li
      className="maestro-budget"
      data-budget-id={budget.id}
      data-state={state}
    >
      <div className="maestro-budget-header">
        <span className="maestro-budget-scope">{budget.scope}</span>
        <span className="maestro-budget-subject" title={budget.id}>
          {budget.subject}
        </span>
        {budget.hard_limit && (
          <span
            className="maestro-budget-hard-limit"
            title="Jobs and deployments are refused once the budget is spent"
          >
            hard limit
          </span>
        )}
        <span className="maestro-budget-pct">{formatPercent(used)}</span>
      </div>

      <div className="maestro-budget-usage">{budgetUsageText(budget)}</div>

      <BudgetBar budget={budget} />

      <div className="maestro-budget-meta">
        <span className="maestro-budget-remaining">
          {budget.remaining < 0
            ? `${formatDollars(-budget.remaining)} over`
            : `${formatDollars(budget.remaining)} left`}
        </span>
        {budget.updated_by && (
          <span
            className="maestro-budget-updated"
            title={updated ? `Set by ${budget.updated_by} on ${updated}` : ''}
          >
            {`Set by ${budget.updated_by}`}
          </span>
        )}
      </div>

      {canEdit && (
        <div className="maestro-budget-actions">
          <button
            type="button"
            className="maestro-action maestro-budget-edit"
            title={`Edit budget ${budget.id}`}
            disabled={deleting}
            onClick={() => props.onEdit(budget)}
          >
            Edit
          </button>
          <button
            type="button"
            className="maestro-action maestro-budget-delete"
            title={`Delete budget ${budget.id}`}
            disabled={deleting}
            onClick={() => void remove()}
          >
            {deleting ? 'Deleting…' : 'Delete'}
          </button>
        </div>
      )}

      {error !== null && <ErrorMessage message={error} />}
    </li>
  );
}
