"""The experiments service: experiments, their runs, and runs side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from traitlets.config import LoggingConfigurable

from ..entities import ExperimentPage, RunComparison, RunPage, RunSummary
from ..errors import InvalidParameter
from ..settings import Settings
from . import validation as v

if TYPE_CHECKING:
    from ..backends.mlflow_registry import MlflowRegistry

MAX_COMPARE = 50


class ExperimentService(LoggingConfigurable):  # type: ignore[misc]
    """Read experiments and runs.

    Contract: input validated first (``InvalidParameter``); unknown experiment or run: ``NotFound``; unreachable
    store: ``BackendUnavailable``. Blocking; the server runs it on a worker thread.
    """

    def __init__(self, backend: MlflowRegistry, settings: Settings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.settings = settings

    def list_experiments(
        self, search: str | None = None, max_results: int | str | None = 100, page_token: str | None = None
    ) -> ExperimentPage:
        """Active experiments, most recently updated first; ``search`` matches part of the name."""
        from ..backends.mlflow_registry import sql_string

        filter_string = f"name ILIKE {sql_string(f'%{search}%')}" if search else ""
        return self.backend.search_experiments(filter_string, v.page_size(max_results), v.page_token(page_token))

    def list_runs(
        self,
        experiment: str,
        order_by: Sequence[str] | str | None = None,
        filter_string: str = "",
        max_results: int | str | None = 100,
        page_token: str | None = None,
    ) -> RunPage:
        """Runs of an experiment (by name or id) with their metrics, sorted by ``order_by``
        (e.g. ``"metrics.accuracy DESC"``); ``filter_string`` is MLflow's run search syntax."""
        exp = self.backend.get_experiment(v.name(str(experiment), "experiment"))
        orders = [order_by] if isinstance(order_by, str) else list(order_by or ["attributes.start_time DESC"])
        if not isinstance(filter_string, str) or len(filter_string) > 4000:
            raise InvalidParameter("filter must be a string of at most 4000 characters")
        return self.backend.search_runs(
            exp.experiment_id, filter_string, v.run_order(orders), v.page_size(max_results), v.page_token(page_token)
        )

    def get_run(self, run_id: str) -> RunSummary:
        return self.backend.get_run(v.run_id(run_id))

    def compare_runs(self, run_ids: list[str]) -> RunComparison:
        """Every param and metric of 2 to 50 runs, aligned, with the keys whose values differ."""
        ids = list(dict.fromkeys(v.run_id(r) for r in run_ids))
        if not 2 <= len(ids) <= MAX_COMPARE:
            raise InvalidParameter(f"Compare needs between 2 and {MAX_COMPARE} distinct run ids, got {len(ids)}")
        runs = [self.backend.get_run(r) for r in ids]
        param_keys = sorted({k for r in runs for k in r.params})
        metric_keys = sorted({k for r in runs for k in r.metrics})
        params = {k: [r.params.get(k) for r in runs] for k in param_keys}
        metrics = {k: [r.metrics.get(k) for r in runs] for k in metric_keys}
        return RunComparison(
            runs=runs,
            params=params,
            metrics=metrics,
            differing_params=[k for k, vals in params.items() if len(set(vals)) > 1],
            differing_metrics=[k for k, vals in metrics.items() if len(set(vals)) > 1],
        )
