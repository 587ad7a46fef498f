"""Requests of the feature store (Feast): browse and search it, build point-in-time training sets, save a selection
of features as a feature service, and read online values.

Features are named ``view:feature``; a bare view name stands for all its features. A training set or an online
lookup names either ``features`` or a feature ``service``, exactly one.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Self

from pydantic import BeforeValidator, Field, model_validator

from ..entities.featurestore import (
    DataSourceList,
    EntityList,
    FeatureSearchResult,
    FeatureServiceInfo,
    FeatureServiceList,
    FeatureStoreOverview,
    FeatureViewList,
    FeatureViewSummary,
    OnlineFeatures,
    TrainingSet,
)
from ..entities.frames import Frame
from ..errors import InvalidParameter
from . import rules
from .base import Request

MAX_NAME = 256
MAX_FEATURES = 10_000
MAX_ONLINE_ENTITIES = 10_000
MAX_QUERY = 256
MAX_TAGS = 100

# Names Feast can hold and a URL path can carry: printable, no whitespace, no ':' (it separates view and feature),
# no '/' (a path segment).
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,255}$")
_SERVICE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,127}$")


def feast_name(value: object, what: str = "name") -> str:
    """The name of a feature view, entity, source or service: letters, digits, ``_``, ``.`` and ``-``."""
    if not isinstance(value, str) or not _NAME.match(value):
        shown = repr(value[:MAX_NAME]) if isinstance(value, str) else type(value).__name__
        raise InvalidParameter(
            f"Invalid {what} {shown}: up to {MAX_NAME} letters, digits, '_', '.' or '-', starting with a letter, "
            "digit or '_'"
        )
    return value


def service_name(value: object) -> str:
    """A new feature service's name: a letter or ``_``, then letters, digits, ``_`` or ``-`` (at most 128)."""
    if not isinstance(value, str) or not _SERVICE_NAME.match(value):
        shown = repr(value[:MAX_NAME]) if isinstance(value, str) else type(value).__name__
        raise InvalidParameter(
            f"Invalid feature service name {shown}: a letter or '_', then up to 127 letters, digits, '_' or '-'"
        )
    return value


def feature_ref(value: object) -> str:
    """``view:feature``, or a bare ``view`` for all its features."""
    if not isinstance(value, str):
        raise InvalidParameter(f"A feature is named 'view:feature' or 'view', not {type(value).__name__}")
    view, sep, feature = value.strip().partition(":")
    if not _NAME.match(view) or (sep and not _NAME.match(feature)):
        raise InvalidParameter(f"Invalid feature {value[: 2 * MAX_NAME]!r}: name it 'view:feature' or 'view'")
    return f"{view}:{feature}" if sep else view


def _search(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_QUERY:
        raise InvalidParameter(f"A search is a text of at most {MAX_QUERY} characters")
    return value.strip() or None


def _query(value: object) -> str:
    found = _search(value)
    if found is None:
        raise InvalidParameter("Say what to search for")
    return found


FeastName = Annotated[str, BeforeValidator(feast_name), Field(description="A name in the feature store")]
ServiceName = Annotated[
    str, BeforeValidator(service_name), Field(description="A feature service name (letters, digits, '_', '-')")
]
FeatureRef = Annotated[str, BeforeValidator(feature_ref), Field(description="'view:feature', or 'view' for all")]
Search = Annotated[
    str | None,
    BeforeValidator(_search),
    Field(description=f"Part of a name, description or tag, case-insensitive (at most {MAX_QUERY} characters)"),
]
TagKey = Annotated[str, BeforeValidator(rules.tag_key)]
TagValue = Annotated[str, BeforeValidator(rules.tag_value)]
#: An entity key's value in an online lookup.
EntityValue = Annotated[str | int | float, Field(description="An entity key's value")]


class _Selection(Request):
    """What a training set or an online lookup reads: ``features`` (``view:feature`` or ``view``) or a feature
    ``service``, exactly one."""

    features: list[FeatureRef] | None = Field(default=None, min_length=1, max_length=MAX_FEATURES)
    service: FeastName | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> Self:
        if (self.features is None) == (self.service is None):
            raise InvalidParameter("Name the features ('view:feature' or 'view') or a feature service, exactly one")
        return self


class GetFeatureStore(Request):
    """The feature store at a glance: project, repository, stores, what it holds, when it was last materialized."""

    operation: ClassVar[str] = "featurestore.overview"
    result: ClassVar[Any] = FeatureStoreOverview
    changes: ClassVar[bool] = False


class ListFeatureViews(Request):
    """Feature views (batch, on-demand, stream) with their schema and freshness; ``search`` narrows them to those
    whose name, features, description, owner or tags contain it."""

    operation: ClassVar[str] = "featurestore.list_views"
    result: ClassVar[Any] = FeatureViewList
    changes: ClassVar[bool] = False

    search: Search = None


class GetFeatureView(Request):
    """One feature view (or on-demand view): schema, owner, tags, description, TTL, sources, freshness, services."""

    operation: ClassVar[str] = "featurestore.get_view"
    result: ClassVar[Any] = FeatureViewSummary
    changes: ClassVar[bool] = False

    name: FeastName


class ListEntities(Request):
    """The entities features are keyed by, with their join keys and the views that use them."""

    operation: ClassVar[str] = "featurestore.list_entities"
    result: ClassVar[Any] = EntityList
    changes: ClassVar[bool] = False


class ListDataSources(Request):
    """The data sources the views read, with where they are and their timestamp columns."""

    operation: ClassVar[str] = "featurestore.list_sources"
    result: ClassVar[Any] = DataSourceList
    changes: ClassVar[bool] = False


class ListFeatureServices(Request):
    """Feature services (named selections of features); ``search`` narrows them by name, feature or description."""

    operation: ClassVar[str] = "featurestore.list_services"
    result: ClassVar[Any] = FeatureServiceList
    changes: ClassVar[bool] = False

    search: Search = None


class GetFeatureService(Request):
    """One feature service: its features (``view:feature``), views, owner, tags and description."""

    operation: ClassVar[str] = "featurestore.get_service"
    result: ClassVar[Any] = FeatureServiceInfo
    changes: ClassVar[bool] = False

    name: FeastName


class SearchFeatureStore(Request):
    """Views, features, entities, sources and services whose name (first), description or tags contain ``query``."""

    operation: ClassVar[str] = "featurestore.search"
    result: ClassVar[Any] = FeatureSearchResult
    changes: ClassVar[bool] = False

    query: Annotated[str, BeforeValidator(_query), Field(description="What to look for, case-insensitive")]


class BuildTrainingSet(_Selection):
    """A point-in-time-correct training set: ``entity_df`` holds the entity keys and, in ``timestamp_column``, the
    time each row is about (its label's time); every row comes back, in order, with the feature values as they were
    then (never later ones)."""

    operation: ClassVar[str] = "featurestore.training_set"
    result: ClassVar[Any] = TrainingSet
    changes: ClassVar[bool] = False

    entity_df: Frame = Field(description="The entity keys and event timestamps (base64 Parquet)")
    timestamp_column: str = Field(default="event_timestamp", min_length=1, max_length=MAX_NAME)


class SaveFeatureService(Request):
    """Save a selection of features as a Feast feature service, for training and serving to use. A name already
    taken is a conflict unless ``overwrite``."""

    operation: ClassVar[str] = "featurestore.save_service"
    result: ClassVar[Any] = FeatureServiceInfo
    changes: ClassVar[bool] = True

    name: ServiceName
    features: list[FeatureRef] = Field(min_length=1, max_length=MAX_FEATURES)
    description: Annotated[str, BeforeValidator(rules.description)] = ""
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, max_length=MAX_TAGS)
    overwrite: bool = False


class GetOnlineFeatures(_Selection):
    """The latest feature values of some entities from the online store (``[{"customer_id": 7}, ...]``); values the
    store lacks or holds beyond their view's TTL are named as missing or stale."""

    operation: ClassVar[str] = "featurestore.online"
    result: ClassVar[Any] = OnlineFeatures
    changes: ClassVar[bool] = False

    entities: list[dict[Annotated[str, Field(min_length=1, max_length=MAX_NAME)], EntityValue]] = Field(
        min_length=1, max_length=MAX_ONLINE_ENTITIES, description="One object of entity keys per entity"
    )
