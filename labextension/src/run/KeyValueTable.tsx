import React, { useId, useMemo, useState } from 'react';

/** Entries beyond which a table gets a filter box. */
export const FILTER_THRESHOLD = 20;

/**
 * Properties of `KeyValueTable`.
 */
export interface IKeyValueTableProps {
  /** `params`, `metrics`, `tags` (a `data-section` for styles and tests). */
  id: string;
  title: string;
  entries: ReadonlyArray<[string, string]>;
  /** Full values shown as tooltips (metrics' unrounded values). */
  titles?: { [key: string]: string };
  /** Right-align the values (numbers). */
  numeric?: boolean;
}

/**
 * A titled two-column table (key, value) sortable by key (both ways, with
 * `aria-sort`), with a filter box on keys and values when it holds more
 * than `FILTER_THRESHOLD` entries.
 */
export function KeyValueTable(props: IKeyValueTableProps): JSX.Element {
  const headingId = useId();
  const [descending, setDescending] = useState(false);
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const kept = needle
      ? props.entries.filter(
          ([key, value]) =>
            key.toLowerCase().includes(needle) ||
            value.toLowerCase().includes(needle)
        )
      : [...props.entries];
    kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return descending ? kept.reverse() : kept;
  }, [props.entries, filter, descending]);
  const total = props.entries.length;
  return (
    <section
      className={`maestro-run-section maestro-run-${props.id}`}
      data-section={props.id}
      aria-labelledby={headingId}
    >
      <div className="maestro-run-section-header">
        <h3 id={headingId} className="maestro-run-section-title">
          {`${props.title} (${total})`}
        </h3>
        {total > FILTER_THRESHOLD && (
          <input
            type="search"
            className="maestro-run-filter"
            placeholder="Filter"
            aria-label={`Filter ${props.title.toLowerCase()}`}
            value={filter}
            onChange={event => setFilter(event.target.value)}
          />
        )}
      </div>
      {total === 0 ? (
        <p className="maestro-run-none">None</p>
      ) : (
        <table className="maestro-run-table">
          <thead>
            <tr>
              <th
                scope="col"
                aria-sort={descending ? 'descending' : 'ascending'}
              >
                <button
                  type="button"
                  className="maestro-sort-button"
                  aria-label={`Sort ${props.title.toLowerCase()} by key, ${
                    descending ? 'ascending' : 'descending'
                  }`}
                  onClick={() => setDescending(value => !value)}
                >
                  {`Key ${descending ? '▼' : '▲'}`}
                </button>
              </th>
              <th
                scope="col"
                className={props.numeric ? 'maestro-number' : undefined}
              >
                Value
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([key, value]) => (
              <tr key={key} data-key={key}>
                <th scope="row">{key}</th>
                <td
                  className={props.numeric ? 'maestro-number' : undefined}
                  title={props.titles?.[key]}
                >
                  {value}
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={2} className="maestro-run-none">
                  No match
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
