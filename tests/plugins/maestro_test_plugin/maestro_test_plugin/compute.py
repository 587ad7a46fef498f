"""``MAESTRO_COMPUTE=inline``: a job runs to its end in a subprocess while ``submit_job`` waits.

Everything about the run (exit code, times, where the output went) is in the handle, so any process that reads the
job's record knows how it ended. It serves no models: deployments are refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from maestro_jupyter.backends.compute.base import (
    BackendResponse,
    ComputeBackend,
    DeploymentLaunch,
    DeploymentUpdate,
    Handle,
    JobLaunch,
    JobUpdate,
    Usage,
    slice_utf8,
)
from maestro_jupyter.backends.compute.commands import job_argv
from maestro_jupyter.errors import BackendUnavailable, InvalidParameter

#: A job that runs longer is stopped: submit_job must not block its caller forever.
TIMEOUT_S = 600.0
NO_SERVING = "The inline backend runs training jobs only; serve models with MAESTRO_COMPUTE=local or kubernetes"


class InlineCompute(ComputeBackend):
    """Jobs run synchronously, one subprocess each, on this machine."""

    name = "inline"

    def submit_job(self, launch: JobLaunch) -> Handle:
        if launch.resources.workers > 1 or launch.resources.gpus:
            raise InvalidParameter("The inline backend runs one worker without GPUs")
        job_dir = self.settings.ensure_home() / "inline-jobs" / launch.job_id
        job_dir.mkdir(parents=True)
        script = job_dir / launch.file_name
        script.write_bytes(launch.code)
        log = job_dir / "output.log"
        started = time.time()
        with open(log, "wb") as out:
            try:
                exit_code = subprocess.run(
                    job_argv(sys.executable, launch.kind, str(script), launch.params),
                    cwd=launch.workdir or job_dir,
                    env={**os.environ, **launch.env, "PYTHONUNBUFFERED": "1"},
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=TIMEOUT_S,
                    check=False,
                ).returncode
            except subprocess.TimeoutExpired:
                exit_code = None
        return {"log": str(log), "exit_code": exit_code, "started_at": started, "finished_at": time.time()}

    def refresh_job(self, job: Any, handle: Handle) -> JobUpdate | None:
        if "finished_at" not in handle:
            return None  # not submitted yet (the record is written before the run)
        code = handle.get("exit_code")
        reason = None if code == 0 else f"timed out after {TIMEOUT_S:g} s" if code is None else f"exit code {code}"
        return JobUpdate(
            status="succeeded" if code == 0 else "failed",
            reason=reason,
            exit_code=code,
            started_at=handle["started_at"],
            finished_at=handle["finished_at"],
        )

    def job_logs(self, job: Any, handle: Handle, offset: int, limit: int) -> tuple[str, int]:
        path = Path(handle.get("log", ""))
        data = path.read_bytes() if path.is_file() else b""
        return slice_utf8(data, offset, limit)

    def cancel_job(self, job: Any, handle: Handle) -> JobUpdate:
        # A job is over by the time anyone can ask: report how it ended.
        return self.refresh_job(job, handle) or JobUpdate(status="cancelled", finished_at=time.time())

    def job_usage(self, job: Any, handle: Handle) -> Usage | None:
        return None  # not measured: Maestro prices the requests for the run time

    def create_deployment(self, launch: DeploymentLaunch) -> Handle:
        raise InvalidParameter(NO_SERVING)

    def refresh_deployment(self, deployment: Any, handle: Handle) -> DeploymentUpdate:
        return DeploymentUpdate(status="failed", ready_replicas=0, reason=NO_SERVING)

    def scale_deployment(self, deployment: Any, handle: Handle, replicas: int) -> Handle:
        raise InvalidParameter(NO_SERVING)

    def update_deployment(self, deployment: Any, handle: Handle, launch: DeploymentLaunch) -> Handle:
        raise InvalidParameter(NO_SERVING)

    def delete_deployment(self, deployment: Any, handle: Handle) -> None:
        return None  # nothing was started

    def predict(self, deployment: Any, handle: Handle, body: bytes, timeout: float) -> BackendResponse:
        raise BackendUnavailable(NO_SERVING)

    def deployment_usage(
        self, deployment: Any, handle: Handle, since: float, until: float, meter: dict[str, Any]
    ) -> tuple[Usage | None, dict[str, Any]]:
        return None, meter
