import React from 'react';

/**
 * "Load more" under a paged list: disabled while any request is on its way, saying "Loading…" while the next page is.
 */
export function LoadMore(props: {
  /** The button's text, e.g. "Load more runs". */
  label: string;
  /** A request is on its way (no second one is sent). */
  busy: boolean;
  /** The next page is the request on its way. */
  appending: boolean;
  onLoad: () => void;
  /** Said beside the button (e.g. what sorting covers). */
  note?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="maestro-load-more-row">
      {props.note}
      <button
        type="button"
        className="maestro-button maestro-load-more"
        disabled={props.busy}
        onClick={props.onLoad}
      >
        {props.appending ? 'Loading…' : props.label}
      </button>
    </div>
  );
}
