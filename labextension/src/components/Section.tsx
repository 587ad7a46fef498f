import React from 'react';

import { ErrorMessage, Loading } from './ErrorMessage';

/**
 * Properties of `Section`.
 */
export interface ISectionProps {
  /** What the section holds, for its loading text and accessible name ("models", "runs"). */
  label: string;
  /** True while the first answer is awaited (a refresh keeps showing the content). */
  loading: boolean;
  /** The server's message when the last request failed. */
  error?: string | null;
  /** True when the request succeeded with nothing to show. */
  empty?: boolean;
  /** What to say, or show, when there is nothing (default: "No <label> yet."). */
  emptyMessage?: React.ReactNode;
  /** Offered as Retry beside an error. */
  onRetry?: () => void;
  children?: React.ReactNode;
}

/**
 * The one loading, error and empty state of every list and view: a spinner while the first answer is awaited, the
 * server's message with Retry on failure, a sentence when there is nothing, and the content otherwise.
 */
export function Section(props: ISectionProps): JSX.Element {
  if (props.error) {
    return <ErrorMessage message={props.error} onRetry={props.onRetry} />;
  }
  if (props.loading) {
    return <Loading text={`Loading ${props.label}…`} />;
  }
  if (props.empty) {
    return (
      <div className="maestro-empty" role="status">
        {props.emptyMessage ?? `No ${props.label} yet.`}
      </div>
    );
  }
  return <>{props.children}</>;
}
