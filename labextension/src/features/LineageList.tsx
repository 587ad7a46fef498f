import React from 'react';

import { useMaestroActions } from '../actions';
import { FeatureLineage, FeatureLineageQuery, getFeatureLineage } from '../api';
import { ErrorMessage, Loading } from '../components/ErrorMessage';
import { formatRelativeTime } from '../format';
import { useRequest } from '../hooks/useRequest';
import { lineageLabel } from './helpers';

/**
 * Properties of `LineageList`.
 */
export interface ILineageListProps {
  /** The service or view whose models are listed. */
  query: FeatureLineageQuery;
  /** Changing it asks again (the tab's refresh). */
  reloadKey: number;
  /** Current time in epoch ms (for "trained 3 days ago"). */
  now: number;
}

/**
 * The model versions trained on a feature service or view (their MLflow runs
 * carry the store's lineage tags), newest first as the server sends them.
 * Each shows its model and version, when it was trained and through which
 * service, and opens its model card or its run in the main area.
 */
export function LineageList(props: ILineageListProps): JSX.Element {
  const { query, reloadKey, now } = props;
  const { openCard, openRun } = useMaestroActions();
  const key =
    'service' in query ? `service:${query.service}` : `view:${query.view}`;
  const subject =
    'service' in query
      ? `feature service ${query.service}`
      : `feature view ${query.view}`;
  const lineage = useRequest<FeatureLineage>(
    signal => getFeatureLineage(query, signal),
    [key, reloadKey]
  );
  const entries = lineage.value?.items ?? [];

  let body: React.ReactNode;
  if (lineage.error) {
    body = <ErrorMessage message={lineage.error} onRetry={lineage.reload} />;
  } else if (lineage.value === null) {
    body = (
      <Loading
        text="Loading model versions…"
        className="maestro-loading-inline"
      />
    );
  } else if (entries.length === 0) {
    body = (
      <p className="maestro-feature-none">
        No model version was trained on it yet.
      </p>
    );
  } else {
    body = (
      <ul
        className="maestro-feature-lineage-list"
        aria-label={`Model versions trained on ${subject}`}
      >
        {entries.map(entry => {
          const label = lineageLabel(entry);
          const trained =
            typeof entry.trained_at === 'number'
              ? formatRelativeTime(entry.trained_at * 1000, now)
              : null;
          const named = `${entry.model} version ${entry.version}`;
          return (
            <li
              key={`${entry.model}/${entry.version}`}
              className="maestro-feature-lineage-item"
              data-model={entry.model}
              data-version={entry.version}
            >
              <span className="maestro-feature-lineage-model">{label}</span>
              {'view' in query && entry.service && (
                <span className="maestro-feature-lineage-via">
                  {`via ${entry.service}`}
                </span>
              )}
              {trained && (
                <span
                  className="maestro-feature-lineage-when"
                  title={new Date(
                    (entry.trained_at ?? 0) * 1000
                  ).toLocaleString()}
                >
                  {`trained ${trained}`}
                </span>
              )}
              <span className="maestro-feature-lineage-actions">
                <button
                  type="button"
                  className="maestro-action"
                  aria-label={`Model card of ${named}`}
                  title={`Open the model card of ${named}`}
                  onClick={() =>
                    openCard({ name: entry.model, version: entry.version })
                  }
                >
                  Card
                </button>
                {entry.run_id && (
                  <button
                    type="button"
                    className="maestro-action"
                    aria-label={`Training run of ${named}`}
                    title={`Open the run that trained ${named}`}
                    onClick={() =>
                      openRun({
                        runId: entry.run_id,
                        name: entry.model,
                        version: entry.version
                      })
                    }
                  >
                    Run
                  </button>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    );
  }

  return (
    <div className="maestro-feature-lineage">
      <h4 className="maestro-feature-subheading">Models trained on it</h4>
      {body}
    </div>
  );
}
