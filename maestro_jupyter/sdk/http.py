"""The HTTP transport: every request goes to the Maestro service at ``MAESTRO_URL`` (a team's hub service, or any
Jupyter server with the Maestro extension), which carries it out for whoever its token belongs to.

Each request model is POSTed as JSON to ``{MAESTRO_URL}/maestro/api/v1/operations/{RequestClassName}`` with
``Authorization: token …`` (``MAESTRO_TOKEN``, else the hub's ``JUPYTERHUB_API_TOKEN`` that every hub server and
kernel has). The answer is the result as JSON (parsed with ``TypeAdapter(type(request).result)``), a file for an
operation that makes one, 204 for one that returns nothing, or Maestro's error body, raised as its typed error.

Failures are bounded: ``MAESTRO_HTTP_TIMEOUT`` seconds to connect and to hear an answer (an analysis of data, which
may compute for long, waits up to :data:`ANALYSIS_TIMEOUT`), and ``MAESTRO_HTTP_RETRIES`` more tries with a short
back-off. A read (:attr:`~maestro_jupyter.contract.base.Request.changes` false) is tried again after any failure to
connect or to hear back, and after a gateway's 502-504; a change only when the connection was never made, since a
change that may have reached the service is never sent twice. Whatever cannot be reached is a
``BackendUnavailable`` that says what to do.

Standard library only (``http.client``): a new connection per request, no proxy (the service is on the team's own
network). Nothing here is imported until a client is made with ``MAESTRO_URL`` set.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import time
import urllib.parse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from .._version import __version__
from ..contract.base import Document, Request
from ..contract.data import DataRequest
from ..errors import (
    TOKEN_REFUSED,
    BackendUnavailable,
    InvalidParameter,
    MaestroError,
    PermissionDenied,
    error_from_dict,
    first_validation_error,
)
from .transport import follow_chunks

if TYPE_CHECKING:
    from ..entities import JobLogs
    from ..settings import Settings

#: The service's REST API, and its operations endpoint, under ``MAESTRO_URL``.
REST_PATH = "/maestro/api/v1/"
API_PATH = f"{REST_PATH}operations/"
#: The environment variables a token is read from, first found wins.
TOKEN_VARS = ("MAESTRO_TOKEN", "JUPYTERHUB_API_TOKEN")
#: How long an analysis of data (profile, features, model tests) may compute before the answer is given up on.
ANALYSIS_TIMEOUT = 3600.0
#: Seconds before the first retry; doubled for each next one, up to :data:`MAX_BACKOFF`.
FIRST_BACKOFF = 0.2
MAX_BACKOFF = 2.0
#: Statuses of a gateway (the hub's proxy) that could not get an answer from the service: worth a retry for a read.
GATEWAY_STATUSES = (502, 503, 504)


class _NotSent(Exception):
    """The connection failed before any of the request left: safe to try again, whatever the request."""


class _NoAnswer(Exception):
    """The request may have reached the service, but no answer came back."""


class _Gateway(Exception):
    """An answer that is not the service's (a proxy's 502, an HTML page): ``status`` and a short description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status


class HttpTransport:
    """The Maestro service at ``settings.url``, reached over HTTP with a token (see the module's docstring)."""

    def __init__(self, settings: Settings, token: str | None = None) -> None:
        if not settings.url:
            raise InvalidParameter("The HTTP transport needs the Maestro service's URL (MAESTRO_URL)")
        self._settings = settings
        self.url = settings.url
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidParameter(f"MAESTRO_URL must be an http(s) URL, not {self.url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        try:
            self._port = parts.port
        except ValueError:
            raise InvalidParameter(f"MAESTRO_URL has an invalid port: {self.url!r}") from None
        self._prefix = parts.path.rstrip("/")
        self._token = token if token is not None else _token_from_env()
        self._adapters: dict[type[Request], TypeAdapter[Any]] = {}
        self._tls: ssl.SSLContext | None = None

    @property
    def settings(self) -> Settings:
        return self._settings

    def call(self, request: Request) -> Any:
        status, headers, body = self._send(_with_member_mlflow(request))
        model = type(request)
        if model.result is Document:
            return _document(headers, body, model.__name__)
        if status == 204 or model.result is None:
            return None
        try:
            return self._adapter(model).validate_json(body)
        except ValidationError as exc:
            raise BackendUnavailable(
                f"The Maestro service at {self.url} sent an answer to {model.__name__} this client cannot read "
                f"({first_validation_error(exc)}): are the client and the service the "
                f"same version? This client is {__version__}"
            ) from None

    def download(self, request: Request) -> Document:
        if type(request).result is not Document:
            raise TypeError(f"{type(request).__name__} does not make a file")
        document: Document = self.call(request)
        return document

    def follow_logs(self, job_id: str, offset: int = 0) -> Iterator[JobLogs]:
        return follow_chunks(self.call, job_id, offset)

    def __repr__(self) -> str:
        return f"HttpTransport(url={self.url!r})"

    # --- one request, tried again as its kind allows ------------------------------------------------------------

    def _send(self, request: Request) -> tuple[int, http.client.HTTPMessage, bytes]:
        """The answer to ``request`` (status, headers, body) when the service gave one it meant (2xx); an error
        body raised as its typed error; no answer, as ``BackendUnavailable`` after the retries its kind allows."""
        model = type(request)
        name = model.__name__
        body = request.model_dump_json().encode()
        long = isinstance(request, DataRequest)
        tries = 1 + self._settings.http_retries
        reason = ""
        for attempt in range(tries):
            if attempt:
                time.sleep(min(FIRST_BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF))
            try:
                status, headers, answer = self._post(name, body, long)
            except _NotSent as exc:
                reason = str(exc)
                continue  # nothing left this machine: any request may go again
            except _NoAnswer as exc:
                if model.changes or long:
                    raise BackendUnavailable(
                        f"The Maestro service at {self.url} did not answer {name} ({exc}). It may have been carried "
                        "out: look before you try again"
                    ) from None
                reason = str(exc)
                continue
            if 200 <= status < 300:
                return status, headers, answer
            if status < 400:
                raise BackendUnavailable(
                    f"The Maestro service at {self.url} sent {name} elsewhere (HTTP {status} to "
                    f"{headers.get('Location', 'nowhere')}): check MAESTRO_URL, and that a token is set"
                )
            error = _error_body(answer)
            if error is not None:
                raise _typed_error(error, status, self.url, has_token=bool(self._token))
            if status in GATEWAY_STATUSES and not model.changes:
                reason = f"HTTP {status} from a gateway"
                continue
            raise BackendUnavailable(
                f"The Maestro service at {self.url} did not answer {name}: HTTP {status} "
                f"({_describe(headers, answer)}), not an answer from Maestro. Is MAESTRO_URL the Maestro service?"
            )
        raise BackendUnavailable(
            f"Cannot reach the Maestro service at {self.url} ({reason}; tried {tries} time(s)): check that it is "
            "running, or unset MAESTRO_URL to work on this machine"
        )

    def get(self, path: str) -> tuple[str, bytes]:
        """``GET`` a route of the service's REST API that is not an operation (``info``, ``metrics``): its content
        type and body. An error body is raised as its typed error; no answer is a ``BackendUnavailable``."""
        try:
            status, headers, answer = self._exchange("GET", f"{self._prefix}{REST_PATH}{path}", None, long=False)
        except (_NotSent, _NoAnswer) as exc:
            raise BackendUnavailable(
                f"Cannot reach the Maestro service at {self.url} ({exc}): is it running? (see the hub's log)"
            ) from None
        if 200 <= status < 300:
            return headers.get("Content-Type", ""), answer
        error = _error_body(answer)
        if error is not None:
            raise _typed_error(error, status, self.url, has_token=bool(self._token))
        raise BackendUnavailable(f"The Maestro service at {self.url} answered HTTP {status}, not as Maestro does")

    def _post(self, name: str, body: bytes, long: bool) -> tuple[int, http.client.HTTPMessage, bytes]:
        return self._exchange("POST", f"{self._prefix}{API_PATH}{urllib.parse.quote(name)}", body, long)

    def _exchange(
        self, method: str, path: str, body: bytes | None, long: bool
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        timeout = self._settings.http_timeout
        connection: http.client.HTTPConnection
        if self._https:
            if self._tls is None:
                self._tls = ssl.create_default_context()  # the system's CAs (SSL_CERT_FILE), loaded once
            connection = http.client.HTTPSConnection(self._host, self._port, timeout=timeout, context=self._tls)
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        try:
            try:
                connection.connect()
            except TimeoutError:
                raise _NotSent(f"no connection within {timeout:g} s") from None
            except ssl.SSLError as exc:
                raise _NotSent(f"TLS: {exc.reason or exc}") from None
            except OSError as exc:
                raise _NotSent(_os_reason(exc)) from None
            if long and connection.sock is not None:
                connection.sock.settimeout(max(timeout, ANALYSIS_TIMEOUT))
            headers = {"Accept": "application/json", "User-Agent": f"maestro-jupyter/{__version__}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            if self._token:
                headers["Authorization"] = f"token {self._token}"
            try:
                connection.request(method, path, body, headers)
                response = connection.getresponse()
                return response.status, response.msg, response.read()
            except TimeoutError:
                waited = max(timeout, ANALYSIS_TIMEOUT) if long else timeout
                raise _NoAnswer(f"no answer within {waited:g} s") from None
            except (OSError, http.client.HTTPException) as exc:
                raise _NoAnswer(_os_reason(exc)) from None
        finally:
            connection.close()

    def _adapter(self, model: type[Request]) -> TypeAdapter[Any]:
        if model not in self._adapters:
            self._adapters[model] = TypeAdapter(model.result)
        return self._adapters[model]


def _with_member_mlflow(request: Request) -> Request:
    """A job the service starts runs as its member, with the member's own MLflow account (this process's
    ``MLFLOW_TRACKING_USERNAME`` and ``_PASSWORD``, which the hub gives a member's server), so that its run and
    models are theirs: the service holds only MLflow's admin account, which no member's code may see."""
    from ..contract.training import SubmitJob

    username, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if not isinstance(request, SubmitJob) or not username or not password or request.mlflow_username:
        return request
    return request.model_copy(update={"mlflow_username": username, "mlflow_password": password})


def _token_from_env() -> str | None:
    for var in TOKEN_VARS:
        value = os.environ.get(var, "").strip()
        if value:
            return value
    return None


def _os_reason(exc: BaseException) -> str:
    """A connection failure in a few words: ``connection refused``, ``name not known``, ..."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name: {exc.strerror or exc}"
    if isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError):
        return "the connection was closed without an answer"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _error_body(raw: bytes) -> dict[str, Any] | None:
    """Maestro's ``{"error": CODE, "message": ...}``, or ``None`` for any other body (a proxy's page)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str) and "message" in body:
        return body
    return None


def _typed_error(body: dict[str, Any], status: int, url: str, has_token: bool) -> MaestroError:
    """The typed error an error body stands for; an authentication failure says which token to give."""
    error = error_from_dict(body, status)
    # Without a token nothing is authenticated; with one, Jupyter's refusal of an unauthenticated request is its
    # generic 403 (or, for a POST, the missing XSRF cookie a browser would have sent) rather than Maestro's own.
    unauthenticated = (
        not has_token
        or error.message in ("Forbidden", "Unauthorized", "")
        or error.message.startswith(TOKEN_REFUSED)
        or "_xsrf" in error.message
    )
    if status == 401 or (status == 403 and unauthenticated):
        what = "no token was sent" if not has_token else "the token was refused"
        return PermissionDenied(
            f"The Maestro service at {url} did not accept this request: {what} ({status} {error.message}). Set "
            f"MAESTRO_TOKEN (or JUPYTERHUB_API_TOKEN) to a token the service accepts"
        )
    return error


def _describe(headers: http.client.HTTPMessage, raw: bytes) -> str:
    kind = headers.get_content_type()
    text = raw[:200].decode("utf-8", "replace").strip()
    return f"{kind}: {' '.join(text.split())[:120]}" if text else kind


def _document(headers: http.client.HTTPMessage, content: bytes, name: str) -> Document:
    """A file answer as the in-process transport gives it: the bytes, the media type and the file's name."""
    file_name = headers.get_filename() or f"{name}.bin"
    return Document(content, headers.get("Content-Type") or "application/octet-stream", file_name)
