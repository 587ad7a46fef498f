"""What the job and deployment tests share: stopping what a client left running, bounded polling, and checks on
real processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from maestro_jupyter import MaestroClient
from maestro_jupyter.backends.compute.supervisor import proc_start_time, proc_stat
from maestro_jupyter.contract.base import Actor
from maestro_jupyter.contract.deployments import DeleteDeployment, ListDeployments
from maestro_jupyter.contract.training import CancelJob, ListJobs
from maestro_jupyter.services import Services
from tests.sdk_helpers import services_of

#: Bound on waiting for a job or a deployment (polled, never slept through).
WAIT_S = 120.0
#: Who cleans up: anyone may list; each job and deployment is stopped as its owner.
ADMIN = Actor("test-cleanup", admin=True)


def stop_everything(client: MaestroClient) -> None:
    stop_everything_of(services_of(client))


def stop_everything_of(services: Services) -> None:
    """Cancel every active job and delete every deployment of ``services``, each as its owner."""
    if "store" not in vars(services):
        return
    for job in services.training.list(ListJobs(status="active"), ADMIN):
        services.training.cancel(CancelJob(job_id=job.id), Actor(job.user))
    for deployment in services.deployments.list(ListDeployments(), ADMIN):
        services.deployments.delete(DeleteDeployment(deployment_id=deployment.id), Actor(deployment.user))


def poll(check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    """Call ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


def alive(pid: int) -> bool:
    return proc_start_time(pid) is not None


def group_alive(pgid: int) -> bool:
    """Whether any live process of the group still runs."""
    return any(
        (fields := proc_stat(entry.name)) is not None and fields[2] == str(pgid)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
    )


def write_script(folder: Path, name: str, code: str) -> Path:
    path = folder / name
    path.write_text(code)
    return path


def pid_of(client: MaestroClient, job_id: str) -> int:
    _, handle = services_of(client).store.get_job(job_id)
    return int(handle["pid"])
