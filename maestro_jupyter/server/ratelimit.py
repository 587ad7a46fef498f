"""Per-principal rate limiting of mutating REST requests: a token bucket per principal, in memory.

The key is the person a request acts for (the handlers' ``rate_limit_key``: the Jupyter or hub user), never a browser
session, cookie or token, so that opening more sessions or tokens buys no more changes.

Each user may make ``limit`` mutating requests per ``window`` seconds, refilled continuously, so a burst of
``limit`` is allowed after a quiet period and a steady rate of ``limit / window`` per second is sustained.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ..errors import RateLimited


class RateLimiter:
    """Token buckets keyed by principal (the user name a request acts for)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.rate = limit / window  # tokens per second
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, last refill time)
        self._lock = threading.Lock()

    def check(self, user: str) -> None:
        """Take one token for the principal ``user``, or raise :class:`RateLimited` with the seconds until one is
        available."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(user, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[user] = (tokens, now)
                retry_after = max(1, math.ceil((1 - tokens) / self.rate))
                raise RateLimited(
                    f"Too many changes: at most {self.limit} per {self.limit / self.rate:g} s per user. "
                    f"Retry in {retry_after} s.",
                    retry_after=retry_after,
                )
            self._buckets[user] = (tokens - 1, now)
