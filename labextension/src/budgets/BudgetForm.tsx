import React, { useEffect, useId, useRef, useState } from 'react';

import { ErrorMessage } from '../components/ErrorMessage';
import { BudgetPeriod, BudgetScope, Budget, setBudget } from '../api';
import { errorMessage } from '../format';
import { budgetRequest, IBudgetFormValues } from './form';
import { BUDGET_PERIODS, BUDGET_SCOPES } from './helpers';

/**
 * Properties of `BudgetForm`.
 */
export interface IBudgetFormProps {
  /** The values typed (the form is controlled by its parent). */
  values: IBudgetFormValues;
  onChange: (values: IBudgetFormValues) => void;
  /** Called with the budget returned by the server after a save. */
  onSaved: (budget: Budget) => void;
  /** Empty the form (the Cancel button, shown while editing a budget). */
  onCancel: () => void;
}

/**
 * The form setting a budget (admins only): scope, subject, amount, period,
 * hard limit and alert thresholds; it PUTs `budgets/{scope}/{subject}` and
 * shows the server's message on a failure.
 */
export function BudgetForm(props: IBudgetFormProps): JSX.Element {
  const { values } = props;
  const id = useId();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const amountInput = useRef<HTMLInputElement>(null);
  const mounted = useRef(true);

  useEffect(
    () => () => {
      mounted.current = false;
    },
    []
  );

  // Editing a budget: focus its amount.
  useEffect(() => {
    if (values.source !== null) {
      setError(null);
      amountInput.current?.focus();
    }
  }, [values.source]);

  const set = <K extends keyof IBudgetFormValues>(
    key: K,
    value: IBudgetFormValues[K]
  ): void => props.onChange({ ...values, [key]: value });

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    let request;
    try {
      request = budgetRequest(values);
    } catch (reason) {
      setError(errorMessage(reason));
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const saved = await setBudget(
        request.scope,
        request.subject,
        request.update
      );
      props.onSaved(saved);
    } catch (reason) {
      if (mounted.current) {
        setError(errorMessage(reason));
      }
    } finally {
      if (mounted.current) {
        setSaving(false);
      }
    }
  };

  const editing = values.source !== null;
  const field = (name: string): string => `${id}-${name}`;

  return (
    <form
      className="maestro-budget-form"
      aria-label={editing ? `Edit budget ${values.source?.id}` : 'Set a budget'}
      onSubmit={event => void submit(event)}
    >
      <div className="maestro-budget-form-title">
        {editing ? `Edit budget ${values.source?.id}` : 'Set a budget'}
      </div>
      <div className="maestro-budget-form-row">
        <label htmlFor={field('scope')}>Scope</label>
        <select
          id={field('scope')}
          className="maestro-select maestro-budget-form-scope"
          value={values.scope}
          disabled={saving}
          onChange={event => set('scope', event.target.value as BudgetScope)}
        >
          {BUDGET_SCOPES.map(scope => (
            <option key={scope} value={scope}>
              {scope}
            </option>
          ))}
        </select>
        <label htmlFor={field('subject')} className="maestro-visually-hidden">
          {values.scope === 'user' ? 'User name' : 'Project name'}
        </label>
        <input
          id={field('subject')}
          type="text"
          className="maestro-budget-input maestro-budget-form-subject"
          placeholder={values.scope === 'user' ? 'user name' : 'project name'}
          value={values.subject}
          disabled={saving}
          onChange={event => set('subject', event.target.value)}
        />
      </div>
      <div className="maestro-budget-form-row">
        <label htmlFor={field('amount')}>Amount ($)</label>
        <input
          ref={amountInput}
          id={field('amount')}
          type="number"
          className="maestro-budget-input maestro-budget-form-amount"
          min={0}
          step="any"
          placeholder="500"
          value={values.amount}
          disabled={saving}
          onChange={event => set('amount', event.target.value)}
        />
        <label htmlFor={field('period')} className="maestro-visually-hidden">
          Period
        </label>
        <select
          id={field('period')}
          className="maestro-select maestro-budget-form-period"
          value={values.period}
          disabled={saving}
          onChange={event => set('period', event.target.value as BudgetPeriod)}
        >
          {BUDGET_PERIODS.map(period => (
            <option key={period.value} value={period.value}>
              {period.label}
            </option>
          ))}
        </select>
      </div>
      <div className="maestro-budget-form-row">
        <label htmlFor={field('thresholds')}>Alerts at (%)</label>
        <input
          id={field('thresholds')}
          type="text"
          className="maestro-budget-input maestro-budget-form-thresholds"
          placeholder="50,80,100"
          title="Alert thresholds in percent of the amount, separated by commas"
          value={values.thresholds}
          disabled={saving}
          onChange={event => set('thresholds', event.target.value)}
        />
      </div>
      <div className="maestro-budget-form-row">
        <label className="maestro-checkbox-label">
          <input
            type="checkbox"
            className="maestro-budget-form-hard-limit"
            checked={values.hardLimit}
            disabled={saving}
            onChange={event => set('hardLimit', event.target.checked)}
          />
          Hard limit (refuse jobs and deployments once spent)
        </label>
      </div>
      <div className="maestro-budget-form-actions">
        {editing && (
          <button
            type="button"
            className="maestro-action maestro-budget-form-cancel"
            disabled={saving}
            onClick={() => {
              setError(null);
              props.onCancel();
            }}
          >
            Cancel
          </button>
        )}
        <button
          type="submit"
          className="maestro-action maestro-budget-form-save"
          disabled={saving}
        >
          {saving ? 'Saving…' : 'Save budget'}
        </button>
      </div>
      {error !== null && <ErrorMessage message={error} />}
    </form>
  );
}
