import React, { useId, useState } from 'react';

import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import { CostBy, getCosts, CostGroup } from '../api';
import type { IBudgetsPartProps } from './BudgetsSection';
import { formatDollars } from './helpers';
import {
  COST_BY_OPTIONS,
  COST_WINDOWS,
  costKeyLabel,
  relativeWidth,
  windowText
} from './spendHelpers';
import { usePolledRequest } from '../hooks/usePolledList';

/**
 * The grouping and window of the breakdown when the tab opens.
 */
export const DEFAULT_COST_BY: CostBy = 'project';
export const DEFAULT_COST_WINDOW = '30d';

/**
 * The spend breakdown: the cost of each user, project, model or kind over
 * the last 7, 30 or 90 days, with a bar relative to the largest group, and
 * the total.
 */
export function SpendSection(props: IBudgetsPartProps): JSX.Element {
  const { active, refreshInterval } = props;
  const headingId = useId();
  const [by, setBy] = useState<CostBy>(DEFAULT_COST_BY);
  const [span, setSpan] = useState(DEFAULT_COST_WINDOW);

  const { value, loading, error, reload, interval } = usePolledRequest(
    signal => getCosts({ by, window: span, signal }),
    [by, span],
    active,
    refreshInterval
  );

  const groups: CostGroup[] =
    value !== null && Array.isArray(value.groups) ? value.groups : [];
  const largest = groups.reduce((max, group) => Math.max(max, group.cost), 0);
  const shownBy = value?.by ?? by;
  const shownWindow = windowText(value?.window ?? span);

  return (
    <section
      className="maestro-budgets-part maestro-spend-part"
      aria-labelledby={headingId}
      aria-busy={loading}
    >
      <div className="maestro-section-header">
        <h3 id={headingId} className="maestro-budgets-heading">
          Spend
        </h3>
        <SectionTools autoRefresh={active ? interval : 0} onRefresh={reload}>
          <select
            className="maestro-select maestro-cost-by"
            aria-label="Group the spend by"
            value={by}
            onChange={event => setBy(event.target.value as CostBy)}
          >
            {COST_BY_OPTIONS.map(option => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <select
            className="maestro-select maestro-cost-window"
            aria-label="Spend over the last"
            value={span}
            onChange={event => setSpan(event.target.value)}
          >
            {COST_WINDOWS.map(option => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </SectionTools>
      </div>

      <Section
        label="spend"
        loading={value === null}
        error={error}
        empty={value !== null && groups.length === 0}
        emptyMessage={`No spend recorded in the ${shownWindow}.`}
        onRetry={reload}
      >
        <ul className="maestro-cost-list" aria-label="Spend by group">
          {groups.map(group => {
            const label = costKeyLabel(shownBy, group.key);
            return (
              <li
                key={group.key}
                className="maestro-cost-row"
                data-key={group.key}
              >
                <span className="maestro-cost-key" title={label}>
                  {label}
                </span>
                <span className="maestro-cost-bar" aria-hidden="true">
                  <span
                    className="maestro-cost-fill"
                    style={{ width: `${relativeWidth(group.cost, largest)}%` }}
                  />
                </span>
                <span className="maestro-cost-amount">
                  {formatDollars(group.cost)}
                </span>
              </li>
            );
          })}
        </ul>
        {value !== null && (
          <div className="maestro-cost-total">
            {`Total ${formatDollars(value.total)} in the ${shownWindow}`}
          </div>
        )}
      </Section>
    </section>
  );
}
