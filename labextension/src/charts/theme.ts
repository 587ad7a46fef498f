/**
 * The charts' theme: a Vega-Lite config built from JupyterLab's CSS
 * variables, read when a chart is rendered, so that charts follow the light
 * and dark themes (and any custom theme), and a way to hear of theme changes.
 */
import type { Config } from 'vega-lite';

/**
 * The JupyterLab CSS variables the charts use, with the value used when a
 * variable is not defined (no JupyterLab theme loaded, e.g. in tests).
 * The fallbacks are JupyterLab's light theme values.
 */
export const THEME_VARIABLES = {
  fontColor1: ['--jp-ui-font-color1', 'rgba(0, 0, 0, 0.87)'],
  fontColor2: ['--jp-ui-font-color2', 'rgba(0, 0, 0, 0.54)'],
  borderColor1: ['--jp-border-color1', '#bdbdbd'],
  borderColor2: ['--jp-border-color2', '#e0e0e0'],
  layoutColor0: ['--jp-layout-color0', '#ffffff'],
  fontFamily: [
    '--jp-ui-font-family',
    'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif'
  ],
  fontSize: ['--jp-ui-font-size1', '13px'],
  brand: ['--jp-brand-color1', '#1976d2'],
  accent: ['--jp-accent-color1', '#388e3c'],
  warn: ['--jp-warn-color1', '#f57c00'],
  error: ['--jp-error-color1', '#d32f2f'],
  success: ['--jp-success-color1', '#388e3c'],
  info: ['--jp-info-color1', '#0097a7'],
  brand3: ['--jp-brand-color3', '#bbdefb'],
  warn0: ['--jp-warn-color0', '#e65100']
} as const;

/**
 * The resolved values of `THEME_VARIABLES`.
 */
export type ThemeValues = {
  -readonly [K in keyof typeof THEME_VARIABLES]: string;
};

/**
 * Read the theme's CSS variables from `element` (the document body, where
 * JupyterLab's themes define them); a variable that is not set gets its
 * fallback.
 */
export function readThemeValues(
  element: Element | null = typeof document !== 'undefined'
    ? document.body
    : null
): ThemeValues {
  const style = element ? getComputedStyle(element) : null;
  const values = {} as ThemeValues;
  for (const key of Object.keys(THEME_VARIABLES) as Array<
    keyof typeof THEME_VARIABLES
  >) {
    const [name, fallback] = THEME_VARIABLES[key];
    const value = style?.getPropertyValue(name).trim() ?? '';
    values[key] = value || fallback;
  }
  return values;
}

/**
 * A font size in pixels from a CSS length (`13px`); `fallback` otherwise.
 */
function pixels(size: string, fallback: number): number {
  const match = /^([\d.]+)px$/.exec(size.trim());
  return match ? Number(match[1]) : fallback;
}

/**
 * The Vega-Lite config of a theme: transparent background (the panel's own
 * colour shows through), text in the UI font colours, grid and axis lines in
 * the border colours, and a categorical palette from the theme's colours,
 * which JupyterLab tunes for contrast in each theme.
 */
export function vegaThemeConfig(
  values: ThemeValues = readThemeValues()
): Config {
  const fontSize = pixels(values.fontSize, 13);
  const label = {
    labelColor: values.fontColor2,
    titleColor: values.fontColor1,
    labelFont: values.fontFamily,
    titleFont: values.fontFamily,
    labelFontSize: Math.max(10, fontSize - 2),
    titleFontSize: Math.max(10, fontSize - 1)
  };
  return {
    background: 'transparent',
    font: values.fontFamily,
    padding: 4,
    view: { stroke: values.borderColor2 },
    axis: {
      ...label,
      titleFontWeight: 'normal',
      domainColor: values.borderColor1,
      tickColor: values.borderColor1,
      gridColor: values.borderColor2,
      labelOverlap: true,
      labelFlush: true
    },
    legend: {
      ...label,
      titleFontWeight: 'normal',
      symbolStrokeWidth: 2,
      labelLimit: 200
    },
    title: {
      color: values.fontColor1,
      subtitleColor: values.fontColor2,
      font: values.fontFamily,
      fontSize,
      fontWeight: 'normal',
      anchor: 'start'
    },
    header: { ...label },
    mark: { color: values.brand },
    line: { color: values.brand, strokeWidth: 1.5 },
    point: { color: values.brand, filled: true },
    bar: { color: values.brand },
    rule: { color: values.fontColor2 },
    text: { color: values.fontColor1 },
    range: {
      category: [
        values.brand,
        values.warn,
        values.accent,
        values.error,
        values.info,
        values.warn0,
        values.fontColor2,
        values.success
      ]
    }
  };
}

/**
 * Whether the current JupyterLab theme is a light one (JupyterLab sets
 * `data-jp-theme-light` on the body); true when unknown.
 */
export function isLightTheme(): boolean {
  return (
    typeof document === 'undefined' ||
    document.body.dataset.jpThemeLight !== 'false'
  );
}

/**
 * Call `callback` whenever JupyterLab's theme changes (JupyterLab sets
 * `data-jp-theme-name` and `data-jp-theme-light` on the body when it loads
 * a theme). A `MutationObserver` rather than `IThemeManager.themeChanged`
 * so that a chart needs no plugin token. Returns the function that stops
 * listening.
 */
export function onThemeChange(callback: () => void): () => void {
  if (
    typeof document === 'undefined' ||
    typeof MutationObserver === 'undefined'
  ) {
    return () => undefined;
  }
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
  });
  return () => observer.disconnect();
}

/**
 * Values of the specs' theme parameters (`barColor`, `accentColor`,
 * `ruleColor`, `labelColor`): colours that a spec uses in an expression,
 * where a config cannot reach.
 */
export function themeParams(values: ThemeValues): { [name: string]: string } {
  return {
    barColor: values.brand,
    accentColor: values.accent,
    ruleColor: values.borderColor1,
    labelColor: values.fontColor2
  };
}

/**
 * A spec with the theme: its config merged over the theme's, and its theme
 * parameters set to the theme's colours.
 */
export function themedSpec<
  S extends { config?: Config; params?: ReadonlyArray<unknown> }
>(spec: S, values: ThemeValues = readThemeValues()): S {
  const colours = themeParams(values);
  const params = spec.params?.map(param => {
    const name = (param as { name?: string }).name;
    return name !== undefined && name in colours
      ? { ...(param as object), value: colours[name] }
      : param;
  });
  return {
    ...spec,
    config: { ...vegaThemeConfig(values), ...(spec.config ?? {}) },
    ...(params ? { params } : {})
  };
}
