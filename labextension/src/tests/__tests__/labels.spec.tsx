import { render, screen } from '@testing-library/react';
import React from 'react';

import { TestCheck } from '../../api';
import { testCheck } from '../../__tests__/tests-fixtures';
import { checkLabel, groupChecks } from '../helpers';
import { CheckGroup } from '../TestsTables';

/**
 * A check with its family's label, as the server reports it.
 */
function labelled(
  label: string,
  overrides: Partial<TestCheck> = {}
): TestCheck {
  return { ...testCheck(overrides), label };
}

/**
 * A check of a plugin's family: its category is the family's name and its
 * label the family's own title.
 */
const pluginCheck = labelled('Prediction range', {
  name: 'outside_share',
  category: 'prediction_range',
  value: 0,
  threshold: '<= 0'
});

describe('check labels', () => {
  it("titles a plugin's group with its family's label", () => {
    const groups = groupChecks([pluginCheck, labelled('Performance')]);
    expect(groups.map(group => [group.category, group.label])).toEqual([
      ['performance', 'Performance'],
      ['prediction_range', 'Prediction range']
    ]);
  });

  it('falls back on the category without a label (older reports)', () => {
    const groups = groupChecks([
      testCheck({ name: 'x', category: 'prediction_range' }),
      labelled('  ', { name: 'y', category: 'contract' })
    ]);
    expect(groups.map(group => group.label)).toEqual([
      'Data contract',
      'Prediction range'
    ]);
    expect(checkLabel(testCheck())).toBeNull();
  });

  it("shows the family's label as the group's heading", () => {
    const [group] = groupChecks([pluginCheck]);
    render(<CheckGroup group={group} />);
    expect(
      screen.getByRole('heading', { name: /Prediction range/ })
    ).toBeTruthy();
    expect(screen.getByText('outside_share')).toBeTruthy();
  });
});
