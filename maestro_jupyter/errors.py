"""Maestro's typed errors.

Every error a user can cause is a :class:`MaestroError` subclass that carries its HTTP status and a stable
machine-readable code, the way MLflow's ``MlflowException`` does. The REST layer turns one into
``{"error": code, "message": message}`` with that status; magics print its message as one line; the SDK raises it.
This module imports nothing heavy so that every face can use it.
"""

from __future__ import annotations

from typing import Any, ClassVar


class MaestroError(Exception):
    """Base class of every error Maestro raises on purpose."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        """The JSON body the REST API sends for this error."""
        return {"error": self.code, "message": self.message}


class InvalidParameter(MaestroError):
    """The request is malformed or a value is out of range (HTTP 400)."""

    status = 400
    code = "INVALID_PARAMETER"


class PermissionDenied(MaestroError):
    """The user may not do this (HTTP 403)."""

    status = 403
    code = "PERMISSION_DENIED"


class NotFound(MaestroError):
    """The model, version, alias, experiment or run does not exist (HTTP 404)."""

    status = 404
    code = "NOT_FOUND"


class Conflict(MaestroError):
    """The request conflicts with the current state, e.g. a name already taken (HTTP 409)."""

    status = 409
    code = "CONFLICT"


class GateRefused(Conflict):
    """The promotion gate refused a version: its tests failed or never ran (HTTP 409). ``failed_checks`` names the
    failed checks (empty when there is no test report)."""

    code = "GATE_REFUSED"

    def __init__(self, message: str, failed_checks: list[str] | None = None) -> None:
        super().__init__(message)
        self.failed_checks = list(failed_checks or [])

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "failed_checks": self.failed_checks}


class BudgetExceeded(PermissionDenied):
    """A hard budget limit refuses a job or deployment before anything starts (HTTP 403)."""

    code = "BUDGET_EXCEEDED"


class RateLimited(MaestroError):
    """Too many mutating requests from one user (HTTP 429); ``retry_after`` is in seconds."""

    status = 429
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "retry_after": self.retry_after}


class BackendUnavailable(MaestroError):
    """A backend (the MLflow tracking server, the database) cannot be reached (HTTP 503)."""

    status = 503
    code = "BACKEND_UNAVAILABLE"


#: How the REST API's 403 to a token that grants nothing begins (unknown, another user's, or without the scope): the
#: SDK's HTTP transport tells it from a refusal of what an authenticated user asked.
TOKEN_REFUSED = "The token sent gives no access to this Maestro"  # noqa: S105 (a message, not a secret)

#: The code the REST API reports for an HTTP status that did not come from a MaestroError.
CODE_BY_STATUS: dict[int, str] = {
    400: InvalidParameter.code,
    401: "UNAUTHENTICATED",
    403: PermissionDenied.code,
    404: NotFound.code,
    405: "METHOD_NOT_ALLOWED",
    409: Conflict.code,
    413: "PAYLOAD_TOO_LARGE",
    429: RateLimited.code,
    503: BackendUnavailable.code,
}


def first_validation_error(exc: Exception) -> str:
    """``field: message`` for the first problem a pydantic ``ValidationError`` reports (else the error's text)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            first = found[0]
            return f"{'.'.join(str(p) for p in first.get('loc', ())) or 'value'}: {first.get('msg', 'invalid')}"
    return str(exc)


def first_line(value: BaseException | str, limit: int = 200) -> str:
    """The first line of an error's (or a text's) message, cut to ``limit`` characters; an exception with no message
    gives its class name, so a one-line report always says something."""
    text = str(value).strip()
    if not text:
        return type(value).__name__ if isinstance(value, BaseException) else ""
    return text.splitlines()[0][:limit]


def error_from_dict(body: dict[str, Any], status: int | None = None) -> MaestroError:
    """The typed error an error body (``{"error": CODE, "message": ...}``) stands for, as a transport receives it.

    Every :class:`MaestroError` subclass that names its own code is found by that code, wherever it is defined
    (the budget service's ``BudgetExceeded`` too); an unknown code falls back to the class of the HTTP ``status``.
    """
    code = str(body.get("error", ""))
    message = str(body.get("message", "")) or code or "Error"
    cls = _error_classes().get(code)
    if cls is None:
        by_status = {c.status: c for c in (InvalidParameter, PermissionDenied, NotFound, Conflict, BackendUnavailable)}
        cls = by_status.get(status or 0, MaestroError)
    if issubclass(cls, GateRefused):
        return cls(message, list(body.get("failed_checks") or []))
    if issubclass(cls, RateLimited):
        return cls(message, int(body.get("retry_after") or 1))
    return cls(message)


def _error_classes() -> dict[str, type[MaestroError]]:
    found: dict[str, type[MaestroError]] = {}
    pending: list[type[MaestroError]] = [MaestroError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found
