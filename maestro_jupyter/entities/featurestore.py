"""Results of the feature store (Feast): what the store holds, searches, training sets and online lookups.

Each result reads like the others: a one-line summary first, then the details folded (:mod:`.display`). The names
follow Feast's: a *feature view* is a table of features keyed by entities and stamped with event times; an
*on-demand view* computes features at request time; a *feature service* is a named selection of features that
training and serving share. Features are referred to as ``view:feature``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from . import display
from . import formatting as fmt
from .base import _Displayable, _Page
from .frames import Frame

__all__ = [
    "DataSourceInfo",
    "DataSourceList",
    "EntityInfo",
    "EntityList",
    "FeatureField",
    "FeatureSearchHit",
    "FeatureSearchResult",
    "FeatureServiceInfo",
    "FeatureServiceList",
    "FeatureStoreOverview",
    "FeatureViewList",
    "FeatureViewSummary",
    "OnlineFeatures",
    "TrainingSet",
]

ViewKind = Literal["batch", "on_demand", "stream"]
HitKind = Literal["view", "feature", "entity", "source", "service"]


class _Shown(_Displayable):
    """A feature-store result that reads as a card (or, for a list, a table) of its own."""

    def _card(self) -> display.Card:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return display.card_html(self._card())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": str(self)}

    def __str__(self) -> str:
        return display.card_text(self._card())


class _ShownList(_Page):
    """A list of feature-store results that reads as a titled table."""

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return display.html_table(*self._table()[1:], title=self._table()[0])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": str(self)}

    def __str__(self) -> str:
        title, headers, rows = self._table()
        return display.text_table(headers, rows, title=title)


def _ttl(seconds: float | None) -> str:
    return "no limit" if not seconds else fmt.duration(seconds, coarse=True)


def _tags(tags: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))


class FeatureField(BaseModel):
    """One feature of a view: its name, Feast type (``Int64``, ``Float32``, ``String``...), description and tags."""

    name: str
    dtype: str
    description: str = ""
    tags: dict[str, str] = Field(default_factory=dict)


class FeatureViewSummary(_Shown):
    """A feature view (``batch``), an on-demand view (``on_demand``) or a stream view (``stream``).

    ``ttl_seconds``: how far back a value may be and still count (``None``: no limit). ``source``: the batch source's
    name; ``sources``: an on-demand view's inputs (views and request sources). Freshness: ``last_materialized``
    (epoch seconds: the end of the last materialization into the online store) and ``online_rows`` (rows in the
    online store, where the store can count them). ``services``: the feature services that use the view."""

    name: str
    kind: ViewKind
    entities: list[str] = Field(default_factory=list)
    features: list[FeatureField] = Field(default_factory=list)
    owner: str = ""
    description: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    ttl_seconds: float | None = None
    source: str | None = None
    sources: list[str] = Field(default_factory=list)
    last_materialized: float | None = None
    online_rows: int | None = None
    services: list[str] = Field(default_factory=list)

    def _freshness(self) -> str:
        if self.kind == "on_demand":
            return "computed on request"
        if self.last_materialized is None:
            return "never materialized"
        rows = f", {fmt.count(self.online_rows, 'row')} online" if self.online_rows is not None else ""
        return f"materialized {fmt.relative(self.last_materialized)}{rows}"

    def _card(self) -> display.Card:
        kind = {"batch": "Feature view", "on_demand": "On-demand view", "stream": "Stream view"}[self.kind]
        summary: list[Any] = [f"{kind} {self.name}", fmt.count(len(self.features), "feature"), self._freshness()]
        if self.entities:
            summary.append("keyed by " + ", ".join(self.entities))
        fields: list[tuple[str, Any]] = [
            ("description", self.description),
            ("owner", self.owner),
            ("TTL", _ttl(self.ttl_seconds) if self.kind != "on_demand" else ""),
            ("source", self.source),
            ("inputs", ", ".join(self.sources)),
            ("services", ", ".join(self.services)),
            ("last materialized", fmt.when(self.last_materialized)),
            ("tags", dict(sorted(self.tags.items()))),
        ]
        rows = [[f.name, f.dtype, f.description, _tags(f.tags)] for f in self.features]
        return display.Card(summary, fields, tables=[("Schema", ["feature", "type", "description", "tags"], rows)])


class FeatureViewList(_ShownList):
    """Feature views (batch, on-demand and stream), by name; ``total`` before any search narrowed them."""

    items: list[FeatureViewSummary]
    total: int

    def _items(self) -> list[FeatureViewSummary]:
        return self.items

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        headers = ["view", "kind", "entities", "features", "TTL", "freshness", "owner", "description"]
        rows = [
            [
                v.name,
                v.kind.replace("_", "-"),
                ", ".join(v.entities),
                len(v.features),
                _ttl(v.ttl_seconds) if v.kind != "on_demand" else "",
                v._freshness(),
                v.owner,
                v.description,
            ]
            for v in self.items
        ]
        shown = fmt.count(len(rows), "feature view")
        return (shown if len(rows) == self.total else f"{shown} of {fmt.number(self.total)}"), headers, rows


class EntityInfo(_Shown):
    """An entity: what features are keyed by (``customer``, joined on ``customer_id``), and the views that use it."""

    name: str
    join_keys: list[str] = Field(default_factory=list)
    value_type: str = ""
    description: str = ""
    owner: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    views: list[str] = Field(default_factory=list)

    def _card(self) -> display.Card:
        summary: list[Any] = [f"Entity {self.name}", "joined on " + ", ".join(self.join_keys), self.value_type]
        fields: list[tuple[str, Any]] = [
            ("description", self.description),
            ("owner", self.owner),
            ("views", ", ".join(self.views)),
            ("tags", dict(sorted(self.tags.items()))),
        ]
        return display.Card(summary, fields)


class EntityList(_ShownList):
    """Entities, by name."""

    items: list[EntityInfo]

    def _items(self) -> list[EntityInfo]:
        return self.items

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        headers = ["entity", "join keys", "type", "views", "description"]
        rows = [[e.name, ", ".join(e.join_keys), e.value_type, ", ".join(e.views), e.description] for e in self.items]
        return fmt.count(len(rows), "entity", "entities"), headers, rows


class DataSourceInfo(_Shown):
    """Where a view's rows come from: a Parquet file, a table, a request source (on-demand inputs), a push source."""

    name: str
    kind: str
    location: str | None = None
    timestamp_field: str | None = None
    created_timestamp_column: str | None = None
    views: list[str] = Field(default_factory=list)

    def _card(self) -> display.Card:
        fields: list[tuple[str, Any]] = [
            ("location", self.location),
            ("event time", self.timestamp_field),
            ("created time", self.created_timestamp_column),
            ("views", ", ".join(self.views)),
        ]
        return display.Card([f"Data source {self.name}", self.kind], fields)


class DataSourceList(_ShownList):
    """Data sources, by name."""

    items: list[DataSourceInfo]

    def _items(self) -> list[DataSourceInfo]:
        return self.items

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        headers = ["source", "kind", "location", "event time", "views"]
        rows = [[s.name, s.kind, s.location or "", s.timestamp_field or "", ", ".join(s.views)] for s in self.items]
        return fmt.count(len(rows), "data source"), headers, rows


class FeatureServiceInfo(_Shown):
    """A feature service: a named selection of features (``view:feature``) that training and serving share."""

    name: str
    description: str = ""
    owner: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    features: list[str] = Field(default_factory=list)
    views: list[str] = Field(default_factory=list)
    created_at: float | None = None

    def _card(self) -> display.Card:
        summary: list[Any] = [
            f"Feature service {self.name}",
            f"{fmt.count(len(self.features), 'feature')} from {fmt.count(len(self.views), 'view')}",
        ]
        if self.created_at:
            summary.append(f"created {fmt.relative(self.created_at)}")
        fields: list[tuple[str, Any]] = [
            ("description", self.description),
            ("owner", self.owner),
            ("views", ", ".join(self.views)),
            ("tags", dict(sorted(self.tags.items()))),
        ]
        code = [("Train on it", f'ml.features.training_set(entity_df, service="{self.name}")')]
        rows = [[*ref.split(":", 1)] for ref in self.features]
        return display.Card(summary, fields, code, tables=[("Features", ["view", "feature"], rows)])


class FeatureServiceList(_ShownList):
    """Feature services, by name."""

    items: list[FeatureServiceInfo]

    def _items(self) -> list[FeatureServiceInfo]:
        return self.items

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        headers = ["service", "features", "views", "owner", "created", "description"]
        rows = [
            [s.name, len(s.features), ", ".join(s.views), s.owner, fmt.relative(s.created_at), s.description]
            for s in self.items
        ]
        return fmt.count(len(rows), "feature service"), headers, rows


class FeatureStoreOverview(_Shown):
    """The feature store at a glance: its project and repository, where it keeps things, and what it holds
    (counts of views, on-demand views, entities, sources and services); ``last_materialized`` is the latest
    materialization of any view (epoch seconds)."""

    project: str
    repo: str
    registry_version: str = ""
    provider: str = ""
    online_store: str = ""
    offline_store: str = ""
    views: int = 0
    on_demand_views: int = 0
    entities: int = 0
    sources: int = 0
    services: int = 0
    last_materialized: float | None = None

    def _card(self) -> display.Card:
        summary: list[Any] = [
            f"Feature store {self.project}",
            f"{fmt.count(self.views, 'feature view')}, {fmt.count(self.on_demand_views, 'on-demand view')}, "
            f"{fmt.count(self.services, 'feature service')}",
            f"materialized {fmt.relative(self.last_materialized)}" if self.last_materialized else "never materialized",
        ]
        fields: list[tuple[str, Any]] = [
            ("repository", self.repo),
            ("registry version", self.registry_version),
            ("provider", self.provider),
            ("online store", self.online_store),
            ("offline store", self.offline_store),
            ("entities", fmt.number(self.entities)),
            ("data sources", fmt.number(self.sources)),
        ]
        return display.Card(summary, fields, [("Browse", "%maestro featurestore views")])


class FeatureSearchHit(BaseModel):
    """One match of a search: a view, a feature (of ``view``), an entity, a data source or a feature service."""

    kind: HitKind
    name: str
    view: str | None = None
    description: str = ""


class FeatureSearchResult(_ShownList):
    """What matched a search, best first (names before descriptions and tags)."""

    query: str
    items: list[FeatureSearchHit] = Field(default_factory=list)

    def _items(self) -> list[FeatureSearchHit]:
        return self.items

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        headers = ["kind", "name", "view", "description"]
        rows = [[h.kind, h.name, h.view or "", h.description] for h in self.items]
        return f"{fmt.count(len(rows), 'match', 'matches')} for {self.query!r}", headers, rows


class TrainingSet(_Shown):
    """A point-in-time-correct training set: every entity row of the request, in its order, with the feature
    values as they were at each row's timestamp (Feast's ``get_historical_features``).

    ``rows_without_features``: entity rows for which no view had a value within its TTL (their feature columns are
    empty). ``columns_by_view``: the feature columns each view contributed. ``service`` or ``refs`` say what was
    asked for, ``registry_version`` and ``project`` which store answered: the lineage a training run records."""

    frame: Frame
    service: str | None = None
    views: list[str] = Field(default_factory=list)
    refs: list[str] = Field(default_factory=list)
    registry_version: str = ""
    project: str = ""
    rows: int = 0
    rows_without_features: int = 0
    columns_by_view: dict[str, list[str]] = Field(default_factory=dict)

    def _summary(self) -> list[Any]:
        what = f"service {self.service}" if self.service else fmt.count(len(self.views), "view")
        summary: list[Any] = [
            "Training set",
            f"{fmt.count(self.rows, 'row')}, {fmt.count(len(self.refs), 'feature')} from {what}",
        ]
        if self.rows_without_features:
            summary.append(f"{fmt.count(self.rows_without_features, 'row')} without features")
        if self.registry_version:
            summary.append(f"registry {fmt.short_id(self.registry_version)}")
        return summary

    def _card(self) -> display.Card:
        fields: list[tuple[str, Any]] = [
            ("project", self.project),
            ("views", {view: ", ".join(cols) for view, cols in self.columns_by_view.items()}),
            ("registry version", self.registry_version),
        ]
        return display.Card(self._summary(), fields)

    def _head(self) -> tuple[list[str], list[list[Any]]]:
        head = self.frame.head(10) if self.frame is not None else None
        if head is None:
            return [], []
        headers = [str(c) for c in head.columns]
        rows = [[_cell(v) for v in row] for row in head.itertuples(index=False, name=None)]
        return headers, rows

    def _repr_html_(self) -> str:
        headers, rows = self._head()
        table = display.html_table(headers, rows, title=f"First {len(rows)} rows") if rows else ""
        return display.card_html(self._card()) + table

    def __str__(self) -> str:
        headers, rows = self._head()
        table = display.text_table(headers, rows, title=f"First {len(rows)} rows") if rows else ""
        return "\n".join(p for p in (display.card_text(self._card()), table) if p)


def _cell(value: Any) -> Any:
    """A frame's cell for a table: numbers formatted, missing values empty, times as text."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # integers here are mostly entity keys (customer_id 1003, not "1,003")
    if isinstance(value, float):
        return fmt.number(value)
    text = str(value)
    return "" if text in ("NaT", "<NA>", "nan") else text


class OnlineFeatures(_Shown):
    """Feature values from the online store: one row per entity (its keys and features). ``missing`` and ``stale``
    name the values the store did not have (``customer_id=7: customer_profile:plan``) or had only beyond the view's
    TTL; those cells are empty."""

    rows: list[dict[str, Any]] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    stale: list[str] = Field(default_factory=list)

    def _card(self) -> display.Card:
        summary: list[Any] = ["Online features", fmt.count(len(self.rows), "entity", "entities")]
        if self.missing:
            summary.append(f"{fmt.count(len(self.missing), 'value')} missing")
        if self.stale:
            summary.append(f"{fmt.count(len(self.stale), 'value')} stale")
        headers = list(dict.fromkeys(k for row in self.rows for k in row))
        rows = [[_cell(row.get(h)) for h in headers] for row in self.rows[:50]]
        fields: list[tuple[str, Any]] = [("missing", "; ".join(self.missing)), ("stale", "; ".join(self.stale))]
        return display.Card(summary, fields, tables=[("Values", headers, rows)])
