import { caretRightIcon } from '@jupyterlab/ui-components';
import React from 'react';

/**
 * The button that folds and unfolds an item of a list (a model, a feature
 * view or service): a caret and the item's name, announcing whether what it
 * folds (``controls``) is shown.
 */
export function FoldToggle(props: {
  name: string;
  expanded: boolean;
  /** The id of what the button shows and hides. */
  controls: string;
  /** For screen readers: "Versions of churn", "Feature view customer_profile". */
  label: string;
  /** What unfolding shows, for the tooltip: "versions", "details". */
  shows: string;
  /** The class of the name, for the list's own styling. */
  nameClassName: string;
  /** Extra classes of the button, beside ``maestro-model-toggle``. */
  className?: string;
  onToggle: (name: string) => void;
}): JSX.Element {
  const { name, expanded } = props;
  const className = ['maestro-model-toggle', props.className]
    .filter(Boolean)
    .join(' ');
  return (
    <button
      type="button"
      className={className}
      aria-expanded={expanded}
      aria-controls={expanded ? props.controls : undefined}
      aria-label={props.label}
      title={`${name}: ${expanded ? 'hide' : 'show'} ${props.shows}`}
      onClick={() => props.onToggle(name)}
    >
      <caretRightIcon.react
        tag="span"
        className="maestro-model-caret"
        elementSize="small"
      />
      <span className={props.nameClassName}>{name}</span>
    </button>
  );
}
