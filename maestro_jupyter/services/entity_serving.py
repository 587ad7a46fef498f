"""Entity-keyed predictions: a deployment of a version trained from a Feast feature service takes only entity keys
(``{"entities": [{"customer_id": 7}]}``), fetches their online features and predicts on them.

What a version needs is read once and kept: the feature service its training run recorded (run tag
``maestro.features.service``) and the model's input columns (its signature); a version never changes. The service's
features (views, join keys, TTLs) are resolved against the store at most once a minute, so a request costs one
online read (``get_online_features`` on the FeatureStore object the backend keeps) and no MLflow read (the backend
re-reads Feast's registry at most every few seconds, not per request).

A value the online store lacks (an unknown entity, a view never materialized) is ``NotFound`` naming the entity and
the features; one older than its view's TTL is ``Conflict`` naming the TTL and saying to materialize. A version not
trained from a feature service refuses entity keys (``InvalidParameter``): it takes full feature rows, as before.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import tagkeys as tk
from ..errors import Conflict, InvalidParameter, MaestroError, NotFound, first_line

if TYPE_CHECKING:
    from ..backends.feast_store import FeastBackend, OnlineLookup, ResolvedFeatures
    from .registry import RegistryService

#: How long a feature service's resolution (views, join keys, TTLs) is reused before the store is asked again: a
#: service re-applied with other features is served within this long, without a registry read per request.
RESOLVE_TTL_S = 60.0
#: How many versions' serving facts are kept (a version's never change).
MAX_CACHED_VERSIONS = 256
#: How many features or entities an error message lists before "and N more".
_LISTED = 5


@dataclass
class ServingPlan:
    """What serving one version from its feature service takes: the service, its resolved features, and the
    model's input columns in the order the model takes them (``None``: no signature; the service's order)."""

    model: str
    version: str
    service: str
    columns: list[str] | None
    resolved: ResolvedFeatures | None = None  # refreshed every RESOLVE_TTL_S
    resolved_at: float = 0.0
    #: The TTL of each batch view (seconds; None: none), for the message of a stale value.
    ttls: dict[str, float | None] = field(default_factory=dict)
    #: A feature's name as a column (``plan``, ``customer_profile__plan`` or ``customer_profile:plan``) -> its view.
    views_by_feature: dict[str, str] = field(default_factory=dict)


class EntityServing:
    """Turns entity keys into the scoring request of a version trained from a feature service."""

    def __init__(self, registry: Callable[[], RegistryService], feast: Callable[[], FeastBackend]) -> None:
        self._registry = registry
        self._feast = feast
        self._plans: OrderedDict[tuple[str, str], ServingPlan] = OrderedDict()
        self._lock = threading.Lock()

    # --- the request ---------------------------------------------------------------------------------------------

    def scoring(
        self, model: str, version: str, entities: Sequence[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """MLflow's scoring request (``dataframe_split``, in the model's input column order) for ``entities`` of a
        deployment serving ``model`` version ``version``: their online features, fetched from the store."""
        plan = self.plan(model, version)
        resolved = self._resolved(plan)
        rows = [dict(row) for row in entities]
        join_keys = list(resolved.join_keys)
        lookup = self._online(rows, resolved)
        if lookup.missing:
            raise NotFound(self._missing_message(plan, rows, lookup.missing))
        if lookup.stale:
            raise Conflict(self._stale_message(plan, rows, lookup.stale))
        frame = lookup.frame
        columns = plan.columns if plan.columns is not None else [c for c in frame.columns if c not in join_keys]
        values: list[list[Any]] = []
        for column in columns:
            source = self._column(plan, frame, column)
            if source is not None:
                values.append(frame[source].tolist())
            elif all(column in row for row in rows):
                values.append([row[column] for row in rows])
            else:
                raise InvalidParameter(
                    f"{model} version {version} takes the column '{column}', which feature service '{plan.service}' "
                    "does not give and the entities do not carry: send full feature rows (dataframe_split) instead"
                )
        # Written as Python's JSON writes floats (shortest round trip), not pandas' 10 digits: the model sees the
        # very values the store holds, as it would given the full row.
        data = [[_json_value(v) for v in row] for row in zip(*values, strict=True)] if values else [[] for _ in rows]
        request: dict[str, Any] = {"dataframe_split": {"columns": columns, "data": data}}
        if params:
            request["params"] = dict(params)
        return request

    def _online(self, rows: list[dict[str, Any]], resolved: ResolvedFeatures) -> OnlineLookup:
        try:
            return self._feast().online(rows, resolved)
        except MaestroError:
            raise
        except (KeyError, ValueError, TypeError) as exc:
            # Feast's own refusal of the keys (a key of the wrong type, a field it does not know): the caller's input.
            raise InvalidParameter(f"The feature store refused the entity keys: {first_line(exc, 300)}") from None

    @staticmethod
    def _column(plan: ServingPlan, frame: Any, column: str) -> str | None:
        """The lookup frame's column that holds the model's input ``column`` (Feast names features with or without
        their view: the model's signature says which it was trained on)."""
        if column in frame.columns:
            return column
        view = plan.views_by_feature.get(column)
        if view is None:
            return None
        bare = column.split(":", 1)[-1].removeprefix(f"{view}__")
        for candidate in (bare, f"{view}__{bare}"):
            if candidate in frame.columns:
                return candidate
        return None

    # --- what a version needs (cached) ---------------------------------------------------------------------------

    def plan(self, model: str, version: str) -> ServingPlan:
        """The version's serving facts, read once: the feature service its run recorded and its input columns.
        A version without one is ``InvalidParameter`` (not cached: its run may be tagged later)."""
        key = (model, str(version))
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
                return plan
        detail = self._registry().version_detail(model, version=str(version))
        tags = detail.run.tags if detail.run is not None else {}
        service = tags.get(tk.FEATURE_SERVICE)
        if not service:
            how = (
                f"it was trained on the features {tags[tk.FEATURE_REFS]}, not a feature service"
                if tags.get(tk.FEATURE_REFS)
                else "its training run names no feature service"
            )
            raise InvalidParameter(
                f"{model} version {version} takes full feature rows, not entity keys: {how} (run tag "
                f"{tk.FEATURE_SERVICE}). Send dataframe_split or dataframe_records, or train it with "
                "features=<service> to serve it by entity keys"
            )
        columns = None
        if detail.signature is not None and detail.signature.inputs:
            names = [str(c.get("name")) for c in detail.signature.inputs if c.get("name") is not None]
            columns = names or None
        plan = ServingPlan(model=model, version=str(version), service=service, columns=columns)
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > MAX_CACHED_VERSIONS:
                self._plans.popitem(last=False)
        return plan

    def _resolved(self, plan: ServingPlan) -> ResolvedFeatures:
        """The plan's service resolved against the store, at most every ``RESOLVE_TTL_S`` seconds."""
        now = time.monotonic()
        if plan.resolved is not None and now - plan.resolved_at < RESOLVE_TTL_S:
            return plan.resolved
        feast = self._feast()
        try:
            resolved = feast.resolve(None, plan.service)
        except NotFound as exc:
            raise NotFound(
                f"{plan.model} version {plan.version} was trained from feature service '{plan.service}', which the "
                f"feature store no longer has: {exc.message}"
            ) from None
        views_by_feature: dict[str, str] = {}
        for ref in resolved.refs:
            view, _, name = ref.partition(":")
            for alias in (ref, name, f"{view}__{name}"):
                views_by_feature.setdefault(alias, view)
        ttls = dict(resolved.ttl_seconds)
        with self._lock:
            plan.resolved, plan.resolved_at = resolved, now
            plan.views_by_feature, plan.ttls = views_by_feature, ttls
        return resolved

    def forget(self) -> None:
        """Drop every cached plan (the next request reads the versions and the store again)."""
        with self._lock:
            self._plans.clear()

    # --- messages ------------------------------------------------------------------------------------------------

    def _view_of(self, plan: ServingPlan, feature: str) -> str | None:
        if ":" in feature:
            return feature.split(":", 1)[0]
        return plan.views_by_feature.get(feature)

    def _ref(self, plan: ServingPlan, feature: str) -> str:
        view = self._view_of(plan, feature)
        if view is None or ":" in feature:
            return feature
        return f"{view}:{feature.removeprefix(f'{view}__')}"

    def _missing_message(
        self, plan: ServingPlan, rows: list[dict[str, Any]], missing: Sequence[tuple[int, str]]
    ) -> str:
        by_row = _group(missing)
        total = len(plan.resolved.refs) if plan.resolved is not None else None
        parts = []
        for index, features in list(by_row.items())[:_LISTED]:
            refs = [self._ref(plan, f) for f in features]
            if total is not None and len(features) >= total:
                parts.append(f"{_entity(rows[index])} (no value for any of its {total} features)")
            else:
                parts.append(f"{_entity(rows[index])} (no value for {_listed(refs)})")
        more = f" and {len(by_row) - _LISTED} more" if len(by_row) > _LISTED else ""
        return (
            f"Not in the online store of feature service '{plan.service}': {'; '.join(parts)}{more}. Check the entity "
            "keys, or materialize the views if they are new"
        )

    def _stale_message(self, plan: ServingPlan, rows: list[dict[str, Any]], stale: Sequence[tuple[int, str]]) -> str:
        by_row = _group(stale)
        views: dict[str, None] = {}
        parts = []
        for index, features in list(by_row.items())[:_LISTED]:
            refs = [self._ref(plan, f) for f in features]
            parts.append(f"{_entity(rows[index])} ({_listed(refs)})")
            for feature in features:
                if (view := self._view_of(plan, feature)) is not None:
                    views.setdefault(view)
        more = f" and {len(by_row) - _LISTED} more" if len(by_row) > _LISTED else ""
        ttl = "; ".join(f"{v}: {_duration(plan.ttls.get(v))}" for v in views) or "unknown"
        return (
            f"Stale online features for feature service '{plan.service}': {'; '.join(parts)}{more} are older than "
            f"their view's TTL ({ttl}). Materialize the views (feast materialize-incremental) to serve fresh values"
        )


def _json_value(value: Any) -> Any:
    """A feature value as JSON carries it: numpy scalars as Python's, times as ISO 8601, bytes as base64 (MLflow's
    binary columns), NaN as null."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    item = getattr(value, "item", None)
    if callable(item):
        value = item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _group(pairs: Sequence[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for index, feature in pairs:
        grouped.setdefault(int(index), []).append(str(feature))
    return grouped


def _entity(row: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" if isinstance(value, str) else f"{key}={value}" for key, value in row.items())


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "no TTL"
    for unit, size in (("day", 86400.0), ("hour", 3600.0), ("minute", 60.0)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:,.0f} s"
