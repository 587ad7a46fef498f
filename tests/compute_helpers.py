"""What the job and deployment tests share: a client on a private seeded home that cleans up after itself, and
checks on real processes."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from maestro_jupyter import MaestroClient
from maestro_jupyter.backends.compute.supervisor import proc_start_time
from maestro_jupyter.settings import Settings

#: Bound on waiting for a job or a deployment (polled, never slept through).
WAIT_S = 120.0


@pytest.fixture
def ml(maestro_home: Path) -> Iterator[MaestroClient]:
    """A client on a private copy of the seeded home; whatever its test left running is stopped afterwards."""
    client = MaestroClient(Settings.from_env({}, home=str(maestro_home)))
    yield client
    stop_everything(client)


def stop_everything(client: MaestroClient) -> None:
    services = client._services
    if "store" not in vars(services):
        return
    for job in services.training.list(status="active"):
        services.training.cancel(job.id, user=job.user)
    for deployment in services.deployments.list():
        services.deployments.delete(deployment.id, user=deployment.user)


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
    """Whether any process of the group still runs (zombies waiting to be reaped do not count)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def write_script(folder: Path, name: str, code: str) -> Path:
    path = folder / name
    path.write_text(code)
    return path


def pid_of(client: MaestroClient, job_id: str) -> int:
    _, handle = client._services.store.get_job(job_id)
    return int(handle["pid"])


__all__ = ["WAIT_S", "alive", "group_alive", "ml", "os", "pid_of", "poll", "stop_everything", "write_script"]
