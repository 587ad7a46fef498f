"""What the handlers share, stored in the tornado settings under ``"maestro"``."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..services import Services
from .bulkheads import Bulkhead, bulkheads
from .ratelimit import RateLimiter


@dataclass
class MaestroContext:
    services: Services
    limiter: RateLimiter
    # The services block (MLflow, SQL, the compute backend); they run on these pools so that the event loop keeps
    # serving other requests, one pool per dependency so that one that hangs holds only its own (see bulkheads.py).
    bulkheads: dict[str, Bulkhead] = field(default_factory=bulkheads)

    def shutdown(self) -> None:
        """Stop taking work: queued calls are dropped, calls in progress finish."""
        for bulkhead in self.bulkheads.values():
            bulkhead.shutdown()
