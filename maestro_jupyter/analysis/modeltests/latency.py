"""Latency: single-row percentiles and batch throughput of the serving path (``pyfunc.predict``), after warm-up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import first_line
from .policy import TestPolicy
from .report import Check, Evidence, status_of

if TYPE_CHECKING:
    import pandas as pd

PERCENTILES = (50, 95, 99)


def latency_checks(
    predict: Callable[[pd.DataFrame], Any],
    frame: pd.DataFrame,
    policy: TestPolicy,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[list[Check], dict[str, float]]:
    """Time ``predict`` on single rows (until ``samples`` calls or ``max_seconds``) and on batches."""
    knobs = policy.latency
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(frame), size=knobs.warmup + knobs.samples)
    singles = [frame.iloc[[i]] for i in picks]
    try:
        for row in singles[: knobs.warmup]:
            predict(row)
        timings: list[float] = []
        deadline = clock() + knobs.max_seconds
        for row in singles[knobs.warmup :]:
            started = clock()
            predict(row)
            timings.append(clock() - started)
            if clock() > deadline:
                break
        batch = frame.iloc[: knobs.batch_size]
        predict(batch)  # warm-up at batch size
        batch_times = []
        for _ in range(knobs.batch_repeats):
            started = clock()
            predict(batch)
            batch_times.append(clock() - started)
    except Exception as exc:  # any failure of the model is the finding
        detail = f"predict raised {type(exc).__name__}: {first_line(exc)}"
        return [Check(name="latency_p95_ms", category="latency", status="failed", detail=detail)], {}

    ms = np.asarray(timings) * 1000.0
    found = {f"latency_p{p}_ms": float(np.percentile(ms, p)) for p in PERCENTILES}
    found["latency_mean_ms"] = float(ms.mean())
    found["throughput_rows_per_s"] = float(len(batch) / max(float(np.median(batch_times)), 1e-9))
    rows: list[list[Any]] = [["single-row calls timed", len(timings)], ["warm-up calls", knobs.warmup]]
    rows += [[f"p{p} (ms)", found[f"latency_p{p}_ms"]] for p in PERCENTILES]
    rows += [
        ["batch rows", len(batch)],
        ["batch median (s)", float(np.median(batch_times))],
        ["throughput (rows/s)", found["throughput_rows_per_s"]],
    ]
    evidence = Evidence(columns=["measure", "value"], rows=rows)
    checks = []
    for key in (*[f"latency_p{p}_ms" for p in PERCENTILES], "latency_mean_ms", "throughput_rows_per_s"):
        threshold = policy.threshold(key)
        if threshold is None:
            continue
        status = status_of(threshold.holds(found[key]))
        checks.append(
            Check(
                name=key,
                category="latency",
                status=status,
                value=found[key],
                threshold=str(threshold),
                detail=f"{len(timings)} single-row calls after {knobs.warmup} warm-up calls",
                evidence=evidence,
            )
        )
    if not checks:  # measured, but nothing to judge: say so rather than pass
        checks.append(
            Check(
                name="latency",
                category="latency",
                status="skipped",
                detail="No latency threshold set",
                evidence=evidence,
            )
        )
    return checks, found
