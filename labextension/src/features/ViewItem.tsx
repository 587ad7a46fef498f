import React, { useId } from 'react';

import type { FeatureViewSummary } from '../api';
import { shortDescription } from '../format';
import {
  formatTTL,
  isOnDemand,
  plural,
  viewFreshness,
  viewKindLabel
} from './helpers';
import { LineageList } from './LineageList';
import { FoldToggle } from '../components/FoldToggle';
import { TagList } from './TagList';

/**
 * Properties of `ViewItem`.
 */
export interface IViewItemProps {
  view: FeatureViewSummary;
  expanded: boolean;
  onToggle: (name: string) => void;
  /** Current time in epoch ms (freshness). */
  now: number;
  /** Changing it reloads the lineage of an expanded view. */
  reloadKey: number;
}

/**
 * One feature view: its name (the button that expands it), kind, features,
 * entities and freshness (last materialized, rows online); expanded, its
 * description, owner, TTL, source or inputs, tags, schema, the services that
 * use it and the model versions trained on it.
 */
export function ViewItem(props: IViewItemProps): JSX.Element {
  const { view, expanded, now } = props;
  const detailsId = useId();
  const freshness = viewFreshness(view, now);
  const features = view.features ?? [];
  const entities = view.entities ?? [];
  const onDemand = isOnDemand(view);
  const description = shortDescription(view.description);

  return (
    <li
      className={`maestro-feature-item${expanded ? ' maestro-mod-expanded' : ''}`}
      data-feature-view={view.name}
      data-kind={view.kind}
    >
      <div className="maestro-feature-header">
        <FoldToggle
          name={view.name}
          expanded={expanded}
          controls={detailsId}
          label={`Feature view ${view.name}`}
          shows="details"
          className="maestro-feature-toggle"
          nameClassName="maestro-feature-name"
          onToggle={props.onToggle}
        />
        {view.kind !== 'batch' && (
          <span className="maestro-feature-kind" data-kind={view.kind}>
            {viewKindLabel(view.kind)}
          </span>
        )}
      </div>

      {description && !expanded && (
        <p className="maestro-feature-description" title={view.description}>
          {description}
        </p>
      )}

      <div className="maestro-feature-meta">
        <span className="maestro-feature-count-features">
          {plural(features.length, 'feature')}
        </span>
        {entities.length > 0 && (
          <span className="maestro-feature-entities">
            {`by ${entities.join(', ')}`}
          </span>
        )}
        <span
          className="maestro-feature-freshness"
          title={
            freshness.materializedFull
              ? `Last materialized ${freshness.materializedFull}`
              : onDemand
                ? 'Computed when requested, from its inputs'
                : 'Not materialized yet: the online store has no values'
          }
        >
          {freshness.materialized}
        </span>
        {freshness.rows && (
          <span className="maestro-feature-rows">{freshness.rows}</span>
        )}
        {freshness.stale && (
          <span
            className="maestro-feature-stale"
            title={`Last materialized more than its TTL (${formatTTL(
              view.ttl_seconds
            )}) ago: online values may be refused as stale. Materialize again.`}
          >
            older than TTL
          </span>
        )}
      </div>

      {expanded && (
        <ViewDetails
          id={detailsId}
          view={view}
          now={now}
          reloadKey={props.reloadKey}
        />
      )}
    </li>
  );
}

/**
 * An expanded view's details.
 */
function ViewDetails(props: {
  id: string;
  view: FeatureViewSummary;
  now: number;
  reloadKey: number;
}): JSX.Element {
  const { view } = props;
  const onDemand = isOnDemand(view);
  const freshness = viewFreshness(view, props.now);
  const features = view.features ?? [];
  const services = view.services ?? [];
  const inputs = view.sources ?? [];

  return (
    <div className="maestro-feature-details" id={props.id}>
      {view.description && (
        <p className="maestro-feature-full-description">{view.description}</p>
      )}
      <dl className="maestro-feature-facts">
        <dt>Owner</dt>
        <dd>{view.owner || '—'}</dd>
        {!onDemand && (
          <>
            <dt>TTL</dt>
            <dd>{formatTTL(view.ttl_seconds)}</dd>
            <dt>Entities</dt>
            <dd>{(view.entities ?? []).join(', ') || '—'}</dd>
            <dt>Source</dt>
            <dd className="maestro-feature-code">{view.source || '—'}</dd>
            <dt>Materialized</dt>
            <dd>
              {freshness.materializedFull
                ? `${freshness.materializedFull} (${freshness.ago})`
                : 'never'}
            </dd>
            <dt>Online</dt>
            <dd>{freshness.rows ?? 'unknown'}</dd>
          </>
        )}
        {onDemand && (
          <>
            <dt>Inputs</dt>
            <dd className="maestro-feature-code">{inputs.join(', ') || '—'}</dd>
          </>
        )}
        <dt>Services</dt>
        <dd>{services.join(', ') || 'none'}</dd>
      </dl>

      <TagList owner={view.name} tags={view.tags} />

      <table className="maestro-feature-schema">
        <caption className="maestro-visually-hidden">{`Schema of ${view.name}`}</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Type</th>
          </tr>
        </thead>
        <tbody>
          {features.map(field => (
            <tr key={field.name} data-feature={field.name}>
              <td>
                <span className="maestro-feature-field">{field.name}</span>
                {field.description && (
                  <span className="maestro-feature-field-description">
                    {field.description}
                  </span>
                )}
              </td>
              <td className="maestro-feature-dtype">{field.dtype}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <LineageList
        query={{ view: view.name }}
        reloadKey={props.reloadKey}
        now={props.now}
      />
    </div>
  );
}
