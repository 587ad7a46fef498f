"""This machine's NVIDIA GPUs, and which local job holds which.

A local job asking for N GPUs gets N of its own, as a pod does: its supervisor picks free indices while holding a file
lock in ``MAESTRO_HOME`` (so that two processes, two kernels or a kernel and the server, never hand out the same
GPU), records them in the job's handle in the Maestro DB before letting go of the lock, and starts the job with
``CUDA_VISIBLE_DEVICES`` set to exactly those. The GPUs in use are those in the handles of this host's active jobs;
a job's GPUs are free again once its record says it is over. A job that cannot get its GPUs yet waits, ``queued``
with the reason, until they free up.

Only the standard library (and the supervisor's own modules) at import: a waiting supervisor imports this.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from .meter import group_readings
from .supervisor import job_group, proc_start_time

LOCK_FILE = "gpus.lock"
#: The handle keys of a job's allocation: its GPU indices, and the host they are on (a team's Maestro DB may be
#: shared by the service's replicas on several machines).
GPUS_KEY, HOST_KEY = "gpus", "host"


def gpu_indices() -> list[str]:
    """This machine's GPU indices as ``nvidia-smi`` lists them (``[]`` without ``nvidia-smi``, or if it fails)."""
    tool = shutil.which("nvidia-smi")
    return list(_query(tool, "index")) if tool else []


def gpu_model() -> str | None:
    """The model name of this machine's first GPU, for pricing (``None`` without one)."""
    tool = shutil.which("nvidia-smi")
    names = _query(tool, "name") if tool else ()
    return names[0] if names else None


@lru_cache(maxsize=16)
def _query(tool: str, field: str) -> tuple[str, ...]:
    """One ``nvidia-smi --query-gpu`` field per GPU. Cached per binary: a machine's GPUs do not change while a
    process runs, and ``nvidia-smi`` takes a while to answer."""
    try:
        out = subprocess.run(
            [tool, f"--query-gpu={field}", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in out.splitlines() if line.strip())


def host() -> str:
    return socket.gethostname()


@contextmanager
def allocation_lock(home: Path) -> Iterator[None]:
    """Held while GPUs are counted and handed out: one process at a time on this machine."""
    home.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # and the lock with it


def held_gpus(rows: list[tuple[Any, dict[str, Any]]], me: str, here: str) -> dict[str, str]:
    """``{gpu index: job id}`` of the GPUs that the active jobs ``rows`` (records and handles) other than ``me`` hold
    on host ``here``. A job whose supervisor and processes are all gone holds nothing, even before anyone marks it
    lost; one whose supervisor is gone but whose processes still run keeps its GPUs until they are stopped."""
    held: dict[str, str] = {}
    for job, handle in rows:
        gpus = handle.get(GPUS_KEY)
        if job.id == me or not gpus or handle.get(HOST_KEY) != here or _vanished(handle):
            continue
        held.update(dict.fromkeys((str(g) for g in gpus), job.id))
    return held


def _vanished(handle: dict[str, Any]) -> bool:
    pid, start = handle.get("supervisor_pid"), handle.get("supervisor_start")
    now = proc_start_time(int(pid)) if pid is not None else None
    if now is not None and (start is None or now == start):
        return False
    group = job_group(handle)
    return group is None or not group_readings([group[0]])[group[0]]
