"""The feature store: a Feast repository, opened from ``MAESTRO_FEAST_REPO`` (default ``MAESTRO_HOME/feature_repo``).

:class:`FeastBackend` is the one place that talks to Feast. It opens the repository's ``feature_store.yaml`` on
first use (Feast takes seconds to import, so nothing here is imported before that) and reopens it when the file
changes. It names features Maestro's way (``view:feature``; a bare view name is all its features), checks what a
caller sends before Feast sees it, and turns every failure into Maestro's typed errors: an unknown view or feature
is ``NotFound`` naming what exists, a bad entity frame ``InvalidParameter``, a store that cannot be reached
``BackendUnavailable``. Feast's own exceptions and messages never leave this module.

Point in time: a training set is Feast's ``get_historical_features``, which, for each entity row, takes the latest
feature value at or before the row's timestamp (and within the view's TTL). Feast may return the rows in another
order and (with its file offline store) leave out rows that found nothing; :meth:`FeastBackend.training_frame` puts
its answer back on the caller's rows, in the caller's order, vectorised (a row number travels through Feast).
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BackendUnavailable, Conflict, InvalidParameter, MaestroError, NotFound, first_line
from .feast_inputs import check_entity_frame, check_entity_rows, row_numbers

if TYPE_CHECKING:
    import pandas as pd
    from feast import FeatureService, FeatureStore

    from ..settings import Settings

log = logging.getLogger(__name__)

#: The default local repository's ``feature_store.yaml``: SQLite registry and online store, Parquet offline store.
LOCAL_REPO_YAML = """\
# A local Feast feature repository, created by Maestro (see https://docs.feast.dev).
project: maestro
registry: data/registry.db
provider: local
online_store:
  type: sqlite
  path: data/online_store.db
entity_key_serialization_version: 3
"""
#: The column Feast reads each entity row's time from.
FEAST_TIMESTAMP = "event_timestamp"
#: The row number that travels through Feast, so its answer can be put back on the caller's rows.
_ROW = "__maestro_row__"
#: How often (seconds) the registry is re-read before a training set or an online lookup: another process (a kernel,
#: the server, ``feast apply``) may have changed it. Listings always read it afresh.
REFRESH_SECONDS = 2.0
#: Feast's online statuses (``feast.serving.FieldStatus``).
_NULL_VALUE, _NOT_FOUND, _OUTSIDE_MAX_AGE = 2, 3, 4


@dataclass
class ResolvedFeatures:
    """What a request's ``features`` or ``service`` stand for in the store.

    ``refs``: ``view:feature`` for every feature, in order; ``views``: their views, in order; ``service``: the feature
    service's name (when one was named); ``join_keys``: the entity columns the views are keyed by; ``request_fields``:
    inputs of on-demand views that the caller sends with each row; ``feast_features``: what to hand Feast (the
    FeatureService object, or the refs); ``ttl_seconds``: each view's TTL (``None``: no limit, or on-demand)."""

    refs: list[str]
    views: list[str]
    service: str | None
    join_keys: list[str]
    feast_features: Any
    request_fields: list[str] = field(default_factory=list)
    ttl_seconds: dict[str, float | None] = field(default_factory=dict)
    #: The Feast type of each join key and request field (``INT64``, ``STRING``...), to check what callers send.
    key_types: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> dict[str, str]:
        """Each feature's column (as Feast names it: the bare feature name) and its view."""
        return {ref.split(":", 1)[1]: ref.split(":", 1)[0] for ref in self.refs}


@dataclass
class OnlineLookup:
    """Online feature values: ``frame`` has one row per entity (its keys, then the feature columns); ``missing`` and
    ``stale`` list ``(row index, "view:feature")`` for values the store lacks (or holds as null) and values older
    than their view's TTL."""

    frame: pd.DataFrame
    missing: list[tuple[int, str]]
    stale: list[tuple[int, str]]
    ttl_seconds: dict[str, float | None] = field(default_factory=dict)


def closest(name: str, names: Iterable[str], limit: int = 20) -> str:
    """``a, b, c``: ``names`` with the closest to ``name`` first (then the rest alphabetically), at most ``limit``."""
    pool = sorted(set(names))
    if not pool:
        return "none"
    near = difflib.get_close_matches(name, pool, n=len(pool), cutoff=0.5)
    ordered = near + [n for n in pool if n not in near]
    more = f" and {len(ordered) - limit} more" if len(ordered) > limit else ""
    return ", ".join(ordered[:limit]) + more


def _unreachable(exc: BaseException) -> bool:
    """Whether a failure means the registry or a store could not be reached (rather than a bad request)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(
        names & {"OperationalError", "InterfaceError", "ConnectionError", "TimeoutError", "DatabaseError"}
        or isinstance(exc, OSError)
    )


@contextmanager
def feast_errors(what: str) -> Iterator[None]:
    """Turn whatever Feast raises while doing ``what`` into a Maestro error: a store that cannot be reached is
    ``BackendUnavailable`` (with its first line, for whoever runs it); an object that does not exist ``NotFound``;
    anything else ``InvalidParameter`` (the checks before the call let nothing through that Maestro knows to be
    wrong, so what is left is the request's data), with Feast's text kept for the log only."""
    try:
        yield
    except MaestroError:
        raise
    except Exception as exc:
        if _unreachable(exc):
            raise BackendUnavailable(f"The feature store cannot be reached to {what}: {first_line(exc)}") from exc
        if type(exc).__name__.endswith("NotFoundException"):
            raise NotFound(f"The feature store has no such object (while trying to {what})") from exc
        log.warning("Feast failed to %s: %s", what, exc, exc_info=True)
        raise InvalidParameter(f"The feature store could not {what} with this input ({type(exc).__name__})") from exc


class FeastBackend:
    """One Feast repository, opened lazily and kept open (``.store``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.repo = Path(settings.feast_repo).expanduser()
        self._store: FeatureStore | None = None
        self._stamp: tuple[int, int] | None = None
        self._refreshed = 0.0
        self._lock = threading.RLock()

    # --- opening the repository -----------------------------------------------------------------------------

    @property
    def is_default(self) -> bool:
        """Whether the repository is the embedded default (``MAESTRO_HOME/feature_repo``), which Maestro creates."""
        return self.repo == Path(self.settings.home).expanduser() / "feature_repo"

    @property
    def yaml_path(self) -> Path:
        return self.repo / "feature_store.yaml"

    def _ensure_default(self) -> None:
        if self.yaml_path.exists() or not self.is_default:
            return
        (self.repo / "data").mkdir(parents=True, exist_ok=True)
        # Written whole then renamed, so a second process never reads half a file.
        partial = self.yaml_path.with_suffix(".yaml.partial")
        partial.write_text(LOCAL_REPO_YAML)
        partial.replace(self.yaml_path)

    @property
    def store(self) -> FeatureStore:
        """The ``feast.FeatureStore``, opened on first use and reopened when ``feature_store.yaml`` changes."""
        with self._lock:
            self._ensure_default()
            try:
                st = self.yaml_path.stat()
            except OSError:
                where = "MAESTRO_FEAST_REPO" if not self.is_default else "the default feature repository"
                if not self.repo.is_dir():
                    raise BackendUnavailable(
                        f"The feature repository {self.repo} ({where}) does not exist: set MAESTRO_FEAST_REPO to a "
                        "folder that holds a feature_store.yaml"
                    ) from None
                raise BackendUnavailable(
                    f"The feature repository {self.repo} ({where}) has no feature_store.yaml"
                ) from None
            stamp = (st.st_mtime_ns, st.st_size)
            if self._store is None or stamp != self._stamp:
                self._store = self._open()
                self._stamp = stamp
                self._refreshed = time.monotonic()
            return self._store

    def _open(self) -> FeatureStore:
        _quiet_feast()
        from feast import FeatureStore

        tolerant_sqlite_timestamps()  # importing Feast just replaced IPython's converter: keep both readable

        try:
            store = FeatureStore(repo_path=str(self.repo))
            store.registry  # noqa: B018 (opens the registry now, so an unreachable one fails here)
        except Exception as exc:
            if _unreachable(exc):
                raise BackendUnavailable(
                    f"The feature store's registry cannot be reached ({self.repo}): {first_line(exc)}"
                ) from exc
            raise BackendUnavailable(
                f"The feature repository {self.repo} cannot be opened: its feature_store.yaml is not valid "
                f"({first_line(exc)})"
            ) from exc
        return store

    def fresh(self) -> FeatureStore:
        """The store, its registry re-read if it was last read more than :data:`REFRESH_SECONDS` ago."""
        store = self.store
        if time.monotonic() - self._refreshed > REFRESH_SECONDS:
            with feast_errors("read the registry"):
                store.refresh_registry()  # type: ignore[no-untyped-call]
            self._refreshed = time.monotonic()
        return store

    @property
    def project(self) -> str:
        """The Feast project the repository declares."""
        return str(self.store.project)

    def registry_version(self) -> str:
        """The registry's version id: it changes whenever anything is applied (what a training run records)."""
        store = self.fresh()
        with feast_errors("read the registry"):
            proto = store.registry.proto()
        version = getattr(proto, "version_id", "") or ""
        if not version and proto.HasField("last_updated"):
            version = str(proto.last_updated.seconds)
        return str(version)

    # --- what is in the registry ----------------------------------------------------------------------------

    def all_views(self, allow_cache: bool = False) -> dict[str, Any]:
        """Every feature view (batch, stream, on-demand) by name."""
        store = self.store
        with feast_errors("list the feature views"):
            views = store.list_all_feature_views(allow_cache=allow_cache)
        return {v.name: v for v in sorted(views, key=lambda v: v.name)}

    def services(self, allow_cache: bool = False) -> dict[str, FeatureService]:
        """Every feature service by name."""
        store = self.store
        with feast_errors("list the feature services"):
            return {
                s.name: s
                for s in sorted(store.registry.list_feature_services(store.project, allow_cache=allow_cache), key=_name)
            }

    def service(self, name: str, allow_cache: bool = False) -> FeatureService:
        """One feature service; ``NotFound`` naming those that exist."""
        found = self.services(allow_cache)
        if name not in found:
            raise NotFound(f"No feature service {name!r} in project {self.project}; services: {closest(name, found)}")
        return found[name]

    # --- features -------------------------------------------------------------------------------------------

    def resolve(self, features: list[str] | None, service: str | None, *, allow_cache: bool = True) -> ResolvedFeatures:
        """What ``features`` (``view:feature``, or ``view`` for all its features) or ``service`` stand for.

        An unknown view, feature or service is ``NotFound`` naming it and listing what exists, closest first; two
        features of one name from different views (they would share a column) are ``InvalidParameter``."""
        if allow_cache:
            self.fresh()
        views = self.all_views(allow_cache=allow_cache)
        svc = None
        if service is not None:
            svc = self.service(service, allow_cache=allow_cache)
            wanted = [
                f"{p.name}:{f.name}" for p in svc.feature_view_projections for f in p.features
            ]  # the projection's own name: a service may rename a view (name_alias), Feast keeps the original here
        elif features:
            wanted = list(features)
        else:
            raise InvalidParameter("Name the features ('view:feature' or 'view') or a feature service")
        refs: list[str] = []
        for ref in wanted:
            view_name, _, feature = ref.partition(":")
            view = views.get(view_name)
            if view is None:
                raise NotFound(
                    f"No feature view {view_name!r} in project {self.project}; views: {closest(view_name, views)}"
                )
            names = [f.name for f in view.features]
            if not feature:
                refs.extend(f"{view_name}:{n}" for n in names)
            elif feature in names:
                refs.append(f"{view_name}:{feature}")
            else:
                raise NotFound(
                    f"Feature view {view_name} has no feature {feature!r}; its features: {closest(feature, names)}"
                )
        refs = list(dict.fromkeys(refs))
        by_column: dict[str, str] = {}
        for ref in refs:
            view_name, _, column = ref.partition(":")
            if column in by_column and by_column[column] != view_name:
                raise InvalidParameter(
                    f"Feature {column!r} comes from both {by_column[column]} and {view_name}: choose one of "
                    f"{by_column[column]}:{column} and {view_name}:{column}"
                )
            by_column[column] = view_name
        chosen = list(dict.fromkeys(ref.partition(":")[0] for ref in refs))
        keys, request, ttls = self._inputs([views[v] for v in chosen], views)
        return ResolvedFeatures(
            refs=refs,
            views=chosen,
            service=service,
            join_keys=list(keys),
            feast_features=svc if svc is not None else refs,
            request_fields=list(request),
            ttl_seconds=ttls,
            key_types={**keys, **request},
        )

    @staticmethod
    def _inputs(
        chosen: list[Any], views: dict[str, Any]
    ) -> tuple[dict[str, str], dict[str, str], dict[str, float | None]]:
        """The join keys, request fields (name: Feast type) and TTLs of some views; an on-demand view's join keys
        are those of the views it reads."""
        keys: dict[str, str] = {}
        request: dict[str, str] = {}
        ttls: dict[str, float | None] = {}
        pending = list(chosen)
        seen: set[str] = set()
        while pending:
            view = pending.pop(0)
            if view.name in seen:
                continue
            seen.add(view.name)
            if view_kind(view) == "on_demand":
                ttls.setdefault(view.name, None)
                for source in (getattr(view, "source_request_sources", None) or {}).values():
                    for f in source.schema:
                        request.setdefault(f.name, _type_name(f.dtype))
                for projection in (getattr(view, "source_feature_view_projections", None) or {}).values():
                    if projection.name in views:
                        pending.append(views[projection.name])
                continue
            ttl = getattr(view, "ttl", None)
            ttls.setdefault(view.name, ttl.total_seconds() if ttl else None)
            for column in getattr(view, "entity_columns", None) or []:
                keys.setdefault(column.name, _type_name(column.dtype))
        return keys, request, ttls

    # --- training sets --------------------------------------------------------------------------------------

    def training_frame(
        self, entity_df: pd.DataFrame, resolved: ResolvedFeatures, timestamp_column: str = FEAST_TIMESTAMP
    ) -> pd.DataFrame:
        """A point-in-time-correct training set: every row of ``entity_df``, in its order and with its index, and
        the feature columns (named as Feast names them) holding each feature's latest value at or before the row's
        ``timestamp_column`` (within the view's TTL; empty when there is none).

        ``frame.attrs["maestro_feature_views"]`` maps each feature column to its view."""
        import numpy as np
        import pandas as pd

        if not isinstance(entity_df, pd.DataFrame):
            raise InvalidParameter(f"The entity frame must be a pandas DataFrame, not {type(entity_df).__name__}")
        timestamps = check_entity_frame(entity_df, resolved, timestamp_column)
        columns = resolved.columns
        taken = [c for c in columns if c in entity_df.columns and c not in resolved.request_fields]
        if taken:
            raise InvalidParameter(
                f"The entity frame already has a column {taken[0]!r}, which feature view {columns[taken[0]]} "
                "provides: drop or rename it"
            )
        n = len(entity_df)
        # Only what Feast needs travels: the keys, the time, on-demand inputs, and a row number.
        feast_frame = pd.DataFrame(
            {
                **{k: entity_df[k].reset_index(drop=True) for k in resolved.join_keys},
                **{r: entity_df[r].reset_index(drop=True) for r in resolved.request_fields},
                FEAST_TIMESTAMP: timestamps,
            }
        )
        # Feast answers each distinct (keys, time) once: rows repeated in the entity frame share one number, which
        # each of them gets its answer back by.
        numbers, distinct = row_numbers(feast_frame)
        feast_frame[_ROW] = numbers
        if distinct is not None:
            feast_frame = feast_frame[distinct]
        store = self.fresh()
        with feast_errors("build the training set"):
            answer = store.get_historical_features(entity_df=feast_frame, features=resolved.feast_features).to_df()
        feature_columns = [c for c in columns if c in answer.columns]
        answered = answer[_ROW].to_numpy()
        answer.index = pd.RangeIndex(len(answered))  # in place: no copy of a million rows
        if len(answered) == n and bool((answered == numbers).all()):
            features = answer[feature_columns]
        else:
            # Reordered, rows left out or repeated: each row takes its answer, by position (one take per block of
            # columns); a row without one (-1, a label the answer's range index lacks) gets empty features.
            where = np.full(int(numbers.max()) + 1, -1, dtype="int64")
            where[answered] = np.arange(len(answered))
            features = answer.reindex(index=where[numbers], columns=feature_columns)
        features.index = pd.RangeIndex(n)
        left = entity_df.copy(deep=False)
        left.index = pd.RangeIndex(n)
        frame = pd.concat([left, features], axis=1)
        frame.index = entity_df.index
        frame.attrs = {**entity_df.attrs, "maestro_feature_views": {c: columns[c] for c in feature_columns}}
        return frame

    # --- online ---------------------------------------------------------------------------------------------

    def online(self, entity_rows: list[dict[str, Any]], resolved: ResolvedFeatures) -> OnlineLookup:
        """The latest online values of ``resolved`` for each entity row (``{"customer_id": 7}``), via Feast's
        ``get_online_features`` on the open store. A value the store lacks (or holds as null) is *missing*; one older
        than its view's TTL is *stale* (whether or not the online store marks it so)."""
        import pandas as pd

        rows = check_entity_rows(entity_rows, resolved)
        store = self.fresh()
        tolerant_sqlite_timestamps()  # an IPython shell opened since may have registered its own
        with feast_errors("read the online store"):
            response = store.get_online_features(features=resolved.feast_features, entity_rows=rows)
            values = response.to_dict(include_event_timestamps=True)
            results = list(response.proto.results)
            names = list(response.proto.metadata.feature_names.val)
        columns = resolved.columns
        now = time.time()
        missing: list[tuple[int, str]] = []
        stale: list[tuple[int, str]] = []
        for name, result in zip(names, results, strict=False):
            view = columns.get(name)
            if view is None:
                continue
            ttl = resolved.ttl_seconds.get(view)
            stamps = values.get(f"{name}__ts") or []
            for i, status in enumerate(result.statuses):
                value = values[name][i] if i < len(values.get(name, ())) else None
                if status in (_NOT_FOUND, _NULL_VALUE) or value is None:
                    missing.append((i, f"{view}:{name}"))
                elif status == _OUTSIDE_MAX_AGE or (
                    ttl and i < len(stamps) and stamps[i] and now - float(stamps[i]) > ttl
                ):
                    stale.append((i, f"{view}:{name}"))
        keys = [k for k in resolved.join_keys if k in values] or [k for k in rows[0] if k in values]
        data = {k: values[k] for k in keys}
        data.update({c: values[c] for c in columns if c in values})
        missing.sort()
        stale.sort()
        return OnlineLookup(pd.DataFrame(data), missing, stale, dict(resolved.ttl_seconds))

    # --- saving a feature service ---------------------------------------------------------------------------

    def save_service(
        self,
        name: str,
        features: list[str],
        *,
        description: str = "",
        tags: dict[str, str] | None = None,
        owner: str = "",
        overwrite: bool = False,
    ) -> FeatureService:
        """Apply a feature service named ``name`` holding ``features``. A name already taken is a ``Conflict``
        unless ``overwrite``; unknown features are ``NotFound`` (nothing is applied then)."""
        from feast import FeatureService

        with self._lock:
            if name in self.services() and not overwrite:
                raise Conflict(f"A feature service named {name!r} already exists: choose another name, or overwrite it")
            resolved = self.resolve(features, None, allow_cache=False)
            views = self.all_views()
            grouped: dict[str, list[str]] = {}
            for ref in resolved.refs:
                view, _, feature = ref.partition(":")
                grouped.setdefault(view, []).append(feature)
            projections = [views[v][cols] for v, cols in grouped.items()]
            service = FeatureService(
                name=name, features=projections, description=description, tags=dict(tags or {}), owner=owner
            )
            with feast_errors("save the feature service"):
                self.store.apply([service])
            return self.service(name)


def view_kind(view: Any) -> str:
    """``batch``, ``stream`` or ``on_demand``."""
    names = {cls.__name__ for cls in type(view).__mro__}
    if "OnDemandFeatureView" in names:
        return "on_demand"
    if "StreamFeatureView" in names:
        return "stream"
    return "batch"


def _type_name(dtype: Any) -> str:
    """A Feast type's name: ``INT64``, ``STRING``... (``Array(Int64)`` and the like as Feast writes them)."""
    name = getattr(dtype, "name", None)
    return str(name) if isinstance(name, str) else str(dtype)


def _name(obj: Any) -> str:
    return str(obj.name)


def _quiet_feast() -> None:
    """Feast warns on every use of on-demand views ("experimental") and logs its usage telemetry hint: noise in a
    notebook that no user can act on."""
    warnings.filterwarnings("ignore", message="On demand feature view is an experimental", category=RuntimeWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="feast")


def tolerant_sqlite_timestamps() -> None:
    """Make sqlite3's process-wide "timestamp" converter read both epoch seconds (what Feast's SQLite online store
    writes; Feast registers a converter for them on import) and ISO 8601 (what IPython's history writes; IPython
    registers its own when a shell first opens its history). Whoever registers last wins: a shell opened after Feast
    was imported made every online read fail with "Invalid isoformat string", and in a kernel Feast's import broke
    IPython's history instead. Cheap (a dictionary write), so it is re-registered before each online read."""
    import sqlite3

    sqlite3.register_converter("timestamp", _read_timestamp)


def _read_timestamp(value: bytes) -> datetime:
    text = value.decode()
    return datetime.fromtimestamp(int(text)) if text.lstrip("-").isdigit() else datetime.fromisoformat(text)
