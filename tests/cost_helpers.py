"""Ledger rows for the cost tests: known spend written straight into a Maestro DB."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from maestro_jupyter.backends.store import MaestroStore
from maestro_jupyter.backends.store.ledger import UsageRow


def usage_row(source: str, cost_micros: int, *, end: float | None = None, **extra: Any) -> UsageRow:
    """A minute of a job of alice's in project churn that ended at ``end`` (default: a second ago)."""
    end = time.time() - 1 if end is None else end
    values: dict[str, Any] = {
        "kind": "job",
        "source_id": source,
        "period_start": end - 60,
        "period_end": end,
        "user": "alice",
        "project": "churn",
        "cpu_seconds": 60.0,
        "memory_gb_seconds": 60.0,
        "gpu_seconds": 0.0,
        "cost_micros": cost_micros,
        "rates": {},
        "measured_by": "rusage",
        **extra,
    }
    return UsageRow(**values)


def spend(home: Path, source: str, cost_micros: int, **extra: Any) -> None:
    """Record a row in the embedded Maestro DB of ``home``."""
    MaestroStore(f"sqlite:///{home / 'maestro.db'}").ledger.record(usage_row(source, cost_micros, **extra))
