"""REST handlers for model tests and the promotion gate: run a version's tests, read its latest report (JSON,
HTML, JUnit XML) and history, list a model's test runs, and ask the gate about a version."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import GateDecision
from ...errors import InvalidParameter
from ..openapi import Operation, Param
from ..requests import RunModelTests
from .base import MaestroHandler

REPORT = "maestro_jupyter.analysis.modeltests.report:TestReport"


class VersionTestsHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/tests"
    operations = {
        "get": Operation(
            "The version's latest test report, its test runs and gate overrides; or the report as HTML / JUnit XML",
            "maestro_jupyter.analysis.modeltests.report:TestHistory",
            query=(
                Param("format", "json (default) | html | junit: the latest report as stored"),
                Param("download", "1: send the report file as a download", "integer"),
            ),
            alternatives=("text/html", "application/xml"),
        ),
        "post": Operation("Run the test suite on the version and record the report", REPORT, 201, body=RunModelTests),
    }

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        fmt = self.query("format", "json")
        download = self.query("download") in ("1", "true")
        if fmt == "json" and not download:
            self.send(await self.call(lambda s: s.tests.overview(name, version)))
            return
        found = await self.call(lambda s: s.tests.report_file(name, version, fmt))
        self.send_document(found.content, found.media_type, found.file_name, download)

    @web.authenticated
    @authorized
    async def post(self, name: str, version: str) -> None:
        req = self.body(RunModelTests)
        if req.policy is not None and req.policy_path is not None:
            raise InvalidParameter("Give policy or policy_path, not both")
        root = self.settings.get("server_root_dir")
        user = self.acting_user()
        report = await self.call(
            lambda s: s.tests.run(
                name,
                version,
                data=req.path,
                target=req.target,
                sensitive=req.sensitive,
                slices=req.slices,
                policy=req.policy if req.policy is not None else req.policy_path,
                thresholds=req.thresholds or None,
                reference_alias=req.reference_alias,
                record=req.record,
                user=user,
                root=root,
            )
        )
        self.send(report, 201)


class ModelTestRunsHandler(MaestroHandler):
    path = "/models/{name}/tests"
    operations = {
        "get": Operation(
            "A model's recorded test runs across versions, newest first",
            "maestro_jupyter.analysis.modeltests.report:TestRunList",
            query=(Param("max_results", "At most this many runs, 1-1000 (default 100)", "integer"),),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        from ...analysis.modeltests.report import TestRunList

        size = self.query("max_results", "100")
        runs = await self.call(lambda s: s.tests.history(name, None, size))  # type: ignore[arg-type]
        self.send(TestRunList(name=name, runs=runs))


class GateHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/gate"
    operations = {
        "get": Operation(
            "Whether the version may take an alias (or be deployed) now, and why not",
            GateDecision,
            query=(Param("alias", "The alias to promote to (default: any gated promotion)"),),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        alias = self.query("alias")
        self.send(await self.call(lambda s: s.gate.decide_alias(name, version, alias)))
