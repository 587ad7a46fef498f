"""The base of every Maestro handler: authentication, authorization, rate limiting, JSON in and out, and the one
place where errors become ``{"error", "message"}`` responses with the right status."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from http.client import responses
from typing import Any, ClassVar, TypeVar

from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ValidationError
from tornado import web

from ...contract.base import Actor, Request, hub_actor, laptop_actor
from ...errors import CODE_BY_STATUS, TOKEN_REFUSED, InvalidParameter, MaestroError, PermissionDenied, RateLimited
from ...services import Services
from ..bulkheads import REGISTRY, STORE, bulkhead_of
from ..context import MaestroContext
from ..forwarding import Forwarder, server_owner
from ..openapi import Operation, Param

T = TypeVar("T")
R = TypeVar("R", bound=Request)
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: How deep a JSON body may nest. Scoring requests and every request model are a few levels deep; a limit far below
#: the interpreter's recursion limit keeps a hostile body from blowing up the parser, pydantic or a later dump.
MAX_JSON_DEPTH = 64
#: A whole number as a query parameter carries it: digits, with an optional sign (no spaces, decimals, booleans).
_INTEGER = re.compile(r"^[+-]?[0-9]{1,30}$")


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

    def get_login_url(self) -> str:
        """An API has no login page to send a browser to. A request that sent no credentials at all is a 401
        (Jupyter's ``APIHandler`` says 403 to it too); one whose token grants nothing here (another member's, one
        without the scope, a made-up one) stays a 403: it said who it is, and that is not enough."""
        if not self.current_user:
            if self._sent_token():
                raise web.HTTPError(403, _NOT_ALLOWED)
            if not self._sent_cookie():
                raise web.HTTPError(401, _UNAUTHENTICATED)
        return str(super().get_login_url())

    def check_xsrf_cookie(self) -> None:
        """A change sent with no credentials at all is refused as unauthenticated (401), and one with a token that
        grants nothing as such (403), before Jupyter's XSRF check, which would otherwise answer 403 about a missing
        ``_xsrf`` form argument. A browser's cookie still needs its XSRF token (a 403 that says so)."""
        if hasattr(self, "_jupyter_current_user") and self.current_user is None:
            if self._sent_token():
                raise web.HTTPError(403, _NOT_ALLOWED)
            if not self._sent_cookie():
                raise web.HTTPError(401, _UNAUTHENTICATED)
        super().check_xsrf_cookie()

    def _sent_token(self) -> bool:
        """Whether the request carries a token (``Authorization`` header, or Jupyter's ``?token=``)."""
        return bool(self.request.headers.get("Authorization") or self.get_query_argument("token", None))

    def _sent_cookie(self) -> bool:
        """Whether the request carries a cookie that may identify someone (any but the XSRF cookie)."""
        return any(name != "_xsrf" for name in self.request.cookies)

    def rate_limit_key(self) -> str:
        """Whose budget a request spends: the principal it acts for (:meth:`actor`'s user), never its session,
        cookie or token. A plain Jupyter server's identity provider makes up an anonymous user for each browser
        session, and its token names no one: all of them are the server's one owner, with one budget (a budget per
        session let four sessions make four times the limit). In team mode, the hub user, whichever of their tokens
        or OAuth cookie authenticated the request."""
        return self.actor().user

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
            loaded = parse_json_body(raw)
            if not isinstance(loaded, dict):
                raise InvalidParameter(f"The request body must be a JSON object ({_fields(model, exclude=fields)})")
            data.update(loaded)
        data.update({k: v for k, v in fields.items() if v is not None})
        return model.model_validate(data)

    async def execute(self, request: Request) -> Any:
        """Carry ``request`` out for the authenticated user, on the bulkhead of its operation
        (:func:`~maestro_jupyter.server.bulkheads.bulkhead_of`): a hung MLflow holds only the threads of the
        operations that need it.

        On a member's server of a team (``MAESTRO_URL`` set, see :mod:`~maestro_jupyter.server.forwarding`), the
        request goes on to the team's service instead, with the server's hub token, and only the server's owner
        may send it."""
        bulkhead = bulkhead_of(type(request).operation)
        forwarder = self.forwarder
        if forwarder is not None:
            self.check_owner()
            # The same bulkheads: the service's answer waits on the same dependency.
            return await self.maestro.bulkheads[bulkhead].run(functools.partial(forwarder.call, request))
        actor = self.actor()
        return await self.call(lambda s: s.execute(request, actor), bulkhead=bulkhead)

    @property
    def forwarder(self) -> Forwarder | None:
        """The team's service this server forwards every operation to, or ``None`` when it runs them itself."""
        return self.settings.get("maestro_forwarder")

    async def forwarded_get(self, path: str) -> tuple[str, bytes]:
        """``GET`` a route of the team's service that is not an operation (``info``, ``metrics``)."""
        forwarder = self.forwarder
        if forwarder is None:
            raise RuntimeError("this server does not forward to a Maestro service")
        return await self.maestro.bulkheads[STORE].run(functools.partial(forwarder.get, path))

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
        """A single-valued query parameter as declared in this verb's :class:`Operation` (``default`` when absent).

        Given twice, or given empty (``?search=``), it is a 400 naming the parameter, as is a value outside the
        declared ``enum`` or ``pattern``: the OpenAPI document states the same rules."""
        param = self._param(name)
        values = self.get_query_arguments(name, strip=False)
        if not values:
            return default
        if len(values) > 1:
            raise InvalidParameter(f"{name} is given {len(values)} times; give it once")
        value = values[0]
        if value == "":
            raise InvalidParameter(f"{name} is empty: give a value or leave the parameter out")
        if param.enum and value not in param.enum:
            raise InvalidParameter(f"{name} must be one of {', '.join(map(str, param.enum))}, not {value[:100]!r}")
        if param.pattern and not re.search(param.pattern, value):
            raise InvalidParameter(f"Invalid {name} {value[:100]!r}: {param.description}")
        return value

    def query_int(self, name: str, default: int | None = None) -> int | None:
        """A whole-number query parameter, within the bounds its :class:`Param` declares (``default`` when absent).
        Anything else (a decimal, a boolean, a number out of bounds, an empty or repeated value) is a 400 that
        names the parameter."""
        param = self._param(name)
        if param.type != "integer":
            raise TypeError(f"{name} is not declared as an integer parameter")
        text = self.query(name)
        if text is None:
            return default
        if not _INTEGER.match(text):
            raise InvalidParameter(f"{name} must be a whole number, not {text[:100]!r}")
        value = int(text)
        low, high = param.minimum, param.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise InvalidParameter(f"{name} must be from {low} to {high}, not {value}")
        return value

    def query_list(self, name: str) -> list[str]:
        """A repeatable (or comma-separated) query parameter; an empty value is a 400 like any other's."""
        if not self._param(name).repeated:
            raise TypeError(f"{name} is not declared as a repeated parameter")
        values = self.get_query_arguments(name)
        if any(not v.strip() for v in values):
            raise InvalidParameter(f"{name} is empty: give a value or leave the parameter out")
        return [part.strip() for v in values for part in v.split(",") if part.strip()]

    def _param(self, name: str) -> Param:
        """The declaration of query parameter ``name`` for this request's verb: what the document says is what is
        parsed, so the two cannot drift apart."""
        operation = self.operations.get((self.request.method or "").lower())
        for param in operation.query if operation is not None else ():
            if param.name == name:
                return param
        raise TypeError(f"{type(self).__name__}.{self.request.method} does not declare the query parameter {name!r}")

    # --- output ----------------------------------------------------------------------------------------------------

    async def call(self, fn: Callable[[Services], T], *, bulkhead: str = REGISTRY) -> T:
        """Run ``fn(services)`` on a Maestro thread pool: ``bulkhead`` names the one of the dependency it waits on
        (:mod:`~maestro_jupyter.server.bulkheads`; by default ``registry``, whatever may need MLflow).

        Everything blocking happens there, including the first use of a service (which opens the MLflow store and
        may wait for the start-up warm-up): the event loop keeps serving Jupyter meanwhile.
        """
        services = self.maestro.services
        return await self.maestro.bulkheads[bulkhead].run(functools.partial(fn, services))

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
        if status_code == 405:
            # RFC 9110: a 405 lists what the resource does allow.
            self.set_header("Allow", ", ".join(verb.upper() for verb in self.operations))
        elif status_code == 401:
            self.set_header("WWW-Authenticate", 'token realm="maestro"')
        if error is not None and type(error) is not MaestroError:
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


_UNAUTHENTICATED = "Authentication is required: send 'Authorization: token <your Jupyter or JupyterHub token>'"
_NOT_ALLOWED = f"{TOKEN_REFUSED} (it is unknown, another user's, or lacks the scope)"


def parse_json_body(raw: bytes) -> Any:
    """A request's JSON body, parsed; a 400 when it is not JSON or nests deeper than :data:`MAX_JSON_DEPTH`."""
    try:
        loaded = json.loads(raw)
    except RecursionError:  # deeper than the interpreter's limit: the parser gave up before we could count
        raise InvalidParameter(f"The request body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        raise InvalidParameter("The request body is not valid JSON") from None
    if _depth_exceeds(loaded, MAX_JSON_DEPTH):
        raise InvalidParameter(f"The request body nests deeper than {MAX_JSON_DEPTH} levels")
    return loaded


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects and arrays more than ``limit`` deep (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


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
