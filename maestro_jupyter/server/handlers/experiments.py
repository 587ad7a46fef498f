"""REST handlers for experiments and runs."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import ExperimentPage, RunComparison, RunPage, RunSummary
from ..openapi import Operation, Param
from .base import MaestroHandler

_PAGE = (
    Param("max_results", "Page size, 1-1000 (default 100)", "integer"),
    Param("page_token", "next_page_token of the previous page"),
)


class ExperimentsHandler(MaestroHandler):
    path = "/experiments"
    operations = {
        "get": Operation("Active experiments", ExperimentPage, query=(Param("search", "Part of the name"), *_PAGE))
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        experiments = self.maestro.services.experiments
        self.send(
            await self.call(
                experiments.list_experiments, self.query("search"), self.query("max_results"), self.query("page_token")
            )
        )


class ExperimentRunsHandler(MaestroHandler):
    path = "/experiments/{experiment}/runs"
    operations = {
        "get": Operation(
            "Runs of an experiment (by name or id) with metrics, sortable",
            RunPage,
            query=(
                Param("order_by", "e.g. 'metrics.accuracy DESC'; repeatable", repeated=True),
                Param("filter", 'MLflow run search filter, e.g. "metrics.accuracy > 0.9"'),
                *_PAGE,
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, experiment: str) -> None:
        self.send(
            await self.call(
                self.maestro.services.experiments.list_runs,
                experiment,
                self.get_query_arguments("order_by") or None,
                self.query("filter", "") or "",
                self.query("max_results"),
                self.query("page_token"),
            )
        )


class RunCompareHandler(MaestroHandler):
    path = "/runs/compare"
    operations = {
        "get": Operation(
            "Runs side by side", RunComparison, query=(Param("run_ids", "Run ids, comma-separated", repeated=True),)
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(self.maestro.services.experiments.compare_runs, self.query_list("run_ids")))


class RunHandler(MaestroHandler):
    path = "/runs/{run_id}"
    operations = {"get": Operation("A run with its metrics, params and tags", RunSummary)}

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        self.send(await self.call(self.maestro.services.experiments.get_run, run_id))
