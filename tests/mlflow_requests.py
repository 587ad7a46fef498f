"""Counting the HTTP requests this process makes to an MLflow tracking server: a hook on ``requests``' transport
adapter, where every request MLflow's REST client and its ``mlflow-artifacts`` repository send passes, whatever
module sent it. For call-count tests and ``benchmarks/bench_registry_calls.py``.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class RequestLog:
    """The requests sent while the hook was on: ``(method, path)`` in order, from every thread."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, method: str, url: str) -> None:
        path = urlsplit(url).path
        with self.lock:
            self.calls.append((method, path))

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()

    def __len__(self) -> int:
        return len(self.calls)

    def endpoints(self) -> Counter[str]:
        """How many requests went to each endpoint: the path's last two parts (``registered-models/get``);
        artifact downloads count as ``mlflow-artifacts/artifacts``."""
        counted: Counter[str] = Counter()
        for _method, path in list(self.calls):
            if "/mlflow-artifacts/artifacts" in path:
                counted["mlflow-artifacts/artifacts"] += 1
            else:
                counted["/".join(path.rstrip("/").split("/")[-2:])] += 1
        return counted


@contextlib.contextmanager
def counting_requests() -> Iterator[RequestLog]:
    """Record every HTTP request sent through ``requests`` while the context is open."""
    from requests.adapters import HTTPAdapter

    log = RequestLog()
    original = HTTPAdapter.send

    def send(self: HTTPAdapter, request: Any, *args: Any, **kwargs: Any) -> Any:
        log.add(str(request.method), str(request.url))
        return original(self, request, *args, **kwargs)

    HTTPAdapter.send = send  # type: ignore[method-assign]
    try:
        yield log
    finally:
        HTTPAdapter.send = original  # type: ignore[method-assign]
