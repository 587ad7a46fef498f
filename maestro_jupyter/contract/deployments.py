"""Requests about deployments and predictions: create, list, describe, scale or roll over, delete, predict."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .. import naming
from ..entities import Deployment, DeploymentList, Prediction
from ..errors import InvalidParameter
from . import rules
from .base import Request
from .fields import Cpus, Gpus, Memory, Replicas

SCORING_KEYS = ("dataframe_split", "dataframe_records", "inputs", "instances")


class _OneDeployment(Request):
    """A request about one deployment, named by its id (a DNS-1123 label)."""

    deployment_id: str

    @field_validator("deployment_id", mode="before")
    @classmethod
    def _deployment_id(cls, value: object) -> object:
        return naming.dns_label(value, "deployment id")


class CreateDeployment(Request):
    """Serve a registered version: ``version``, or the version ``alias`` points to, or the newest."""

    operation: ClassVar[str] = "deployments.create"
    result: ClassVar[Any] = Deployment

    model: str = Field(min_length=1, max_length=256)
    version: str | int | None = None
    alias: str | None = Field(default=None, max_length=256)
    name: str | None = Field(default=None, max_length=63, description="A DNS-1123 label; default: model-alias")
    replicas: Replicas = 1
    cpus: Cpus = None
    memory: Memory = None
    gpus: Gpus = 0
    override_reason: str | None = Field(
        default=None, min_length=1, max_length=1000, description="Deploy despite failed or missing tests; recorded"
    )
    project: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The project the deployment is charged to: one of the caller's (default: their default project)",
    )

    # The rules' own messages, for the SDK and REST alike (before pydantic's bounds, which document the API).
    @field_validator("project", mode="before")
    @classmethod
    def _project(cls, value: object) -> object:
        return None if value is None else rules.project(value)

    @field_validator("model", mode="before")
    @classmethod
    def _model(cls, value: object) -> object:
        return rules.name(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: object) -> object:
        return None if value is None else naming.dns_label(value, "deployment name")

    @model_validator(mode="after")
    def _one_version(self) -> CreateDeployment:
        if self.version is not None and self.alias is not None:
            raise InvalidParameter("Give a version or an alias, not both")
        return self


class ListDeployments(Request):
    """Active deployments (all of them with ``include_stopped``), newest first."""

    operation: ClassVar[str] = "deployments.list"
    result: ClassVar[Any] = DeploymentList

    include_stopped: bool = False
    user: str | None = Field(default=None, max_length=256, description="Only this user's")
    limit: int = Field(default=100, ge=1, le=rules.MAX_PAGE)

    @field_validator("limit", mode="before")
    @classmethod
    def _limit(cls, value: object) -> object:
        return rules.page_size(value)


class GetDeployment(_OneDeployment):
    """A deployment as it is now (health-checked when active)."""

    operation: ClassVar[str] = "deployments.get"
    result: ClassVar[Any] = Deployment


class UpdateDeployment(_OneDeployment):
    """Scale (``replicas``) and/or roll over to another ``version`` or ``alias`` of the same model."""

    operation: ClassVar[str] = "deployments.update"
    result: ClassVar[Any] = Deployment

    replicas: Replicas | None = None
    version: str | int | None = None
    alias: str | None = Field(default=None, max_length=256)
    override_reason: str | None = Field(default=None, min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _something(self) -> UpdateDeployment:
        if self.replicas is None and self.version is None and self.alias is None:
            raise InvalidParameter("Give replicas to scale, or a version or alias to update to")
        if self.version is not None and self.alias is not None:
            raise InvalidParameter("Give the version or the alias to update the deployment to, not both")
        return self


class DeleteDeployment(_OneDeployment):
    """Stop serving; the record stays (status ``stopped``) for history."""

    operation: ClassVar[str] = "deployments.delete"
    result: ClassVar[Any] = Deployment


class ScoringRequest(BaseModel):
    """MLflow's scoring format: exactly one of ``dataframe_split``, ``dataframe_records``, ``inputs``,
    ``instances`` (plus optional ``params``)."""

    model_config = ConfigDict(extra="allow")

    dataframe_split: dict[str, Any] | None = None
    dataframe_records: list[dict[str, Any]] | None = None
    inputs: Any = None
    instances: Any = None
    params: dict[str, Any] | None = None


#: The most entity rows one entity-keyed prediction may name (each is one online lookup).
MAX_PREDICT_ENTITIES = 10_000


class Predict(ScoringRequest, _OneDeployment):
    """Predictions from a deployment: the scoring request (MLflow's format, as the REST body carries it) for
    ``deployment_id``. The SDK makes one from a DataFrame in the kernel (``sdk.deployments.scoring_request``).

    Or, for a version trained from a Feast feature service, ``entities`` alone (``[{"customer_id": 7}, ...]``):
    the deployment fetches the online features of each entity and predicts on them."""

    # As MLflow's scoring server: keys Maestro does not know are passed on to it.
    model_config = ConfigDict(extra="allow")
    operation: ClassVar[str] = "deployments.predict"
    result: ClassVar[Any] = Prediction

    entities: list[dict[str, str | int | float]] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_PREDICT_ENTITIES,
        description='Entity keys only (e.g. [{"customer_id": 7}]), for a version trained from a feature service: '
        "its online features are fetched before predicting. Not with dataframe_split, dataframe_records, inputs "
        "or instances.",
    )

    @model_validator(mode="after")
    def _scoring(self) -> Predict:
        given = [key for key in SCORING_KEYS if getattr(self, key) is not None]
        if self.entities is not None:
            if given:
                raise InvalidParameter(
                    f"A prediction request carries entities or {given[0]}, not both: entity keys fetch their "
                    "features from the store, a scoring request carries them"
                )
            if any(not row for row in self.entities):
                raise InvalidParameter('Each entity names its keys, e.g. {"customer_id": 7}; one is empty')
            return self
        if not given:
            raise InvalidParameter(
                f"A prediction request is a JSON object with one of {', '.join(SCORING_KEYS)} (MLflow's scoring "
                "format), or entities (keys whose online features the deployment fetches)"
            )
        return self

    def scoring(self) -> dict[str, Any]:
        """The scoring request as the model server takes it (an entity-keyed request has none: the deployment
        builds it from the online features)."""
        return self.model_dump(mode="json", exclude={"deployment_id", "entities"}, exclude_none=True)
