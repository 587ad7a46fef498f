"""The base of every Maestro handler: authentication, authorization, rate limiting, JSON in and out, and the one
place where errors become ``{"error", "message"}`` responses with the right status."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from http.client import responses
from typing import Any, ClassVar, TypeVar

from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ValidationError
from tornado import web
from tornado.ioloop import IOLoop

from ...contract.base import Actor, Request, hub_actor, laptop_actor
from ...errors import CODE_BY_STATUS, InvalidParameter, MaestroError, PermissionDenied, RateLimited
from ...services import Services
from ..context import MaestroContext
from ..forwarding import Forwarder, server_owner
from ..openapi import Operation

T = TypeVar("T")
R = TypeVar("R", bound=Request)
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class MaestroHandler(APIHandler):  # type: ignore[misc]
    """Subclasses set ``path`` and ``operations`` and decorate every verb with ``@web.authenticated`` and
    ``@authorized``; the resource checked is ``maestro``."""

    auth_resource = "maestro"
    path: ClassVar[str] = ""
    operations: ClassVar[dict[str, Operation]] = {}
    #: Whether mutating requests count against the per-user change limit (predictions change nothing).
    rate_limited: ClassVar[bool] = True

    @property
    def maestro(self) -> MaestroContext:
        return self.settings["maestro"]  # type: ignore[no-any-return]

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self.rate_limited and self.request.method in MUTATING and self.current_user is not None:
            self.maestro.limiter.check(self.rate_limit_key())

    def rate_limit_key(self) -> str:
        """Whose budget a request spends. A Jupyter server's shared token names no user (the identity provider makes
        up a fresh anonymous one per token request), so everyone holding it shares one budget; in team mode every
        request is a hub user's (or service's) own."""
        if self.maestro.services.settings.team:
            return f"hub:{self.current_user.username}"
        return "shared-token" if self._shared_token() else str(self.current_user.username)

    def actor(self) -> Actor:
        """Who this request acts for, as the services see it (user, admin, projects).

        In team mode (``MAESTRO_TEAM``): the JupyterHub user who authenticated it (their hub token or OAuth cookie),
        with the hub's admin flag and groups (:func:`~maestro_jupyter.contract.base.hub_actor`); a request that the
        hub did not authenticate is refused, whatever the settings say. Otherwise one person's server
        (:func:`~maestro_jupyter.contract.base.laptop_actor`): the user is the hub's or identity provider's user, or,
        for the server's shared token, which names nobody, the server's Maestro user (``MAESTRO_USER``)."""
        settings = self.maestro.services.settings
        if settings.team:
            model = getattr(self.current_user, "hub_user", None)
            if not isinstance(model, dict):
                raise PermissionDenied(
                    "This Maestro server is in team mode, but JupyterHub did not authenticate the request: run it as "
                    "the hub's Maestro service (python -m maestro_jupyter.server.service)"
                )
            return hub_actor(model, settings)
        if self._shared_token() or self._anonymous_server():
            return laptop_actor(settings)
        return laptop_actor(settings, str(self.current_user.username))

    def _anonymous_server(self) -> bool:
        """A plain (not hub) server's identity provider makes up a random anonymous name for each browser session:
        whoever holds its token is the server's one owner, the same person the kernel and the SDK act as. Without
        this, what a notebook started could never be cancelled from the sidebar."""
        # jupyter_server's own providers (token, password) know no users; a hub's provider does.
        return type(self.identity_provider).__module__.startswith("jupyter_server.auth")

    def _shared_token(self) -> bool:
        return bool(self.token_authenticated and not self.get_cookie(self.identity_provider.get_cookie_name(self)))

    # --- input ---------------------------------------------------------------------------------------------------

    def request_model(self, model: type[R], *, body: bool = True, **fields: Any) -> R:
        """The request model of this call: the JSON body's fields (when ``body``) and ``fields`` (path parameters,
        query values) together. A body may not set a field the path names: the path wins, so a request cannot say
        one resource in its URL and act on another."""
        data: dict[str, Any] = {}
        if body:
            raw = self.request.body or b""
            if not raw.strip():
                raise InvalidParameter(f"A JSON body is required ({_fields(model, exclude=fields)})")
            try:
                loaded = json.loads(raw)
            except ValueError:
                raise InvalidParameter("The request body is not valid JSON") from None
            if not isinstance(loaded, dict):
                raise InvalidParameter(f"The request body must be a JSON object ({_fields(model, exclude=fields)})")
            data.update(loaded)
        data.update({k: v for k, v in fields.items() if v is not None})
        return model.model_validate(data)

    async def execute(self, request: Request) -> Any:
        """Carry ``request`` out for the authenticated user, on the Maestro thread pool.

        On a member's server of a team (``MAESTRO_URL`` set, see :mod:`~maestro_jupyter.server.forwarding`), the
        request goes on to the team's service instead, with the server's hub token, and only the server's owner
        may send it."""
        forwarder = self.forwarder
        if forwarder is not None:
            self.check_owner()
            return await IOLoop.current().run_in_executor(self.maestro.executor, forwarder.call, request)
        actor = self.actor()
        return await self.call(lambda s: s.execute(request, actor))

    @property
    def forwarder(self) -> Forwarder | None:
        """The team's service this server forwards every operation to, or ``None`` when it runs them itself."""
        return self.settings.get("maestro_forwarder")

    async def forwarded_get(self, path: str) -> tuple[str, bytes]:
        """``GET`` a route of the team's service that is not an operation (``info``, ``metrics``)."""
        forwarder = self.forwarder
        if forwarder is None:
            raise RuntimeError("this server does not forward to a Maestro service")
        return await IOLoop.current().run_in_executor(self.maestro.executor, forwarder.get, path)

    def check_owner(self) -> None:
        """Refuse anyone but the server's owner: a forwarded request acts with the owner's hub token, so a hub
        admin or a service let into this server must not send one. A plain (not hub) server has one user, whoever
        holds its token."""
        if self._anonymous_server():
            return
        owner = server_owner()
        model = getattr(self.current_user, "hub_user", None)
        kind = model.get("kind", "user") if isinstance(model, dict) else "user"
        if owner is None or kind != "user" or self.current_user.username != owner:
            raise PermissionDenied(
                f"This server sends Maestro requests to the team's service as {owner or 'its owner'}; "
                f"{self.current_user.username} must use their own server"
            )

    def query(self, name: str, default: str | None = None) -> str | None:
        value = self.get_query_argument(name, default)
        return value if value != "" else default

    def query_int(self, name: str, default: int) -> int:
        """A whole-number query parameter; anything else is a 400."""
        text = self.query(name)
        if text is None:
            return default
        try:
            return int(text)
        except ValueError:
            raise InvalidParameter(f"{name} must be a whole number, not {text!r}") from None

    def query_list(self, name: str) -> list[str]:
        """A repeatable (or comma-separated) query parameter."""
        return [part.strip() for v in self.get_query_arguments(name) for part in v.split(",") if part.strip()]

    # --- output ----------------------------------------------------------------------------------------------------

    async def call(self, fn: Callable[[Services], T]) -> T:
        """Run ``fn(services)`` on the Maestro thread pool.

        Everything blocking happens there, including the first use of a service (which opens the MLflow store and
        may wait for the start-up warm-up): the event loop keeps serving Jupyter meanwhile.
        """
        services = self.maestro.services
        return await IOLoop.current().run_in_executor(self.maestro.executor, functools.partial(fn, services))

    def send(self, result: BaseModel | dict[str, Any] | None, status: int = 200) -> None:
        """Finish with ``result`` as JSON (or an empty 204)."""
        self.set_status(status)
        if result is None:
            self.finish()
            return
        data = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))

    def send_document(self, content: bytes, media_type: str, file_name: str, download: bool) -> None:
        """Finish with a rendered document (a card, a test report), inline or as a download. It is a document of its
        own: no script runs in it, whoever opens it."""
        disposition = "attachment" if download else "inline"
        self.set_header("Content-Disposition", f'{disposition}; filename="{file_name}"')
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        self.finish(content, set_content_type=media_type)  # APIHandler.finish would say JSON

    # --- errors ------------------------------------------------------------------------------------------------------

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        error = _as_maestro_error(kwargs.get("exc_info", (None, None, None))[1])
        if error is not None:
            status_code = error.status
            kwargs.pop("reason", None)
        super().send_error(status_code, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        error = _as_maestro_error(exc)
        if error is not None:
            body = error.to_dict()
            if isinstance(error, RateLimited):
                self.set_header("Retry-After", str(error.retry_after))
        elif status_code >= 500:
            # Never leak internals; the traceback is in the server log (tornado logs it).
            body = {"error": "INTERNAL_ERROR", "message": "Internal server error; the server log has the details"}
        else:
            message = responses.get(status_code, "Error")
            if isinstance(exc, web.HTTPError) and exc.log_message:
                message = exc.log_message % exc.args if exc.args else exc.log_message
            body = {"error": CODE_BY_STATUS.get(status_code, "HTTP_ERROR"), "message": message}
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        error = _as_maestro_error(value)
        if error is None:
            super().log_exception(typ, value, tb)
        elif error.status >= 500:
            self.log.warning("Maestro %s %s: %s", self.request.method, self.request.path, error.message)
        else:
            self.log.info("Maestro %s %s -> %s: %s", self.request.method, self.request.path, error.status, error)


def _as_maestro_error(exc: BaseException | None) -> MaestroError | None:
    if isinstance(exc, MaestroError):
        return exc
    if isinstance(exc, ValidationError):
        return InvalidParameter(_validation_message(exc))
    return None


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "Invalid request body: " + "; ".join(parts)


def _fields(model: type[BaseModel], exclude: Any = ()) -> str:
    return ", ".join(f"{k}{'' if f.is_required() else '?'}" for k, f in model.model_fields.items() if k not in exclude)
