"""Results of the model registry, experiments and runs, and the promotion gate."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from . import display
from .base import _Displayable, _Page
from .feature_lineage import FeatureUse


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


#: Where a run came from (see :class:`RunSource`).
SourceType = Literal["NOTEBOOK", "JOB", "SCRIPT", "LOCAL", "UNKNOWN"]


class RunSource(BaseModel):
    """Where a run came from: a notebook, a Maestro (or Databricks) job, a script, or elsewhere on a machine.

    Read from MLflow's ``mlflow.source.*`` tags and Maestro's job tag (``maestro.job.id``)."""

    type: SourceType
    #: The notebook's or script's path (or the job's), as the run recorded it; may be empty.
    name: str = ""
    #: The Maestro job that ran it, when one did.
    job_id: str | None = None
    git_commit: str | None = None


class RunSummary(_Displayable):
    """A tracking run with its latest metrics, params and user tags."""

    run_id: str
    run_name: str = ""
    experiment_id: str
    #: The experiment's name (what a person recognises; ``experiment_id`` is for links and filters).
    experiment_name: str = ""
    status: str
    start_time: int | None = None
    end_time: int | None = None
    duration_seconds: float | None = None
    user: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)
    params: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    source: RunSource | None = None
    #: The run's page in MLflow's UI, when one is configured (``MAESTRO_MLFLOW_UI_URL``).
    mlflow_url: str | None = None


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
    #: The features the source run trained on (a feature service, its views, the store's registry version), when
    #: it recorded them.
    features: FeatureUse | None = None


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
    #: The features the version's source run trained on, when it recorded them.
    features: FeatureUse | None = None


class VersionComparison(_Displayable):
    """Chosen metrics across a model's versions, oldest version first: a chart and a table in a notebook."""

    name: str
    metrics: list[str]
    #: Every metric any version has, to choose from.
    available_metrics: list[str]
    versions: list[VersionMetrics]

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per version, one column per metric (and, when any version recorded the
        features it trained on, ``feature_service`` and ``feature_views``)."""
        import pandas as pd

        rows = [{"version": v.version, "aliases": ",".join(v.aliases), **v.metrics} for v in self.versions]
        columns = ["version", "aliases", *self.metrics]
        if any(v.features is not None for v in self.versions):
            for row, v in zip(rows, self.versions, strict=True):
                row["feature_service"] = v.features.service if v.features else None
                row["feature_views"] = ",".join(v.features.views) if v.features else None
            columns += ["feature_service", "feature_views"]
        return pd.DataFrame(rows, columns=columns)

    def to_csv(self, path: str | None = None) -> str:
        """The table as CSV text; also written to ``path`` when given."""
        text = display.comparison_csv(self)
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return text

    def chart(self) -> Any:
        """The metrics per version as a :class:`~maestro_jupyter.charts.Chart` (Vega-Lite): a panel per metric, a
        zero-based bar per version coloured by alias, tooltips with the exact values."""
        return display.version_chart(self)

    def _ipython_display_(self) -> None:
        # The chart and the table as two outputs: in one bundle the front end would show only the HTML table.
        from ..charts import own_bundle, show

        show(self.chart(), own_bundle(self))


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
