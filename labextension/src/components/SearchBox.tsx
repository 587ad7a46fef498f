import { searchIcon } from '@jupyterlab/ui-components';
import React from 'react';

/**
 * The search box of a list: a search field with its icon, named by `label` (also its placeholder), that reports
 * every change (the list decides when to ask the server).
 */
export function SearchBox(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <div className="maestro-search">
      <searchIcon.react
        tag="span"
        className="maestro-search-icon"
        elementSize="normal"
      />
      <input
        type="search"
        className="maestro-search-input"
        aria-label={props.label}
        placeholder={props.label}
        value={props.value}
        onChange={event => props.onChange(event.target.value)}
        spellCheck={false}
        autoComplete="off"
      />
    </div>
  );
}
