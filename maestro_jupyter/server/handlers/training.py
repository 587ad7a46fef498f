"""REST handlers for training jobs: submit, list, describe, cancel, read the output."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import Job, JobList, JobLogs
from ..openapi import Operation, Param
from ..requests import CancelJob, SubmitJob
from .base import MaestroHandler


class JobsHandler(MaestroHandler):
    path = "/training/jobs"
    operations = {
        "get": Operation(
            "Training jobs, newest first",
            JobList,
            query=(
                Param("status", "Comma-separated statuses, or active / finished"),
                Param("user", "Only this user's jobs"),
                Param("project", "Only this project's jobs"),
                Param("limit", "At most this many, 1-1000 (default 100)", "integer"),
            ),
        ),
        "post": Operation("Submit a training job (it starts at once)", Job, 201, body=SubmitJob),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        status, user, project = self.query("status"), self.query("user"), self.query("project")
        limit = self.query("limit", "100")
        self.send(
            await self.call(
                lambda s: s.training.list(user=user, project=project, status=status, limit=limit)  # type: ignore[arg-type]
            )
        )

    @web.authenticated
    @authorized
    async def post(self) -> None:
        req = self.body(SubmitJob)
        root = self.settings.get("server_root_dir")
        user = self.acting_user()
        job = await self.call(
            lambda s: s.training.submit(
                req.script,
                source=req.source,
                params=req.params,
                name=req.name,
                experiment=req.experiment,
                cpus=req.cpus,
                memory=req.memory,
                gpus=req.gpus,
                workers=req.workers,
                env=req.env,
                user=user,
                root=root,
            )
        )
        self.send(job, 201)


class JobHandler(MaestroHandler):
    path = "/training/jobs/{job_id}"
    operations = {"get": Operation("A training job as it is now", Job)}

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.send(await self.call(lambda s: s.training.get(job_id)))


class CancelJobHandler(MaestroHandler):
    path = "/training/jobs/{job_id}/cancel"
    operations = {"post": Operation("Cancel a job: stop it and everything it started", Job, body=CancelJob)}

    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        if (self.request.body or b"").strip():
            self.body(CancelJob)
        user = self.acting_user()
        self.send(await self.call(lambda s: s.training.cancel(job_id, user=user)))


class JobLogsHandler(MaestroHandler):
    path = "/training/jobs/{job_id}/logs"
    operations = {
        "get": Operation(
            "A job's output from a byte offset; poll with next_offset to follow it until complete",
            JobLogs,
            query=(
                Param("offset", "Start at this byte (default 0)", "integer"),
                Param("limit", "At most this many bytes (default 65536)", "integer"),
                Param("tail", "Instead: the last this many bytes", "integer"),
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        offset, limit = self.query_int("offset", 0), self.query_int("limit", 65536)
        tail = None if self.query("tail") is None else self.query_int("tail", 0)
        self.send(await self.call(lambda s: s.training.logs(job_id, offset=offset, limit=limit, tail=tail)))
