"""Results about the API itself: errors, the server's configuration, tags as set, schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
    #: Who the server takes the caller for, whether they are an admin (set budgets), the projects they may charge
    #: work to and the one charged when a request names none ("" when they have none).
    user: str
    admin: bool = False
    projects: list[str] = []
    tracking_uri: str
    compute: str
    project: str
    mlflow_ui_url: str | None


class JsonSchemaDocument(BaseModel):
    """A JSON Schema document."""

    model_config = ConfigDict(extra="allow")
