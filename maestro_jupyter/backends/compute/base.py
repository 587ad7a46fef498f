"""The contract every compute backend keeps.

A backend starts and stops things and reports what it observes. The services validate requests, create the job and
deployment records in the Maestro DB and hand the backend a launch description; a backend may write back what only
it can see (the local job supervisor records a job's outcome and usage, since it outlives whoever started it). What a
backend needs to find its things again (process ids, ports, Kubernetes object names) it returns as a JSON-able
``handle``, stored with the record, so that any process (the kernel, the server, the server after a restart) can pick
up where another left off.

Backends are pluggable: see :class:`ComputeBackend` for the contract a third-party one keeps and
:mod:`.registry` for how a name (``MAESTRO_COMPUTE``) finds its class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # For annotations only: the server extension imports this module for its ``compute_backend_class`` trait, and
    # loading the extension stays light.
    from ...entities import Deployment, Job, Resources
    from ...settings import Settings
    from ..store import MaestroStore

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


class ComputeBackend(ABC):
    """Jobs: submit, refresh (status), logs, cancel. Deployments: create, refresh, scale, update, delete, predict.

    The contract every backend keeps, built-in (``local``, ``kubernetes``) or a plugin's:

    - **Construction**: ``cls(settings, store)``: the :class:`~maestro_jupyter.settings.Settings` and the Maestro DB
      (:class:`~maestro_jupyter.backends.store.MaestroStore`). :func:`~maestro_jupyter.backends.compute.open_backend`
      builds every backend so, and this base class keeps both; the store is there for backends that record what
      they observe (the local one reads job outcomes from it), others ignore it (Kubernetes asks the cluster). Be
      cheap here: the backend is built on the first job or deployment request, in the kernel or the server.
    - **Name**: ``name`` is written on every job and deployment record the backend starts (``backend``); use the
      name it is registered under.
    - **Registration**: an entry point in the group ``maestro_jupyter.compute_backends`` of the package that ships
      it, e.g. ``inline = "my_pkg.compute:InlineCompute"``; ``MAESTRO_COMPUTE=inline`` then picks it. The server's
      ``c.Maestro.compute_backend_class`` swaps the class outright, whatever ``MAESTRO_COMPUTE`` says.
    - **Checks**: :meth:`check_job` and :meth:`check_deployment` refuse what the backend can never run before the
      services create anything; ``submit_job`` and ``create_deployment`` may still refuse what they find only then.
    - **State**: what must survive goes in the handle, not the object. Every method gets the record and the
      ``handle`` it returned, may run in another process than the one that submitted (the kernel, the server, the
      server after a restart) and on any thread. What a user can get wrong is a
      :class:`~maestro_jupyter.errors.MaestroError` (an unsupported request an ``InvalidParameter``, an unreachable
      system ``BackendUnavailable``), never a bare exception.
    """

    name: str

    def __init__(self, settings: Settings, store: MaestroStore | None = None) -> None:
        self.settings = settings
        self.store = store

    def check_job(self, resources: Resources) -> None:  # noqa: B027 - an optional hook; the default accepts all
        """Refuse, with an ``InvalidParameter``, a job this backend can never run as asked (more GPUs or workers than
        it offers). Called before anything of the job exists (its record, its MLflow run), so that a refusal leaves
        nothing behind; the default accepts everything."""

    def check_deployment(self, resources: Resources, replicas: int) -> None:  # noqa: B027 - as check_job
        """Refuse, with an ``InvalidParameter``, a deployment this backend can never serve as asked; called before its
        record exists. The default accepts everything."""

    @abstractmethod
    def submit_job(self, launch: JobLaunch) -> Handle:
        """Start the job; return its handle. Raise a ``MaestroError`` if it cannot start."""
        ...

    @abstractmethod
    def refresh_job(self, job: Job, handle: Handle) -> JobUpdate | None:
        """What changed about an active job since its record was written (``None``: nothing)."""
        ...

    @abstractmethod
    def job_logs(self, job: Job, handle: Handle, offset: int, limit: int) -> tuple[str, int]:
        """Up to ``limit`` bytes of output from ``offset`` (negative: that many bytes before the end), and the offset
        to read from next (see :func:`slice_utf8`)."""
        ...

    @abstractmethod
    def cancel_job(self, job: Job, handle: Handle) -> JobUpdate:
        """Stop the job and everything it started; return the final state."""
        ...

    @abstractmethod
    def create_deployment(self, launch: DeploymentLaunch) -> Handle:
        """Start serving; return the handle. Readiness is reported by :meth:`refresh_deployment`."""
        ...

    @abstractmethod
    def refresh_deployment(self, deployment: Deployment, handle: Handle) -> DeploymentUpdate:
        """The deployment's observed state (health-checked replicas)."""
        ...

    @abstractmethod
    def scale_deployment(self, deployment: Deployment, handle: Handle, replicas: int) -> Handle:
        """Run ``replicas`` replicas."""
        ...

    @abstractmethod
    def update_deployment(self, deployment: Deployment, handle: Handle, launch: DeploymentLaunch) -> Handle:
        """Roll the deployment over to another version (new replicas ready before the old ones stop)."""
        ...

    @abstractmethod
    def delete_deployment(self, deployment: Deployment, handle: Handle) -> None:
        """Stop serving and remove what was started."""
        ...

    @abstractmethod
    def predict(self, deployment: Deployment, handle: Handle, body: bytes, timeout: float) -> BackendResponse:
        """Send an MLflow scoring request (``dataframe_split``, ``dataframe_records``, ``inputs``, ``instances``)."""
        ...

    @abstractmethod
    def job_usage(self, job: Job, handle: Handle) -> Usage | None:
        """What a finished job used; ``None`` when it was not measured (the caller prices requests x run time)."""
        ...

    @abstractmethod
    def deployment_usage(
        self, deployment: Deployment, handle: Handle, since: float, until: float, meter: dict[str, Any]
    ) -> tuple[Usage | None, dict[str, Any]]:
        """What a deployment used from ``since`` to ``until``, given the meter readings taken at ``since``; and the
        readings to keep for next time. ``None`` when it cannot be measured."""
        ...
