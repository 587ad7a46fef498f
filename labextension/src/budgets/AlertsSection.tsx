import React, { useId } from 'react';

import { Section } from '../components/Section';
import { SectionTools } from '../components/SectionTools';
import { Alert, listAlerts } from '../api';
import { formatEpochSeconds } from '../jobs/helpers';
import type { IBudgetsPartProps } from './BudgetsSection';
import {
  ALERTS_LIMIT,
  deliveryFailure,
  EMPTY_ALERTS_MESSAGE,
  newestFirst,
  relativeTime
} from './helpers';
import { usePolledRequest } from '../hooks/usePolledList';

/**
 * The latest budget alerts, newest first: the message, when it was raised
 * and whether its webhook could not be delivered.
 */
export function AlertsSection(props: IBudgetsPartProps): JSX.Element {
  const { active, refreshInterval, revision } = props;
  const headingId = useId();

  const { value, error, reload, interval } = usePolledRequest(
    signal => listAlerts({ limit: ALERTS_LIMIT, signal }),
    // Saving a budget may cross its thresholds: show those alerts at once.
    [revision],
    active,
    refreshInterval
  );

  const alerts =
    value !== null && Array.isArray(value.alerts)
      ? newestFirst(value.alerts)
      : [];
  const now = Date.now() / 1000;

  return (
    <section
      className="maestro-budgets-part maestro-alerts-part"
      aria-labelledby={headingId}
    >
      <div className="maestro-section-header">
        <h3 id={headingId} className="maestro-budgets-heading">
          Alerts
        </h3>
        <SectionTools autoRefresh={active ? interval : 0} onRefresh={reload} />
      </div>

      <Section
        label="alerts"
        loading={value === null}
        error={error}
        empty={value !== null && alerts.length === 0}
        emptyMessage={EMPTY_ALERTS_MESSAGE}
        onRetry={reload}
      >
        <ul className="maestro-alert-list" aria-label="Budget alerts">
          {alerts.map(alert => (
            <AlertItem key={alert.id} alert={alert} now={now} />
          ))}
        </ul>
      </Section>
    </section>
  );
}

/**
 * One budget alert.
 */
function AlertItem(props: { alert: Alert; now: number }): JSX.Element {
  const { alert } = props;
  const failure = deliveryFailure(alert);
  const over = alert.threshold >= 100;
  return (
    <li
      className={`maestro-alert${over ? ' maestro-alert-over' : ''}`}
      data-alert-id={alert.id}
      data-threshold={alert.threshold}
    >
      <div className="maestro-alert-message">{alert.message}</div>
      <div className="maestro-alert-meta">
        <time
          className="maestro-alert-time"
          dateTime={
            isFinite(alert.created_at)
              ? new Date(alert.created_at * 1000).toISOString()
              : undefined
          }
          title={formatEpochSeconds(alert.created_at)}
        >
          {relativeTime(alert.created_at, props.now)}
        </time>
        {failure !== null && (
          <span
            className="maestro-alert-delivery-failed"
            title={`The webhook could not be notified${failure ? `: ${failure}` : ''}`}
          >
            {failure ? `Webhook failed: ${failure}` : 'Webhook failed'}
          </span>
        )}
      </div>
    </li>
  );
}
