import { act, fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import { IPanelProps, sidebarTabs } from '../components/MaestroPanel';
import { Tabs } from '../components/Tabs';

const tabs = [
  { id: 'one', label: 'One', render: () => <p>First</p> },
  { id: 'two', label: 'Two', render: () => <p>Second</p> },
  { id: 'three', label: 'Three', render: () => <p>Third</p> }
];

describe('Tabs', () => {
  it('renders an accessible tab list from the definitions', () => {
    render(<Tabs tabs={tabs} label="Sections" />);
    expect(screen.getByRole('tablist', { name: 'Sections' })).toBeTruthy();
    const buttons = screen.getAllByRole('tab');
    expect(buttons.map(tab => tab.textContent)).toEqual([
      'One',
      'Two',
      'Three'
    ]);
    expect(buttons.map(tab => tab.getAttribute('aria-selected'))).toEqual([
      'true',
      'false',
      'false'
    ]);
    expect(buttons.map(tab => tab.tabIndex)).toEqual([0, -1, -1]);
    const panel = screen.getByRole('tabpanel');
    expect(panel.getAttribute('aria-labelledby')).toBe('maestro-tab-one');
    expect(panel.textContent).toBe('First');
  });

  it('moves with arrow keys, Home and End, and keeps visited panels', () => {
    render(<Tabs tabs={tabs} label="Sections" />);
    const one = screen.getByRole('tab', { name: 'One' });
    fireEvent.keyDown(one, { key: 'ArrowRight' });
    const two = screen.getByRole('tab', { name: 'Two' });
    expect(two.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(two);
    expect(screen.getByRole('tabpanel').textContent).toBe('Second');
    // The first panel stays mounted, hidden.
    expect(screen.getByText('First').closest('[hidden]')).not.toBeNull();

    fireEvent.keyDown(two, { key: 'End' });
    expect(
      screen.getByRole('tab', { name: 'Three' }).getAttribute('aria-selected')
    ).toBe('true');
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowRight' });
    expect(one.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(one, { key: 'ArrowLeft' });
    expect(
      screen.getByRole('tab', { name: 'Three' }).getAttribute('aria-selected')
    ).toBe('true');
    fireEvent.keyDown(document.activeElement as Element, { key: 'Home' });
    expect(one.getAttribute('aria-selected')).toBe('true');
    fireEvent.click(screen.getByRole('tab', { name: 'Two' }));
    expect(screen.getByRole('tabpanel').textContent).toBe('Second');
  });
});

describe('Tabs with icons', () => {
  const iconTabs = sidebarTabs({
    pageSize: 50,
    refreshInterval: 30,
    mlflowUiUrl: '',
    visible: false,
    actions: {
      openRun: () => undefined,
      openCard: () => undefined,
      openTests: () => undefined,
      compareVersions: () => undefined
    } as unknown as IPanelProps['actions']
  }).map(tab => ({ ...tab, render: () => <p>{tab.label}</p> }));

  /** The ResizeObserver callbacks, to play a resize of the bar. */
  let observed: (() => void)[] = [];
  /** The width of the bar, and whether its labels are cut. */
  let width = 400;
  let cut = false;

  beforeEach(() => {
    observed = [];
    width = 400;
    cut = false;
    (window as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
      constructor(callback: () => void) {
        observed.push(callback);
      }
      observe(): void {
        observed[observed.length - 1]();
      }
      disconnect(): void {
        // Nothing to release.
      }
    };
    jest
      .spyOn(HTMLElement.prototype, 'clientWidth', 'get')
      .mockImplementation(function (this: HTMLElement) {
        return this.classList.contains('maestro-tab-bar')
          ? width
          : cut
            ? 40
            : 80;
      });
    jest.spyOn(HTMLElement.prototype, 'scrollWidth', 'get').mockReturnValue(80);
    jest
      .spyOn(window, 'requestAnimationFrame')
      .mockImplementation((callback: FrameRequestCallback) => {
        callback(0);
        return 0;
      });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    delete (window as unknown as { ResizeObserver?: unknown }).ResizeObserver;
  });

  it('gives Models, Features, Jobs, Deployments and Budgets an icon, with the label as name and tooltip', () => {
    const { container } = render(<Tabs tabs={iconTabs} label="Sections" />);
    for (const label of [
      'Models',
      'Features',
      'Jobs',
      'Deployments',
      'Budgets'
    ]) {
      const tab = screen.getByRole('tab', { name: label });
      expect(tab.querySelector('.maestro-tab-icon svg')).not.toBeNull();
      expect(
        tab.querySelector('.maestro-tab-icon')?.getAttribute('aria-hidden')
      ).toBe('true');
      expect(tab.getAttribute('title')).toBe(label);
      expect(tab.querySelector('.maestro-tab-label')?.textContent).toBe(label);
    }
    // Wide enough: labels shown.
    expect(
      container
        .querySelector('.maestro-tab-bar')
        ?.classList.contains('maestro-mod-compact')
    ).toBe(false);
  });

  it('shows the icons alone once the labels are cut, and the labels again when it widens', () => {
    const { container } = render(<Tabs tabs={iconTabs} label="Sections" />);
    const bar = container.querySelector('.maestro-tab-bar') as HTMLElement;
    const resize = (to: number, labelsCut: boolean): void => {
      width = to;
      cut = labelsCut;
      act(() => observed.forEach(callback => callback()));
    };

    resize(220, true);
    expect(bar.classList.contains('maestro-mod-compact')).toBe(true);
    // Still named by its label (visually hidden, not removed), with a tooltip.
    const jobs = screen.getByRole('tab', { name: 'Jobs' });
    expect(jobs.getAttribute('title')).toBe('Jobs');
    expect(jobs.classList.contains('maestro-mod-icon')).toBe(true);

    // Hiding the labels leaves room, but not as much as they needed: stays compact.
    resize(220, false);
    expect(bar.classList.contains('maestro-mod-compact')).toBe(true);
    resize(215, false);
    expect(bar.classList.contains('maestro-mod-compact')).toBe(true);

    // Wider than when they were cut: the labels come back (and fit).
    resize(480, false);
    expect(bar.classList.contains('maestro-mod-compact')).toBe(false);
  });
});
