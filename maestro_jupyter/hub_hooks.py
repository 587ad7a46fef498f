"""What a JupyterHub's configuration calls before a member's server starts: standard library only, since the Zero to
JupyterHub hub image carries Maestro's wheel without its dependencies.

The hub asks the Maestro service for the member's MLflow account (``ProvisionMlflowAccount``) with the member's own
server token, the one the hub has just issued for the spawn. So the service provisions exactly the member the token
names, and only the service ever uses MLflow's admin account; the hub needs no MLflow credentials at all.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from .backends.plain_http import exchange
from .errors import BackendUnavailable, error_from_dict

#: Where the operation is, under the service's URL (``MAESTRO_URL``).
PROVISION_PATH = "/maestro/api/v1/operations/ProvisionMlflowAccount"
ACCOUNT_KEYS = ("tracking_uri", "username", "password")


def member_mlflow_env(maestro_url: str, token: str, timeout: float = 30.0) -> dict[str, str]:
    """The member's ``MLFLOW_TRACKING_URI``, ``MLFLOW_TRACKING_USERNAME`` and ``MLFLOW_TRACKING_PASSWORD``, from the
    Maestro service at ``maestro_url``, asked with the member's server ``token``. A refusal is the service's typed
    error (its message says why); no answer is a ``BackendUnavailable`` naming the service."""
    if not maestro_url.startswith(("http://", "https://")):
        raise BackendUnavailable(f"MAESTRO_URL must be the Maestro service's http(s) URL, not {maestro_url!r}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        maestro_url.rstrip("/") + PROVISION_PATH,
        data=b"{}",
        method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json", "Accept": "application/json"},
    )
    status, raw = exchange(request, timeout, f"The Maestro service at {maestro_url} cannot be reached")
    answer = _json(raw)
    if status != 200:
        if "error" in answer:
            raise error_from_dict(answer, status)
        raise BackendUnavailable(f"The Maestro service at {maestro_url} answered HTTP {status} to the provisioning")
    if not all(isinstance(answer.get(key), str) and answer[key] for key in ACCOUNT_KEYS):
        raise BackendUnavailable(f"The Maestro service at {maestro_url} answered without an MLflow account")
    return {
        "MLFLOW_TRACKING_URI": answer["tracking_uri"],
        "MLFLOW_TRACKING_USERNAME": answer["username"],
        "MLFLOW_TRACKING_PASSWORD": answer["password"],
    }


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
