"""REST handlers for datasets: profile a file and rank its features. Files are read only under the Jupyter root."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..openapi import Operation
from ..requests import DiscoverFeatures, ProfileData
from .base import MaestroHandler


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
        req = self.body(ProfileData)
        root = self.settings.get("server_root_dir")
        self.send(
            await self.call(
                lambda s: s.data.profile(
                    req.path,
                    minimal=req.minimal,
                    report=req.report,
                    sample=req.sample,
                    target=req.target,
                    title=req.title,
                    progress=False,
                    root=root,
                )
            )
        )


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
        req = self.body(DiscoverFeatures)
        root = self.settings.get("server_root_dir")
        self.send(
            await self.call(
                lambda s: s.data.features(
                    req.path,
                    req.target,
                    task=req.task,
                    top_k=req.top,
                    time_budget=req.time_budget,
                    exclude=req.exclude,
                    root=root,
                )
            )
        )
