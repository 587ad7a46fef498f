import { render, screen, waitFor } from '@testing-library/react';
import React from 'react';

import { metricBarsSpec } from '../charts/specs';
import {
  CANVAS_THRESHOLD,
  chooseRenderer,
  VegaChart
} from '../charts/VegaChart';

const spec = metricBarsSpec({
  metric: 'accuracy',
  bars: [
    { label: 'v1', value: 0.9 },
    { label: 'v2', value: 0.95 }
  ]
});

/** The fill colours of the chart's axis labels. */
function labelFills(container: HTMLElement): string[] {
  return [
    ...new Set(
      [...container.querySelectorAll('.role-axis-label text')].map(
        text => text.getAttribute('fill') ?? ''
      )
    )
  ];
}

afterEach(() => {
  document.body.removeAttribute('style');
  document.body.removeAttribute('data-jp-theme-name');
  document.body.removeAttribute('data-jp-theme-light');
});

describe('VegaChart', () => {
  it('renders the spec as SVG, named by its description, without actions', async () => {
    const onRender = jest.fn();
    const { container } = render(<VegaChart spec={spec} onRender={onRender} />);
    const chart = screen.getByRole('img', {
      name: 'accuracy by version: v1 0.9, v2 0.95.'
    });
    await waitFor(() => expect(onRender).toHaveBeenCalledTimes(1));
    expect(chart.querySelector('svg.marks')).not.toBeNull();
    expect(container.querySelectorAll('.mark-rect path')).toHaveLength(2);
    expect(container.querySelector('.vega-actions')).toBeNull();
    // Background left to the panel: never a fixed white.
    const svg = chart.querySelector('svg.marks') as SVGElement;
    expect(svg.getAttribute('style') ?? '').not.toContain('white');
  });

  it('draws with the theme’s colours and redraws when the theme changes', async () => {
    document.body.style.setProperty('--jp-ui-font-color2', 'rgb(1, 2, 3)');
    const onRender = jest.fn();
    const { container } = render(
      <VegaChart spec={spec} label="Accuracy" onRender={onRender} />
    );
    await waitFor(() => expect(onRender).toHaveBeenCalledTimes(1));
    expect(labelFills(container)).toEqual(['rgb(1, 2, 3)']);

    // JupyterLab switches to a dark theme: new variables, then the attribute.
    document.body.style.setProperty(
      '--jp-ui-font-color2',
      'rgb(200, 201, 202)'
    );
    document.body.setAttribute('data-jp-theme-light', 'false');
    document.body.setAttribute('data-jp-theme-name', 'JupyterLab Dark');
    await waitFor(() => expect(onRender).toHaveBeenCalledTimes(2));
    expect(labelFills(container)).toEqual(['rgb(200, 201, 202)']);
  });

  it('says when a spec cannot be drawn', async () => {
    const bad = { ...spec, mark: 'no-such-mark' } as unknown as typeof spec;
    const error = jest
      .spyOn(console, 'error')
      .mockImplementation(() => undefined);
    try {
      render(<VegaChart spec={bad} />);
      expect(await screen.findByText(/Could not draw the chart/)).toBeTruthy();
    } finally {
      error.mockRestore();
    }
  });
});

describe('chooseRenderer', () => {
  it('draws big charts on a canvas when there is one, small ones in SVG', () => {
    const big = {
      ...spec,
      data: { values: Array.from({ length: CANVAS_THRESHOLD + 1 }, () => ({})) }
    } as typeof spec;
    expect(chooseRenderer(spec)).toBe('svg');
    // jsdom has no canvas (see vega-env.ts): SVG.
    expect(chooseRenderer(big)).toBe('svg');
    const getContext = jest
      .spyOn(HTMLCanvasElement.prototype, 'getContext')
      .mockReturnValue({} as never);
    try {
      expect(chooseRenderer(big)).toBe('canvas');
      expect(chooseRenderer(spec)).toBe('svg');
      expect(chooseRenderer(big, 'svg')).toBe('svg');
    } finally {
      getContext.mockRestore();
    }
  });
});
