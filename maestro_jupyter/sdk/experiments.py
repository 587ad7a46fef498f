"""Experiments and runs: ``ml.experiments``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..contract.experiments import CompareRuns, GetRun, ListExperiments, ListRuns
from ..entities import (
    ExperimentPage,
    RunComparison,
    RunPage,
    RunSummary,
)

if TYPE_CHECKING:
    from .transport import Transport


class ExperimentsAPI:
    """Experiments and runs: ``ml.experiments``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list(self, search: str | None = None, max_results: int = 100, page_token: str | None = None) -> ExperimentPage:
        """Active experiments, most recently updated first."""
        request = ListExperiments.build(search=search, max_results=max_results, page_token=page_token)
        result: ExperimentPage = self._transport.call(request)
        return result

    def runs(
        self,
        experiment: str,
        *,
        order_by: str | Sequence[str] | None = None,
        filter: str = "",
        max_results: int = 100,
        page_token: str | None = None,
    ) -> RunPage:
        """Runs of an experiment (name or id) with their metrics, e.g. ``order_by="metrics.accuracy DESC"``."""
        request = ListRuns.build(
            experiment=experiment,
            order_by=order_by if order_by is None or isinstance(order_by, str) else list(order_by),
            filter=filter,
            max_results=max_results,
            page_token=page_token,
        )
        result: RunPage = self._transport.call(request)
        return result

    def run(self, run_id: str) -> RunSummary:
        """One run with its metrics, params and tags."""
        result: RunSummary = self._transport.call(GetRun.build(run_id=run_id))
        return result

    def compare(self, run_ids: Sequence[str]) -> RunComparison:
        """Runs side by side; ``differing_params``/``differing_metrics`` name what changed."""
        ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
        result: RunComparison = self._transport.call(CompareRuns.build(run_ids=ids))
        return result
