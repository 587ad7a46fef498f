import { caretRightIcon } from '@jupyterlab/ui-components';
import React from 'react';

/**
 * The button that folds and unfolds a feature view or service: a caret and
 * its name, announcing whether its details (``controls``) are shown.
 */
export function ItemToggle(props: {
  /** What the item is, for screen readers: "Feature view", "Feature service". */
  what: string;
  name: string;
  expanded: boolean;
  controls: string;
  onToggle: (name: string) => void;
}): JSX.Element {
  const { what, name, expanded } = props;
  return (
    <button
      type="button"
      className="maestro-model-toggle maestro-feature-toggle"
      aria-expanded={expanded}
      aria-controls={expanded ? props.controls : undefined}
      aria-label={`${what} ${name}`}
      title={`${name}: ${expanded ? 'hide' : 'show'} details`}
      onClick={() => props.onToggle(name)}
    >
      <caretRightIcon.react
        tag="span"
        className="maestro-model-caret"
        elementSize="small"
      />
      <span className="maestro-feature-name">{name}</span>
    </button>
  );
}
