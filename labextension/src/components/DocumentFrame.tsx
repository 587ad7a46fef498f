import React, { useEffect, useMemo, useRef, useState } from 'react';

/**
 * The colours of JupyterLab's current theme, resolved from its CSS
 * variables, that a framed document is given.
 */
export interface IFrameTheme {
  /** Whether the theme is light (`data-jp-theme-light` on the body). */
  light: boolean;
  background: string;
  surface: string;
  text: string;
  muted: string;
  border: string;
  link: string;
  ok: string;
  warn: string;
  bad: string;
}

/**
 * The variables each colour comes from, and a fallback for a page without
 * JupyterLab's (e.g. a test).
 */
const THEME_VARIABLES: {
  [K in Exclude<keyof IFrameTheme, 'light'>]: [string, string, string];
} = {
  // name: [variable, light fallback, dark fallback]
  background: ['--jp-layout-color1', '#ffffff', '#111111'],
  surface: ['--jp-layout-color2', '#eeeeee', '#212121'],
  text: [
    '--jp-ui-font-color1',
    'rgba(0, 0, 0, 0.87)',
    'rgba(255, 255, 255, 0.87)'
  ],
  muted: [
    '--jp-ui-font-color2',
    'rgba(0, 0, 0, 0.54)',
    'rgba(255, 255, 255, 0.54)'
  ],
  border: ['--jp-border-color2', '#e0e0e0', '#424242'],
  link: ['--jp-content-link-color', '#1976d2', '#64b5f6'],
  ok: ['--jp-success-color1', '#388e3c', '#66bb6a'],
  warn: ['--jp-warn-color1', '#f57c00', '#ffa726'],
  bad: ['--jp-error-color1', '#d32f2f', '#ef5350']
};

/**
 * JupyterLab's current theme: light or dark, and its colours.
 */
export function readTheme(root: HTMLElement = document.body): IFrameTheme {
  const light = root.dataset.jpThemeLight !== 'false';
  const style = window.getComputedStyle(root);
  const theme = { light } as IFrameTheme;
  for (const [key, [variable, lightValue, darkValue]] of Object.entries(
    THEME_VARIABLES
  )) {
    const value = style.getPropertyValue(variable).trim();
    (theme as unknown as Record<string, string>)[key] =
      value || (light ? lightValue : darkValue);
  }
  return theme;
}

/**
 * The style a framed document gets so that it follows JupyterLab's theme.
 * A light theme leaves the document as it is made (a printable page); a dark
 * one gives it the theme's background, text and borders, overriding the
 * usual page and table backgrounds (the model card's own colour variables,
 * Bootstrap's light surfaces in the profiling report).
 */
export function themeStyle(theme: IFrameTheme): string {
  if (theme.light) {
    return ':root { color-scheme: light; }';
  }
  const t = theme;
  return [
    ':root { color-scheme: dark;',
    ` --ink: ${t.text}; --muted: ${t.muted}; --line: ${t.border}; --soft: ${t.surface};`,
    ` --ok: ${t.ok}; --warn: ${t.warn}; --bad: ${t.bad}; }`,
    `html, body { background: ${t.background} !important; color: ${t.text} !important; }`,
    // Surfaces that pages paint white or light grey: on a dark page they take the theme's surface.
    '.navbar, .card, .card-header, .card-body, .panel, .panel-heading, .panel-body, .well, .list-group-item,',
    ' .modal-content, .dropdown-menu, .nav-tabs .nav-link.active, .bg-white, .bg-light, .table, .table-striped tbody tr,',
    ' .row.header, .jumbotron, .alert, .badge-light, pre, code, th, td, thead, tbody, tr, footer, header {',
    `  background-color: transparent !important; color: ${t.text} !important; border-color: ${t.border} !important; }`,
    `th, thead, pre, .navbar, .card-header, .panel-heading, .nav-tabs .nav-link.active { background-color: ${t.surface} !important; }`,
    `h1, h2, h3, h4, h5, h6, p, li, dt, dd, span, small, label, .text-muted { color: inherit; }`,
    `.text-muted, .text-secondary, .text-body-secondary, small { color: ${t.muted} !important; }`,
    `.btn-light, .btn-outline-secondary, .dropdown-toggle, .form-control, .form-select { background-color: ${t.surface} !important; color: ${t.text} !important; border-color: ${t.border} !important; }`,
    `a, .nav-link { color: ${t.link} !important; }`
  ].join('\n');
}

/**
 * The message a framed document with scripts posts with its height.
 */
export const HEIGHT_MESSAGE = 'maestroFrameHeight';

/**
 * A script that posts the document's height to the parent on load and
 * whenever it changes (for a frame the parent cannot read: a sandbox with
 * scripts but no same-origin access).
 */
const HEIGHT_SCRIPT =
  '(function () {' +
  ' function send() { parent.postMessage({ ' +
  HEIGHT_MESSAGE +
  ': document.documentElement.scrollHeight }, "*"); }' +
  ' window.addEventListener("load", send);' +
  ' if (window.ResizeObserver) { new ResizeObserver(send).observe(document.documentElement); }' +
  '})();';

/**
 * The document `html` with `style` (and, when `reportHeight`, the height
 * script) added at its end, so that they come after the document's own
 * styles and win over them.
 */
export function themedDocument(
  html: string,
  style: string,
  reportHeight: boolean
): string {
  const addition =
    `<style data-maestro-theme>\n${style}\n</style>` +
    (reportHeight ? `<script>${HEIGHT_SCRIPT}</script>` : '');
  const end = html.toLowerCase().lastIndexOf('</body>');
  return end >= 0
    ? html.slice(0, end) + addition + html.slice(end)
    : html + addition;
}

/**
 * JupyterLab's theme, re-read whenever it changes (the body's
 * `data-jp-theme-*` attributes).
 */
export function useFrameTheme(): IFrameTheme {
  const [theme, setTheme] = useState<IFrameTheme>(() => readTheme());
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(readTheme()));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name']
    });
    return () => observer.disconnect();
  }, []);
  return theme;
}

/**
 * Tallest a frame is made (a runaway document must not make a page of
 * millions of pixels).
 */
const MAX_FRAME_HEIGHT = 100_000;

/**
 * Properties of `DocumentFrame`.
 */
export interface IDocumentFrameProps {
  /** The whole HTML document shown. */
  html: string;
  /** The frame's accessible name. */
  title: string;
  className?: string;
  /**
   * Whether the document's own scripts run (`allow-scripts`: isolated, it
   * reports its height itself); otherwise the sandbox only lets the view
   * read the document (`allow-same-origin`, no scripts) to measure it.
   */
  scripts?: boolean;
}

/**
 * A whole HTML document (the model card, the profiling report) in a
 * sandboxed iframe that follows JupyterLab's theme (re-applied when the
 * theme changes) and is as tall as its content, so that the view around it
 * is the one thing that scrolls.
 */
export function DocumentFrame(props: IDocumentFrameProps): JSX.Element {
  const { html, scripts = false } = props;
  const frame = useRef<HTMLIFrameElement>(null);
  const theme = useFrameTheme();
  const [height, setHeight] = useState<number | null>(null);

  const fit = (value: number): void => {
    if (Number.isFinite(value) && value > 0) {
      // A pixel or two more than the content: no scroll bar of its own.
      const next = Math.min(Math.ceil(value) + 2, MAX_FRAME_HEIGHT);
      setHeight(previous =>
        previous !== null && Math.abs(previous - next) <= 2 ? previous : next
      );
    }
  };

  // Scripts: the document posts its height.
  useEffect(() => {
    if (!scripts) {
      return;
    }
    const onMessage = (event: MessageEvent): void => {
      const data = event.data as { [HEIGHT_MESSAGE]?: unknown } | null;
      if (
        event.source === frame.current?.contentWindow &&
        data !== null &&
        typeof data === 'object' &&
        typeof data[HEIGHT_MESSAGE] === 'number'
      ) {
        fit(data[HEIGHT_MESSAGE] as number);
      }
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [scripts]);

  // No scripts: measure the document on load and when the frame's width
  // changes (the text reflows).
  const measure = (): void => {
    if (scripts) {
      return;
    }
    try {
      const root = frame.current?.contentDocument?.documentElement;
      if (root) {
        fit(root.scrollHeight);
      }
    } catch {
      // Not readable (an older sandbox): keep the CSS height.
    }
  };
  useEffect(() => {
    const element = frame.current;
    if (scripts || !element || typeof ResizeObserver === 'undefined') {
      return;
    }
    let width = element.clientWidth;
    const observer = new ResizeObserver(() => {
      if (element.clientWidth !== width) {
        width = element.clientWidth;
        measure();
      }
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [scripts]);

  // A report can be megabytes: build the themed copy only when it or the theme changes.
  const srcDoc = useMemo(
    () => themedDocument(html, themeStyle(theme), scripts),
    [html, theme, scripts]
  );

  return (
    <iframe
      ref={frame}
      className={`maestro-document-frame${props.className ? ` ${props.className}` : ''}`}
      sandbox={scripts ? 'allow-scripts' : 'allow-same-origin'}
      srcDoc={srcDoc}
      title={props.title}
      data-theme={theme.light ? 'light' : 'dark'}
      data-fitted={height !== null ? 'true' : 'false'}
      style={height !== null ? { height: `${height}px` } : undefined}
      onLoad={measure}
    />
  );
}
