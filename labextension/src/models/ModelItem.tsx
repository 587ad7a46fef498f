import React, { useId } from 'react';

import { useMaestroActions } from '../actions';
import { ModelSummary } from '../api';
import { FoldToggle } from '../components/FoldToggle';
import { formatDate, formatMetric, shortDescription } from '../format';
import { mlflowModelURL } from '../mlflow';
import { VersionList } from './VersionList';

/**
 * The metric the list is sorted by, as one model shows it.
 */
export interface IModelSortValue {
  metric: string;
  /** The best value among the model's versions; null when none has it, undefined while loading. */
  value: number | null | undefined;
  /** Decimals of the column (the same for every model of the list). */
  decimals: number;
}

/**
 * Properties of `ModelItem`.
 */
export interface IModelItemProps {
  model: ModelSummary;
  /** MLflow UI base URL; empty to hide the MLflow link. */
  mlflowUiUrl: string;
  expanded: boolean;
  onToggle: (name: string) => void;
  /** Changing it reloads the versions of an expanded model. */
  reloadKey: number;
  onModelChanged: (summary: ModelSummary) => void;
  /** When the list is sorted by a metric: the model's best value of it. */
  sortValue?: IModelSortValue;
  /** List keyboard navigation (arrows, Home, End). */
  onKeyDown: (event: React.KeyboardEvent<HTMLLIElement>) => void;
}

/**
 * One model of the list; its name (with the chevron) is the button that
 * expands it to its versions (click, Enter or Space), and Enter, Space or the
 * right and left arrows on the focused item do too. Memoised: with long lists
 * (e.g. 1,000 models), expanding one model only re-renders that one.
 */
export const ModelItem = React.memo(function ModelItem(
  props: IModelItemProps
): JSX.Element {
  const { model, expanded, sortValue } = props;
  const { compareVersions } = useMaestroActions();
  const versionsId = useId();
  const aliases = Object.entries(model.aliases ?? {});
  const tagCount = Object.keys(model.tags ?? {}).length;
  const description = shortDescription(model.description);
  const updated = formatDate(model.last_updated_timestamp);
  const link = mlflowModelURL(props.mlflowUiUrl, model.name);

  const onKeyDown = (event: React.KeyboardEvent<HTMLLIElement>): void => {
    if (event.target === event.currentTarget) {
      if (
        event.key === 'Enter' ||
        event.key === ' ' ||
        (event.key === 'ArrowRight' && !expanded) ||
        (event.key === 'ArrowLeft' && expanded)
      ) {
        event.preventDefault();
        props.onToggle(model.name);
        return;
      }
    }
    props.onKeyDown(event);
  };

  return (
    <li
      className={`maestro-model-item${expanded ? ' maestro-mod-expanded' : ''}`}
      data-model-name={model.name}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="maestro-model-header">
        <FoldToggle
          name={model.name}
          expanded={expanded}
          controls={versionsId}
          label={`Versions of ${model.name}`}
          shows="versions"
          nameClassName="maestro-model-name"
          onToggle={props.onToggle}
        />
        <span
          className="maestro-model-version"
          title={
            model.latest_version
              ? `Latest version: ${model.latest_version}`
              : 'No versions registered'
          }
        >
          {model.latest_version ? `v${model.latest_version}` : 'no versions'}
        </span>
      </div>

      {aliases.length > 0 && (
        <div className="maestro-aliases" aria-label="Aliases">
          {aliases.map(([alias, version]) => (
            <span
              key={alias}
              className="maestro-alias"
              title={`Alias ${alias} points to version ${version}`}
            >
              {`${alias} → v${version}`}
            </span>
          ))}
        </div>
      )}

      {description && (
        <p className="maestro-model-description" title={model.description}>
          {description}
        </p>
      )}

      <div className="maestro-model-meta">
        <span
          className="maestro-model-tags"
          title={Object.entries(model.tags ?? {})
            .map(([key, value]) => `${key}=${value}`)
            .join('\n')}
        >
          {tagCount === 1 ? '1 tag' : `${tagCount} tags`}
        </span>
        {sortValue && (
          <span
            className="maestro-model-best"
            data-metric={sortValue.metric}
            title={`Best ${sortValue.metric} among the versions${
              typeof sortValue.value === 'number' ? `: ${sortValue.value}` : ''
            }`}
          >
            <span className="maestro-model-best-name">{sortValue.metric}</span>{' '}
            <span className="maestro-model-best-value">
              {sortValue.value === undefined
                ? '…'
                : formatMetric(sortValue.value, sortValue.decimals)}
            </span>
          </span>
        )}
        {updated && (
          <span className="maestro-model-updated" title={updated.full}>
            {`Updated ${updated.short}`}
          </span>
        )}
        {link && (
          <a
            className="maestro-model-link"
            href={link}
            target="_blank"
            rel="noopener noreferrer"
          >
            Open in MLflow
          </a>
        )}
      </div>

      {expanded && (
        <div className="maestro-model-details">
          <div className="maestro-model-details-toolbar">
            <button
              type="button"
              className="maestro-button maestro-compare-button"
              aria-label={`Compare versions of ${model.name}`}
              onClick={() => compareVersions(model.name)}
            >
              Compare versions
            </button>
          </div>
          <VersionList
            id={versionsId}
            name={model.name}
            reloadKey={props.reloadKey}
            onModelChanged={props.onModelChanged}
          />
        </div>
      )}
    </li>
  );
});
