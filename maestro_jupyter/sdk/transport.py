"""How the SDK reaches the services: a :class:`Transport` sends a request model and returns its result model, or
raises the typed :class:`~maestro_jupyter.errors.MaestroError`.

- :class:`InProcessTransport` (a laptop): runs the services in this process, as the settings' user.
- :class:`JsonRoundTripTransport` (tests): sends every request, result and error through JSON and back around another
  transport, proving that they all survive a wire; an HTTP transport changes no resource API.

Followed logs and files (a version's zip, a card as PDF) have methods of their own, since they are not one JSON
answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import TypeAdapter

from ..contract.base import Document, Request, laptop_actor
from ..errors import MaestroError, error_from_dict

if TYPE_CHECKING:
    from ..entities import JobLogs
    from ..services import Services
    from ..settings import Settings


class Transport(Protocol):
    """What the resource APIs use, and all they know of where the services run."""

    @property
    def settings(self) -> Settings:
        """The settings the client was built from (the kernel's view: user, home, tracking URI)."""

    def call(self, request: Request) -> Any:
        """Carry ``request`` out; its result (of type ``type(request).result``), or a ``MaestroError``."""

    def download(self, request: Request) -> Document:
        """Carry out a request whose result is a file."""

    def follow_logs(self, job_id: str, offset: int = 0) -> Iterator[JobLogs]:
        """A job's output from byte ``offset``, chunk by chunk, until the job has finished and all was read."""


class InProcessTransport:
    """The services of this process, acting for the settings' user (one person on a laptop: see
    :func:`~maestro_jupyter.contract.base.laptop_actor`). In team mode there is no such user, and it refuses to
    start: the services run in the Maestro service, which learns who calls from JupyterHub."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.actor = laptop_actor(services.settings)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def call(self, request: Request) -> Any:
        return self.services.execute(request, self.actor)

    def download(self, request: Request) -> Document:
        document = self.services.execute(request, self.actor)
        if not isinstance(document, Document):
            raise TypeError(f"{type(request).__name__} does not make a file")
        return document

    def follow_logs(self, job_id: str, offset: int = 0) -> Iterator[JobLogs]:
        return follow_chunks(self.call, job_id, offset)


class JsonRoundTripTransport:
    """Another transport behind a JSON wire: requests, results and errors are serialised and parsed again."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    @property
    def settings(self) -> Settings:
        return self.inner.settings

    def call(self, request: Request) -> Any:
        sent = self._send(request)
        try:
            result = self.inner.call(sent)
        except MaestroError as exc:
            raise self._error(exc) from None
        adapter: TypeAdapter[Any] = TypeAdapter(type(request).result)
        return adapter.validate_json(adapter.dump_json(result))

    def download(self, request: Request) -> Document:
        sent = self._send(request)
        try:
            document = self.inner.download(sent)
        except MaestroError as exc:
            raise self._error(exc) from None
        # What a wire carries: the bytes, and the media type and name from the headers.
        return Document(bytes(document.content), str(document.media_type), str(document.file_name))

    def follow_logs(self, job_id: str, offset: int = 0) -> Iterator[JobLogs]:
        from ..entities import JobLogs

        try:
            for chunk in self.inner.follow_logs(job_id, offset):
                yield JobLogs.model_validate_json(chunk.model_dump_json())
        except MaestroError as exc:
            raise self._error(exc) from None

    @staticmethod
    def _send(request: Request) -> Request:
        return type(request).model_validate_json(request.model_dump_json())

    @staticmethod
    def _error(exc: MaestroError) -> MaestroError:
        return error_from_dict(json.loads(json.dumps(exc.to_dict())), exc.status)


def follow_chunks(call: Any, job_id: str, offset: int = 0, poll: float = 0.5) -> Iterator[JobLogs]:
    """Read a job's log chunk by chunk through ``call`` (a transport's), waiting ``poll`` seconds while nothing new
    was written, until the job is over and everything was read."""
    import time

    from ..contract.training import GetJobLogs

    while True:
        chunk: JobLogs = call(GetJobLogs(job_id=job_id, offset=offset))
        if chunk.text or chunk.complete:
            yield chunk
        offset = chunk.next_offset
        if chunk.complete:
            return
        if not chunk.text:
            time.sleep(poll)
