"""Render a :class:`ModelCard` as Markdown, printable HTML, PDF or JSON.

Markdown and HTML come from Jinja2 templates (``card.md.j2``, ``card.html.j2``); the PDF is the Markdown card
typeset by fpdf2 with real text (:mod:`.pdf`), so that it says exactly what the Markdown says. A user template folder
(``MAESTRO_CARD_TEMPLATES``) overrides either template by file name; its ``card.md.j2`` shapes the PDF too.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from pathlib import Path
from typing import Any, Literal

from ...errors import InvalidParameter
from .builder import EDIT_HINT, section_states
from .markdown_io import MISSING_TEXT, RECORDED_TEXT, front_matter, section_end, section_start
from .schema import PROSE_SECTIONS, ModelCard

Format = Literal["md", "html", "pdf", "json"]
FORMATS: dict[str, tuple[str, str]] = {  # format -> (media type, file extension)
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}
TEMPLATES = Path(__file__).parent / "templates"
#: The PDF's own template before the PDF was typeset from the Markdown card; no longer read.
RETIRED_PDF_TEMPLATE = "card.pdf.html.j2"


class CardRenderWarning(UserWarning):
    """A card rendered with a loss the reader should know of, e.g. characters no installed font can show in the
    PDF (the PDF itself says so too)."""


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
        return _pdf(_template(template_dir, "card.md.j2", card), template_dir)
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
    env.filters.update(markdown=_markdown_html, number=_number, when=_when, oneline=_oneline, cell=_cell)
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
        "recorded_text": RECORDED_TEXT,
        # What each section people write shows, from the checklist: a section never says "Not written yet" while the
        # checklist ticks it.
        "states": section_states(card),
        # Said once (above the checklist), not as the hint of every unwritten section.
        "edit_hint": EDIT_HINT,
        "people_missing": any(not i.filled and not i.hint for i in card.completeness.checklist),
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


def _cell(value: object) -> str:
    """A value for a Markdown table cell: one line, with ``|`` escaped so that it cannot end the cell."""
    return _oneline("" if value is None else str(value)).replace("|", "\\|")


def _pdf(markdown: str, template_dir: str | None) -> bytes:
    from .pdf import missing_warning, typeset

    if template_dir and (Path(template_dir).expanduser() / RETIRED_PDF_TEMPLATE).is_file():
        warnings.warn(
            CardRenderWarning(
                f"{RETIRED_PDF_TEMPLATE} in MAESTRO_CARD_TEMPLATES is no longer used: the PDF typesets card.md.j2"
            ),
            stacklevel=4,
        )
    result = typeset(markdown)
    if result.missing:
        warnings.warn(CardRenderWarning(missing_warning(result.missing)), stacklevel=4)
    return result.content
