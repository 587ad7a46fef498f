"""Requests of the model registry: search, read, compare, download, register, describe, tag and alias versions; and
the promotion gate's decision about a version.

The field types below carry the input rules of :mod:`.rules`, so that a bad name, version, alias or tag gets the
same message from the SDK, the REST API and the magics.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator, model_validator

from ..entities import GateDecision, ModelDetail, ModelPage, ModelVersion, VersionComparison, VersionDetail
from ..errors import InvalidParameter
from . import rules
from .base import Document, Request

#: A registered model's name (1-256 printable characters).
ModelName = Annotated[str, BeforeValidator(rules.name), Field(description="A registered model's name")]
#: A version number: a positive whole number, given as a number or a string; kept as a string.
Version = Annotated[
    str,
    BeforeValidator(rules.version),
    WithJsonSchema(
        {
            "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\s*[1-9][0-9]{0,9}\s*$"}],
            "description": "A version number",
        }
    ),
]
#: An alias: a letter, then letters, digits, '_' or '-' (not 'latest', 'vN', 'versionN').
Alias = Annotated[str, BeforeValidator(rules.alias), Field(description="An alias, e.g. champion")]
TagKey = Annotated[str, BeforeValidator(rules.tag_key)]
TagValue = Annotated[str, BeforeValidator(rules.tag_value)]
Description = Annotated[str, BeforeValidator(rules.description)]
PageSize = Annotated[int, BeforeValidator(rules.page_size), Field(description="Page size, 1-1000")]
PageToken = Annotated[str | None, BeforeValidator(rules.page_token), Field(description="A previous next_page_token")]

MAX_OVERRIDE_REASON = 1000


def check_override_reason(value: object) -> str | None:
    """Why a version goes through the gate despite its tests: some words, at most 1000 characters."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameter("An override needs a reason")
    if len(value.strip()) > MAX_OVERRIDE_REASON:
        raise InvalidParameter(f"The override reason is longer than {MAX_OVERRIDE_REASON} characters")
    return value.strip()


class ListModels(Request):
    """Models whose name contains ``search`` (case-insensitive) and that carry every tag in ``tags``; one page."""

    operation: ClassVar[str] = "registry.list_models"
    result: ClassVar[Any] = ModelPage

    search: str | None = Field(
        default=None,
        max_length=rules.MAX_NAME,  # a longer search matches no name: saying so beats an empty page
        description=f"Part of the model name, case-insensitive (at most {rules.MAX_NAME} characters)",
    )
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, description="Every given tag must match")
    max_results: PageSize = 100
    page_token: PageToken = None
    order_by: Annotated[str, BeforeValidator(rules.model_order)] = Field(
        default=rules.MODEL_ORDERS[0], description=" | ".join(rules.MODEL_ORDERS)
    )


class GetModel(Request):
    """A model with its versions (newest first), aliases, tags and description."""

    operation: ClassVar[str] = "registry.get_model"
    result: ClassVar[Any] = ModelDetail

    name: ModelName


class _OneVersion(Request):
    """A version named by number or by alias (exactly one of them)."""

    name: ModelName
    version: Version | None = None
    alias: Alias | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> _OneVersion:
        if (self.version is None) == (self.alias is None):
            raise InvalidParameter("Give exactly one of version or alias")
        return self


class GetVersion(_OneVersion):
    """One version, named by number or by alias, with its source run, signature and flavors."""

    operation: ClassVar[str] = "registry.get_version"
    result: ClassVar[Any] = VersionDetail


class DownloadVersion(Request):
    """A version's artifacts as a zip: the version ``version``, else the one ``alias`` points to, else the newest."""

    operation: ClassVar[str] = "registry.download"
    result: ClassVar[Any] = Document

    name: ModelName
    version: Version | None = None
    alias: Alias | None = None


class CompareVersions(Request):
    """Metrics across a model's versions, oldest first."""

    operation: ClassVar[str] = "registry.compare_versions"
    result: ClassVar[Any] = VersionComparison

    name: ModelName
    metrics: list[TagKey] | None = Field(default=None, description="Metric names (default: all)")
    versions: list[Version] | None = Field(default=None, description="Version numbers (default: the newest 200)")

    @field_validator("metrics", "versions", mode="before")
    @classmethod
    def _none_if_empty(cls, value: Any) -> Any:
        return value or None


class SetAlias(Request):
    """Point an alias at a version (moving it if another version held it); gated aliases need passing tests."""

    operation: ClassVar[str] = "registry.set_alias"
    result: ClassVar[Any] = ModelVersion

    name: ModelName
    alias: Alias
    version: Version
    override_reason: Annotated[str | None, BeforeValidator(check_override_reason)] = Field(
        default=None,
        min_length=1,
        max_length=MAX_OVERRIDE_REASON,
        description="Promote despite failed or missing tests (gated aliases); recorded with the user and time",
    )


class DeleteAlias(Request):
    """Remove an alias from a model."""

    operation: ClassVar[str] = "registry.delete_alias"
    result: ClassVar[Any] = None

    name: ModelName
    alias: Alias


class SetTag(Request):
    """Tag the model, or one version of it when ``version`` is given."""

    operation: ClassVar[str] = "registry.set_tag"
    result: ClassVar[Any] = None

    name: ModelName
    key: TagKey
    value: TagValue = Field(max_length=rules.MAX_TAG_VALUE)
    version: Version | None = None


class DeleteTag(Request):
    """Remove a tag from the model, or from one version of it."""

    operation: ClassVar[str] = "registry.delete_tag"
    result: ClassVar[Any] = None

    name: ModelName
    key: TagKey
    version: Version | None = None


class UpdateDescription(Request):
    """Replace the description of the model, or of one version of it; the result is what was updated."""

    operation: ClassVar[str] = "registry.update_description"
    result: ClassVar[Any] = ModelDetail | VersionDetail

    name: ModelName
    description: Description = Field(max_length=rules.MAX_DESCRIPTION)
    version: Version | None = None


class RegisterModel(Request):
    """Register the model a run logged as a new version."""

    operation: ClassVar[str] = "registry.register"
    result: ClassVar[Any] = ModelVersion

    run_id: Annotated[str, BeforeValidator(rules.run_id)]
    name: Annotated[str, BeforeValidator(rules.new_model_name)]
    artifact_path: str = "model"
    description: Description | None = None
    tags: dict[TagKey, TagValue] = Field(default_factory=dict)

    @field_validator("artifact_path", mode="before")
    @classmethod
    def _artifact_path(cls, value: Any) -> str:
        if not isinstance(value, str) or not value or ".." in value.split("/"):
            raise InvalidParameter(f"Invalid artifact path {value!r}")
        return value


class GetGateDecision(Request):
    """Whether a version may take a gated alias, or be deployed, now, and why not.

    The version is ``version``, else the one ``alias`` points to, else the newest. ``promote_to`` asks about one
    alias (one that is not gated needs no test report); without it, about any gated promotion or a deployment."""

    operation: ClassVar[str] = "gate.get_decision"
    result: ClassVar[Any] = GateDecision

    name: ModelName
    version: Version | None = None
    alias: Alias | None = None
    promote_to: Alias | None = Field(default=None, description="The alias to promote to (default: any gated one)")
