"""Request bodies of the REST API, named verb-noun."""

from __future__ import annotations

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
