"""The operations endpoint: ``POST operations/{Name}`` carries out any request model of the contract, named by its
class (``SetAlias``, ``SubmitJob``), with the model's JSON as the body. It is what the SDK's HTTP transport
(``MAESTRO_URL``) talks to; the resource routes are the same operations, shaped for people and the sidebar.

The answer is the result as JSON, ``204`` for an operation that returns nothing, or the file itself for one that
makes a file (a version's zip, a card as PDF). Errors are the usual ``{"error", "message"}`` bodies.

As on the resource routes, what names a file on this server is confined to the Jupyter root: a dataset's ``path``
(and ``compare_path``, ``policy_path``) is resolved under it, a job's ``script`` is read there, and a job runs in
its client's folder only when that folder lies under the root (else at the root).

Reads need Maestro's ``read`` permission and are not rate-limited; an operation that changes something
(:attr:`~maestro_jupyter.contract.base.Request.changes`) needs ``write`` and counts against the change limit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized
from pydantic import TypeAdapter
from tornado import web

from ...contract.base import Document, Request
from ...contract.operations import operations
from ...contract.sources import resolve_path
from ...contract.training import SubmitJob, script_fields
from ...errors import NotFound, PermissionDenied
from ..openapi import Operation
from .base import MaestroHandler
from .data import under_root

#: Request fields that name a file on the server: resolved under the Jupyter root, refused outside it.
ROOT_FILES = ("path", "compare_path", "policy_path")
F = TypeVar("F", bound=Callable[..., Any])
#: ``@authorized`` for the ``read`` action whatever the HTTP verb (jupyter_server's decorator factory is untyped).
_authorized_to_read = cast("Callable[[F], F]", authorized("read"))
#: Longest operation name accepted in a path: class names are far shorter; the cap keeps error messages short.
_MAX_NAME = 64


class OperationHandler(MaestroHandler):
    path = "/operations/{operation}"
    operations = {
        "post": Operation(
            "Carry out one operation of the contract, named by its request model (the SDK's HTTP transport)",
            contract=True,
        )
    }
    rate_limited = False  # decided per operation: only changes are limited

    @web.authenticated
    @_authorized_to_read  # a change also needs "write", checked once the operation is known
    async def post(self, operation: str) -> None:
        model = operations().get(operation)
        if model is None:
            shown = operation if len(operation) <= _MAX_NAME else operation[:_MAX_NAME] + "..."
            raise NotFound(f"No Maestro operation named {shown!r}")
        if model.changes:
            resource = self.auth_resource
            if not await ensure_async(self.authorizer.is_authorized(self, self.current_user, "write", resource)):
                raise PermissionDenied(f"User is not authorized to write on resource: {resource} ({operation})")
            self.maestro.limiter.check(self.rate_limit_key())
        request = await self._at_the_edge(self.request_model(model))
        result = await self.execute(request)
        if isinstance(result, Document):
            self.send_document(result.content, result.media_type, result.file_name, download=True)
        elif result is None:
            self.send(None, 204)
        else:
            self.set_header("Content-Type", "application/json")
            self.finish(_adapter(model).dump_json(result))

    async def _at_the_edge(self, request: Request) -> Request:
        """``request`` with what names this server's files confined to the Jupyter root."""
        files = [name for name in ROOT_FILES if name in type(request).model_fields]
        if files:
            request = await under_root(self, request, *files)
        if isinstance(request, SubmitJob):
            root = Path(self.settings.get("server_root_dir") or ".").expanduser().resolve()
            submitted = request
            request = await self.call(lambda _s: _confined_job(submitted, root))
        return request


def _confined_job(request: SubmitJob, root: Path) -> SubmitJob:
    """A job that reads its script under ``root`` and runs in a folder under it: the client's folder when it lies
    there (a client on this machine, working under the root), else the script's folder, else the root."""
    given = request.model_dump(exclude_unset=True)
    if request.script is not None:
        path = resolve_path(request.script, root)
        return SubmitJob.model_validate({**given, "script": None, **script_fields(path, str(path.relative_to(root)))})
    workdir = root
    if request.workdir:
        try:
            folder = Path(request.workdir).resolve()
            if folder.is_relative_to(root) and folder.is_dir():
                workdir = folder
        except (OSError, RuntimeError, ValueError):
            pass  # a folder this server cannot inspect is not one to run in
    return SubmitJob.model_validate({**given, "workdir": str(workdir)})


_ADAPTERS: dict[type[Request], TypeAdapter[Any]] = {}


def _adapter(model: type[Request]) -> TypeAdapter[Any]:
    """The (cached) adapter that writes ``model``'s results as JSON."""
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model.result)
    return _ADAPTERS[model]
