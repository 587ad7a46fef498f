"""REST handlers for experiments and runs."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.experiments import MAX_COMPARE, MAX_RUN_PAGE, CompareRuns, GetRun, ListExperiments, ListRuns
from ...entities import ExperimentPage, RunComparison, RunPage, RunSummary
from ..openapi import Operation, Param, page_size, page_token
from .base import MaestroHandler

_PAGE = (page_size(), page_token())


class ExperimentsHandler(MaestroHandler):
    path = "/experiments"
    operations = {
        "get": Operation("Active experiments", ExperimentPage, query=(Param("search", "Part of the name"), *_PAGE))
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        req = self.request_model(
            ListExperiments,
            body=False,
            search=self.query("search"),
            page_token=self.query("page_token"),
            max_results=self.query_int("max_results"),
        )
        self.send(await self.execute(req))


class ExperimentRunsHandler(MaestroHandler):
    path = "/experiments/{experiment}/runs"
    operations = {
        "get": Operation(
            "Runs of an experiment (by name or id) with metrics, sortable",
            RunPage,
            query=(
                Param("order_by", "e.g. 'metrics.accuracy DESC'; repeatable", repeated=True),
                Param("filter", 'MLflow run search filter, e.g. "metrics.accuracy > 0.9"'),
                Param(
                    "max_results",
                    f"Page size, 1-{MAX_RUN_PAGE} (default 100)",
                    "integer",
                    minimum=1,
                    maximum=MAX_RUN_PAGE,
                ),
                page_token(),
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
            order_by=self.query_list("order_by") or None,
            max_results=self.query_int("max_results"),
            **{k: self.query(k) for k in ("filter", "page_token")},
        )
        self.send(await self.execute(req))


class RunCompareHandler(MaestroHandler):
    path = "/runs/compare"
    operations = {
        "get": Operation(
            "Runs side by side",
            RunComparison,
            query=(Param("run_ids", f"2-{MAX_COMPARE} run ids, comma-separated", repeated=True, required=True),),
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
