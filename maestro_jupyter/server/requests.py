"""Request bodies of the REST API, named verb-noun."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterModel(_Body):
    """Register the model a run logged as a new version."""

    run_id: str
    name: str
    artifact_path: str = "model"
    description: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class UpdateDescription(_Body):
    description: str


class SetTag(_Body):
    value: str


class SetAlias(_Body):
    version: str | int
    override_reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Promote despite failed or missing tests (gated aliases); recorded with the user and time",
    )


class Tag(BaseModel):
    """A tag as set."""

    key: str
    value: str


class ErrorBody(BaseModel):
    """Every error response."""

    error: str
    message: str


class Info(BaseModel):
    """The server's Maestro configuration as a user may see it."""

    version: str
    user: str
    tracking_uri: str
    compute: str
    project: str
    mlflow_ui_url: str | None


class ProfileData(_Body):
    """Profile a CSV/TSV/Parquet file under the Jupyter root."""

    path: str = Field(
        min_length=1, max_length=4096, description="Relative to the Jupyter root, as the file browser shows it"
    )
    minimal: bool = True
    report: bool = True
    sample: int | None = Field(default=None, ge=100, le=10_000_000)
    target: str | None = Field(default=None, max_length=1000)
    title: str | None = Field(default=None, max_length=500)


class DiscoverFeatures(_Body):
    """Rank the features of a CSV/TSV/Parquet file under the Jupyter root for a target column."""

    path: str = Field(min_length=1, max_length=4096)
    target: str = Field(min_length=1, max_length=1000)
    task: Literal["auto", "classification", "regression"] = "auto"
    top: int = Field(default=10, ge=1, le=1000)
    time_budget: float = Field(default=60.0, ge=1, le=600)
    exclude: list[str] = Field(default_factory=list, max_length=10_000)


class UpdateCard(_Body):
    """Change a model card. Everything is optional: ``sections`` replaces the given fields (``null`` clears one),
    ``markdown`` loads an edited ``card.md`` back, ``status`` approves (``approved``) or reopens (``draft``) it.
    An empty body regenerates and saves the card."""

    sections: dict[str, Any] | None = Field(default=None, description="Card section fields (see CardSections)")
    markdown: str | None = Field(default=None, max_length=500_000)
    status: Literal["draft", "approved"] | None = None
    comment: str | None = Field(default=None, max_length=2000, description="Why it was approved")


class JsonSchemaDocument(BaseModel):
    """A JSON Schema document."""

    model_config = ConfigDict(extra="allow")


class RunModelTests(_Body):
    """Test a version on a CSV/TSV/Parquet file under the Jupyter root."""

    path: str = Field(min_length=1, max_length=4096, description="Test data, relative to the Jupyter root")
    target: str = Field(min_length=1, max_length=1000, description="The column holding the true labels or values")
    sensitive: list[str] = Field(default_factory=list, max_length=100)
    slices: list[str] = Field(default_factory=list, max_length=100)
    policy: dict[str, Any] | None = Field(default=None, description="A test policy (the YAML file's shape)")
    policy_path: str | None = Field(default=None, max_length=4096, description="A YAML policy under the root")
    thresholds: dict[str, str | float | None] = Field(default_factory=dict, description='e.g. {"accuracy": "> 0.9"}')
    reference_alias: str | None = Field(default="champion", max_length=256)
    record: bool = True


class SubmitJob(_Body):
    """Start a training job: a script or notebook under the Jupyter root, or Python source code."""

    script: str | None = Field(
        default=None, min_length=1, max_length=4096, description="A .py or .ipynb file, relative to the Jupyter root"
    )
    source: str | None = Field(default=None, min_length=1, max_length=1_000_000, description="Python code to run")
    name: str | None = Field(default=None, max_length=63, description="A DNS-1123 label; default: the script's name")
    params: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Passed as --name value options (and as the run's params)"
    )
    experiment: str | None = Field(default=None, max_length=256, description="Default: maestro-training")
    cpus: float | None = Field(default=None, ge=0.001, le=256)
    memory: str | None = Field(default=None, max_length=32, description="A Kubernetes quantity: 512Mi, 4Gi")
    gpus: int = Field(default=0, ge=0, le=16)
    workers: int = Field(default=1, ge=1, le=64, description="More than 1: a distributed run (Kubernetes)")
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment variables for the job")


class CancelJob(_Body):
    """Cancel a job (no fields)."""


class CreateDeployment(_Body):
    """Serve a registered version: ``version``, or the version ``alias`` points to, or the newest."""

    model: str = Field(min_length=1, max_length=256)
    version: str | int | None = None
    alias: str | None = Field(default=None, max_length=256)
    name: str | None = Field(default=None, max_length=63, description="A DNS-1123 label; default: model-alias")
    replicas: int = Field(default=1, ge=1, le=20)
    cpus: float | None = Field(default=None, ge=0.001, le=256)
    memory: str | None = Field(default=None, max_length=32)
    gpus: int = Field(default=0, ge=0, le=16)
    override_reason: str | None = Field(
        default=None, min_length=1, max_length=1000, description="Deploy despite failed or missing tests; recorded"
    )


class UpdateDeployment(_Body):
    """Scale (``replicas``) and/or roll over to another ``version`` or ``alias`` of the same model."""

    replicas: int | None = Field(default=None, ge=1, le=20)
    version: str | int | None = None
    alias: str | None = Field(default=None, max_length=256)
    override_reason: str | None = Field(default=None, min_length=1, max_length=1000)


class ScoringRequest(BaseModel):
    """MLflow's scoring format: exactly one of ``dataframe_split``, ``dataframe_records``, ``inputs``,
    ``instances`` (plus optional ``params``)."""

    model_config = ConfigDict(extra="allow")

    dataframe_split: dict[str, Any] | None = None
    dataframe_records: list[dict[str, Any]] | None = None
    inputs: Any = None
    instances: Any = None
    params: dict[str, Any] | None = None


class EstimateCost(_Body):
    """What a job (per run) or a deployment (per day) would cost, against the caller's budgets."""

    kind: Literal["job", "deployment"] = "job"
    cpus: float | None = Field(default=None, ge=0.001, le=256)
    memory: str | None = Field(default=None, max_length=32, description="A Kubernetes quantity: 512Mi, 4Gi")
    gpus: int = Field(default=0, ge=0, le=16)
    workers: int = Field(default=1, ge=1, le=64)
    replicas: int = Field(default=1, ge=1, le=20)
    hours: float | None = Field(default=None, ge=0.001, le=8784, description="Default: past runs, else the setting")
    name: str | None = Field(default=None, max_length=63, description="The job's name, to look up its past runs")
    project: str | None = Field(default=None, max_length=200)


class SetBudget(_Body):
    """Create or change a budget; omitted fields keep their value (or the default for a new budget)."""

    amount: float = Field(ge=0.01, le=1e9, description="Dollars per period")
    period: Literal["monthly", "weekly"] | None = None
    thresholds: list[int] | None = Field(default=None, max_length=10, description="Alert at these percentages")
    hard_limit: bool | None = Field(default=None, description="Refuse jobs and deployments that would overspend")
    webhook: str | None = Field(default=None, max_length=2000, description="POST alerts here (http or https)")
