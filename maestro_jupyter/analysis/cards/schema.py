"""The model card schema: what a Maestro card says about one model version.

It covers the ground of the two public references, Google's Model Card Toolkit (model details, model parameters,
quantitative analysis per slice, considerations) and Hugging Face model cards (metadata, uses and out-of-scope
uses, bias, risks and limitations, training details, evaluation, environmental impact, how to get started), in a
structure of our own. Two kinds of content meet here:

- **facts** (:class:`ModelFacts` and the groups below it) are read from the registry every time a card is built,
  so they are never stale and never edited by hand;
- **sections** (:class:`CardSections`) are what only people know: intended use, limitations, owners... They are
  kept on the model version in the registry and survive every regeneration.

:func:`card_json_schema` is the published JSON Schema; every ``card.json`` validates against it.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_VERSION: Final = "1.0"
#: Longest text a single section may hold (a registry tag holds it).
MAX_SECTION_CHARS = 20_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- human sections ----------------------------------------------------------------------------------------------


class Owner(_Strict):
    """Someone accountable for the model."""

    name: str = Field(min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=500, description="E-mail, team channel or URL")


class CardSections(_Strict):
    """The sections people write. Every field is optional; the completeness checklist says which are required.

    Prose fields hold Markdown.
    """

    owners: list[Owner] = Field(default_factory=list, max_length=50)
    license: str | None = Field(default=None, max_length=200, description="SPDX id or a short licence name")
    references: list[str] = Field(default_factory=list, max_length=50, description="Papers, docs, tickets (URLs)")
    citation: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    intended_use: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    intended_users: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    out_of_scope_use: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    training_data: str | None = Field(
        default=None, max_length=MAX_SECTION_CHARS, description="Where the training data came from and what it holds"
    )
    preprocessing: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    evaluation_data: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    limitations: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    bias_risks: str | None = Field(default=None, max_length=MAX_SECTION_CHARS, description="Bias, risks and harms")
    tradeoffs: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    ethical_considerations: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    recommendations: str | None = Field(default=None, max_length=MAX_SECTION_CHARS)
    environmental_impact: str | None = Field(
        default=None, max_length=MAX_SECTION_CHARS, description="Notes on energy, carbon, region"
    )


#: The Markdown prose sections, in the order a card shows them, with their titles.
PROSE_SECTIONS: dict[str, str] = {
    "intended_use": "Intended use",
    "intended_users": "Intended users",
    "out_of_scope_use": "Out-of-scope use",
    "training_data": "Training data",
    "preprocessing": "Preprocessing",
    "evaluation_data": "Evaluation data",
    "limitations": "Limitations",
    "bias_risks": "Bias, risks and harms",
    "tradeoffs": "Trade-offs",
    "ethical_considerations": "Ethical considerations",
    "recommendations": "Recommendations",
    "environmental_impact": "Environmental impact notes",
    "citation": "Citation",
}


# --- facts read from the registry ------------------------------------------------------------------------------


class ModelFacts(_Strict):
    """Model details from the registry."""

    name: str
    version: str
    model_uri: str
    description: str = ""
    model_description: str = ""
    aliases: list[str] = Field(default_factory=list)
    registry_status: str = "READY"
    created_at: int | None = Field(default=None, description="Milliseconds since the epoch")
    source: str = ""
    run_id: str | None = None
    experiment_id: str | None = None
    created_by: str | None = None
    flavors: list[str] = Field(default_factory=list)
    framework: str | None = Field(default=None, description="Library and version, e.g. 'scikit-learn 1.5.2'")
    architecture: str | None = Field(default=None, description="The estimator or network class")
    tags: dict[str, str] = Field(default_factory=dict, description="Version tags, without Maestro's own")


class ColumnSpec(_Strict):
    """One input or output of the model's signature."""

    name: str | None = None
    type: str
    required: bool = True


class ParameterFacts(_Strict):
    """Model parameters: hyperparameters and the input/output formats."""

    hyperparameters: dict[str, str] = Field(default_factory=dict)
    inputs: list[ColumnSpec] = Field(default_factory=list)
    outputs: list[ColumnSpec] = Field(default_factory=list)
    has_signature: bool = False


class DatasetFacts(_Strict):
    """A dataset the source run logged as an input."""

    name: str
    digest: str | None = None
    source_type: str | None = None
    source: str | None = None
    context: str | None = Field(default=None, description="training, validation, evaluation...")
    rows: int | None = None
    columns: list[str] = Field(default_factory=list)


class ProfileFacts(_Strict):
    """The training-data profile, when ``%maestro profile --log`` attached one to the source run."""

    rows: int
    columns: int
    missing_share: float
    duplicate_rows: int
    warnings: list[str] = Field(default_factory=list)
    column_names: list[str] = Field(default_factory=list)


class FeatureFacts(_Strict):
    """The feature-store features the source run trained on, as it recorded them (a training job that named a
    feature service, or ``ml.features.training_set`` inside the run)."""

    service: str | None = Field(default=None, description="The Feast feature service the training set came from")
    views: list[str] = Field(default_factory=list, description="Its feature views")
    refs: list[str] = Field(
        default_factory=list,
        description="The view:feature references, when the training set named features, not a service",
    )
    registry_version: str | None = Field(default=None, description="The Feast registry's version when it was built")
    project: str | None = Field(default=None, description="The Feast project")


class CostFacts(_Strict):
    """What training cost, when the cost tracker recorded it on the version."""

    amount: float
    currency: str = "USD"
    rates: str | None = Field(default=None, description="The rates the amount was computed with")


class TrainingFacts(_Strict):
    """Training details from the source run."""

    run_name: str | None = None
    started_at: int | None = None
    duration_seconds: float | None = None
    datasets: list[DatasetFacts] = Field(default_factory=list)
    profile: ProfileFacts | None = None
    features: FeatureFacts | None = None
    hardware: dict[str, str] = Field(default_factory=dict)
    cost: CostFacts | None = None
    requirements: list[str] = Field(default_factory=list)
    python_version: str | None = None


class MetricValue(_Strict):
    """One metric, overall or on one slice of the data (``slice`` like ``sex=female``)."""

    name: str
    value: float
    slice: str | None = None
    stage: Literal["training", "evaluation"] = "evaluation"


class CheckResult(_Strict):
    """One automated model test."""

    name: str
    category: str = "other"
    status: Literal["passed", "failed", "skipped"]
    value: float | None = None
    threshold: str | None = None
    detail: str | None = None


class ModelTestFacts(_Strict):
    """The latest automated test report of the version, when one was recorded."""

    verdict: Literal["passed", "failed"]
    ran_at: str | None = None
    checks: list[CheckResult] = Field(default_factory=list)


class EvaluationFacts(_Strict):
    """Quantitative analysis: the run's metrics (per slice where named so) and the model test results."""

    metrics: list[MetricValue] = Field(default_factory=list)
    tests: ModelTestFacts | None = None


class CardFacts(_Strict):
    """Everything the registry knows about one version, as the card builder needs it."""

    model: ModelFacts
    parameters: ParameterFacts = Field(default_factory=ParameterFacts)
    training: TrainingFacts = Field(default_factory=TrainingFacts)
    evaluation: EvaluationFacts = Field(default_factory=EvaluationFacts)
    load_snippet: str


# --- the card ------------------------------------------------------------------------------------------------------


class ChecklistItem(_Strict):
    """One field of the checklist."""

    field: str
    label: str
    required: bool
    filled: bool
    origin: Literal["registry", "people", "missing"]
    hint: str = Field(default="", description="How to fill it when missing")


class Completeness(_Strict):
    """How much of the card is filled: the score counts the required fields only."""

    score: float = Field(ge=0, le=1)
    filled: int
    required: int
    missing: list[str] = Field(default_factory=list, description="Labels of the missing required fields")
    checklist: list[ChecklistItem]


class Approval(_Strict):
    """The card's review state. A changed model version makes an approved card stale."""

    status: Literal["draft", "approved"] = "draft"
    stale: bool = False
    stale_reasons: list[str] = Field(default_factory=list)
    approved_by: str | None = None
    approved_at: str | None = None
    comment: str | None = None
    updated_by: str | None = None
    updated_at: str | None = None


class ModelCard(_Strict):
    """A model card for one registered model version.

    It displays itself in a notebook (the HTML card, isolated in a frame) and renders to every format:
    ``to_markdown()``, ``to_html()``, ``to_pdf()``, ``to_json()``.
    """

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    generated_at: str
    facts: CardFacts
    sections: CardSections
    approval: Approval
    completeness: Completeness
    artifact_uri: str | None = Field(default=None, description="Where the rendered card files were saved")
    #: The user template folder (``MAESTRO_CARD_TEMPLATES``) the card renders with; not part of the card.
    _template_dir: str | None = PrivateAttr(default=None)

    def render(self, fmt: str) -> bytes:
        """The card as md, html, pdf or json bytes."""
        from .render import render

        return render(self, fmt, self._template_dir)

    def to_markdown(self) -> str:
        return self.render("md").decode()

    def to_html(self) -> str:
        return self.render("html").decode()

    def to_pdf(self) -> bytes:
        return self.render("pdf")

    def to_json(self) -> str:
        return self.render("json").decode()

    def summary(self) -> str:
        """One line: the model, the status and the completeness."""
        status = self.approval.status + (" (stale)" if self.approval.stale else "")
        c = self.completeness
        line = f"Model card of {self.facts.model.name} v{self.facts.model.version}: {status}, "
        line += f"completeness {c.score:.0%} ({c.filled} of {c.required} required fields)"
        return line + (f"; missing: {', '.join(c.missing)}" if c.missing else "")

    def _repr_html_(self) -> str:
        from .view import framed

        return framed(self.to_html(), self.summary())

    def __str__(self) -> str:
        return self.summary()


def card_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``card.json`` validates against."""
    schema = ModelCard.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"urn:maestro:model-card:{SCHEMA_VERSION}"
    return schema
