"""REST handlers for datasets: profile a file and rank its features. Files are read only under the Jupyter root."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TypeVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.base import Request
from ...contract.data import DiscoverFeatures, ProfileData
from ...contract.sources import resolve_path
from ..openapi import Operation
from .base import MaestroHandler

R = TypeVar("R", bound=Request)


async def under_root(handler: MaestroHandler, request: R, *fields: str) -> R:
    """``request`` with its file ``fields`` resolved inside the Jupyter root (``PermissionDenied`` outside it,
    ``NotFound`` when missing), so the service reads only files the server may serve."""
    root = handler.settings.get("server_root_dir")
    updates: dict[str, str] = {}
    for field in fields:
        given = getattr(request, field)
        if given is not None:
            resolved = await handler.call(functools.partial(_resolve, given, root))
            updates[field] = str(resolved)
    return request.model_copy(update=updates) if updates else request


def _resolve(given: str, root: str | None, _services: object) -> Path:
    return resolve_path(given, root)


class ProfileDataHandler(MaestroHandler):
    path = "/data/profile"
    operations = {
        "post": Operation(
            "Profile a CSV/TSV/Parquet file under the Jupyter root: exact summary and report",
            "maestro_jupyter.analysis.profiling:ProfileResult",
            body=ProfileData,
        )
    }

    @web.authenticated
    @authorized
    async def post(self) -> None:
        req = await under_root(self, self.request_model(ProfileData), "path", "compare_path")
        self.send(await self.execute(req))


class FeaturesHandler(MaestroHandler):
    path = "/data/features"
    operations = {
        "post": Operation(
            "Rank a file's features for a target column, with evidence and warnings",
            "maestro_jupyter.analysis.features:FeatureReport",
            body=DiscoverFeatures,
        )
    }

    @web.authenticated
    @authorized
    async def post(self) -> None:
        req = await under_root(self, self.request_model(DiscoverFeatures), "path")
        self.send(await self.execute(req))
