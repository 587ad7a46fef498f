"""The experiments service: experiments, their runs, and runs side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from traitlets.config import LoggingConfigurable

from ..contract.base import Actor
from ..contract.experiments import CompareRuns, GetRun, ListExperiments, ListRuns
from ..entities import ExperimentPage, RunComparison, RunPage, RunSummary
from ..settings import Settings

if TYPE_CHECKING:
    from ..backends.mlflow_registry import MlflowRegistry


class ExperimentService(LoggingConfigurable):  # type: ignore[misc]
    """Read experiments and runs.

    Contract: operations take their request model (checked when built: ``InvalidParameter``) and the actor; unknown
    experiment or run: ``NotFound``; unreachable store: ``BackendUnavailable``. Blocking; the server runs it on a
    worker thread.
    """

    def __init__(self, backend: MlflowRegistry, settings: Settings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.settings = settings

    def list_experiments(self, request: ListExperiments, actor: Actor) -> ExperimentPage:
        """Active experiments, most recently updated first; ``search`` matches part of the name."""
        from ..backends.mlflow_registry import sql_string

        search = request.search
        filter_string = f"name ILIKE {sql_string(f'%{search}%')}" if search else ""
        return self.backend.search_experiments(filter_string, request.max_results, request.page_token)

    def list_runs(self, request: ListRuns, actor: Actor) -> RunPage:
        """Runs of an experiment (by name or id) with their metrics, sorted by ``order_by``
        (e.g. ``"metrics.accuracy DESC"``); ``filter`` is MLflow's run search syntax."""
        exp = self.backend.get_experiment(request.experiment)
        return self.backend.search_runs(
            exp.experiment_id, request.filter, request.order_by, request.max_results, request.page_token
        )

    def get_run(self, request: GetRun, actor: Actor) -> RunSummary:
        return self.backend.get_run(request.run_id)

    def compare_runs(self, request: CompareRuns, actor: Actor) -> RunComparison:
        """Every param and metric of 2 to 100 runs, aligned, with the keys whose values differ. One search reads
        them all (a ``get_run`` each took a store round trip per run); a ``NotFound`` names the missing ones."""
        from ..backends.mlflow_runs import MlflowRuns

        runs = [self.backend.summary(r) for r in MlflowRuns(self.backend).runs_by_id(request.run_ids)]
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
