"""Model cards: the schema, the builder, Markdown round trips and rendering (pure: no MLflow here)."""

from .builder import ReviewState, build_card, completeness, fingerprint
from .schema import SCHEMA_VERSION, CardFacts, CardSections, ModelCard, card_json_schema

__all__ = [
    "SCHEMA_VERSION",
    "CardFacts",
    "CardSections",
    "ModelCard",
    "ReviewState",
    "build_card",
    "card_json_schema",
    "completeness",
    "fingerprint",
]
