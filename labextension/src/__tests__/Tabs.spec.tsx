import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

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
