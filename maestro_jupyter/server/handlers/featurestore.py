"""REST handlers for the Feast feature store: browse it (views, entities, sources, services, search), build a
point-in-time-correct training set, read online features, save a feature service, and see which model versions
were trained on which features (lineage).

Responses are named as ``"module:Class"`` so that loading the server extension imports neither the entities' nor
Feast's code until a request comes.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.feature_lineage import GetFeatureLineage
from ...contract.featurestore import (
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
from ...contract.rules import _VERSION
from ..openapi import Operation, Param
from .base import MaestroHandler

_ENTITIES = "maestro_jupyter.entities.featurestore"
_SEARCH = Param("search", "Part of a name, description, tag or feature name, case-insensitive")


class FeatureStoreHandler(MaestroHandler):
    path = "/features/store"
    operations = {
        "get": Operation(
            "The feature store at a glance: project, registry version, stores, counts and last materialization",
            f"{_ENTITIES}:FeatureStoreOverview",
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.execute(self.request_model(GetFeatureStore, body=False)))


class FeatureViewsHandler(MaestroHandler):
    path = "/features/views"
    operations = {
        "get": Operation(
            "Feature views (batch and on-demand) with their schema, owner, tags, TTL and freshness",
            f"{_ENTITIES}:FeatureViewList",
            query=(_SEARCH,),
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.execute(self.request_model(ListFeatureViews, body=False, search=self.query("search"))))


class FeatureViewHandler(MaestroHandler):
    path = "/features/views/{name}"
    operations = {"get": Operation("One feature view in detail", f"{_ENTITIES}:FeatureViewSummary")}

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.execute(self.request_model(GetFeatureView, body=False, name=name)))


class FeatureEntitiesHandler(MaestroHandler):
    path = "/features/entities"
    operations = {
        "get": Operation("Entities: join keys, value types and the views that use them", f"{_ENTITIES}:EntityList")
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.execute(self.request_model(ListEntities, body=False)))


class FeatureSourcesHandler(MaestroHandler):
    path = "/features/sources"
    operations = {
        "get": Operation(
            "Data sources: kind, location, timestamp fields and the views they feed", f"{_ENTITIES}:DataSourceList"
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.execute(self.request_model(ListDataSources, body=False)))


class FeatureServicesHandler(MaestroHandler):
    path = "/features/services"
    operations = {
        "get": Operation("Feature services", f"{_ENTITIES}:FeatureServiceList", query=(_SEARCH,)),
        "post": Operation(
            "Save a selection of features as a Feast feature service (409 when the name is taken, unless overwrite)",
            f"{_ENTITIES}:FeatureServiceInfo",
            201,
            body=SaveFeatureService,
        ),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.execute(self.request_model(ListFeatureServices, body=False, search=self.query("search"))))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send(await self.execute(self.request_model(SaveFeatureService)), 201)


class FeatureServiceHandler(MaestroHandler):
    path = "/features/services/{name}"
    operations = {"get": Operation("One feature service and its features", f"{_ENTITIES}:FeatureServiceInfo")}

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.execute(self.request_model(GetFeatureService, body=False, name=name)))


class FeatureSearchHandler(MaestroHandler):
    path = "/features/search"
    operations = {
        "get": Operation(
            "Search views, features, entities, sources and services",
            f"{_ENTITIES}:FeatureSearchResult",
            query=(Param("q", "The text to look for, case-insensitive", required=True),),
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.execute(self.request_model(SearchFeatureStore, body=False, query=self.query("q"))))


class TrainingSetHandler(MaestroHandler):
    path = "/features/training-set"
    rate_limited = False  # a POST that reads: it builds a frame and changes nothing
    operations = {
        "post": Operation(
            "A point-in-time-correct training set: the entity rows (base64 Parquet) joined with the features of a "
            "service or a feature list, every entity row kept in order; the frame comes back as base64 Parquet",
            f"{_ENTITIES}:TrainingSet",
            body=BuildTrainingSet,
        )
    }

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send(await self.execute(self.request_model(BuildTrainingSet)))


class OnlineFeaturesHandler(MaestroHandler):
    path = "/features/online"
    rate_limited = False  # a POST that reads the online store
    operations = {
        "post": Operation(
            "The online features of some entities, with the values that are missing or stale",
            f"{_ENTITIES}:OnlineFeatures",
            body=GetOnlineFeatures,
        )
    }

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send(await self.execute(self.request_model(GetOnlineFeatures)))


class FeatureLineageHandler(MaestroHandler):
    path = "/features/lineage"
    operations = {
        "get": Operation(
            "Which model versions were trained on which features: give one of service, view or model (+ version)",
            "maestro_jupyter.entities.feature_lineage:FeatureLineage",
            query=(
                Param("service", "A feature service: the versions trained from it"),
                Param("view", "A feature view: the versions trained on any of its features"),
                Param("model", "A registered model: the feature services and views its versions used"),
                Param("version", "With model: one version only", pattern=_VERSION.pattern),
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        # Validated here rather than by request_model, whose own first parameter is called ``model``.
        fields = {k: v for k in ("service", "view", "model", "version") if (v := self.query(k)) is not None}
        self.send(await self.execute(GetFeatureLineage.model_validate(fields)))


#: In matching order (a literal path before a template that would also match it).
FEATURE_STORE_HANDLERS: list[type[MaestroHandler]] = [
    FeatureStoreHandler,
    FeatureViewsHandler,
    FeatureViewHandler,
    FeatureEntitiesHandler,
    FeatureSourcesHandler,
    FeatureServicesHandler,
    FeatureServiceHandler,
    FeatureSearchHandler,
    TrainingSetHandler,
    OnlineFeaturesHandler,
    FeatureLineageHandler,
]
