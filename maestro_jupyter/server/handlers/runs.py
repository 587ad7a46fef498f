"""REST handlers for a run's details: metric histories (learning curves) and artifacts."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.runs import (
    DEFAULT_POINTS,
    MAX_HISTORY_KEYS,
    MAX_HISTORY_RUNS,
    MAX_POINTS,
    MIN_POINTS,
    DownloadArtifact,
    GetArtifactPreview,
    GetMetricHistories,
    GetMetricHistory,
    ListArtifacts,
)
from ...entities import ArtifactList, ArtifactPreview, MetricHistories, MetricHistory
from ...errors import InvalidParameter
from ..openapi import Operation, Param
from .base import MaestroHandler

_MAX_POINTS = Param(
    "max_points",
    f"Points per series at most, {MIN_POINTS}-{MAX_POINTS} (default {DEFAULT_POINTS}); a longer history is "
    "downsampled keeping each bucket's lowest and highest value",
    "integer",
    minimum=MIN_POINTS,
    maximum=MAX_POINTS,
)
#: Bytes written to the client at a time when sending a file.
CHUNK = 1024 * 1024


class MetricHistoryHandler(MaestroHandler):
    path = "/runs/{run_id}/metrics/{key}/history"
    operations = {
        "get": Operation(
            "A metric's values over a run, in step order (downsampled)", MetricHistory, query=(_MAX_POINTS,)
        )
    }

    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        req = self.request_model(
            GetMetricHistory, body=False, run_id=run_id, key=key, max_points=self.query_int("max_points")
        )
        self.send(await self.execute(req))


class MetricHistoriesHandler(MaestroHandler):
    path = "/runs/metrics/history"
    operations = {
        "get": Operation(
            "Metric histories of several runs, for overlaid learning curves: one series per (run, key)",
            MetricHistories,
            query=(
                Param(
                    "run_ids",
                    f"Run ids, 1-{MAX_HISTORY_RUNS}; repeatable or comma-separated",
                    repeated=True,
                    required=True,
                ),
                Param(
                    "keys",
                    f"Metric keys, 1-{MAX_HISTORY_KEYS}; repeatable or comma-separated",
                    repeated=True,
                    required=True,
                ),
                _MAX_POINTS,
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        req = self.request_model(
            GetMetricHistories,
            body=False,
            run_ids=self.query_list("run_ids"),
            keys=self.query_list("keys"),
            max_points=self.query_int("max_points"),
        )
        self.send(await self.execute(req))


_PATH = Param("path", "A path inside the run's artifacts, relative, '/'-separated (no '..')")


class _ArtifactHandler(MaestroHandler):
    def artifact_path(self) -> str | None:
        """The ``path`` query parameter as sent. Tornado's own reading turns control characters into spaces, which
        would make ``a%00b`` the path ``a b``; the contract refuses them instead (a 400 that says so)."""
        self.query("path")  # once, not empty: the usual rules for a single-valued parameter
        raw = self.request.query_arguments.get("path")
        if not raw:
            return None
        try:
            return raw[0].decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidParameter("path is not valid UTF-8") from None


class ArtifactsHandler(_ArtifactHandler):
    path = "/runs/{run_id}/artifacts"
    operations = {
        "get": Operation(
            "The files and folders directly under a path of the run's artifacts (the root without path)",
            ArtifactList,
            query=(_PATH,),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        req = self.request_model(ListArtifacts, body=False, run_id=run_id, artifact_path=self.artifact_path())
        self.send(await self.execute(req))


class ArtifactPreviewHandler(_ArtifactHandler):
    path = "/runs/{run_id}/artifacts/preview"
    operations = {
        "get": Operation(
            "A preview of one artifact file: text, an image, a table's first rows, or only its size",
            ArtifactPreview,
            query=(Param(_PATH.name, _PATH.description, required=True),),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        req = self.request_model(GetArtifactPreview, body=False, run_id=run_id, artifact_path=self.artifact_path())
        self.send(await self.execute(req))


class ArtifactDownloadHandler(_ArtifactHandler):
    path = "/runs/{run_id}/artifacts/download"
    operations = {
        "get": Operation(
            "One artifact file, as an attachment",
            query=(Param(_PATH.name, _PATH.description, required=True),),
            content_type="application/octet-stream",
        )
    }

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        req = self.request_model(DownloadArtifact, body=False, run_id=run_id, artifact_path=self.artifact_path())
        document = await self.execute(req)
        # A run's file is someone's upload: never sniffed into something a browser would render or run.
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Disposition", f'attachment; filename="{document.file_name}"')
        self.set_header("Content-Security-Policy", "default-src 'none'; sandbox")
        self.set_header("Content-Type", document.media_type)
        self.set_header("Content-Length", str(len(document.content)))
        content = memoryview(document.content)
        for start in range(0, len(content), CHUNK):
            self.write(bytes(content[start : start + CHUNK]))
            await self.flush()
        await self.finish(set_content_type=document.media_type)  # APIHandler.finish would say JSON
