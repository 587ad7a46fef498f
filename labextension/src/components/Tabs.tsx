import { LabIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useRef, useState } from 'react';

/**
 * A tab of the Maestro sidebar.
 */
export interface ITabDefinition {
  /** Unique id, used in DOM ids (`maestro-tab-<id>`) and data attributes. */
  id: string;
  /** Visible label; also the tab's accessible name and tooltip. */
  label: string;
  /**
   * Shown before the label; when the bar is too narrow for every label, the
   * tabs that have an icon show it alone (the label stays the accessible
   * name and the tooltip).
   */
  icon?: LabIcon;
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
  const bar = useRef<HTMLDivElement>(null);
  const compact = useCompactBar(bar, tabs);
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
        ref={bar}
        className={`maestro-tab-bar${compact ? ' maestro-mod-compact' : ''}`}
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
              className={`maestro-tab${isSelected ? ' maestro-mod-selected' : ''}${
                tab.icon ? ' maestro-mod-icon' : ''
              }`}
              data-tab={tab.id}
              title={tab.label}
              aria-selected={isSelected}
              aria-controls={`maestro-tabpanel-${tab.id}`}
              tabIndex={isSelected ? 0 : -1}
              onClick={() => select(tab.id, false)}
            >
              {tab.icon && (
                <span className="maestro-tab-icon" aria-hidden="true">
                  <tab.icon.react tag="span" elementSize="normal" />
                </span>
              )}
              <span className="maestro-tab-label">{tab.label}</span>
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

/**
 * Whether the tab bar is too narrow for its labels (then the tabs with an
 * icon show it alone): true once a label is cut (its text is wider than its
 * box), and false again only when the bar grows wider than it was then, so
 * that hiding the labels cannot make them fit and flip back and forth.
 * Without `ResizeObserver` (old browsers, tests) the labels always show.
 */
function useCompactBar(
  bar: React.RefObject<HTMLDivElement>,
  tabs: readonly ITabDefinition[]
): boolean {
  const [compact, setCompact] = useState(false);
  // The bar's width when the labels stopped fitting.
  const cutAt = useRef<number | null>(null);
  const labels = tabs.map(tab => `${tab.id}:${tab.label}`).join('|');

  useEffect(() => {
    const element = bar.current;
    if (!element || typeof ResizeObserver === 'undefined') {
      return;
    }
    // New tabs or labels: measure again from the labelled layout.
    cutAt.current = null;
    setCompact(false);
    const check = (): void => {
      const width = element.clientWidth;
      if (cutAt.current !== null) {
        if (width > cutAt.current) {
          cutAt.current = null;
          setCompact(false);
          // The labels are back: measure them once they are laid out.
          window.requestAnimationFrame(check);
        }
        return;
      }
      const cut = [
        ...element.querySelectorAll<HTMLElement>('.maestro-tab-label')
      ].some(label => label.scrollWidth > label.clientWidth + 1);
      if (cut) {
        cutAt.current = width;
        setCompact(true);
      }
    };
    const observer = new ResizeObserver(check);
    observer.observe(element);
    return () => observer.disconnect();
  }, [labels]);

  return compact;
}
