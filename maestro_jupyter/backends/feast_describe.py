"""Feast's objects described Maestro's way: feature views, entities, data sources and feature services as the
entities of :mod:`maestro_jupyter.entities.featurestore`, with freshness (last materialization, rows in the online
store) and search. Pure functions of the objects the registry returned, but for :func:`online_rows`, which counts
rows in a SQLite online store."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..entities.featurestore import (
    DataSourceInfo,
    EntityInfo,
    FeatureField,
    FeatureSearchHit,
    FeatureServiceInfo,
    FeatureStoreOverview,
    FeatureViewSummary,
)
from .feast_store import view_kind

#: Source classes and what they are called here.
_SOURCE_KINDS = {
    "FileSource": "file",
    "RequestSource": "request",
    "PushSource": "push",
    "PostgreSQLSource": "postgres",
    "KafkaSource": "kafka",
    "KinesisSource": "kinesis",
    "BigQuerySource": "bigquery",
    "SnowflakeSource": "snowflake",
    "RedshiftSource": "redshift",
    "SparkSource": "spark",
}


def _epoch(value: Any) -> float | None:
    """A datetime as epoch seconds (a naive one is UTC, as Feast writes them); ``None`` for none."""
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return float(value.timestamp())


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def last_materialized(view: Any) -> float | None:
    """The end of the view's latest materialization into the online store (epoch seconds); ``None`` if never."""
    ends = [_epoch(end) for _start, end in getattr(view, "materialization_intervals", None) or []]
    found = [e for e in ends if e is not None]
    return max(found) if found else None


def services_by_view(services: Iterable[Any]) -> dict[str, list[str]]:
    """Which feature services use each view."""
    found: dict[str, list[str]] = {}
    for service in services:
        for projection in service.feature_view_projections:
            names = found.setdefault(projection.name, [])
            if service.name not in names:
                names.append(service.name)
    return found


def _view_entities(view: Any, views: dict[str, Any]) -> list[str]:
    if view_kind(view) != "on_demand":
        return [e for e in (getattr(view, "entities", None) or []) if e != "__dummy"]
    entities: list[str] = []
    for name in getattr(view, "source_feature_view_projections", None) or {}:
        for entity in _view_entities(views[name], views) if name in views else []:
            if entity not in entities:
                entities.append(entity)
    return entities


def _source_name(source: Any) -> str | None:
    return _text(getattr(source, "name", None)) or None if source is not None else None


def describe_view(
    view: Any, views: dict[str, Any], services: dict[str, list[str]], rows: dict[str, int] | None
) -> FeatureViewSummary:
    """A feature view (batch, stream or on-demand) with its schema, freshness and the services that use it."""
    kind = view_kind(view)
    ttl = getattr(view, "ttl", None)
    if kind == "on_demand":
        source = None
        inputs = [*(getattr(view, "source_feature_view_projections", None) or {})]
        inputs += [*(getattr(view, "source_request_sources", None) or {})]
    else:
        source = _source_name(getattr(view, "stream_source", None) or getattr(view, "batch_source", None))
        inputs = []
    return FeatureViewSummary(
        name=view.name,
        kind=kind,  # type: ignore[arg-type]
        entities=_view_entities(view, views),
        features=[
            FeatureField(name=f.name, dtype=str(f.dtype), description=_text(f.description), tags=dict(f.tags or {}))
            for f in view.features
        ],
        owner=_text(getattr(view, "owner", "")),
        description=_text(getattr(view, "description", "")),
        tags=dict(getattr(view, "tags", None) or {}),
        ttl_seconds=(ttl.total_seconds() or None) if ttl and kind != "on_demand" else None,
        source=source,
        sources=inputs,
        last_materialized=last_materialized(view) if kind != "on_demand" else None,
        online_rows=None if kind == "on_demand" or rows is None else rows.get(view.name, 0),
        services=services.get(view.name, []),
    )


def describe_entity(entity: Any, views: dict[str, Any]) -> EntityInfo:
    """An entity and the views keyed by it."""
    keys = list(getattr(entity, "join_keys", None) or [entity.join_key])
    value_type = getattr(entity.value_type, "name", str(entity.value_type))
    return EntityInfo(
        name=entity.name,
        join_keys=keys,
        value_type="" if value_type == "UNKNOWN" else value_type,
        description=_text(entity.description),
        owner=_text(getattr(entity, "owner", "")),
        tags=dict(entity.tags or {}),
        views=[name for name, view in views.items() if entity.name in _view_entities(view, views)],
    )


def _source_views(source_name: str, views: dict[str, Any]) -> list[str]:
    found = []
    for name, view in views.items():
        if view_kind(view) == "on_demand":
            if source_name in (getattr(view, "source_request_sources", None) or {}):
                found.append(name)
        elif source_name in {
            _source_name(getattr(view, "batch_source", None)),
            _source_name(getattr(view, "stream_source", None)),
        }:
            found.append(name)
    return found


def describe_source(source: Any, views: dict[str, Any]) -> DataSourceInfo:
    """A data source: its kind, where it is, its timestamp columns and the views that read it."""
    cls = type(source).__name__
    location = getattr(source, "path", None) or getattr(source, "table", None) or getattr(source, "query", None)
    return DataSourceInfo(
        name=source.name,
        kind=_SOURCE_KINDS.get(cls, cls.removesuffix("Source").lower() or cls),
        location=_text(location) or None,
        timestamp_field=_text(getattr(source, "timestamp_field", None)) or None,
        created_timestamp_column=_text(getattr(source, "created_timestamp_column", None)) or None,
        views=_source_views(source.name, views),
    )


def describe_service(service: Any) -> FeatureServiceInfo:
    """A feature service: its features as ``view:feature`` and its views."""
    projections = list(service.feature_view_projections)
    return FeatureServiceInfo(
        name=service.name,
        description=_text(service.description),
        owner=_text(service.owner),
        tags=dict(service.tags or {}),
        features=[f"{p.name}:{f.name}" for p in projections for f in p.features],
        views=list(dict.fromkeys(p.name for p in projections)),
        created_at=_epoch(getattr(service, "created_timestamp", None)),
    )


def describe_store(
    store: Any,
    repo: Path,
    registry_version: str,
    views: dict[str, Any],
    counts: dict[str, int],
) -> FeatureStoreOverview:
    """The store at a glance. ``counts``: the numbers of entities, sources and services."""
    config = store.config
    kinds = [view_kind(v) for v in views.values()]
    ends = [last_materialized(v) for v in views.values() if view_kind(v) != "on_demand"]
    found = [e for e in ends if e is not None]
    return FeatureStoreOverview(
        project=str(store.project),
        repo=str(repo),
        registry_version=registry_version,
        provider=_text(getattr(config, "provider", "")),
        online_store=_text(getattr(getattr(config, "online_store", None), "type", "")),
        offline_store=_text(getattr(getattr(config, "offline_store", None), "type", "")),
        views=sum(1 for k in kinds if k != "on_demand"),
        on_demand_views=sum(1 for k in kinds if k == "on_demand"),
        entities=counts.get("entities", 0),
        sources=counts.get("sources", 0),
        services=counts.get("services", 0),
        last_materialized=max(found) if found else None,
    )


def online_rows(store: Any, views: Iterable[str]) -> dict[str, int] | None:
    """Entities held in a SQLite online store, per view (``None`` for other online stores, which are not counted:
    a scan of a team's store is no browsing-time work)."""
    config = store.config.online_store
    if _text(getattr(config, "type", "")) != "sqlite":
        return None
    path = Path(str(config.path))
    if not path.is_absolute():
        path = Path(store.repo_path) / path
    if not path.exists():
        return dict.fromkeys(views, 0)
    counts: dict[str, int] = {}
    # Read-only: counting must never create the file or take a write lock a materialization waits on.
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for view in views:
            table = f"{store.project}_{view}"
            if table not in tables:
                counts[view] = 0
                continue
            quoted = table.replace('"', '""')
            counts[view] = int(db.execute(f'SELECT COUNT(DISTINCT entity_key) FROM "{quoted}"').fetchone()[0])  # noqa: S608 (a table name from the registry, quoted)
    return counts


def matches(query: str, *texts: Any) -> bool:
    """Whether any of ``texts`` (strings, or dicts of tags) contains ``query``, case-insensitively."""
    needle = query.casefold()
    for text in texts:
        if isinstance(text, dict):
            if any(needle in f"{k}={v}".casefold() for k, v in text.items()):
                return True
        elif isinstance(text, list | tuple):
            if any(needle in str(t).casefold() for t in text):
                return True
        elif text and needle in str(text).casefold():
            return True
    return False


def view_matches(view: FeatureViewSummary, query: str) -> bool:
    """Whether a view's name, features, description, owner or tags contain ``query``."""
    return matches(
        query,
        view.name,
        [f.name for f in view.features],
        [f.description for f in view.features],
        view.description,
        view.owner,
        view.tags,
        view.entities,
    )


def search(
    query: str,
    views: list[FeatureViewSummary],
    entities: list[EntityInfo],
    sources: list[DataSourceInfo],
    services: list[FeatureServiceInfo],
    limit: int = 200,
) -> list[FeatureSearchHit]:
    """Everything whose name contains ``query`` (first), then whatever mentions it in a description, owner or tags."""
    by_name: list[FeatureSearchHit] = []
    by_text: list[FeatureSearchHit] = []

    def add(hit: FeatureSearchHit, name: str, *texts: Any) -> None:
        if matches(query, name):
            by_name.append(hit)
        elif matches(query, *texts):
            by_text.append(hit)

    for v in views:
        add(
            FeatureSearchHit(kind="view", name=v.name, description=v.description),
            v.name,
            v.description,
            v.owner,
            v.tags,
        )
        for f in v.features:
            hit = FeatureSearchHit(kind="feature", name=f.name, view=v.name, description=f.description)
            add(hit, f.name, f.description, f.tags)
    for e in entities:
        add(FeatureSearchHit(kind="entity", name=e.name, description=e.description), e.name, e.join_keys, e.description)
    for s in sources:
        add(FeatureSearchHit(kind="source", name=s.name, description=s.location or ""), s.name, s.location)
    for svc in services:
        hit = FeatureSearchHit(kind="service", name=svc.name, description=svc.description)
        add(hit, svc.name, svc.description, svc.owner, svc.tags)
    return (by_name + by_text)[:limit]
