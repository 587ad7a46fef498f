"""What the handlers share, stored in the tornado settings under ``"maestro"``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..services import Services
from .ratelimit import RateLimiter


@dataclass
class MaestroContext:
    services: Services
    limiter: RateLimiter
    # The services block (MLflow, SQL); they run here so that the event loop keeps serving other requests.
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="maestro")
    )
