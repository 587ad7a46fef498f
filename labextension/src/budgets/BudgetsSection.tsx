import React, { useCallback, useId, useState } from 'react';

import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import { Budget, listBudgets } from '../api';
import { BudgetForm } from './BudgetForm';
import { BudgetItem } from './BudgetItem';
import { emptyFormValues, formValuesOf, IBudgetFormValues } from './form';
import { EMPTY_BUDGETS_MESSAGE } from './helpers';
import { usePolledRequest } from '../hooks/usePolledList';

/**
 * Properties of the sections of the Budgets tab.
 */
export interface IBudgetsPartProps {
  /** Auto-refresh interval in seconds; 0 to disable. */
  refreshInterval: number;
  /** Whether the tab is shown (polling only runs while it is). */
  active: boolean;
  /** Bumped when a budget is saved or deleted: what depends on budgets reloads. */
  revision?: number;
  /** Called after a budget was saved or deleted. */
  onChanged?: () => void;
}

/**
 * The budgets with their spend in the current period; for admins
 * (`can_edit`), the form setting a budget and the Edit and Delete buttons.
 */
export function BudgetsSection(props: IBudgetsPartProps): JSX.Element {
  const { active, refreshInterval, onChanged } = props;
  const headingId = useId();
  const [form, setForm] = useState<IBudgetFormValues>(emptyFormValues);

  const { value, error, reload, interval } = usePolledRequest(
    signal => listBudgets(signal),
    [],
    active,
    refreshInterval
  );

  const budgets =
    value !== null && Array.isArray(value.budgets) ? value.budgets : [];
  const canEdit = value?.can_edit === true;
  const count = budgets.length;

  const edit = useCallback((budget: Budget): void => {
    setForm(formValuesOf(budget));
  }, []);

  const changed = (): void => {
    reload();
    onChanged?.();
  };
  const saved = (): void => {
    setForm(emptyFormValues());
    changed();
  };

  return (
    <section
      className="maestro-budgets-part maestro-budgets-list-part"
      aria-labelledby={headingId}
    >
      <div className="maestro-section-header">
        <h3 id={headingId} className="maestro-budgets-heading">
          Budgets
        </h3>
        <span className="maestro-budget-count" aria-live="polite">
          {value !== null
            ? `${count} ${count === 1 ? 'budget' : 'budgets'}`
            : ''}
        </span>
        <SectionTools autoRefresh={active ? interval : 0} onRefresh={reload} />
      </div>

      <Section
        label="budgets"
        loading={value === null}
        error={error}
        empty={value !== null && count === 0}
        emptyMessage={EMPTY_BUDGETS_MESSAGE}
        onRetry={reload}
      >
        <ul className="maestro-budget-list" aria-label="Budgets">
          {budgets.map(budget => (
            <BudgetItem
              key={budget.id}
              budget={budget}
              canEdit={canEdit}
              onEdit={edit}
              onDeleted={changed}
            />
          ))}
        </ul>
      </Section>

      {canEdit && (
        <BudgetForm
          values={form}
          onChange={setForm}
          onSaved={saved}
          onCancel={() => setForm(emptyFormValues())}
        />
      )}
    </section>
  );
}
