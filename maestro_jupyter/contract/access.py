"""Requests about a member's access to the team's other servers."""

from __future__ import annotations

from typing import Any, ClassVar

from ..entities.access import MlflowAccount
from .base import Request


class ProvisionMlflowAccount(Request):
    """MLflow credentials of the caller's own, on a team whose MLflow runs behind its login: the account is made on
    the first call and given a new password on each one after (the previous password stops working).

    JupyterHub calls it with the member's own server token before their server starts, and puts the answer in the
    server's environment; so the hub never holds MLflow's admin credentials. It names no one: an account is only
    ever the caller's."""

    operation: ClassVar[str] = "access.provision_mlflow_account"
    result: ClassVar[Any] = MlflowAccount
