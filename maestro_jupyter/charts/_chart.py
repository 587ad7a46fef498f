"""A Vega-Lite chart that displays itself in a notebook, with a static fallback and a plain-text line.

Mime type. JupyterLab 4.6's ``@jupyterlab/vega5-extension`` (also Notebook 7's, and VS Code's notebook renderers)
registers ``application/vnd.vegalite.v3+json`` to ``v5+json`` and bundles Vega-Lite 5.6; it registers no v6
type. So the specs are pinned to the Vega-Lite 5 schema and use only what Vega-Lite 5.6 knows. They are written as
plain dicts rather than through Altair: Altair 6 writes v6 specs under ``application/vnd.vegalite.v6.json``, which
JupyterLab 4.6 does not render (and Altair takes seconds to import). Altair's bundled schema still checks them in tests.

Theme. That renderer themes Vega itself: when ``document.body.dataset.jpThemeLight`` is ``"false"`` it passes
vega-embed ``theme: "dark"`` (light text and axes); VS Code's renderer does the same since 2022. A colour in the
spec's ``config`` would override that theme, so the interactive spec sets no text, axis or background colour at all:
each frontend's own light or dark theme applies. Only the static fallback, which cannot know the theme it lands
in, is drawn with :data:`STATIC_CONFIG`: a transparent background and mid-grey text and axes, readable on white and
on JupyterLab's dark ``#111`` (text contrast 4.5:1 and 4.2:1). In :meth:`Chart.to_html` those greys become
``currentColor`` so an inline SVG takes the text colour of the page around it.
"""

from __future__ import annotations

import contextlib
import html
import json
from typing import Any

#: The mime type JupyterLab 4.6, Notebook 7 and VS Code render natively (see the module docstring).
VEGALITE_MIME = "application/vnd.vegalite.v5+json"
#: The schema the specs are written against, matching :data:`VEGALITE_MIME`.
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"
#: The Vega-Lite library vl-convert compiles the static fallback with: the oldest v5 it ships, nearest to the 5.6
#: JupyterLab bundles, so the fallback fails where JupyterLab would.
VL_CONVERT_VERSION = "5.8"

#: Mid-greys for the static fallback only. ``_TEXT`` and ``_LINE`` are swapped for ``currentColor`` in to_html().
_TEXT = "#767676"
_LINE = "#8b8b8b"
_GRID = "#8c8c8c"
STATIC_CONFIG: dict[str, Any] = {
    "background": "transparent",
    "view": {"stroke": None},
    "title": {"color": _TEXT, "subtitleColor": _TEXT},
    "axis": {
        "labelColor": _TEXT,
        "titleColor": _TEXT,
        "domainColor": _LINE,
        "tickColor": _LINE,
        "gridColor": _GRID,
        "gridOpacity": 0.35,
    },
    "legend": {"labelColor": _TEXT, "titleColor": _TEXT},
    "header": {"labelColor": _TEXT, "titleColor": _TEXT},
}


class Chart:
    """A Vega-Lite chart. ``spec`` is the Vega-Lite (v5) spec; ``description`` the one line shown as text/plain.

    In a notebook it displays itself through the frontend's Vega renderer (interactive, with tooltips, themed light
    or dark by the frontend), with a static SVG for frontends without one.
    """

    def __init__(self, spec: dict[str, Any], description: str, *, static_spec: dict[str, Any] | None = None) -> None:
        self.spec = spec
        self.description = description
        # The spec the static fallback is drawn from: the same chart without what only matters interactively (the
        # invisible hover points of a line chart would make the SVG megabytes).
        self._static_spec = static_spec
        self._svg: str | None = None

    def __repr__(self) -> str:
        return self.description

    def to_svg(self) -> str:
        """The chart as a static SVG (mid-grey text, transparent background), drawn by vl-convert without a network.

        Made on first use and kept. Raises ``ImportError`` without vl-convert-python.
        """
        if self._svg is None:
            import vl_convert

            self._svg = vl_convert.vegalite_to_svg(
                self._static_spec or self.spec, vl_version=VL_CONVERT_VERSION, config=STATIC_CONFIG
            )
        return self._svg

    def to_html(self) -> str:
        """The static chart as HTML to embed in another result's HTML: an inline SVG whose text and axes take the
        surrounding text colour (so it reads in light and dark themes), no scripts. Empty without vl-convert."""
        try:
            svg = self.to_svg()
        except Exception:  # a chart that cannot be drawn must not break the result around it
            return ""
        for grey in (_TEXT, _LINE):
            svg = svg.replace(f'"{grey}"', '"currentColor"')
        label = html.escape(self.description, quote=True)
        return f'<div class="maestro-chart" role="img" aria-label="{label}">{svg}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """IPython's display protocol: Vega-Lite, the static SVG (made now, unless excluded) and the text line."""
        bundle: dict[str, Any] = {VEGALITE_MIME: self.spec, "text/plain": self.description}
        wanted = (include is None or "image/svg+xml" in include) and not (exclude and "image/svg+xml" in exclude)
        if wanted:
            # Without a fallback (vl-convert missing or failing) the chart still has two types to show.
            with contextlib.suppress(Exception):
                bundle["image/svg+xml"] = self.to_svg()
        return bundle

    def to_json(self) -> str:
        """The spec as JSON (to paste into the Vega editor, or save)."""
        return json.dumps(self.spec)


def base_spec(title: str, subtitle: str = "") -> dict[str, Any]:
    """The fields every spec starts with. No colours: see the module docstring."""
    spec: dict[str, Any] = {"$schema": SCHEMA_URL}
    if title or subtitle:
        spec["title"] = {"text": title or " ", "anchor": "start", **({"subtitle": subtitle} if subtitle else {})}
    return spec


def plural(count: int, noun: str) -> str:
    """``"1 run"``, ``"3 runs"``, ``"1,000 points"``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def own_bundle(obj: Any) -> dict[str, Any]:
    """``obj``'s own mime bundle (its ``_repr_mimebundle_``, or its HTML and text), for an ``_ipython_display_``
    that shows a chart beside it without displaying ``obj`` again."""
    method = getattr(obj, "_repr_mimebundle_", None)
    if method is not None:
        found = method()
        bundle = dict(found[0] if isinstance(found, tuple) else found)
    else:
        bundle = {"text/html": obj._repr_html_()}
    bundle.setdefault("text/plain", str(obj))
    return bundle


def show(*parts: Chart | dict[str, Any]) -> None:
    """Display ``parts`` in order as separate outputs: a :class:`Chart`, or a mime bundle (a dict by mime type).

    A chart and an HTML table cannot share one output: JupyterLab, Notebook 7 and VS Code render only the richest
    type of a bundle, and HTML ranks above Vega-Lite, so the chart would never draw. Two outputs draw both.
    """
    from IPython.display import display

    for part in parts:
        if isinstance(part, Chart):
            display(part)  # type: ignore[no-untyped-call]
        else:
            display(part, raw=True)  # type: ignore[no-untyped-call]
