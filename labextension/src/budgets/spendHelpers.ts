import type { CostBy } from '../api';

/**
 * The groupings and windows of the spend breakdown.
 */
export const COST_BY_OPTIONS: readonly { value: CostBy; label: string }[] = [
  { value: 'user', label: 'By user' },
  { value: 'project', label: 'By project' },
  { value: 'model', label: 'By model' },
  { value: 'kind', label: 'By kind' }
];
export const COST_WINDOWS: readonly { value: string; label: string }[] = [
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' }
];

/**
 * The text of a breakdown group's key: `(no model)` for the usage tied to
 * no model, `(none)` for another empty key.
 */
export function costKeyLabel(by: string, key: string): string {
  if (key !== '') {
    return key;
  }
  return by === 'model' || by === 'version' ? '(no model)' : '(none)';
}

/**
 * The width of a breakdown group's bar in percent of the largest group.
 */
export function relativeWidth(cost: number, largest: number): number {
  if (!(largest > 0) || !(cost > 0)) {
    return 0;
  }
  return Math.round(Math.min(1, cost / largest) * 10000) / 100;
}

/**
 * A breakdown window as text, e.g. `last 30 days` for `30d`.
 */
export function windowText(span: string): string {
  const match = /^(\d+)([hdw])$/.exec(span.trim());
  if (!match) {
    return span;
  }
  const count = Number(match[1]);
  const unit = { h: 'hour', d: 'day', w: 'week' }[match[2] as 'h' | 'd' | 'w'];
  return count === 1 ? `last ${unit}` : `last ${count} ${unit}s`;
}
