"""The base of every request model: one pydantic model per operation, named verb-noun.

A request names the service method that carries it out (:attr:`Request.operation`, ``"service.method"`` on
:class:`~maestro_jupyter.services.Services`) and the type of its result (:attr:`Request.result`), so that a transport
can run it in-process, or send it over a wire and parse the answer, without a table of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import InvalidParameter, first_validation_error


class Request(BaseModel):
    """An operation's input. Unknown fields are refused, so a typo is an error rather than a silent default."""

    model_config = ConfigDict(extra="forbid")

    #: ``"service.method"``: the :class:`~maestro_jupyter.services.Services` attribute and its method, which takes
    #: ``(request, actor)``.
    operation: ClassVar[str]
    #: What the operation returns: a pydantic model, ``None``, or a type pydantic can parse (``list[X]``, ``X | Y``).
    result: ClassVar[Any] = None

    @classmethod
    def build(cls, **fields: Any) -> Self:
        """The request from keyword arguments, as the SDK makes it: a bad value is an ``InvalidParameter`` naming the
        field (not pydantic's ``ValidationError``), so the SDK raises the same typed errors whatever the check."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            raise InvalidParameter(first_validation_error(exc)) from None


@dataclass(frozen=True)
class Actor:
    """Who asks: the user a request is carried out for. On a laptop, the kernel's or server's own user; behind a
    server, the authenticated principal (never a value the request itself carries)."""

    user: str


@dataclass(frozen=True)
class Document:
    """A file an operation makes (a zip of a version's artifacts, a card as PDF, a test report)."""

    content: bytes
    media_type: str
    file_name: str


class Lazy:
    """A :attr:`Request.result` whose type is imported on first use: ``Lazy(lambda: TestReport | None)`` with the
    import inside a function. For results defined next to heavy code (the analysis modules import numpy/pandas), so
    that importing a contract module stays light. Reading ``RequestClass.result`` gives the type itself."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        return self._load()
