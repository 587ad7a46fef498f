"""REST handlers for model tests and the promotion gate: run a version's tests, read its latest report (JSON,
HTML, JUnit XML) and history, list a model's test runs, and ask the gate about a version."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.rules import _ALIAS
from ...contract.tests import GetTestOverview, GetTestReportFile, ListTestRuns, RunModelTests
from ...entities import GateDecision
from ..openapi import Operation, Param, flag, page_size
from .base import MaestroHandler
from .data import under_root

REPORT = "maestro_jupyter.analysis.modeltests.report:TestReport"


class VersionTestsHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/tests"
    operations = {
        "get": Operation(
            "The version's latest test report, its test runs and gate overrides; or the report as HTML / JUnit XML",
            "maestro_jupyter.analysis.modeltests.report:TestHistory",
            query=(
                Param(
                    "format",
                    "json (default) | html | junit: the latest report as stored",
                    enum=("json", "html", "junit"),
                ),
                flag("download", "1: send the report file as a download"),
            ),
            alternatives=("text/html", "application/xml"),
        ),
        "post": Operation("Run the test suite on the version and record the report", REPORT, 201, body=RunModelTests),
    }

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        fmt = self.query("format", "json")
        download = self.query_int("download") == 1
        if fmt == "json" and not download:
            self.send(await self.execute(self.request_model(GetTestOverview, body=False, name=name, version=version)))
            return
        req = self.request_model(GetTestReportFile, body=False, name=name, version=version, format=fmt)
        found = await self.execute(req)
        self.send_document(found.content, found.media_type, found.file_name, download)

    @web.authenticated
    @authorized
    async def post(self, name: str, version: str) -> None:
        req = self.request_model(RunModelTests, name=name, version=version)
        req = await under_root(self, req, "path", "policy_path")
        report = await self.execute(req)
        self.send(report, 201)


class ModelTestRunsHandler(MaestroHandler):
    path = "/models/{name}/tests"
    operations = {
        "get": Operation(
            "A model's recorded test runs across versions, newest first",
            "maestro_jupyter.analysis.modeltests.report:TestRunList",
            query=(page_size("max_results", "At most this many runs"),),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        from ...analysis.modeltests.report import TestRunList

        req = self.request_model(ListTestRuns, body=False, name=name, max_results=self.query_int("max_results"))
        self.send(TestRunList(name=req.name, runs=await self.execute(req)))


class GateHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/gate"
    operations = {
        "get": Operation(
            "Whether the version may take an alias (or be deployed) now, and why not",
            GateDecision,
            query=(Param("alias", "The alias to promote to (default: any gated promotion)", pattern=_ALIAS.pattern),),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        from ...contract.registry import GetGateDecision

        req = self.request_model(
            GetGateDecision, body=False, name=name, version=version, promote_to=self.query("alias")
        )
        self.send(await self.execute(req))
