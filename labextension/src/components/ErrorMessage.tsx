import React from 'react';

/**
 * Error state: the server's message and, optionally, a Retry button.
 */
export function ErrorMessage(props: {
  message: string;
  onRetry?: () => void;
}): JSX.Element {
  return (
    <div className="maestro-error" role="alert">
      <p className="maestro-error-message">{props.message}</p>
      {props.onRetry && (
        <button
          type="button"
          className="maestro-button maestro-retry"
          onClick={props.onRetry}
        >
          Retry
        </button>
      )}
    </div>
  );
}

/**
 * Loading state: a spinner and a text, announced politely.
 */
export function Loading(props: {
  text: string;
  /** Class of the element (default `maestro-loading`). */
  className?: string;
}): JSX.Element {
  return (
    <div
      className={props.className ?? 'maestro-loading'}
      role="status"
      aria-live="polite"
    >
      <span className="maestro-spinner" aria-hidden="true" />
      {props.text}
    </div>
  );
}
