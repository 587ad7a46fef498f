import { closeIcon } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import { ITagFilter } from '../api';
import { addTagFilter, formatTagFilter, parseTagFilter } from '../tags';

/**
 * Properties of `TagFilter`.
 */
export interface ITagFilterProps {
  /** The applied tag filters. */
  tags: readonly ITagFilter[];
  /** Called with the new list when a filter is added or removed. */
  onChange: (tags: ITagFilter[]) => void;
}

/**
 * A `key=value` input adding tag filters (on Enter), and the applied
 * filters as removable chips.
 */
export function TagFilter(props: ITagFilterProps): JSX.Element {
  const { tags, onChange } = props;
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  const add = (): void => {
    const parsed = parseTagFilter(text);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setText('');
    onChange(addTagFilter(tags, parsed.tag));
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'Enter') {
      event.preventDefault();
      add();
    } else if (event.key === 'Escape' && (text || error)) {
      event.preventDefault();
      setText('');
      setError(null);
    } else if (event.key === 'Backspace' && !text && tags.length > 0) {
      // Like a token field: Backspace in the empty input removes the last.
      onChange(tags.slice(0, -1));
    }
  };

  return (
    <div className="maestro-tag-filter">
      <input
        type="text"
        className="maestro-tag-filter-input"
        aria-label="Filter by tag"
        aria-invalid={error !== null}
        aria-describedby={
          error !== null ? 'maestro-tag-filter-error' : undefined
        }
        placeholder="Filter by tag: key=value, then Enter"
        value={text}
        onChange={event => {
          setText(event.target.value);
          setError(null);
        }}
        onKeyDown={onKeyDown}
        spellCheck={false}
        autoComplete="off"
      />
      {error !== null && (
        <div
          id="maestro-tag-filter-error"
          className="maestro-tag-filter-error"
          role="alert"
        >
          {error}
        </div>
      )}
      {tags.length > 0 && (
        <ul className="maestro-tag-chips" aria-label="Tag filters">
          {tags.map(tag => {
            const label = formatTagFilter(tag);
            return (
              <li key={tag.key} className="maestro-tag-chip" data-tag={label}>
                <span className="maestro-tag-chip-label" title={label}>
                  {label}
                </span>
                <button
                  type="button"
                  className="maestro-chip-remove"
                  aria-label={`Remove tag filter ${label}`}
                  title={`Remove tag filter ${label}`}
                  onClick={() =>
                    onChange(tags.filter(item => item.key !== tag.key))
                  }
                >
                  <closeIcon.react tag="span" elementSize="small" />
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
