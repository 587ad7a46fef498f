import React, { useEffect, useRef, useState } from 'react';
import type { Result } from 'vega-embed';

import { errorMessage } from '../format';
import { ChartSpec } from './specs';
import {
  isLightTheme,
  onThemeChange,
  readThemeValues,
  themedSpec
} from './theme';

/**
 * Properties of `VegaChart`.
 */
export interface IVegaChartProps {
  spec: ChartSpec;
  /** The chart's accessible name (a summary); default: the spec's description. */
  label?: string;
  /**
   * Vega's renderer; `auto` (the default) draws on a canvas when the chart
   * holds more than `CANVAS_THRESHOLD` data values and the browser has a
   * canvas, in SVG otherwise. Measured in Chromium (see the report of issue
   * 20): a learning curve of 100,000 steps downsampled to 1,000-2,000 points
   * renders about a third faster on a canvas, 100 overlaid runs of 500 points
   * about 15% faster; small charts stay in SVG (crisp, selectable text).
   */
  renderer?: 'svg' | 'canvas' | 'auto';
  className?: string;
  /** Called after each render (tests, benchmarks). */
  onRender?: (result: Result) => void;
}

/** Data values beyond which `auto` draws on a canvas. */
export const CANVAS_THRESHOLD = 500;

/**
 * The renderer of a spec: `auto` is a canvas for specs with many data
 * values when the browser can draw on one (jsdom cannot), else SVG.
 */
export function chooseRenderer(
  spec: ChartSpec,
  renderer: 'svg' | 'canvas' | 'auto' = 'auto'
): 'svg' | 'canvas' {
  if (renderer !== 'auto') {
    return renderer;
  }
  const values = (spec as { data?: { values?: unknown[] } }).data?.values;
  if (!Array.isArray(values) || values.length <= CANVAS_THRESHOLD) {
    return 'svg';
  }
  try {
    return document.createElement('canvas').getContext('2d') ? 'canvas' : 'svg';
  } catch {
    return 'svg';
  }
}

/**
 * The width a chart fits in: its container's, or the spec's own when the
 * container is not laid out (hidden, or in tests).
 */
function containerWidth(element: HTMLElement | null, fallback: number): number {
  const width = element?.clientWidth ?? 0;
  return width > 0 ? width : fallback;
}

/**
 * A Vega-Lite chart rendered by vega-embed, themed from JupyterLab's CSS
 * variables (re-rendered when the theme changes), fitted to its panel's
 * width (and refitted when the panel resizes), without an actions menu, and
 * named for screen readers by a summary of what it shows.
 */
export function VegaChart(props: IVegaChartProps): JSX.Element {
  const { spec, renderer = 'auto', onRender } = props;
  const outer = useRef<HTMLDivElement>(null);
  const target = useRef<HTMLDivElement>(null);
  const result = useRef<Result | null>(null);
  const [theme, setTheme] = useState(0);
  const [error, setError] = useState<string | null>(null);

  // Re-render when JupyterLab switches themes.
  useEffect(() => onThemeChange(() => setTheme(value => value + 1)), []);

  useEffect(() => {
    const element = target.current;
    if (!element) {
      return;
    }
    let disposed = false;
    const specWidth =
      typeof (spec as { width?: unknown }).width === 'number'
        ? ((spec as { width: number }).width as number)
        : 400;
    const sized = {
      ...spec,
      width: containerWidth(outer.current, specWidth)
    } as ChartSpec & { params?: ReadonlyArray<unknown> };
    const themed = themedSpec(sized, readThemeValues()) as ChartSpec;
    // vega-embed (with Vega and Vega-Lite, about 2 MB) is loaded with the first chart drawn, not with the
    // sidebar: JupyterLab starts and the lists open without it.
    import('vega-embed')
      .then(({ default: embed }) =>
        embed(element, themed, {
          actions: false,
          renderer: chooseRenderer(spec, renderer),
          mode: 'vega-lite',
          tooltip: { theme: isLightTheme() ? 'light' : 'dark' }
        })
      )
      .then(embedded => {
        if (disposed) {
          embedded.finalize();
          return;
        }
        result.current = embedded;
        setError(null);
        onRender?.(embedded);
      })
      .catch(reason => {
        if (!disposed) {
          setError(errorMessage(reason));
        }
      });
    return () => {
      disposed = true;
      result.current?.finalize();
      result.current = null;
    };
  }, [spec, renderer, theme]);

  // Refit the width when the panel resizes (JupyterLab's panels resize
  // without a window resize event).
  useEffect(() => {
    const element = outer.current;
    if (!element || typeof ResizeObserver === 'undefined') {
      return;
    }
    let frame = 0;
    let lastWidth = element.clientWidth;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const width = element.clientWidth;
        const view = result.current?.view;
        if (view && width > 0 && width !== lastWidth) {
          lastWidth = width;
          void view.width(width).runAsync();
        }
      });
    });
    observer.observe(element);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, []);

  const label =
    props.label ?? (spec as { description?: string }).description ?? 'Chart';
  return (
    <div
      ref={outer}
      className={`maestro-vega-chart ${props.className ?? ''}`.trim()}
      role="img"
      aria-label={label}
    >
      <div ref={target} className="maestro-vega-chart-target" />
      {error !== null && (
        <p className="maestro-vega-chart-error">{`Could not draw the chart: ${error}`}</p>
      )}
    </div>
  );
}
