"""The feature store (Feast): ``ml.features``.

>>> ml.features.views(search="customer")
>>> train = ml.features.training_set(entity_df, service="churn_v1")
>>> ml.features.save_service("churn_v2", ["customer_profile:plan", "customer_activity"])
>>> ml.features.online([{"customer_id": 7}], service="churn_v1")

Features are named ``view:feature``; a bare view name means all of its features. A training set is
point-in-time correct (Feast's ``get_historical_features``): each entity row gets the feature values as they were
at its timestamp, never later ones. Built inside an MLflow run (or a Maestro training job), the run records which
service, views and registry version it trained on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..contract.feature_lineage import GetFeatureLineage
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
from ..errors import InvalidParameter

if TYPE_CHECKING:
    import pandas as pd

    from ..entities.feature_lineage import FeatureLineage
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
    from .transport import Transport

#: Set by Maestro in a training job submitted with ``features=SERVICE``: the service a training set defaults to.
FEATURE_SERVICE_ENV = "MAESTRO_FEATURE_SERVICE"

#: ``DataFrame.attrs`` keys a training set carries, for discovery (``%maestro features`` groups by view) and lineage.
VIEWS_ATTR = "maestro_feature_views"
SERVICE_ATTR = "maestro_feature_service"
REGISTRY_ATTR = "maestro_registry_version"


class FeatureStoreAPI:
    """The feature store: ``ml.features``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    # --- browse -------------------------------------------------------------------------------------------------

    def overview(self) -> FeatureStoreOverview:
        """The store at a glance: project, repository, registry version, stores, counts, last materialization."""
        return self._transport.call(GetFeatureStore.build())  # type: ignore[no-any-return]

    def views(self, search: str | None = None) -> FeatureViewList:
        """Feature views (batch and on-demand), with schema, owner, tags, TTL and freshness; ``search`` narrows
        them to those whose name, description, tags or features contain it."""
        return self._transport.call(ListFeatureViews.build(search=search))  # type: ignore[no-any-return]

    def view(self, name: str) -> FeatureViewSummary:
        """One feature view in detail."""
        return self._transport.call(GetFeatureView.build(name=name))  # type: ignore[no-any-return]

    def entities(self) -> EntityList:
        """Entities: what features are keyed by, their join keys and the views that use them."""
        return self._transport.call(ListEntities.build())  # type: ignore[no-any-return]

    def sources(self) -> DataSourceList:
        """Data sources: where each view's rows come from."""
        return self._transport.call(ListDataSources.build())  # type: ignore[no-any-return]

    def services(self, search: str | None = None) -> FeatureServiceList:
        """Feature services (named selections of features), optionally narrowed by ``search``."""
        return self._transport.call(ListFeatureServices.build(search=search))  # type: ignore[no-any-return]

    def service(self, name: str) -> FeatureServiceInfo:
        """One feature service and its features."""
        return self._transport.call(GetFeatureService.build(name=name))  # type: ignore[no-any-return]

    def search(self, query: str) -> FeatureSearchResult:
        """Views, features, entities, sources and services whose name or description contains ``query``."""
        return self._transport.call(SearchFeatureStore.build(query=query))  # type: ignore[no-any-return]

    def lineage(
        self,
        *,
        service: str | None = None,
        view: str | None = None,
        model: str | None = None,
        version: str | int | None = None,
    ) -> FeatureLineage:
        """Which model versions were trained on which features. Give one of ``service`` (the versions trained from
        it), ``view`` (those trained on any of its features) or ``model`` (with ``version`` for one version: the
        services and views it used)."""
        request = GetFeatureLineage.build(
            service=service, view=view, model=model, version=None if version is None else str(version)
        )
        return self._transport.call(request)  # type: ignore[no-any-return]

    # --- training and serving --------------------------------------------------------------------------------------

    def training_set(
        self,
        entity_df: Any,
        features: Sequence[str] | None = None,
        service: str | None = None,
        timestamp_column: str = "event_timestamp",
    ) -> pd.DataFrame:
        """A point-in-time-correct training set: ``entity_df`` (a DataFrame, or a CSV/Parquet file, with the
        entities' join keys and a timestamp column) joined with the features of ``service`` or of ``features``
        (``view:feature`` or whole views). Every entity row is kept, in its order; a row with no value within a
        view's TTL has empty feature columns.

        Inside a training job submitted with ``features=SERVICE``, neither needs to be given: the job's service is
        used. The frame's ``attrs`` keep ``maestro_feature_views`` (column -> view), ``maestro_feature_service``
        and ``maestro_registry_version``; and the active MLflow run (or the job's) is tagged with the service, the
        views and the registry version, so the model it logs carries its features' lineage.

        Raises ``InvalidParameter`` for a frame without its timestamp column or with mismatched entity keys,
        ``NotFound`` naming an unknown view, feature or service."""
        frame: pd.DataFrame = self.build_training_set(entity_df, features, service, timestamp_column).frame
        return frame

    def build_training_set(
        self,
        entity_df: Any,
        features: Sequence[str] | None = None,
        service: str | None = None,
        timestamp_column: str = "event_timestamp",
    ) -> TrainingSet:
        """:meth:`training_set` with its provenance: the :class:`~maestro_jupyter.entities.featurestore.TrainingSet`
        (``.frame``, ``.service``, ``.views``, ``.refs``, ``.registry_version``, ``.rows_without_features``...),
        which displays a summary and the first rows. Records the lineage as :meth:`training_set` does."""
        from .data import read_frame

        if features is None and service is None:
            service = os.environ.get(FEATURE_SERVICE_ENV) or None
            if service is None:
                raise InvalidParameter(
                    "Name the features: give service='a feature service' or features=['view:feature', ...]"
                )
        frame = read_frame(entity_df)[0]
        request = BuildTrainingSet.build(
            entity_df=frame,
            features=list(features) if features is not None else None,
            service=service,
            timestamp_column=timestamp_column,
        )
        result: TrainingSet = self._transport.call(request)
        attrs = result.frame.attrs
        attrs[VIEWS_ATTR] = {col: view for view, cols in result.columns_by_view.items() for col in cols}
        attrs[SERVICE_ATTR] = result.service
        attrs[REGISTRY_ATTR] = result.registry_version
        from .lineage import record_training_set

        record_training_set(result)
        return result

    def save_service(
        self,
        name: str,
        features: Sequence[str],
        description: str = "",
        tags: Mapping[str, str] | None = None,
        overwrite: bool = False,
    ) -> FeatureServiceInfo:
        """Save a selection of features (``view:feature`` or whole views, e.g. what feature discovery ranked best)
        as a Feast feature service, for training (``training_set(service=name)``, ``ml.training.submit(...,
        features=name)``) and serving to share. A taken name is a ``Conflict`` unless ``overwrite``."""
        if isinstance(features, str):
            features = [features]
        request = SaveFeatureService.build(
            name=name, features=list(features), description=description, tags=dict(tags or {}), overwrite=overwrite
        )
        return self._transport.call(request)  # type: ignore[no-any-return]

    def online(
        self,
        entities: Any,
        features: Sequence[str] | None = None,
        service: str | None = None,
    ) -> OnlineFeatures:
        """The online store's values for some entities: ``entities`` is one mapping of join keys
        (``{"customer_id": 7}``), a list of them, or a DataFrame of join-key columns. ``missing`` and ``stale``
        name the values the store did not have, or had only beyond the view's TTL."""
        request = GetOnlineFeatures.build(
            entities=_entity_rows(entities),
            features=list(features) if features is not None else None,
            service=service,
        )
        return self._transport.call(request)  # type: ignore[no-any-return]


def _entity_rows(entities: Any) -> list[dict[str, Any]]:
    """Entity rows as a list of mappings, from a mapping, a list of mappings or a DataFrame (numpy scalars as plain
    Python values, so they validate and travel as JSON)."""
    if isinstance(entities, Mapping):
        rows: list[Any] = [entities]
    elif hasattr(entities, "to_dict") and hasattr(entities, "columns"):
        rows = entities.to_dict(orient="records")
    elif isinstance(entities, Sequence) and not isinstance(entities, str | bytes):
        rows = list(entities)
    else:
        raise InvalidParameter(
            f"entities must be a mapping of join keys, a list of them or a DataFrame, not {type(entities).__name__}"
        )
    out = []
    for row in rows:
        if not isinstance(row, Mapping):
            raise InvalidParameter(f"Each entity must be a mapping of join keys, not {type(row).__name__}")
        out.append({str(k): v.item() if hasattr(v, "item") else v for k, v in row.items()})
    return out
