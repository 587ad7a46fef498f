"""Results about a member's access to the team's other servers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MlflowAccount(BaseModel):
    """A member's own MLflow account on the team's MLflow server (behind its login): what plain ``mlflow`` in their
    notebooks logs in with. The password is new: the one before it no longer works."""

    tracking_uri: str
    username: str
    password: str = Field(repr=False)
