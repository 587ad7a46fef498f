import {
  closeIcon,
  codeCheckIcon,
  copyIcon,
  downloadIcon,
  fileIcon,
  launchIcon
} from '@jupyterlab/ui-components';
import React, { useEffect, useRef, useState } from 'react';

import { useMaestroActions } from '../actions';
import { deleteAlias, getVersion, ModelVersion } from '../api';
import { confirmAction } from '../components/confirm';
import { errorMessage, formatDate, formatMetric } from '../format';
import { useCopyText } from '../hooks/useCopyText';
import { isMetricValue } from '../metrics';
import {
  TESTS_RAN_AT_TAG,
  verdictBadgeText,
  verdictBadgeTitle,
  versionVerdict
} from '../tests/helpers';
import { AliasEditor } from './AliasEditor';
import { findServingDeployments, removeAliasConfirmation } from './aliasSafety';

/**
 * The features a version's source run trained on, as the server reads them
 * from the run's tags (`VersionMetrics.features` of a comparison).
 */
export interface IVersionFeatures {
  /** The Feast feature service (none when the run named features). */
  service?: string | null;
  /** Its feature views. */
  views?: string[];
  /** `view:feature` references, when no service was named. */
  refs?: string[];
  /** The Feast registry's version when the training set was built. */
  registry_version?: string | null;
  /** The Feast project. */
  project?: string | null;
}

/**
 * What a version's features line says: the service (or the number of
 * features), and a title with every detail; `null` when nothing was recorded.
 */
export function featuresSummary(
  features: IVersionFeatures | null | undefined
): { label: string; views: string; registry: string; title: string } | null {
  const refs = features?.refs ?? [];
  if (!features || (!features.service && refs.length === 0)) {
    return null;
  }
  const label =
    features.service ||
    `${refs.length} ${refs.length === 1 ? 'feature' : 'features'}`;
  const views = (features.views ?? []).join(', ');
  const version = features.registry_version ?? '';
  const registry = version.length > 10 ? `${version.slice(0, 8)}…` : version;
  const title = [
    features.service
      ? `Trained on feature service ${features.service}`
      : `Trained on ${refs.join(', ')}`,
    views ? `views: ${views}` : '',
    version ? `registry version: ${version}` : '',
    features.project ? `Feast project: ${features.project}` : ''
  ]
    .filter(part => part)
    .join('\n');
  return { label, views, registry, title };
}

/**
 * Properties of `VersionItem`.
 */
export interface IVersionItemProps {
  /** Model name. */
  name: string;
  version: ModelVersion;
  /** Metrics to show (the model's key metrics). */
  keyMetrics: readonly string[];
  /** This version's metric values (undefined while unknown). */
  metrics?: { [metric: string]: number | null };
  /** Decimals of each metric's column (`metricDecimals` over the versions), so values line up across versions. */
  decimals?: { [metric: string]: number };
  /** The features its source run trained on (from the comparison), if it recorded them. */
  features?: IVersionFeatures | null;
  /** The model's aliases (alias -> version), to tell setting an alias from moving it. */
  modelAliases?: { [alias: string]: string };
  /** URL of the zip download of this version. */
  downloadUrl: string;
  /** Reload the versions after an alias change (resolves when done). */
  onAliasesChanged: () => Promise<void>;
}

/**
 * One version of an expanded model: number, status, test verdict, creation
 * time, alias chips (removable, after a confirmation naming the deployments
 * that serve the alias), key metrics and actions (copy load snippet,
 * download, set alias, open run, open model card, open test report; the
 * "open" actions come from `useMaestroActions()`).
 */
export function VersionItem(props: IVersionItemProps): JSX.Element {
  const { name, version, keyMetrics, metrics } = props;
  const actions = useMaestroActions();
  const { copyState, setCopyState, copy } = useCopyText();
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const snippet = useRef<Promise<string> | null>(null);
  const mounted = useRef(true);

  useEffect(
    () => () => {
      mounted.current = false;
    },
    []
  );

  const copySnippet = async (): Promise<void> => {
    if (copyState === 'copying') {
      return;
    }
    setError(null);
    setCopyState('copying');
    if (snippet.current === null) {
      const request = getVersion(name, version.version).then(detail => {
        if (!detail.load_snippet) {
          throw new Error(`Version ${version.version} has no load snippet.`);
        }
        return detail.load_snippet;
      });
      // Forget a failed request so that a new click retries.
      request.catch(() => {
        if (snippet.current === request) {
          snippet.current = null;
        }
      });
      snippet.current = request;
    }
    try {
      await copy(snippet.current);
    } catch (reason) {
      if (mounted.current) {
        setCopyState('idle');
        setError(errorMessage(reason));
      }
    }
  };

  const removeAlias = async (alias: string): Promise<void> => {
    setRemoving(alias);
    setError(null);
    try {
      // Ask first, naming the deployments that serve the alias: removing it
      // leaves them serving this version under no alias.
      const versionNumber = String(version.version);
      const serving = await findServingDeployments(name, alias, versionNumber);
      if (!mounted.current) {
        return;
      }
      const confirmed = await confirmAction(
        removeAliasConfirmation(name, alias, versionNumber, serving)
      );
      if (!confirmed) {
        return;
      }
      await deleteAlias(name, alias);
      await props.onAliasesChanged();
    } catch (reason) {
      if (mounted.current) {
        setError(errorMessage(reason));
      }
    } finally {
      if (mounted.current) {
        setRemoving(null);
      }
    }
  };

  const created = formatDate(version.creation_timestamp);
  const shownMetrics = keyMetrics.filter(metric =>
    isMetricValue(metrics?.[metric])
  );
  const status = version.status || 'UNKNOWN';
  const versionNumber = String(version.version);
  const verdict = versionVerdict(version.tags);
  const verdictTitle = verdictBadgeTitle(
    verdict,
    version.tags?.[TESTS_RAN_AT_TAG]
  );
  const openTests = (): void =>
    actions.openTests({ name, version: versionNumber });
  const trainedOn = featuresSummary(props.features);

  return (
    <li className="maestro-version-item" data-version={version.version}>
      <div className="maestro-version-header">
        <span className="maestro-version-number">{`v${version.version}`}</span>
        <span
          className={`maestro-version-status maestro-status-${status.toLowerCase()}`}
          data-status={status}
          title={version.status_message || status}
        >
          {status}
        </span>
        {verdict === 'untested' ? (
          <span
            className="maestro-version-verdict"
            data-verdict={verdict}
            title={verdictTitle}
          >
            {verdictBadgeText(verdict)}
          </span>
        ) : (
          <button
            type="button"
            className="maestro-version-verdict"
            data-verdict={verdict}
            aria-label={`Open the test report of version ${versionNumber}`}
            title={`${verdictTitle}: open the test report`}
            onClick={openTests}
          >
            {verdictBadgeText(verdict)}
          </button>
        )}
        {created && (
          <span className="maestro-version-created" title={created.full}>
            {created.short}
          </span>
        )}
      </div>

      {version.aliases.length > 0 && (
        <ul className="maestro-version-aliases" aria-label="Aliases">
          {version.aliases.map(alias => (
            <li
              key={alias}
              className="maestro-version-alias"
              data-alias={alias}
              title={`Alias ${alias} points to this version`}
            >
              <span className="maestro-version-alias-name">{alias}</span>
              <button
                type="button"
                className="maestro-chip-remove maestro-alias-remove"
                aria-label={`Remove alias ${alias}`}
                title={`Remove alias ${alias}`}
                disabled={removing !== null}
                onClick={() => void removeAlias(alias)}
              >
                <closeIcon.react tag="span" elementSize="small" />
              </button>
            </li>
          ))}
        </ul>
      )}

      {shownMetrics.length > 0 && (
        <dl className="maestro-version-metrics">
          {shownMetrics.map(metric => (
            <div
              key={metric}
              className="maestro-metric"
              data-metric={metric}
              title={`${metric}: ${metrics?.[metric]}`}
            >
              <dt className="maestro-metric-name">{metric}</dt>
              <dd className="maestro-metric-value">
                {formatMetric(metrics?.[metric], props.decimals?.[metric])}
              </dd>
            </div>
          ))}
        </dl>
      )}

      {trainedOn !== null && (
        <div
          className="maestro-version-features"
          aria-label="Trained on features"
          title={trainedOn.title}
        >
          <span className="maestro-version-features-label">Features</span>
          <span className="maestro-version-features-service">
            {trainedOn.label}
          </span>
          {trainedOn.views && (
            <span className="maestro-version-features-views">
              {trainedOn.views}
            </span>
          )}
          {trainedOn.registry && (
            <span className="maestro-version-features-registry">
              {`registry ${trainedOn.registry}`}
            </span>
          )}
        </div>
      )}

      <div className="maestro-version-actions">
        <button
          type="button"
          className="maestro-action maestro-copy-snippet"
          aria-label="Copy load snippet"
          title="Copy the Python code loading this version"
          data-state={copyState}
          disabled={copyState === 'copying'}
          onClick={() => void copySnippet()}
        >
          <copyIcon.react tag="span" elementSize="small" />
          <span className="maestro-action-label">
            {copyState === 'copied' ? 'Copied' : 'Snippet'}
          </span>
        </button>
        <a
          className="maestro-action maestro-download"
          href={props.downloadUrl}
          download
          aria-label="Download"
          title={`Download version ${version.version} as a zip`}
        >
          <downloadIcon.react tag="span" elementSize="small" />
          <span className="maestro-action-label">Download</span>
        </a>
        <button
          type="button"
          className="maestro-action maestro-set-alias"
          aria-label="Set alias"
          title="Set or move an alias to this version"
          aria-expanded={editing}
          onClick={() => {
            setEditing(!editing);
            setError(null);
          }}
        >
          <span className="maestro-action-label">Alias…</span>
        </button>
        <button
          type="button"
          className="maestro-action maestro-open-run"
          aria-label="Open run"
          title={
            version.run_id
              ? `Open run ${version.run_id}`
              : 'This version has no source run'
          }
          disabled={!version.run_id}
          onClick={() => {
            if (version.run_id) {
              actions.openRun({
                runId: version.run_id,
                name,
                version: version.version
              });
            }
          }}
        >
          <launchIcon.react tag="span" elementSize="small" />
          <span className="maestro-action-label">Run</span>
        </button>
        <button
          type="button"
          className="maestro-action maestro-version-card"
          aria-label={`Model card of ${name} version ${version.version}`}
          title="Open the model card"
          onClick={() =>
            actions.openCard({ name, version: String(version.version) })
          }
        >
          <fileIcon.react tag="span" elementSize="small" />
          <span className="maestro-action-label">Card</span>
        </button>
        <button
          type="button"
          className="maestro-action maestro-version-tests"
          aria-label={`Test report of ${name} version ${versionNumber}`}
          title="Open the automated test report"
          onClick={openTests}
        >
          <codeCheckIcon.react tag="span" elementSize="small" />
          <span className="maestro-action-label">Test report</span>
        </button>
        <span className="maestro-visually-hidden" role="status">
          {copyState === 'copied' ? 'Load snippet copied' : ''}
        </span>
      </div>

      {editing && (
        <AliasEditor
          name={name}
          version={version.version}
          aliases={props.modelAliases}
          onCancel={() => setEditing(false)}
          onOpenTests={actions.openTests}
          onDone={() => {
            setEditing(false);
            void props.onAliasesChanged().catch(reason => {
              if (mounted.current) {
                setError(errorMessage(reason));
              }
            });
          }}
        />
      )}

      {error !== null && (
        <div className="maestro-version-error" role="alert">
          {error}
        </div>
      )}
    </li>
  );
}
