"""Results of training jobs and deployments, and the resources they ask for."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field, computed_field

from .base import _Displayable, _Page
from .costs import Estimate

# --- compute: training jobs and deployments ---------------------------------------------------------------------

#: Job states. ``lost``: the job's supervisor vanished (machine reboot, killed) so its outcome is unknown.
JOB_ACTIVE = ("queued", "starting", "running", "cancelling")
JOB_FINAL = ("succeeded", "failed", "cancelled", "lost")
#: Deployment states. ``stopped``: deleted (the record stays, for history and costs).
DEPLOYMENT_ACTIVE = ("starting", "ready", "updating", "degraded")
DEPLOYMENT_FINAL = ("failed", "stopped")


class Resources(BaseModel):
    """What a job or a replica asks for. ``memory`` is a Kubernetes quantity (``"512Mi"``, ``"4Gi"``)."""

    cpus: float | None = None
    memory: str | None = None
    gpus: int = 0
    #: More than one worker: a distributed (Kubeflow PyTorchJob) run; Kubernetes only.
    workers: int = 1


class Job(_Displayable):
    """A training job: a script, notebook or cell run on the compute backend inside an MLflow run."""

    id: str
    name: str
    status: str
    user: str
    project: str
    backend: str
    #: ``script``, ``notebook`` or ``cell``, and the file it ran (the snapshot taken at submission).
    kind: str
    source: str
    params: dict[str, str] = Field(default_factory=dict)
    resources: Resources = Field(default_factory=lambda: Resources())
    experiment: str = ""
    experiment_id: str | None = None
    run_id: str | None = None
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    #: Why it failed, was cancelled or lost; empty while all is well.
    reason: str = ""
    cpu_seconds: float | None = None
    peak_memory_mb: float | None = None
    #: Memory held over the run (GiB x seconds) and GPUs held (GPUs x seconds), as measured.
    memory_gb_seconds: float | None = None
    gpu_seconds: float | None = None
    gpu_type: str | None = None
    #: What the run cost, in dollars, once its usage is in the ledger.
    cost: float | None = None
    #: The pre-flight estimate, on the answer to a submission.
    estimate: Estimate | None = None

    @property
    def active(self) -> bool:
        """Still queued, starting, running or being cancelled."""
        return self.status in JOB_ACTIVE

    @computed_field  # type: ignore[prop-decorator]
    @property
    def duration_seconds(self) -> float | None:
        """Run time so far (or in all, once finished); ``None`` before it starts."""
        if self.started_at is None:
            return None
        return round((self.finished_at or time.time()) - self.started_at, 3)


class JobList(_Page):
    """Training jobs, newest first."""

    jobs: list[Job]

    def _items(self) -> list[Job]:
        return self.jobs


class JobLogs(BaseModel):
    """A chunk of a job's output: ``text`` from byte ``offset`` to ``next_offset``; ``complete`` once the job has
    finished and everything was read."""

    job_id: str
    offset: int
    next_offset: int
    text: str
    complete: bool


class Replica(BaseModel):
    """One serving process (local) or pod (Kubernetes) of a deployment."""

    name: str
    status: str
    url: str | None = None
    pid: int | None = None


class Deployment(_Displayable):
    """A registered model version served behind ``POST deployments/{id}/predict``."""

    id: str
    model: str
    version: str
    #: The alias the deployment was made or rolled through (what it recorded then; see ``alias_version``).
    alias: str | None = None
    #: The version ``alias`` names in the registry now: ``version`` while the alias still points at what is served,
    #: another version once it moved, None when it was removed (or there is no alias). Read on every answer.
    alias_version: str | None = None
    status: str
    user: str
    project: str
    backend: str
    replicas: int
    ready_replicas: int = 0
    #: The REST path that proxies predictions (relative to the server's base URL).
    endpoint: str
    #: Where the backend serves it (a local URL or the Kubernetes Service), for callers inside the cluster/machine.
    url: str | None = None
    resources: Resources = Field(default_factory=lambda: Resources())
    created_at: float
    updated_at: float
    reason: str = ""
    instances: list[Replica] = Field(default_factory=list)
    #: The pre-flight estimate (a day of serving), on the answer to a creation.
    estimate: Estimate | None = None

    @property
    def active(self) -> bool:
        return self.status in DEPLOYMENT_ACTIVE


class DeploymentList(_Page):
    """Deployments, newest first."""

    deployments: list[Deployment]

    def _items(self) -> list[Deployment]:
        return self.deployments


class Prediction(_Displayable):
    """What a deployment answered: MLflow's scoring response (``predictions``) and who answered."""

    deployment: str
    model: str
    version: str
    predictions: Any
    replica: str | None = None
    latency_ms: float | None = None
