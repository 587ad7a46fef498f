"""A member's own Jupyter server on a team: every Maestro operation goes on to the team's service.

When ``MAESTRO_URL`` is set (and the server is not the service itself, ``MAESTRO_TEAM``), the server holds no keys:
no Maestro DB, no MLflow admin, no cluster credentials. Its Maestro handlers parse and check requests as always,
then hand each request model to the service over HTTP (:class:`~maestro_jupyter.sdk.http.HttpTransport`), with the
server's own hub token (``JUPYTERHUB_API_TOKEN``: the member's), so the service acts for the member and decides
with the hub's idea of them (admin flag, project groups). The sidebar and the REST API look the same as on a
laptop; only the answers come from the service.

What names a file names one on *this* server (the member's home): before a request leaves, the files it names
are read here and sent as their content (a dataset's ``path`` and ``compare_path`` as data frames, a test policy's
``policy_path`` as the policy), as the SDK in a kernel does. A job's script was read into its ``source`` by the
handler already.

Only the server's owner may use it to reach the service: anyone else the hub lets in (a hub admin, a service with
``access:servers``) would otherwise act with the owner's token. The handler base class checks that
(:meth:`~maestro_jupyter.server.handlers.base.MaestroHandler.execute`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..contract.base import Request
from ..contract.data import DataRequest, ProfileData
from ..contract.sources import read_policy_file, read_table
from ..sdk.http import TOKEN_VARS, HttpTransport

if TYPE_CHECKING:
    from ..settings import Settings


def forwarding(settings: Settings) -> bool:
    """Whether a server with ``settings`` forwards to a service: ``MAESTRO_URL`` set, and not the service itself."""
    return bool(settings.url) and not settings.team


def server_owner() -> str | None:
    """The hub user this server belongs to (``JUPYTERHUB_USER``, which the hub sets), or ``None`` off a hub."""
    return os.environ.get("JUPYTERHUB_USER", "").strip() or None


class Forwarder:
    """The team's Maestro service at ``settings.url``, with this server's token."""

    def __init__(self, settings: Settings) -> None:
        token = next((os.environ[v].strip() for v in TOKEN_VARS if os.environ.get(v, "").strip()), "")
        self.transport = HttpTransport(settings, token=token)

    def call(self, request: Request) -> Any:
        """Carry ``request`` out on the service (blocking: run it on an executor)."""
        return self.transport.call(self_contained(request))

    def get(self, path: str) -> tuple[str, bytes]:
        """``GET {MAESTRO_URL}/maestro/api/v1/{path}`` on the service: its content type and body (blocking), for the
        routes that are not operations of the contract (``info``, ``metrics``)."""
        return self.transport.get(path)


def self_contained(request: Request) -> Request:
    """``request`` with the files it names on this server replaced by their content, for a service elsewhere.

    Paths were resolved (and confined to the Jupyter root) by the handler; a profile keeps the title the file's
    name gives it, so the answer is the one the server would have given."""
    updates: dict[str, Any] = {}
    if isinstance(request, DataRequest) and request.path is not None:
        frame, label = read_table(request.path)
        updates.update(path=None, data=frame)
        if isinstance(request, ProfileData) and request.title is None:
            updates["title"] = f"Profile of {label}"
    compare_path = getattr(request, "compare_path", None)
    if compare_path is not None:
        updates.update(compare_path=None, compare=read_table(compare_path)[0])
    policy_path = getattr(request, "policy_path", None)
    if policy_path is not None:
        updates.update(policy_path=None, policy=read_policy_file(policy_path))
    if not updates:
        return request
    return type(request).model_validate({**request.model_dump(exclude_unset=True), **updates})
