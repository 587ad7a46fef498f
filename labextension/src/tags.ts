import { ITagFilter } from './api';

/**
 * Result of parsing a tag filter typed by the user.
 */
export type TagFilterParseResult =
  { ok: true; tag: ITagFilter } | { ok: false; error: string };

/**
 * Parse a `key=value` tag filter.
 *
 * The key is everything before the first `=` (surrounding spaces removed) and
 * must not be empty; the value is the rest (it may itself contain `=` and may
 * be empty, like on the server).
 */
export function parseTagFilter(text: string): TagFilterParseResult {
  const trimmed = text.trim();
  if (!trimmed) {
    return { ok: false, error: 'Type a tag filter as key=value.' };
  }
  const index = trimmed.indexOf('=');
  if (index === -1) {
    return {
      ok: false,
      error: `A tag filter must be key=value, not “${trimmed}”.`
    };
  }
  const key = trimmed.slice(0, index).trim();
  const value = trimmed.slice(index + 1).trim();
  if (!key) {
    return {
      ok: false,
      error: `A tag filter needs a key before “=”, not “${trimmed}”.`
    };
  }
  return { ok: true, tag: { key, value } };
}

/**
 * The `key=value` text of a tag filter.
 */
export function formatTagFilter(tag: ITagFilter): string {
  return `${tag.key}=${tag.value}`;
}

/**
 * Add a tag filter to a list; a filter on the same key is replaced (a model
 * has one value per tag key, so two filters on one key could never match).
 */
export function addTagFilter(
  filters: readonly ITagFilter[],
  tag: ITagFilter
): ITagFilter[] {
  const index = filters.findIndex(item => item.key === tag.key);
  if (index === -1) {
    return [...filters, tag];
  }
  const result = [...filters];
  result[index] = tag;
  return result;
}
