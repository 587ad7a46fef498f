"""The MLflow adapter's reading of feature lineage: runs by their ``FEATURE_*`` tags, and the model versions those
runs registered.

A sibling of :mod:`.mlflow_registry` (whose client and error translation it shares). A search over every experiment
finds the runs a tag names (one ``search_runs`` per 1,000 runs), and one ``search_model_versions`` per 100 runs finds
their versions (``run_id IN (...)``), rather than a read per run or per version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..entities import ModelVersion
from .mlflow_registry import _model_version, sql_string, translate_errors

if TYPE_CHECKING:
    from .mlflow_registry import MlflowRegistry

#: Run ids one filter names at most (a filter string stays a few KB long).
IDS_PER_SEARCH = 100
#: Runs one lineage question reads at most.
MAX_RUNS = 1000


class FeatureRuns:
    """Runs and versions by feature lineage over the store of an :class:`~.mlflow_registry.MlflowRegistry`."""

    def __init__(self, backend: MlflowRegistry) -> None:
        self.backend = backend
        self.client = backend.client

    def runs_tagged(self, key: str, *, equals: str | None = None, contains: str | None = None) -> list[Any]:
        """Active runs of every experiment whose tag ``key`` equals ``equals`` (or contains ``contains``: a superset,
        since ``_`` and ``%`` are wildcards there; the caller checks), newest first, at most :data:`MAX_RUNS`."""
        from mlflow.entities import ViewType

        if equals is not None:
            clause = f"tags.`{key}` = {sql_string(equals)}"
        else:
            clause = f"tags.`{key}` LIKE {sql_string('%' + (contains or '') + '%')}"
        runs: list[Any] = []
        with translate_errors("Searching runs by their features"):
            experiment_ids = self._experiment_ids()
            if not experiment_ids:
                return []
            token = None
            while len(runs) < MAX_RUNS:
                page = self.client.search_runs(
                    experiment_ids,
                    filter_string=clause,
                    run_view_type=ViewType.ACTIVE_ONLY,
                    max_results=MAX_RUNS - len(runs),
                    order_by=["attributes.start_time DESC"],
                    page_token=token,
                )
                runs += list(page)
                token = page.token
                if not token:
                    break
        return runs

    def runs_by_id(self, run_ids: Sequence[str]) -> dict[str, Any]:
        """MLflow's runs for ``run_ids`` (deleted ones included), by id; an id no run has is left out."""
        from mlflow.entities import ViewType

        found: dict[str, Any] = {}
        ids = list(dict.fromkeys(run_ids))
        if not ids:
            return found
        with translate_errors("Reading runs"):
            experiment_ids = self._experiment_ids()
            for start in range(0, len(ids), IDS_PER_SEARCH):
                chunk = ids[start : start + IDS_PER_SEARCH]
                clause = f"attributes.run_id IN ({', '.join(sql_string(r) for r in chunk)})"
                page = self.client.search_runs(
                    experiment_ids, filter_string=clause, run_view_type=ViewType.ALL, max_results=len(chunk)
                )
                found.update((r.info.run_id, r) for r in page)
        return found

    def versions_of_runs(self, run_ids: Sequence[str]) -> list[ModelVersion]:
        """The registered versions whose source run is one of ``run_ids``."""
        ids = list(dict.fromkeys(run_ids))
        versions: list[ModelVersion] = []
        with translate_errors("Finding the model versions of runs"):
            for start in range(0, len(ids), IDS_PER_SEARCH):
                chunk = ids[start : start + IDS_PER_SEARCH]
                clause = f"run_id IN ({', '.join(sql_string(r) for r in chunk)})"
                versions += [_model_version(mv) for mv in self.client.search_model_versions(clause)]
        return versions

    def _experiment_ids(self) -> list[str]:
        from mlflow.entities import ViewType

        ids: list[str] = []
        token = None
        while True:
            page = self.client.search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=1000, page_token=token)
            ids += [str(e.experiment_id) for e in page]
            token = page.token
            if not token:
                return ids
