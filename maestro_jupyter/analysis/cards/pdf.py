"""The PDF card: the Markdown card, typeset with real text.

One source of truth: the PDF is ``card.md`` (the same template, a user's override included) without its front
matter and section markers, parsed by markdown-it and typeset by fpdf2. What fpdf2's HTML does not do by itself is
done here:

- a heading stays with what follows it: when a heading and the beginning of the next block do not fit at the foot
  of a page, the heading starts the next page (what LaTeX's ``needspace`` does);
- table cells hold plain text (fpdf2 typesets no markup inside a cell), and columns are as wide as their content
  asks;
- characters the DejaVu fonts lack (Chinese, Japanese, Korean...) are typeset with an installed font that has them:
  Noto Sans CJK (Debian's ``fonts-noto-cjk``) first, else any font fontconfig finds. What no installed font can
  show is drawn as a box, listed in a note at the end of the PDF and returned, so that callers can warn.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InvalidParameter
from .markdown_io import strip_markup

#: Room (mm) a heading needs below it for the start of what follows; less than that, it starts the next page.
KEEP_WITH_NEXT_MM = 25.0
_TALLEST_HEADING_MM = 40.0  # more than any heading takes (three lines of a title), with its margins
#: Noto Sans CJK, as Debian's fonts-noto-cjk installs it; faces in the collection: JP, KR, SC, TC, HK.
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_NOTO_FACE = {"ja": 0, "ko": 1, "zh": 2}
_LOADABLE = (".ttf", ".otf", ".ttc", ".otc")
_MAX_FONT_LOOKUPS = 8  # fontconfig queries per card: a card full of unknown symbols stays fast
_fonts_lock = threading.Lock()


@dataclass(frozen=True)
class Typeset:
    """A typeset PDF and the characters it could not show (no installed font has them)."""

    content: bytes
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class _FontFile:
    path: str
    index: int = 0


def typeset(markdown: str) -> Typeset:
    """The PDF of a Markdown card (front matter and section markers are left out)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    body = strip_markup(markdown)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_creator("Maestro")
    family, mono, covered = _add_fonts(pdf)
    fallbacks, missing = _add_fallbacks(pdf, body, covered)
    scratch = FPDF(format="A4")  # where headings are measured; it shares the fonts (loaded once)
    scratch.set_auto_page_break(auto=True, margin=15)
    scratch.fonts.update(pdf.fonts)
    if fallbacks:
        scratch.set_fallback_fonts(fallbacks, exact_match=False)
    if missing:
        box = "\u25a1" if family != "helvetica" else "?"
        body = body.translate({ord(c): box for c in missing})
    code = FontFace(family=mono, size_pt=8)
    options: dict[str, Any] = {"font_family": family, "tag_styles": {"pre": code, "code": code}}
    units, title = _units(body)
    if title:
        pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(family, size=10)
    try:
        for heading, block in units:
            if heading and _heading_would_be_stranded(pdf, scratch, heading, block, options):
                pdf.add_page()
            pdf.write_html(heading + block, **options)
        if missing:
            pdf.write_html(_missing_note(missing), **options)
    except Exception as exc:  # fpdf2 raises plain errors on what it cannot lay out: a template problem
        raise InvalidParameter(f"The card could not be typeset as PDF: {exc}") from None
    return Typeset(bytes(pdf.output()), tuple(sorted(missing)))


# --- blocks and headings -------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    # As for the HTML card: raw HTML in a section is text, never markup.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _units(body: str) -> tuple[list[tuple[str, str]], str | None]:
    """The document as (headings, the block after them) pairs of HTML fpdf2 can typeset; and the first heading."""
    md = _parser()
    tokens = md.parse(body)
    blocks: list[list[Any]] = []
    current: list[Any] = []
    depth = 0
    for token in tokens:  # top-level blocks: a heading, a paragraph, a list, a table, a code block...
        current.append(token)
        depth += token.nesting
        if depth == 0:
            blocks.append(current)
            current = []
    title = None
    units: list[tuple[str, str]] = []
    headings = ""
    for block in blocks:
        if block[0].type == "table_open":
            block = _plain_table(block)
        html: str = md.renderer.render(block, md.options, {})
        if block[0].type == "heading_open":
            if title is None and block[0].tag == "h1":
                title = block[1].content
            headings += html
            continue
        units.append((headings, html))
        headings = ""
    if headings:
        units.append((headings, ""))
    return units, title


def _heading_would_be_stranded(pdf: Any, scratch: Any, heading: str, block: str, options: dict[str, Any]) -> bool:
    """Whether ``heading`` would end the page with too little of ``block`` under it. Measured on ``scratch``, a
    document with the same page and fonts (fpdf2's own ``offset_rendering`` copies every font: seconds per card)."""
    room = float(pdf.page_break_trigger - pdf.y)
    if pdf.y <= pdf.t_margin + 1 or room > KEEP_WITH_NEXT_MM + _TALLEST_HEADING_MM:
        return False  # at the top of a page, or far from its foot: nothing to measure
    scratch.add_page()
    page, y = scratch.page, scratch.y
    scratch.write_html(heading, **options)
    head = float((scratch.page - page) * scratch.eph + scratch.y - y)
    scratch.write_html(block, **options)
    rest = float((scratch.page - page) * scratch.eph + scratch.y - y - head)
    return head + min(rest, KEEP_WITH_NEXT_MM) > room


def _plain_table(block: list[Any]) -> list[Any]:
    """A table fpdf2 can typeset: plain-text cells, widths from the content, no header row when it is empty."""
    from markdown_it.token import Token

    rows: list[list[Any]] = []  # the cell-opening tokens, per row
    for i, token in enumerate(block):
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            inline = block[i + 1]
            text = "".join(" " if c.type in ("softbreak", "hardbreak") else c.content for c in inline.children or [])
            inline.children = [Token("text", "", 0, content=text.strip())]
            style = token.attrGet("style") or ""
            if "text-align:" in style:  # markdown-it's alignment; fpdf2 reads the align attribute
                token.attrSet("align", style.split("text-align:", 1)[1].strip().rstrip(";"))
            token.attrs.pop("style", None)
            rows[-1].append((token, text.strip()))
    if rows and not any(text for _, text in rows[0]):  # e.g. the card's "| | |" key-value tables
        start = next(i for i, t in enumerate(block) if t.type == "thead_open")
        end = next(i for i, t in enumerate(block) if t.type == "thead_close")
        block = block[:start] + block[end + 1 :]
        rows = rows[1:]
    if rows:
        columns = max(len(r) for r in rows)
        weights = [max([6] + [min(len(r[c][1]), 40) for r in rows if c < len(r)]) for c in range(columns)]
        for (token, _), weight in zip(rows[0], weights, strict=False):
            token.attrSet("width", f"{100 * weight / sum(weights):.1f}%")
    return block


# --- fonts ---------------------------------------------------------------------------------------------------------


def _add_fonts(pdf: Any) -> tuple[str, str, frozenset[int] | None]:
    """DejaVu (from matplotlib's data) for Unicode text, else the PDF core fonts; and the code points it covers
    (``None``: Latin-1 only, the core fonts)."""
    folder = _dejavu_folder()
    if folder is None:
        return "helvetica", "courier", None
    with _fonts_lock:
        for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Oblique"), ("BI", "-BoldOblique")):
            pdf.add_font("dejavu", style, str(folder / f"DejaVuSans{suffix}.ttf"))
        pdf.add_font("dejavumono", "", str(folder / "DejaVuSansMono.ttf"))
    return "dejavu", "dejavumono", frozenset(pdf.fonts["dejavu"].cmap)


@functools.lru_cache(maxsize=1)
def _dejavu_folder() -> Path | None:
    # Located without importing matplotlib (slow, and it configures fonts we do not need).
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    return folder if (folder / "DejaVuSans.ttf").is_file() and os.access(folder, os.R_OK) else None


def _add_fallbacks(pdf: Any, text: str, covered: frozenset[int] | None) -> tuple[list[str], set[str]]:
    """Register fonts for the characters of ``text`` the main font lacks; returns their names, and the characters
    no installed font has."""
    if covered is None:  # the core fonts: Latin-1, no fallback possible
        return [], {c for c in set(text) if ord(c) > 0xFF}
    needed = {c for c in set(text) if ord(c) not in covered and c.isprintable() and not c.isspace()}
    if not needed:
        return [], set()
    names: list[str] = []
    for font in _fallback_candidates(needed):
        chars = _cmap(font)
        if not any(ord(c) in chars for c in needed):
            continue
        name = f"fallback{len(names)}"
        with _fonts_lock:
            pdf.add_font(name, "", font.path, collection_font_number=font.index)
            bold = font.path.replace("-Regular.", "-Bold.")
            if bold != font.path and Path(bold).is_file():
                pdf.add_font(name, "B", bold, collection_font_number=font.index)
        names.append(name)
        needed = {c for c in needed if ord(c) not in chars}
        if not needed:
            break
    if names:
        pdf.set_fallback_fonts(names, exact_match=False)  # a regular face where no bold one exists
    return names, needed


def _fallback_candidates(needed: set[str]) -> Any:
    """Fonts that may have ``needed`` characters: Noto Sans CJK in the face of the text's language, then fontconfig's
    answer for each character still uncovered."""
    if NOTO_CJK.is_file():
        language = "ja" if any("\u3040" <= c <= "\u30ff" for c in needed) else "zh"
        if any("\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff" for c in needed):
            language = "ko"
        yield _FontFile(str(NOTO_CJK), _NOTO_FACE[language])
    remaining = set(needed)
    for _ in range(_MAX_FONT_LOOKUPS):
        if not remaining:
            return
        char = min(remaining)
        found = _fontconfig_font(char)
        if found is None:
            remaining.discard(char)
            continue
        chars = _cmap(found)
        remaining = {c for c in remaining if ord(c) not in chars} - {char}
        yield found


@functools.lru_cache(maxsize=256)
def _fontconfig_font(char: str) -> _FontFile | None:
    """A font file fontconfig says has ``char`` and fpdf2 can embed; ``None`` without fontconfig or such a font."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, "--format", "%{file}\t%{index}\n", f":charset={ord(char):x}"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(out.splitlines()):  # sorted: the same font from one run to the next
        path, _, index = line.partition("\t")
        if path.lower().endswith(_LOADABLE) and os.access(path, os.R_OK):
            return _FontFile(path, int(index) if index.isdigit() else 0)
    return None


@functools.lru_cache(maxsize=16)
def _cmap(font: _FontFile) -> frozenset[int]:
    """The code points a font file has (read lazily: only its cmap table)."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(font.path, fontNumber=font.index, lazy=True) as ttfont:
            return frozenset(ttfont.getBestCmap() or {})
    except Exception:  # an unreadable font is one that has nothing
        return frozenset()


def _missing_note(missing: set[str]) -> str:
    listed = ", ".join(f"U+{ord(c):04X}" for c in sorted(missing)[:20])
    more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
    return (
        f"<p><i>Note: no font installed where this PDF was made has {len(missing)} character(s) of the card "
        f"({listed}{more}); they are drawn as boxes. The Markdown and HTML cards show them; installing the Debian "
        "package fonts-noto-cjk covers Chinese, Japanese and Korean.</i></p>"
    )


def missing_warning(missing: tuple[str, ...]) -> str:
    """One line saying which characters the PDF could not show."""
    listed = " ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
    return (
        f"The PDF card cannot show {len(missing)} character(s) ({listed}): no installed font has them; "
        "install fonts-noto-cjk (Debian) for Chinese, Japanese and Korean, or share the Markdown or HTML card"
    )


__all__ = ["KEEP_WITH_NEXT_MM", "Typeset", "missing_warning", "typeset"]
