"""Feature lineage: which model versions were trained on which features, read from the ``FEATURE_*`` tags of their
source runs (written when a training job names a feature service, and when ``ml.features.training_set`` builds a
run's training set).

The answer comes from MLflow alone, so a feature service deleted from the store since still shows the versions
trained on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import tagkeys as tk
from ..contract.feature_lineage import GetFeatureLineage
from ..entities import ModelVersion
from ..entities.feature_lineage import FeatureLineage, LineageEntry, feature_use, split_names

if TYPE_CHECKING:
    from ..backends.mlflow_registry import MlflowRegistry
    from ..contract.base import Actor


class FeatureLineageService:
    """Which model versions trained on a feature service or view; which features a model's versions trained on."""

    def __init__(self, mlflow: MlflowRegistry) -> None:
        self.backend = mlflow

    def get(self, request: GetFeatureLineage, actor: Actor) -> FeatureLineage:
        """The versions whose source run carries the lineage tags: trained on ``service``, or on ``view``, or the
        versions of ``model`` (just ``version`` when given: ``NotFound`` if it does not exist), newest training
        first. A model's versions trained on no recorded features are left out."""
        from ..backends.mlflow_lineage import FeatureRuns

        runs = FeatureRuns(self.backend)
        if request.model is not None:
            if request.version is not None:
                versions = [self.backend.get_version(request.model, request.version)]
                query = f"{request.model} v{request.version}"
            else:
                versions = self.backend.get_model(request.model).versions
                query = request.model
            by_id = runs.runs_by_id([v.run_id for v in versions if v.run_id])
            return FeatureLineage(items=_entries(versions, by_id), query=query)
        if request.service is not None:
            found = runs.runs_tagged(tk.FEATURE_SERVICE, equals=request.service)
            query = f"service {request.service}"
        else:
            assert request.view is not None
            view = request.view
            # The views tag is a list: the search finds every run naming the view's text; keep those naming the view.
            found = [
                r
                for r in runs.runs_tagged(tk.FEATURE_VIEWS, contains=view)
                if view in split_names(r.data.tags.get(tk.FEATURE_VIEWS))
            ]
            query = f"view {view}"
        by_id = {r.info.run_id: r for r in found}
        versions = runs.versions_of_runs(list(by_id)) if by_id else []
        return FeatureLineage(items=_entries(versions, by_id), query=query)


def _entries(versions: list[ModelVersion], runs: dict[str, Any]) -> list[LineageEntry]:
    entries = []
    for mv in versions:
        run = runs.get(mv.run_id or "")
        if run is None:  # no source run, or one deleted since
            continue
        use = feature_use(run.data.tags)
        if use is None:
            continue
        start = run.info.start_time
        entries.append(
            LineageEntry(
                model=mv.name,
                version=mv.version,
                run_id=run.info.run_id,
                trained_at=start / 1000 if start else None,
                **use.model_dump(),
            )
        )
    # Newest training first; a model's versions newest first among runs that started together.
    entries.sort(key=lambda e: (-(e.trained_at or 0), e.model, -int(e.version)))
    return entries
