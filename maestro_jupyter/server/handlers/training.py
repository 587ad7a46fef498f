"""REST handlers for training jobs: submit, list, describe, cancel, read the output."""

from __future__ import annotations

from pathlib import Path

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.sources import resolve_path
from ...contract.training import MAX_LOG_CHUNK, CancelJob, GetJob, GetJobLogs, ListJobs, SubmitJob, script_fields
from ...entities import Job, JobList, JobLogs
from ..openapi import Operation, Param, page_size
from .base import MaestroHandler

#: The largest log offset taken: a byte count any client (JavaScript's numbers too) holds exactly.
MAX_LOG_OFFSET = 2**53 - 1


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
                page_size("limit", "At most this many"),
            ),
        ),
        "post": Operation("Submit a training job (it starts at once)", Job, 201, body=SubmitJob),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        req = self.request_model(
            ListJobs,
            body=False,
            status=self.query("status"),
            user=self.query("user"),
            project=self.query("project"),
            limit=self.query_int("limit"),
        )
        self.send(await self.execute(req))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        req = self.request_model(SubmitJob)
        root = Path(self.settings.get("server_root_dir") or ".").expanduser().resolve()
        if req.script is not None:
            # The script is read here, under the Jupyter root (refused outside it), and its code sent on; it runs in
            # its folder, and shows by its path as the file browser shows it.
            script = req.script
            fields = await self.call(lambda _s: _read_script(script, root))
            req = SubmitJob.model_validate({**req.model_dump(exclude_unset=True), "script": None, **fields})
        else:
            # Code sent as such runs at the root (where the client named no folder on this server).
            req = SubmitJob.model_validate({**req.model_dump(exclude_unset=True), "workdir": str(root)})
        self.send(await self.execute(req), 201)


class JobHandler(MaestroHandler):
    path = "/training/jobs/{job_id}"
    operations = {"get": Operation("A training job as it is now", Job)}

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.send(await self.execute(self.request_model(GetJob, body=False, job_id=job_id)))


class CancelJobHandler(MaestroHandler):
    path = "/training/jobs/{job_id}/cancel"
    operations = {"post": Operation("Cancel a job: stop it and everything it started", Job, body=CancelJob)}

    @web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        # The body is optional (there is nothing to say but the id, which the path gives).
        has_body = bool((self.request.body or b"").strip())
        self.send(await self.execute(self.request_model(CancelJob, body=has_body, job_id=job_id)))


class JobLogsHandler(MaestroHandler):
    path = "/training/jobs/{job_id}/logs"
    operations = {
        "get": Operation(
            "A job's output from a byte offset; poll with next_offset to follow it until complete",
            JobLogs,
            query=(
                Param("offset", "Start at this byte (default 0)", "integer", minimum=0, maximum=MAX_LOG_OFFSET),
                Param("limit", "At most this many bytes (default 65536)", "integer", minimum=1, maximum=MAX_LOG_CHUNK),
                Param("tail", "Instead: the last this many bytes", "integer", minimum=1, maximum=MAX_LOG_CHUNK),
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        req = self.request_model(
            GetJobLogs,
            body=False,
            job_id=job_id,
            offset=self.query_int("offset", 0),
            limit=self.query_int("limit", 65536),
            tail=self.query_int("tail"),
        )
        self.send(await self.execute(req))


def _read_script(script: str, root: Path) -> dict[str, str]:
    path = resolve_path(script, root)
    return script_fields(path, str(path.relative_to(root)))
