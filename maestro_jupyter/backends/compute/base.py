"""The contract every compute backend keeps.

A backend starts and stops things and reports what it observes; it owns no records. The services validate requests,
write the job and deployment records to the Maestro DB and hand the backend a launch description. What a backend
needs to find its things again (process ids, ports, Kubernetes object names) it returns as a JSON-able ``handle``,
stored with the record, so that any process (the kernel, the server, the server after a restart) can pick up where
another left off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ...entities import Deployment, Job, Resources

Handle = dict[str, Any]


@dataclass(frozen=True)
class JobLaunch:
    """Everything a backend needs to start a training job."""

    job_id: str
    name: str
    user: str
    project: str
    #: ``script`` (a ``.py`` file), ``notebook`` (an ``.ipynb``, run cell by cell) or ``cell`` (a ``%%maestro
    #: train`` body, run as a script).
    kind: str
    file_name: str
    code: bytes
    #: The folder the code came from: the local backend runs it there (so relative paths and sibling modules work).
    workdir: str | None
    params: dict[str, str]
    resources: Resources
    #: The MLflow run context (``MLFLOW_TRACKING_URI``, ``MLFLOW_RUN_ID``, ``MLFLOW_EXPERIMENT_ID``) and Maestro's.
    env: dict[str, str]
    image: str | None = None
    #: Kubernetes: run the code from this path of a mounted volume instead of shipping it in a ConfigMap.
    code_path: str | None = None


@dataclass(frozen=True)
class DeploymentLaunch:
    """Everything a backend needs to serve a model version."""

    deployment_id: str
    model: str
    version: str
    model_uri: str
    replicas: int
    user: str
    project: str
    resources: Resources
    env: dict[str, str]
    image: str | None = None


@dataclass
class JobUpdate:
    """What a backend observed about a job that the record does not say yet (``None`` fields: unchanged)."""

    status: str
    reason: str | None = None
    exit_code: int | None = None
    started_at: float | None = None
    finished_at: float | None = None
    cpu_seconds: float | None = None
    peak_memory_mb: float | None = None


@dataclass
class DeploymentUpdate:
    """What a backend observed about a deployment."""

    status: str
    ready_replicas: int
    reason: str = ""
    url: str | None = None
    instances: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class BackendResponse:
    """A serving replica's answer to a prediction request, passed through as it came."""

    status: int
    body: bytes
    replica: str


def slice_utf8(data: bytes, offset: int, limit: int) -> tuple[str, int]:
    """Up to ``limit`` bytes of ``data`` from ``offset`` (a negative one counts from the end), ending on a UTF-8
    character boundary (a character is never split between two reads), decoded; and the offset to read from next."""
    offset = max(0, len(data) + offset if offset < 0 else offset)
    if limit <= 0 or offset >= len(data):
        # Past the end (nothing new yet, or the pod's log is gone): stay put rather than read anything twice.
        return "", offset
    end = min(len(data), offset + limit)
    cut = end
    while offset < cut < len(data) and data[cut] & 0xC0 == 0x80:  # a continuation byte: back off to its lead
        cut -= 1
    if cut == offset:  # a limit smaller than one character: take that character whole rather than stall
        cut = offset + 1
        while cut < len(data) and data[cut] & 0xC0 == 0x80:
            cut += 1
    return data[offset:cut].decode("utf-8", errors="replace"), cut


@dataclass(frozen=True)
class Usage:
    """What a job or a stretch of a deployment used, as the backend measured it."""

    cpu_seconds: float
    memory_gb_seconds: float
    gpu_seconds: float = 0.0
    gpu_type: str | None = None
    #: ``rusage`` / ``proc`` (local processes), ``prometheus`` (a cluster's metrics).
    measured_by: str = "proc"


class ComputeBackend(Protocol):
    """Jobs: submit, refresh (status), logs, cancel. Deployments: create, refresh, scale, update, delete, predict."""

    name: str

    def submit_job(self, launch: JobLaunch) -> Handle:
        """Start the job; return its handle. Raise a ``MaestroError`` if it cannot start."""
        ...

    def refresh_job(self, job: Job, handle: Handle) -> JobUpdate | None:
        """What changed about an active job since its record was written (``None``: nothing)."""
        ...

    def job_logs(self, job: Job, handle: Handle, offset: int, limit: int) -> tuple[str, int]:
        """Up to ``limit`` bytes of output from ``offset`` (negative: that many bytes before the end), and the offset
        to read from next (see :func:`slice_utf8`)."""
        ...

    def cancel_job(self, job: Job, handle: Handle) -> JobUpdate:
        """Stop the job and everything it started; return the final state."""
        ...

    def create_deployment(self, launch: DeploymentLaunch) -> Handle:
        """Start serving; return the handle. Readiness is reported by :meth:`refresh_deployment`."""
        ...

    def refresh_deployment(self, deployment: Deployment, handle: Handle) -> DeploymentUpdate:
        """The deployment's observed state (health-checked replicas)."""
        ...

    def scale_deployment(self, deployment: Deployment, handle: Handle, replicas: int) -> Handle:
        """Run ``replicas`` replicas."""
        ...

    def update_deployment(self, deployment: Deployment, handle: Handle, launch: DeploymentLaunch) -> Handle:
        """Roll the deployment over to another version (new replicas ready before the old ones stop)."""
        ...

    def delete_deployment(self, deployment: Deployment, handle: Handle) -> None:
        """Stop serving and remove what was started."""
        ...

    def predict(self, deployment: Deployment, handle: Handle, body: bytes, timeout: float) -> BackendResponse:
        """Send an MLflow scoring request (``dataframe_split``, ``dataframe_records``, ``inputs``, ``instances``)."""
        ...

    def job_usage(self, job: Job, handle: Handle) -> Usage | None:
        """What a finished job used; ``None`` when it was not measured (the caller prices requests x run time)."""
        ...

    def deployment_usage(
        self, deployment: Deployment, handle: Handle, since: float, until: float, meter: dict[str, Any]
    ) -> tuple[Usage | None, dict[str, Any]]:
        """What a deployment used from ``since`` to ``until``, given the meter readings taken at ``since``; and the
        readings to keep for next time. ``None`` when it cannot be measured."""
        ...
