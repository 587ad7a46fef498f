/**
 * What the Models tab asks before an alias is removed, moved, or set past the promotion gate: the questions, naming
 * the deployments that serve the alias (a deployment keeps serving the version it resolved; it does not follow the
 * alias), and the deployments' lookup.
 */
import {
  ACTIVE_DEPLOYMENT_STATUSES,
  Deployment,
  listDeployments
} from '../api';
import type { IConfirmation } from '../components/confirm';
import { errorMessage } from '../format';

/**
 * The deployments serving `model@alias` while the alias names `version`: active, made (or rolled) through that alias,
 * and serving that version. A deployment made through the alias that serves another version (the alias moved since)
 * no longer serves it as the alias, and is not named.
 */
export function servingDeployments(
  deployments: readonly Deployment[],
  model: string,
  alias: string,
  version: string
): Deployment[] {
  return deployments.filter(
    deployment =>
      deployment.model === model &&
      deployment.alias === alias &&
      String(deployment.version) === String(version) &&
      ACTIVE_DEPLOYMENT_STATUSES.includes(deployment.status)
  );
}

/**
 * Which deployments serve an alias: the list, or why it is unknown.
 */
export type ServingLookup =
  { ok: true; deployments: Deployment[] } | { ok: false; error: string };

/**
 * Look up the deployments serving `model@alias` (at `version`) with one `GET deployments`. A failure is an answer
 * too ("could not check"): the question is still asked, saying so, rather than skipped.
 */
export async function findServingDeployments(
  model: string,
  alias: string,
  version: string
): Promise<ServingLookup> {
  try {
    const page = await listDeployments();
    return {
      ok: true,
      deployments: servingDeployments(
        page.deployments ?? [],
        model,
        alias,
        version
      )
    };
  } catch (reason) {
    return { ok: false, error: errorMessage(reason) };
  }
}

/** "a", "a and b", "a, b and c". */
function joinNames(names: readonly string[]): string {
  if (names.length <= 1) {
    return names.join('');
  }
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The sentences naming the deployments that serve `model@alias` (at `version`) and what `change` ("Removing the
 * alias", "Moving the alias") leaves them serving; a note when they could not be listed; nothing when none does.
 */
export function servingSentence(
  lookup: ServingLookup,
  model: string,
  alias: string,
  version: string,
  change: string
): string {
  if (!lookup.ok) {
    return `Could not check which deployments serve ${model}@${alias}: ${lookup.error}`;
  }
  const names = lookup.deployments.map(deployment => deployment.id);
  if (names.length === 0) {
    return '';
  }
  const one = names.length === 1;
  return (
    `${one ? 'Deployment' : 'Deployments'} ${joinNames(names)} ${one ? 'serves' : 'serve'} ` +
    `${model}@${alias} (version ${version}). ${change} leaves ${one ? 'it' : 'them'} serving ` +
    `version ${version}, no longer as ${alias}.`
  );
}

/** Sentences joined with a space, the empty ones left out. */
function sentences(...parts: string[]): string {
  return parts.filter(Boolean).join(' ');
}

/**
 * The question before removing `alias` (which names `version` of `model`).
 */
export function removeAliasConfirmation(
  model: string,
  alias: string,
  version: string,
  lookup: ServingLookup
): IConfirmation {
  return {
    title: `Remove alias ${alias}?`,
    body: sentences(
      servingSentence(lookup, model, alias, version, 'Removing the alias'),
      `${model}@${alias} will no longer name version ${version}: code loading models:/${model}@${alias} will fail.`
    ),
    accept: 'Remove alias'
  };
}

/**
 * The question before moving `alias` of `model` from version `from` to version `to`.
 */
export function moveAliasConfirmation(
  model: string,
  alias: string,
  from: string,
  to: string,
  lookup: ServingLookup
): IConfirmation {
  return {
    title: `Move alias ${alias} to version ${to}?`,
    body: sentences(
      servingSentence(lookup, model, alias, from, 'Moving the alias'),
      `${model}@${alias} names version ${from}; it will name version ${to}.`
    ),
    accept: 'Move alias'
  };
}

/**
 * What the gate override also does when the alias points elsewhere: the version it moves from and who serves it.
 */
export interface IOverrideMove {
  from: string;
  lookup: ServingLookup;
}

/**
 * The question before overriding the promotion gate: setting `alias` on `version` although its tests failed (the
 * `failedChecks`) or never ran; the reason is recorded. When the alias moves, the move's consequences too.
 */
export function overrideConfirmation(
  model: string,
  alias: string,
  version: string,
  failedChecks: readonly string[],
  move: IOverrideMove | null
): IConfirmation {
  const tests =
    failedChecks.length > 0
      ? `Version ${version} of ${model} failed ${failedChecks.length === 1 ? 'the check' : 'the checks'} ${joinNames(failedChecks)}.`
      : `Version ${version} of ${model} has no passing test run.`;
  return {
    title: `Override the promotion gate for ${alias}?`,
    body: sentences(
      tests,
      move === null
        ? `${model}@${alias} will name version ${version} anyway; your reason is recorded.`
        : `${model}@${alias} names version ${move.from}; it will name version ${version} anyway; your reason is recorded.`,
      move === null
        ? ''
        : servingSentence(
            move.lookup,
            model,
            alias,
            move.from,
            'Moving the alias'
          )
    ),
    accept: 'Override and set alias'
  };
}
