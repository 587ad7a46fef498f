"""Render a :class:`ModelCard` as Markdown, printable HTML, PDF or JSON.

Markdown and HTML come from Jinja2 templates (``card.md.j2``, ``card.html.j2``); the PDF is typeset by fpdf2 from
``card.pdf.html.j2``, a plain-HTML template, with real text (DejaVu fonts, shipped with matplotlib, for Unicode).
A user template folder (``MAESTRO_CARD_TEMPLATES``) overrides any of them by file name.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import os
import threading
from pathlib import Path
from typing import Any, Literal

from ...errors import InvalidParameter
from .markdown_io import MISSING_TEXT, front_matter, section_end, section_start
from .schema import PROSE_SECTIONS, ModelCard

Format = Literal["md", "html", "pdf", "json"]
FORMATS: dict[str, tuple[str, str]] = {  # format -> (media type, file extension)
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}
TEMPLATES = Path(__file__).parent / "templates"
_fonts_lock = threading.Lock()


def check_format(fmt: str | None) -> str:
    """``fmt`` lower-cased if known (``markdown`` means ``md``); ``InvalidParameter`` otherwise."""
    value = (fmt or "html").strip().lower()
    value = {"markdown": "md", "htm": "html"}.get(value, value)
    if value not in FORMATS:
        raise InvalidParameter(f"Unknown card format {fmt!r}; use one of {', '.join(FORMATS)}")
    return value


def render(card: ModelCard, fmt: str, template_dir: str | None = None) -> bytes:
    """The card in ``fmt`` (md, html, pdf or json) as bytes (UTF-8 for the text formats)."""
    fmt = check_format(fmt)
    if fmt == "json":
        return card.model_dump_json(indent=2).encode()
    if fmt == "pdf":
        return _pdf(_template(template_dir, "card.pdf.html.j2", card))
    return _template(template_dir, f"card.{fmt}.j2", card).encode()


def _template(template_dir: str | None, name: str, card: ModelCard) -> str:
    import jinja2

    env = _environment(template_dir)
    try:
        text: str = env.get_template(name).render(**_context(card))
        return text
    except jinja2.TemplateError as exc:
        where = f" in {template_dir}" if template_dir else ""
        raise InvalidParameter(f"The card template {name}{where} failed: {exc}") from None


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str | None) -> Any:
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if template_dir:
        folder = Path(template_dir).expanduser()
        if not folder.is_dir():
            raise InvalidParameter(f"MAESTRO_CARD_TEMPLATES: {template_dir} is not a folder")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # HTML-escape in the HTML templates only; Markdown is text.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(markdown=_markdown_html, number=_number, when=_when, oneline=_oneline)
    return env


def _context(card: ModelCard) -> dict[str, Any]:
    metrics = card.facts.evaluation.metrics
    return {
        "card": card,
        "facts": card.facts,
        "model": card.facts.model,
        "sections": card.sections,
        "titles": PROSE_SECTIONS,
        "overall_metrics": [m for m in metrics if m.slice is None and m.stage == "evaluation"],
        "training_metrics": [m for m in metrics if m.slice is None and m.stage == "training"],
        "sliced_metrics": [m for m in metrics if m.slice is not None],
        "front_matter": front_matter(card),
        "missing_text": MISSING_TEXT,
        "section_start": section_start,
        "section_end": section_end(),
        "percent": f"{card.completeness.score:.0%}",
    }


# --- filters -------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _markdown_parser() -> Any:
    from markdown_it import MarkdownIt

    # Raw HTML in a section is shown as text, never run: cards are shared and printed.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _markdown_html(text: str | None) -> Any:
    import markupsafe

    # Safe to mark: the parser escapes every character of the text and emits no raw HTML (html=False).
    return markupsafe.Markup(_markdown_parser().render(text or ""))  # noqa: S704


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:.4g}" if abs(value) >= 1e-3 else f"{value:.3e}"


def _when(value: int | str | None) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        parsed = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    return parsed.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _oneline(text: str | None) -> str:
    return " ".join((text or "").split())


# --- PDF -------------------------------------------------------------------------------------------------------


def _pdf(html: str) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_creator("Maestro")
    family, mono = _add_fonts(pdf)
    pdf.add_page()
    pdf.set_font(family, size=10)
    code = FontFace(family=mono, size_pt=8)
    try:
        pdf.write_html(html, font_family=family, tag_styles={"pre": code, "code": code})
    except Exception as exc:  # fpdf2 raises plain errors on HTML it cannot lay out: a template problem
        raise InvalidParameter(f"The PDF template could not be typeset: {exc}") from None
    return bytes(pdf.output())


def _add_fonts(pdf: Any) -> tuple[str, str]:
    """DejaVu (from matplotlib's data) for Unicode text; the PDF core fonts when it is not there."""
    folder = _dejavu_folder()
    if folder is None:
        return "helvetica", "courier"
    with _fonts_lock:
        for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Oblique"), ("BI", "-BoldOblique")):
            pdf.add_font("dejavu", style, str(folder / f"DejaVuSans{suffix}.ttf"))
        pdf.add_font("dejavumono", "", str(folder / "DejaVuSansMono.ttf"))
    return "dejavu", "dejavumono"


@functools.lru_cache(maxsize=1)
def _dejavu_folder() -> Path | None:
    # Located without importing matplotlib (slow, and it configures fonts we do not need).
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    return folder if (folder / "DejaVuSans.ttf").is_file() and os.access(folder, os.R_OK) else None
