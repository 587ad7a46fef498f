"""One exchange with a backend's HTTP API (MLflow's auth API, Prometheus), standard library only: a redirect is never
followed (credentials go nowhere but where they were meant for; the 3xx comes back as the answer), the exchange is
bounded by a timeout, and a server that cannot be reached is a ``BackendUnavailable`` that names it."""

from __future__ import annotations

import functools
import http.client
import urllib.error
import urllib.request
from typing import Any

from ..errors import BackendUnavailable, first_line


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx becomes an HTTPError, answered as it is


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirects)


def exchange(request: urllib.request.Request, timeout: float, unreachable: str) -> tuple[int, bytes]:
    """Send ``request``; its status and body, whatever the status. No answer at all is a ``BackendUnavailable``:
    ``unreachable`` (what could not be reached), then why."""
    try:
        try:
            with _opener().open(request, timeout=timeout) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read()
    except (OSError, http.client.HTTPException) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise BackendUnavailable(f"{unreachable}: {first_line(reason)}") from exc
