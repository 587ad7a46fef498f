"""Model cards: ``ml.cards``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract.cards import ApproveCard, GenerateCard, RenderCard, ReopenCard, UpdateCard
from ..errors import InvalidParameter, PermissionDenied

if TYPE_CHECKING:
    from ..analysis.cards import ModelCard
    from ..analysis.cards.render import CardRenderWarning as CardRenderWarning  # re-exported lazily below
    from ..analysis.cards.view import CardOutput as CardOutput  # re-exported lazily below
    from ..contract.base import Document
    from .transport import Transport


class CardsAPI:
    """Model cards: ``ml.cards``. A card is built from what the registry knows about a version plus the sections
    people write; it is kept with the version (sections and approval as tags, rendered files as artifacts)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def generate(
        self, name: str, *, version: int | str | None = None, alias: str | None = None, save: bool = True
    ) -> ModelCard:
        """The card of a version (``version``, else the one ``alias`` names, else the newest), built afresh from the
        registry. With ``save`` (default) its Markdown, HTML, PDF and JSON are stored as artifacts of the version.
        Render it with ``.to_markdown()``, ``.to_html()``, ``.to_pdf()``, ``.to_json()``."""
        return self._card(GenerateCard.build(name=name, version=version, alias=alias, save=save))

    def update(
        self,
        name: str,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        markdown: str | None = None,
        status: str | None = None,
        comment: str | None = None,
        **sections: Any,
    ) -> ModelCard:
        """Write sections: ``ml.cards.update("churn", version=3, intended_use="...", owners=["Ana <ana@x.org>"])``.
        ``None`` clears a section. ``markdown`` is an edited ``card.md`` (text) to load back. An approved card that
        changes becomes a draft again. ``status="approved"`` (with ``comment``) approves the result in the same
        step, ``status="draft"`` withdraws an approval. See ``CardSections`` for the fields."""
        request = UpdateCard.build(
            name=name,
            version=version,
            alias=alias,
            sections=sections or None,
            markdown=markdown,
            status=status,
            comment=comment,
        )
        return self._card(request)

    def approve(
        self, name: str, *, version: int | str | None = None, alias: str | None = None, comment: str | None = None
    ) -> ModelCard:
        """Approve the card, recording who, when and ``comment``. The required sections must be written first."""
        return self._card(ApproveCard.build(name=name, version=version, alias=alias, comment=comment))

    def reopen(self, name: str, *, version: int | str | None = None, alias: str | None = None) -> ModelCard:
        """Withdraw the approval: the card is a draft again."""
        return self._card(ReopenCard.build(name=name, version=version, alias=alias))

    def save(
        self,
        card: ModelCard | str,
        path: str | Path,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        format: str | None = None,
    ) -> Path:
        """Write a card (a ``ModelCard``, or a model name to generate one) to ``path``: a file, or a folder for
        ``NAME-vVERSION-card.EXT``, under the current folder or ``MAESTRO_HOME``. The format is ``format``, else
        the file's extension, else HTML."""
        suffix = Path(path).suffix.lstrip(".")
        fmt = format or (suffix if suffix and not str(path).endswith(("/", os.sep)) else None)
        if isinstance(card, str):
            request = RenderCard.build(name=card, version=version, alias=alias, format=fmt)
        else:
            request = RenderCard.build(card=card, format=fmt)
        document = self._transport.download(request)
        return write_document(document, path, [Path.cwd(), self._transport.settings.home], "a card")

    def _card(self, request: Any) -> ModelCard:
        """The card a request gives, rendering with this client's templates (``MAESTRO_CARD_TEMPLATES``)."""
        card: ModelCard = self._transport.call(request)
        card._template_dir = self._transport.settings.card_templates
        return card

    def schema(self) -> dict[str, Any]:
        """The JSON Schema every ``card.json`` validates against."""
        from ..analysis.cards import card_json_schema

        return card_json_schema()


def write_document(document: Document, path: str | Path, roots: list[Path], what: str = "a file") -> Path:
    """Write ``document`` to ``path`` (a file, or a folder for the document's own name), which must lie under one of
    ``roots``; returns where it went."""
    text = str(path)
    if not text or "\x00" in text:
        raise InvalidParameter("A file path is required")
    try:  # inspecting a path can fail too (a name too long, a loop of links)
        target = Path(text).expanduser()
        if target.is_dir() or text.endswith(("/", os.sep)):
            target = target / document.file_name
        resolved = target.resolve()
    except (OSError, RuntimeError) as exc:
        raise InvalidParameter(f"Invalid path {text[:200]!r}: {exc}") from None
    allowed = [r.expanduser().resolve() for r in roots]
    if not any(resolved.is_relative_to(r) for r in allowed):
        where = " or ".join(str(r) for r in allowed)
        raise PermissionDenied(f"{text}: {what} can only be saved under {where}")
    try:
        if not resolved.parent.is_dir():
            raise InvalidParameter(f"Cannot write {text}: folder {resolved.parent} does not exist")
        resolved.write_bytes(document.content)
    except OSError as exc:
        raise InvalidParameter(f"Cannot write {text}: {exc.strerror or exc}") from None
    return resolved


def __getattr__(name: str) -> Any:
    # The magics show cards through CardOutput; it imports the card renderer, so it loads on first use.
    if name == "CardOutput":
        from ..analysis.cards.view import CardOutput

        return CardOutput
    if name == "CardRenderWarning":  # what a card's rendering lost (e.g. characters no font has in the PDF)
        from ..analysis.cards.render import CardRenderWarning

        return CardRenderWarning
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
