import React, { useId, useState } from 'react';

import { IColumnChoice } from './helpers';

const GROUPS: ReadonlyArray<{ kind: keyof IColumnChoice; label: string }> = [
  { kind: 'metrics', label: 'Metrics' },
  { kind: 'params', label: 'Params' },
  { kind: 'tags', label: 'Tags' }
];

/**
 * The column chooser of the runs table: a "Columns" button that shows, in
 * place (no pop-up to scroll), the metrics, params and tags as checkboxes
 * grouped by kind, each group with All and None.
 */
export function ColumnChooser(props: {
  available: IColumnChoice;
  chosen: IColumnChoice;
  onChange: (choice: IColumnChoice) => void;
}): JSX.Element {
  const { available, chosen } = props;
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const shown =
    chosen.metrics.length + chosen.params.length + chosen.tags.length;
  const total =
    available.metrics.length + available.params.length + available.tags.length;

  const setGroup = (kind: keyof IColumnChoice, keys: Set<string>): void => {
    // Keep the available (alphabetical) order whatever the clicking order.
    props.onChange({
      ...chosen,
      [kind]: available[kind].filter(key => keys.has(key))
    });
  };

  const toggle = (kind: keyof IColumnChoice, key: string): void => {
    const keys = new Set(chosen[kind]);
    if (keys.has(key)) {
      keys.delete(key);
    } else {
      keys.add(key);
    }
    setGroup(kind, keys);
  };

  return (
    <>
      <button
        type="button"
        className="maestro-button maestro-column-chooser-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        title={`${shown} of ${total} metric, param and tag columns shown`}
        onClick={() => setOpen(value => !value)}
      >
        {`Columns (${shown}/${total})`}
      </button>
      <div
        id={panelId}
        className="maestro-column-chooser"
        role="group"
        aria-label="Columns"
        hidden={!open}
      >
        {GROUPS.map(({ kind, label }) => (
          <fieldset
            key={kind}
            className="maestro-column-group"
            data-kind={kind}
          >
            <legend>{`${label} (${chosen[kind].length}/${available[kind].length})`}</legend>
            {available[kind].length === 0 ? (
              <span className="maestro-column-none">{`No ${label.toLowerCase()} logged.`}</span>
            ) : (
              <>
                <div className="maestro-column-group-tools">
                  <button
                    type="button"
                    className="maestro-link-button"
                    aria-label={`Show all ${label.toLowerCase()}`}
                    onClick={() => setGroup(kind, new Set(available[kind]))}
                  >
                    All
                  </button>
                  <button
                    type="button"
                    className="maestro-link-button"
                    aria-label={`Hide all ${label.toLowerCase()}`}
                    onClick={() => setGroup(kind, new Set())}
                  >
                    None
                  </button>
                </div>
                {available[kind].map(key => (
                  <label key={key} className="maestro-column-option">
                    <input
                      type="checkbox"
                      checked={chosen[kind].includes(key)}
                      onChange={() => toggle(kind, key)}
                    />
                    <span>{key}</span>
                  </label>
                ))}
              </>
            )}
          </fieldset>
        ))}
      </div>
    </>
  );
}
