/**
 * Pure helpers of the Features tab: how a view's kind, TTL, freshness and
 * lineage read.
 */
import type {
  FeatureLineageEntry,
  FeatureSearchHit,
  FeatureStoreOverview,
  FeatureViewSummary
} from '../api';
import { formatRelativeTime } from '../format';

/** A view's kind as people say it. */
export function viewKindLabel(kind: string): string {
  switch (kind) {
    case 'on_demand':
      return 'on-demand';
    case 'stream':
      return 'stream';
    case 'batch':
      return 'batch';
    default:
      return kind || 'view';
  }
}

/** Whether a view is computed on request (no materialization, no TTL). */
export function isOnDemand(view: Pick<FeatureViewSummary, 'kind'>): boolean {
  return view.kind === 'on_demand';
}

/**
 * A TTL in seconds as text: `90 days`, `1 day 12 h`, `6 h`, `30 min`, `45 s`;
 * `none` for no limit (null, 0: Feast's "forever").
 */
export function formatTTL(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !isFinite(seconds) || seconds <= 0) {
    return 'none';
  }
  const total = Math.round(seconds);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const parts: string[] = [];
  if (days > 0) {
    parts.push(days === 1 ? '1 day' : `${days} days`);
  }
  if (hours > 0) {
    parts.push(`${hours} h`);
  }
  if (minutes > 0 && days === 0) {
    parts.push(`${minutes} min`);
  }
  if (secs > 0 && days === 0 && hours === 0) {
    parts.push(`${secs} s`);
  }
  return parts.join(' ');
}

/** A count with its noun, singular or plural: `1 view`, `3 views`. */
export function plural(
  count: number,
  singular: string,
  pluralForm = `${singular}s`
): string {
  return `${count.toLocaleString()} ${count === 1 ? singular : pluralForm}`;
}

/**
 * The freshness of a view, as its row in the list shows it: when it was last
 * materialized (relative) and how many rows the online store holds.
 */
export interface IFreshness {
  /** `materialized 5 min ago`, `never materialized`, or `on request` (on-demand). */
  materialized: string;
  /** The full local date and time of the last materialization, if any. */
  materializedFull: string | null;
  /** How long ago it was (`5 min ago`), if it was. */
  ago: string | null;
  /** `1,234 rows online`, or null when unknown (or on-demand). */
  rows: string | null;
  /**
   * The last materialization is older than the view's TTL: the newest values
   * in the online store may be past their max age, and be refused as stale.
   */
  stale: boolean;
}

/** See `IFreshness`; `now` in epoch ms. */
export function viewFreshness(
  view: Pick<
    FeatureViewSummary,
    'kind' | 'last_materialized' | 'online_rows' | 'ttl_seconds'
  >,
  now: number
): IFreshness {
  if (isOnDemand(view)) {
    return {
      materialized: 'on request',
      materializedFull: null,
      ago: null,
      rows: null,
      stale: false
    };
  }
  const at = view.last_materialized;
  const known = typeof at === 'number' && isFinite(at) && at > 0;
  const rows =
    typeof view.online_rows === 'number'
      ? `${plural(view.online_rows, 'row')} online`
      : null;
  const ttl = view.ttl_seconds;
  const ago = known ? formatRelativeTime(at * 1000, now) : null;
  return {
    materialized: ago ? `materialized ${ago}` : 'never materialized',
    materializedFull: known ? new Date(at * 1000).toLocaleString() : null,
    ago,
    rows,
    stale: known && typeof ttl === 'number' && ttl > 0 && now / 1000 - at > ttl
  };
}

/** The summary line of the store: `project maestro · 3 views · …`. */
export function overviewSummary(overview: FeatureStoreOverview): string {
  const views = overview.views + (overview.on_demand_views ?? 0);
  return [
    plural(views, 'view'),
    plural(overview.entities, 'entity', 'entities'),
    plural(overview.sources, 'source'),
    plural(overview.services, 'service')
  ].join(' · ');
}

/** `churn-model v3` */
export function lineageLabel(entry: FeatureLineageEntry): string {
  return `${entry.model} v${entry.version}`;
}

/** The features of a service, grouped by view, in the service's order. */
export function groupRefs(refs: readonly string[]): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const ref of refs) {
    const cut = ref.indexOf(':');
    const view = cut < 0 ? '' : ref.slice(0, cut);
    const feature = cut < 0 ? ref : ref.slice(cut + 1);
    const list = groups.get(view) ?? [];
    list.push(feature);
    groups.set(view, list);
  }
  return [...groups.entries()];
}

/**
 * Where a search hit leads in the lists: the view a view or feature hit
 * opens, the service a service hit opens, or the entity or source row.
 */
export function hitTarget(hit: FeatureSearchHit): {
  section: 'view' | 'service' | 'entity' | 'source';
  name: string;
} {
  switch (hit.kind) {
    case 'feature':
      return { section: 'view', name: hit.view ?? hit.name };
    case 'service':
      return { section: 'service', name: hit.name };
    case 'entity':
      return { section: 'entity', name: hit.name };
    case 'source':
      return { section: 'source', name: hit.name };
    default:
      return { section: 'view', name: hit.name };
  }
}
