"""The Markdown card's two directions: its YAML front matter out, and people's edits back in.

A rendered ``card.md`` wraps every people-written section in HTML comments (invisible once rendered)::

    <!-- maestro:section intended_use -->
    Screening support for radiologists...
    <!-- /maestro:section -->

so that :func:`sections_from_markdown` can read an edited card back exactly. If an editor dropped the markers, a
section is found by its heading instead. Owners, licence and references live in the front matter.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ...errors import InvalidParameter
from .model_index import OTHER, model_index, task_type
from .schema import PROSE_SECTIONS, ModelCard

#: What a card shows in a section nobody has written yet; reading it back means "still empty".
MISSING_TEXT = "_Not written yet._"
#: What a card shows in an unwritten section whose fact the registry holds (the checklist ticks it, e.g. the training
#: datasets the source run logged); reading it back means "still empty" too.
RECORDED_TEXT = "_Recorded by the source run: see below._"
_START = "<!-- maestro:section {field} -->"
_END = "<!-- /maestro:section -->"
_MARKED = re.compile(r"<!--\s*maestro:section\s+(\w+)\s*-->\s*\n(.*?)\n?\s*<!--\s*/maestro:section\s*-->", re.S)
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
_MARKER_LINE = re.compile(r"^[ \t]*<!--\s*/?maestro:section\b[^\n]*?-->[ \t]*(?:\r?\n|\Z)", re.M)
MAX_MARKDOWN_CHARS = 500_000


def strip_markup(text: str) -> str:
    """The card's visible Markdown: without its YAML front matter and its section markers."""
    match = _FRONT.match(text)
    body = text[match.end() :] if match else text
    return _MARKER_LINE.sub("", body)


def section_start(field: str) -> str:
    return _START.format(field=field)


def section_end() -> str:
    return _END


def front_matter(card: ModelCard) -> str:
    """Hugging Face model card metadata (licence, library, task, the ``model-index`` of evaluation results), plus a
    ``maestro`` block with the card's own fields."""
    facts, sections = card.facts, card.sections
    model = facts.model
    evaluation = [m for m in facts.evaluation.metrics if m.stage == "evaluation" and m.slice is None]
    meta: dict[str, Any] = {}
    if sections.license:
        meta["license"] = sections.license
    if model.flavors:
        meta["library_name"] = _library(model.flavors)
    meta["tags"] = ["maestro", *model.flavors]
    task = task_type(facts)
    if task != OTHER:
        meta["pipeline_tag"] = task
    index = model_index(facts, evaluation)
    if index:  # with the task and dataset every result needs for huggingface_hub.ModelCard to read it
        meta["model-index"] = index
    meta["maestro"] = {
        "card_schema": card.schema_version,
        "model": model.name,
        "version": model.version,
        "model_uri": model.model_uri,
        "status": card.approval.status,
        "stale": card.approval.stale,
        "approved_by": card.approval.approved_by,
        "approved_at": card.approval.approved_at,
        "completeness": card.completeness.score,
        "generated_at": card.generated_at,
        "owners": [o.model_dump(exclude_none=True) for o in sections.owners],
        "references": list(sections.references),
    }
    dumped: str = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n"


def _library(flavors: list[str]) -> str:
    real = [f for f in flavors if f != "python_function"]
    return real[0] if real else flavors[0]


def sections_from_markdown(text: str, expected_model: str | None = None) -> dict[str, Any]:
    """The people-written fields an edited Markdown card holds, as ``CardSections`` fields.

    Sections still showing the placeholder come back as ``None`` (empty). Raises ``InvalidParameter`` when the
    text is no card, its front matter is not YAML, or it describes another model than ``expected_model``.
    """
    if len(text) > MAX_MARKDOWN_CHARS:
        raise InvalidParameter(f"A Markdown card may have at most {MAX_MARKDOWN_CHARS:,} characters")
    found: dict[str, Any] = {}
    body = text
    match = _FRONT.match(text)
    if match:
        body = text[match.end() :]
        found.update(_from_front_matter(match.group(1), expected_model))
    for field, content in _MARKED.findall(body):
        if field in PROSE_SECTIONS:
            found[field] = _clean(content)
    for field, title in PROSE_SECTIONS.items():
        if field not in found:
            content = _under_heading(body, title)
            if content is not None:
                found[field] = _clean(content)
    if not found:
        raise InvalidParameter("This Markdown holds no Maestro card sections (no front matter, no known headings)")
    return found  # validated with the rest of an update, by the card service


def _from_front_matter(raw: str, expected_model: str | None) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        raise InvalidParameter(f"The card's front matter is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(meta, dict):
        raise InvalidParameter("The card's front matter must be a YAML mapping")
    found: dict[str, Any] = {}
    if "license" in meta:
        found["license"] = str(meta["license"]).strip() or None if meta["license"] is not None else None
    block = meta.get("maestro")
    if isinstance(block, dict):
        model = block.get("model")
        if expected_model is not None and model is not None and str(model) != expected_model:
            raise InvalidParameter(f"This card describes model {model!r}, not {expected_model!r}")
        if "owners" in block:
            found["owners"] = _owners(block["owners"])
        if "references" in block:
            refs = block["references"] or []
            if not isinstance(refs, list):
                raise InvalidParameter("maestro.references in the front matter must be a list")
            found["references"] = [str(r).strip() for r in refs if str(r).strip()]
    return found


def _owners(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidParameter("maestro.owners in the front matter must be a list")
    owners: list[dict[str, Any]] = []
    for item in raw:
        if isinstance(item, str):
            owners.append({"name": item.strip()})
        elif isinstance(item, dict) and item.get("name"):
            contact = item.get("contact")
            owners.append({"name": str(item["name"]).strip(), "contact": str(contact) if contact else None})
        else:
            raise InvalidParameter(f"An owner must be a name or a mapping with a name, not {item!r}")
    return owners


def _under_heading(body: str, title: str) -> str | None:
    headings = list(_HEADING.finditer(body))
    for i, h in enumerate(headings):
        if h.group(2).strip().lower() == title.lower():
            end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
            return body[h.end() : end]
    return None


def _clean(content: str) -> str | None:
    text = content.strip()
    return None if not text or text in (MISSING_TEXT, RECORDED_TEXT) else text
