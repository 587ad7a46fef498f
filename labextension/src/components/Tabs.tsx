import React, { useRef, useState } from 'react';

/**
 * A tab of the Maestro sidebar.
 */
export interface ITabDefinition {
  /** Unique id, used in DOM ids (`maestro-tab-<id>`) and data attributes. */
  id: string;
  /** Visible label. */
  label: string;
  /**
   * Render the tab's content. `active` tells whether the tab is the
   * selected one (a visited tab stays mounted, hidden, when another is
   * selected, so that it keeps its state).
   */
  render: (active: boolean) => React.ReactNode;
}

/**
 * Properties of `Tabs`.
 */
export interface ITabsProps {
  tabs: readonly ITabDefinition[];
  /** Accessible name of the tab list. */
  label: string;
  /** Id of the initially selected tab (default: the first). */
  initial?: string;
}

/**
 * A tab bar and its panels (WAI-ARIA tabs pattern with automatic
 * activation): the selected tab is in the tab order; arrow keys, Home and
 * End move between tabs. A tab's content is mounted the first time it is
 * selected, and then kept.
 */
export function Tabs(props: ITabsProps): JSX.Element {
  const { tabs } = props;
  const [selected, setSelected] = useState<string>(
    props.initial ?? tabs[0]?.id ?? ''
  );
  const [visited, setVisited] = useState<ReadonlySet<string>>(
    () => new Set([selected])
  );
  const buttons = useRef(new Map<string, HTMLButtonElement>());

  const current = tabs.some(tab => tab.id === selected)
    ? selected
    : (tabs[0]?.id ?? '');

  const select = (id: string, focus: boolean): void => {
    setSelected(id);
    setVisited(previous =>
      previous.has(id) ? previous : new Set([...previous, id])
    );
    if (focus) {
      buttons.current.get(id)?.focus();
    }
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>): void => {
    const index = tabs.findIndex(tab => tab.id === current);
    let next: number;
    switch (event.key) {
      case 'ArrowRight':
      case 'ArrowDown':
        next = (index + 1) % tabs.length;
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
        next = (index - 1 + tabs.length) % tabs.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = tabs.length - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    select(tabs[next].id, true);
  };

  return (
    <div className="maestro-tabs">
      <div
        className="maestro-tab-bar"
        role="tablist"
        aria-label={props.label}
        onKeyDown={onKeyDown}
      >
        {tabs.map(tab => {
          const isSelected = tab.id === current;
          return (
            <button
              key={tab.id}
              ref={node => {
                if (node) {
                  buttons.current.set(tab.id, node);
                } else {
                  buttons.current.delete(tab.id);
                }
              }}
              type="button"
              role="tab"
              id={`maestro-tab-${tab.id}`}
              className={`maestro-tab${isSelected ? ' maestro-mod-selected' : ''}`}
              data-tab={tab.id}
              title={tab.label}
              aria-selected={isSelected}
              aria-controls={`maestro-tabpanel-${tab.id}`}
              tabIndex={isSelected ? 0 : -1}
              onClick={() => select(tab.id, false)}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      {tabs.map(tab => {
        const isSelected = tab.id === current;
        if (!isSelected && !visited.has(tab.id)) {
          return null;
        }
        return (
          <div
            key={tab.id}
            role="tabpanel"
            id={`maestro-tabpanel-${tab.id}`}
            className="maestro-tabpanel"
            data-tab={tab.id}
            aria-labelledby={`maestro-tab-${tab.id}`}
            hidden={!isSelected}
          >
            {tab.render(isSelected)}
          </div>
        );
      })}
    </div>
  );
}
