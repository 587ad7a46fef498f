"""Members' accounts on the team's other servers, made by the one service that holds their admins' keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..contract.access import ProvisionMlflowAccount
from ..contract.base import Actor
from ..entities.access import MlflowAccount
from ..errors import Conflict
from ..settings import Settings

if TYPE_CHECKING:
    from ..backends.mlflow_auth import MlflowAuthAdmin


class AccessService:
    """Provisions the caller's own MLflow account (see :class:`ProvisionMlflowAccount`)."""

    def __init__(self, settings: Settings, mlflow_admin: Callable[[], MlflowAuthAdmin | None]) -> None:
        self.settings = settings
        self._mlflow_admin = mlflow_admin

    def provision_mlflow_account(self, request: ProvisionMlflowAccount, actor: Actor) -> MlflowAccount:
        """A new password for the actor's MLflow user (made if missing). Only on a team whose MLflow asks for a
        login: elsewhere there is no account to give, which is a ``Conflict`` saying so."""
        admin = self._mlflow_admin()
        if admin is None:
            raise Conflict(
                "This Maestro's MLflow has no login (not a team's MLflow behind basic-auth), so there is no MLflow "
                "account to provision: use MLflow as it is"
            )
        credentials = admin.provision(actor.user)
        return MlflowAccount(
            tracking_uri=self.settings.public_dict()["tracking_uri"],
            username=credentials.username,
            password=credentials.password,
        )
