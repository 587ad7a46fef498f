"""The feature-store service: browse and search the Feast repository, build point-in-time training sets, save a
selection of features as a feature service, and read online values.

Every method takes a request of :mod:`maestro_jupyter.contract.featurestore` and returns an entity of
:mod:`maestro_jupyter.entities.featurestore`; the Feast work (and every check of what a caller sends) is
:class:`~maestro_jupyter.backends.feast_store.FeastBackend`'s, opened on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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
from ..errors import NotFound
from ..settings import Settings

if TYPE_CHECKING:
    from ..backends.feast_store import FeastBackend
    from ..contract.base import Actor
    from ..contract.featurestore import (
        BuildTrainingSet,
        GetFeatureService,
        GetFeatureStore,
        GetFeatureView,
        GetOnlineFeatures,
        ListDataSources,
        ListEntities,
        ListFeatureServices,
        ListFeatureViews,
        SaveFeatureService,
        SearchFeatureStore,
    )


class FeatureStoreService:
    """The feature store, for every face.

    Contract: unknown views, features and services are ``NotFound`` naming what exists; an entity frame or entity
    rows that do not fit the chosen views are ``InvalidParameter``; a name already taken is ``Conflict``; a
    repository that is missing or a store that cannot be reached is ``BackendUnavailable``. Blocking."""

    def __init__(self, settings: Settings, feast: Callable[[], FeastBackend]) -> None:
        self.settings = settings
        self._feast = feast

    @property
    def feast(self) -> FeastBackend:
        return self._feast()

    # --- browsing -------------------------------------------------------------------------------------------

    def _described_views(self) -> list[FeatureViewSummary]:
        from ..backends import feast_describe as describe

        feast = self.feast
        views = feast.all_views()
        services = describe.services_by_view(feast.services().values())
        rows = describe.online_rows(feast.store, views)
        return [describe.describe_view(v, views, services, rows) for v in views.values()]

    def overview(self, request: GetFeatureStore, actor: Actor) -> FeatureStoreOverview:
        """The store at a glance."""
        from ..backends import feast_describe as describe

        feast = self.feast
        store = feast.store
        counts = {
            "entities": len(self._entities()),
            "sources": len(self._sources()),
            "services": len(feast.services()),
        }
        return describe.describe_store(store, feast.repo, feast.registry_version(), feast.all_views(), counts)

    def list_views(self, request: ListFeatureViews, actor: Actor) -> FeatureViewList:
        """Every view, or those matching ``search``; ``total`` counts them all."""
        from ..backends.feast_describe import view_matches

        views = self._described_views()
        shown = [v for v in views if request.search is None or view_matches(v, request.search)]
        return FeatureViewList(items=shown, total=len(views))

    def get_view(self, request: GetFeatureView, actor: Actor) -> FeatureViewSummary:
        """One view; ``NotFound`` naming the views that exist, closest first."""
        from ..backends.feast_store import closest

        views = {v.name: v for v in self._described_views()}
        if request.name not in views:
            raise NotFound(
                f"No feature view {request.name!r} in project {self.feast.project}; views: "
                f"{closest(request.name, views)}"
            )
        return views[request.name]

    def _entities(self) -> list[Any]:
        from ..backends.feast_store import feast_errors

        store = self.feast.store
        with feast_errors("list the entities"):
            return sorted(store.list_entities(), key=lambda e: e.name)

    def _sources(self) -> list[Any]:
        from ..backends.feast_store import feast_errors

        store = self.feast.store
        with feast_errors("list the data sources"):
            return sorted(store.list_data_sources(), key=lambda s: s.name)

    def list_entities(self, request: ListEntities, actor: Actor) -> EntityList:
        from ..backends.feast_describe import describe_entity

        views = self.feast.all_views()
        return EntityList(items=[describe_entity(e, views) for e in self._entities()])

    def list_sources(self, request: ListDataSources, actor: Actor) -> DataSourceList:
        from ..backends.feast_describe import describe_source

        views = self.feast.all_views()
        return DataSourceList(items=[describe_source(s, views) for s in self._sources()])

    def list_services(self, request: ListFeatureServices, actor: Actor) -> FeatureServiceList:
        """Every feature service, or those whose name, features, description, owner or tags contain ``search``."""
        from ..backends.feast_describe import describe_service, matches

        items = [describe_service(s) for s in self.feast.services().values()]
        if request.search is not None:
            q = request.search
            items = [s for s in items if matches(q, s.name, s.features, s.description, s.owner, s.tags)]
        return FeatureServiceList(items=items)

    def get_service(self, request: GetFeatureService, actor: Actor) -> FeatureServiceInfo:
        from ..backends.feast_describe import describe_service

        return describe_service(self.feast.service(request.name))

    def search(self, request: SearchFeatureStore, actor: Actor) -> FeatureSearchResult:
        """Views, features, entities, sources and services matching ``query``: name matches first."""
        from ..backends import feast_describe as describe

        views = self.feast.all_views()
        hits = describe.search(
            request.query,
            self._described_views(),
            [describe.describe_entity(e, views) for e in self._entities()],
            [describe.describe_source(s, views) for s in self._sources()],
            [describe.describe_service(s) for s in self.feast.services().values()],
        )
        return FeatureSearchResult(query=request.query, items=hits)

    # --- training and serving -------------------------------------------------------------------------------

    def training_set(self, request: BuildTrainingSet, actor: Actor) -> TrainingSet:
        """A point-in-time-correct training set for the request's entity rows (all of them, in order)."""
        feast = self.feast
        resolved = feast.resolve(request.features, request.service)
        frame = feast.training_frame(request.entity_df, resolved, request.timestamp_column)
        by_view: dict[str, list[str]] = {}
        for column, view in frame.attrs.get("maestro_feature_views", {}).items():
            by_view.setdefault(view, []).append(column)
        features = list(frame.attrs.get("maestro_feature_views", {}))
        empty = int(frame[features].isna().all(axis=1).sum()) if features else 0
        return TrainingSet(
            frame=frame,
            service=resolved.service,
            views=resolved.views,
            refs=resolved.refs,
            registry_version=feast.registry_version(),
            project=feast.project,
            rows=len(frame),
            rows_without_features=empty,
            columns_by_view=by_view,
        )

    def save_service(self, request: SaveFeatureService, actor: Actor) -> FeatureServiceInfo:
        """Save ``features`` as the feature service ``name``, owned by whoever saves it."""
        from ..backends.feast_describe import describe_service

        saved = self.feast.save_service(
            request.name,
            request.features,
            description=request.description,
            tags=request.tags,
            owner=actor.user,
            overwrite=request.overwrite,
        )
        return describe_service(saved)

    def online(self, request: GetOnlineFeatures, actor: Actor) -> OnlineFeatures:
        """The latest online values for each entity; missing and stale values are named (their cells are empty)."""
        feast = self.feast
        resolved = feast.resolve(request.features, request.service)
        lookup = feast.online([dict(e) for e in request.entities], resolved)
        rows = _records(lookup.frame)
        keys = [k for k in resolved.join_keys if k in lookup.frame.columns]

        def who(i: int) -> str:
            return ", ".join(f"{k}={rows[i][k]}" for k in keys) or f"entity {i}"

        return OnlineFeatures(
            rows=rows,
            missing=[f"{who(i)}: {ref}" for i, ref in lookup.missing],
            stale=[f"{who(i)}: {ref}" for i, ref in lookup.stale],
        )


def _records(frame: Any) -> list[dict[str, Any]]:
    """A frame's rows as plain Python values (JSON-ready): numpy scalars as numbers, missing values as ``None``."""
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: v.item() if hasattr(v, "item") else v for k, v in row.items()} for row in records]
