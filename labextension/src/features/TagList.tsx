import * as React from 'react';

/**
 * A feature view's or service's tags as chips (`key=value`, or the key alone
 * when its value is empty); nothing when there are none.
 */
export function TagList(props: {
  owner: string;
  tags: Record<string, string> | null | undefined;
}): JSX.Element | null {
  const tags = Object.entries(props.tags ?? {});
  if (tags.length === 0) {
    return null;
  }
  return (
    <ul className="maestro-feature-tags" aria-label={`Tags of ${props.owner}`}>
      {tags.map(([key, value]) => (
        <li key={key} className="maestro-feature-tag">
          {value ? `${key}=${value}` : key}
        </li>
      ))}
    </ul>
  );
}
