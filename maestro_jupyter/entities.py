"""Typed results shared by the SDK, the magics and the REST API.

They are pydantic models so that the REST layer serialises them and the OpenAPI document describes them from one
definition. Each displays itself: ``_repr_html_`` for notebooks, ``__repr__``/``__str__`` as a readable text
fallback (see :mod:`maestro_jupyter.display`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field, computed_field

from . import display


class _Displayable(BaseModel):
    def _repr_html_(self) -> str:
        return display.to_html(self)

    def __str__(self) -> str:
        return display.to_text(self)


class _Page(_Displayable):
    """A page of results that iterates, indexes and counts like the list it holds."""

    def _items(self) -> list[Any]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __getitem__(self, index: int) -> Any:
        return self._items()[index]


class ModelVersion(_Displayable):
    """One version of a registered model."""

    name: str
    version: str
    aliases: list[str] = Field(default_factory=list)
    status: str = "READY"
    status_message: str | None = None
    description: str = ""
    creation_timestamp: int = 0
    last_updated_timestamp: int = 0
    run_id: str | None = None
    source: str = ""
    tags: dict[str, str] = Field(default_factory=dict)


class RunSummary(_Displayable):
    """A tracking run with its latest metrics, params and user tags."""

    run_id: str
    run_name: str = ""
    experiment_id: str
    status: str
    start_time: int | None = None
    end_time: int | None = None
    duration_seconds: float | None = None
    user: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)
    params: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)


class Signature(BaseModel):
    """A model's input and output schema, one entry per column or tensor."""

    inputs: list[dict[str, Any]] = Field(default_factory=list)
    outputs: list[dict[str, Any]] = Field(default_factory=list)


class VersionDetail(ModelVersion):
    """A version with its source run, signature, flavors and a ready-to-run load snippet."""

    model_uri: str
    run: RunSummary | None = None
    signature: Signature | None = None
    flavors: list[str] = Field(default_factory=list)
    load_snippet: str = ""


class ModelSummary(_Displayable):
    """A registered model as listed: name, description, tags, aliases and latest version."""

    name: str
    description: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(default_factory=dict)
    latest_version: str | None = None
    creation_timestamp: int = 0
    last_updated_timestamp: int = 0


class ModelDetail(ModelSummary):
    """A registered model with all its versions, newest first."""

    versions: list[ModelVersion] = Field(default_factory=list)


class ModelPage(_Page):
    """One page of a model search; pass ``next_page_token`` back to get the next one."""

    models: list[ModelSummary]
    next_page_token: str | None = None

    def _items(self) -> list[ModelSummary]:
        return self.models


class Experiment(_Displayable):
    """A tracking experiment."""

    experiment_id: str
    name: str
    artifact_location: str = ""
    lifecycle_stage: str = "active"
    tags: dict[str, str] = Field(default_factory=dict)
    creation_time: int | None = None
    last_update_time: int | None = None


class ExperimentPage(_Page):
    """One page of experiments."""

    experiments: list[Experiment]
    next_page_token: str | None = None

    def _items(self) -> list[Experiment]:
        return self.experiments


class RunPage(_Page):
    """One page of runs of an experiment."""

    runs: list[RunSummary]
    next_page_token: str | None = None

    def _items(self) -> list[RunSummary]:
        return self.runs


class RunComparison(_Displayable):
    """Runs side by side: every param and metric key, one value per run (``None`` where a run lacks it)."""

    runs: list[RunSummary]
    params: dict[str, list[str | None]]
    metrics: dict[str, list[float | None]]
    #: Param keys whose values are not the same in every run.
    differing_params: list[str]
    #: Metric keys whose values are not the same in every run.
    differing_metrics: list[str]


class VersionMetrics(BaseModel):
    """One version's numbers in a comparison; ``None`` where the version lacks a metric."""

    version: str
    aliases: list[str] = Field(default_factory=list)
    creation_timestamp: int = 0
    run_id: str | None = None
    metrics: dict[str, float | None] = Field(default_factory=dict)


class VersionComparison(_Displayable):
    """Chosen metrics across a model's versions, oldest version first: a chart and a table in a notebook."""

    name: str
    metrics: list[str]
    #: Every metric any version has, to choose from.
    available_metrics: list[str]
    versions: list[VersionMetrics]

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per version, one column per metric."""
        import pandas as pd

        rows = [{"version": v.version, "aliases": ",".join(v.aliases), **v.metrics} for v in self.versions]
        return pd.DataFrame(rows, columns=["version", "aliases", *self.metrics])

    def to_csv(self, path: str | None = None) -> str:
        """The table as CSV text; also written to ``path`` when given."""
        text = display.comparison_csv(self)
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return text


class GateOverride(BaseModel):
    """Someone let a version through the promotion gate despite its tests: who, when, why, for what."""

    by: str
    at: str
    reason: str
    action: str
    verdict: str | None = None
    failed_checks: list[str] = Field(default_factory=list)


class GateDecision(BaseModel):
    """Whether a version may be promoted or deployed, and why."""

    name: str
    version: str
    action: str
    #: False when the action needs no passing tests (an alias outside ``MAESTRO_GATED_ALIASES``).
    gated: bool
    allowed: bool
    verdict: str | None = None
    ran_at: str | None = None
    failed_checks: list[str] = Field(default_factory=list)
    message: str
    #: The override that let it through, when one did.
    override: GateOverride | None = None


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


class BudgetCheck(BaseModel):
    """How one budget stands against an estimate."""

    id: str
    period: str
    amount: float
    spent: float
    remaining: float
    hard_limit: bool
    allowed: bool


class Estimate(_Displayable):
    """What a job (per run) or deployment (per day) is expected to cost, and what it leaves of the budgets."""

    kind: str
    cost: float
    hours: float
    per: str
    basis: str
    rates: dict[str, Any]
    allowed: bool
    budgets: list[BudgetCheck] = Field(default_factory=list)
    message: str


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
    alias: str | None = None
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
