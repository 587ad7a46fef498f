import React, { useId } from 'react';

import type { FeatureServiceInfo } from '../api';
import { formatDate, shortDescription } from '../format';
import { groupRefs, plural } from './helpers';
import { LineageList } from './LineageList';
import { FoldToggle } from '../components/FoldToggle';
import { TagList } from './TagList';

/**
 * Properties of `ServiceItem`.
 */
export interface IServiceItemProps {
  service: FeatureServiceInfo;
  expanded: boolean;
  onToggle: (name: string) => void;
  /** Current time in epoch ms (lineage times). */
  now: number;
  /** Changing it reloads the lineage of an expanded service. */
  reloadKey: number;
}

/**
 * One feature service (a named selection of features that training and
 * serving ask for): its name (the button that expands it), how many features
 * of which views; expanded, its description, owner, tags, features by view
 * and the model versions trained on it.
 */
export function ServiceItem(props: IServiceItemProps): JSX.Element {
  const { service, expanded } = props;
  const detailsId = useId();
  const refs = service.features ?? [];
  const views = service.views ?? [];
  const created = formatDate(
    typeof service.created_at === 'number' ? service.created_at * 1000 : null
  );
  const description = shortDescription(service.description);

  return (
    <li
      className={`maestro-feature-item${expanded ? ' maestro-mod-expanded' : ''}`}
      data-feature-service={service.name}
    >
      <div className="maestro-feature-header">
        <FoldToggle
          name={service.name}
          expanded={expanded}
          controls={detailsId}
          label={`Feature service ${service.name}`}
          shows="details"
          className="maestro-feature-toggle"
          nameClassName="maestro-feature-name"
          onToggle={props.onToggle}
        />
      </div>

      {description && !expanded && (
        <p className="maestro-feature-description" title={service.description}>
          {description}
        </p>
      )}

      <div className="maestro-feature-meta">
        <span className="maestro-feature-count-features">
          {`${plural(refs.length, 'feature')} from ${plural(views.length, 'view')}`}
        </span>
        {created && (
          <span className="maestro-feature-created" title={created.full}>
            {`Created ${created.short}`}
          </span>
        )}
      </div>

      {expanded && (
        <div className="maestro-feature-details" id={detailsId}>
          {service.description && (
            <p className="maestro-feature-full-description">
              {service.description}
            </p>
          )}
          <dl className="maestro-feature-facts">
            <dt>Owner</dt>
            <dd>{service.owner || '—'}</dd>
            <dt>Views</dt>
            <dd>{views.join(', ') || '—'}</dd>
          </dl>
          <TagList owner={service.name} tags={service.tags} />
          <table className="maestro-feature-schema">
            <caption className="maestro-visually-hidden">{`Features of ${service.name}`}</caption>
            <thead>
              <tr>
                <th scope="col">View</th>
                <th scope="col">Features</th>
              </tr>
            </thead>
            <tbody>
              {groupRefs(refs).map(([view, names]) => (
                <tr key={view} data-view={view}>
                  <td className="maestro-feature-field maestro-feature-ref-view">
                    {view || '—'}
                  </td>
                  <td className="maestro-feature-refs">{names.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LineageList
            query={{ service: service.name }}
            reloadKey={props.reloadKey}
            now={props.now}
          />
        </div>
      )}
    </li>
  );
}
