"""Requests about model cards.

A card belongs to a model version: ``name`` and ``version`` (else the version ``alias`` names, else the newest).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from ..analysis.cards.schema import ModelCard
from ..errors import InvalidParameter
from . import rules
from .base import Document, Request

CARD_FORMATS = ("md", "html", "pdf", "json")


def _optional(rule: Any) -> Any:
    return BeforeValidator(lambda value: None if value is None else rule(value))


ModelName = Annotated[str, BeforeValidator(rules.name)]
Version = Annotated[str | None, _optional(rules.version), Field(description="The version number (default: the newest)")]
Alias = Annotated[
    str | None, _optional(rules.alias), Field(description="An alias naming the version, when no version is given")
]


def _comment(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 2000:
        raise InvalidParameter("An approval comment may have at most 2000 characters")
    return value


Comment = Annotated[
    Annotated[str, Field(max_length=2000)] | None, BeforeValidator(_comment), Field(description="Why it was approved")
]


def _format(value: Any) -> Any:
    from ..analysis.cards.render import check_format

    return None if value is None else check_format(value)


class CardRequest(Request):
    """A request about one version's card."""

    name: ModelName
    version: Version = None
    alias: Alias = None


class GenerateCard(CardRequest):
    """The card of a version, built afresh from the registry; with ``save`` (default), its Markdown, HTML, PDF and
    JSON are stored as artifacts of the version."""

    operation: ClassVar[str] = "cards.generate"
    result: ClassVar[Any] = ModelCard

    save: bool = True


class UpdateCard(CardRequest):
    """Change a model card. Everything is optional: ``sections`` replaces the given fields (``null`` clears one),
    ``markdown`` loads an edited ``card.md`` back, ``status`` approves (``approved``) or reopens (``draft``) it.
    An approved card whose sections change becomes a draft again. An empty body regenerates and saves the card."""

    operation: ClassVar[str] = "cards.update"
    result: ClassVar[Any] = ModelCard

    sections: dict[str, Any] | None = Field(default=None, description="Card section fields (see CardSections)")
    markdown: str | None = Field(default=None, max_length=500_000)
    status: Literal["draft", "approved"] | None = None
    comment: Comment = None


class ApproveCard(CardRequest):
    """Approve the card as it stands, recording who, when, why and what the version looked like. The required
    sections must be written first."""

    operation: ClassVar[str] = "cards.approve"
    result: ClassVar[Any] = ModelCard

    comment: Comment = None


class ReopenCard(CardRequest):
    """Withdraw the approval: the card is a draft again."""

    operation: ClassVar[str] = "cards.reopen"
    result: ClassVar[Any] = ModelCard


class RenderCard(Request):
    """A card as a file (md, html, pdf or json; default html): the given ``card``, or the version's card as it
    stands (nothing is saved)."""

    operation: ClassVar[str] = "cards.render"
    result: ClassVar[Any] = Document

    name: ModelName | None = None
    version: Version = None
    alias: Alias = None
    card: ModelCard | None = Field(default=None, description="A card to render, instead of the version's")
    format: Annotated[str | None, BeforeValidator(_format)] = Field(
        default=None, json_schema_extra={"enum": [*CARD_FORMATS, None]}
    )

    @model_validator(mode="after")
    def _one_card(self) -> Self:
        if (self.name is None) == (self.card is None):
            raise InvalidParameter("Name the model (name, version or alias) or give the card, not both")
        return self
