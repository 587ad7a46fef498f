"""Requests about feature lineage: which model versions were trained on a feature service or view, and which
features a model's versions were trained on (read from their source runs' ``FEATURE_*`` tags)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, model_validator

from ..entities.feature_lineage import FeatureLineage
from ..errors import InvalidParameter
from . import rules
from .base import Request
from .registry import ModelName, Version


def feature_store_name(value: object) -> str:
    """A feature service's or view's name: 1-256 printable characters (Feast's names are free text)."""
    return rules.name(value, "feature service or view name")


FeatureStoreName = Annotated[str, BeforeValidator(feature_store_name)]


class GetFeatureLineage(Request):
    """Feature lineage, one way or the other: the model versions trained on a feature ``service`` or ``view``
    (newest training first), or the features a ``model``'s versions (or its ``version``) were trained on. Exactly
    one of service, view or model; a version only with a model."""

    operation: ClassVar[str] = "feature_lineage.get"
    result: ClassVar[Any] = FeatureLineage

    service: FeatureStoreName | None = Field(default=None, description="A feature service: the versions trained on it")
    view: FeatureStoreName | None = Field(default=None, description="A feature view: the versions trained on it")
    model: ModelName | None = Field(default=None, description="A registered model: what its versions trained on")
    version: Version | None = Field(default=None, description="With model: only this version")

    @model_validator(mode="after")
    def _exactly_one(self) -> GetFeatureLineage:
        given = [name for name in ("service", "view", "model") if getattr(self, name) is not None]
        if len(given) != 1:
            raise InvalidParameter(
                "Give exactly one of service, view or model (with an optional version)"
                + (f", not {' and '.join(given)}" if given else "")
            )
        if self.version is not None and self.model is None:
            raise InvalidParameter("A version needs its model")
        return self
