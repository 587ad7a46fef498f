"""REST handlers for experiments and runs."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.experiments import CompareRuns, GetRun, ListExperiments, ListRuns
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
        fields = {k: self.query(k) for k in ("search", "max_results", "page_token")}
        self.send(await self.execute(self.request_model(ListExperiments, body=False, **fields)))


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
        req = self.request_model(
            ListRuns,
            body=False,
            experiment=experiment,
            order_by=self.get_query_arguments("order_by") or None,
            **{k: self.query(k) for k in ("filter", "max_results", "page_token")},
        )
        self.send(await self.execute(req))


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
        self.send(await self.execute(self.request_model(CompareRuns, body=False, run_ids=self.query_list("run_ids"))))


class RunHandler(MaestroHandler):
    path = "/runs/{run_id}"
    operations = {"get": Operation("A run with its metrics, params and tags", RunSummary)}

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        self.send(await self.execute(self.request_model(GetRun, body=False, run_id=run_id)))
