"""Bulkheads: the server's blocking work runs on bounded pools, one per dependency, so that one dependency that hangs
fills only its own pool.

A handler's service call blocks (SQL, MLflow, the compute backend), so it runs on a thread pool while the event loop
serves everyone else. With a single pool, a hung MLflow tracking server held every thread (each MLflow call waits for
its time-out), and routes that need only the Maestro DB waited behind it: listing jobs took 39 s. Now:

==============  =========================================================================================
``store``       operations whose work is the Maestro DB and the compute backend (jobs, deployments, costs,
                budgets, alerts; the metrics exposition; the usage meter). MLflow is at most a best-effort
                follow-up there (closing a finished job's run), bounded by MLflow's own time-out.
``serving``     predictions: the Maestro DB and the model servers, never MLflow.
``registry``    everything else, i.e. whatever may need MLflow (models, runs, cards, tests, submitting a job,
                creating a deployment), and any operation not named here: a new operation is isolated from the
                others until it is known to need only the DB.
==============  =========================================================================================

A bulkhead is bounded twice: its threads, and the requests allowed to wait for one. A request beyond that, or one
that waited longer than the bulkhead allows before a thread took it, is answered at once with 503
``BACKEND_UNAVAILABLE`` instead of joining an ever longer queue; the caller may try again.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from ..errors import BackendUnavailable

T = TypeVar("T")

STORE = "store"
SERVING = "serving"
REGISTRY = "registry"

#: The bulkhead of each operation (``Request.operation``) that does not belong on ``registry``.
BULKHEAD_OF: dict[str, str] = {
    **dict.fromkeys(
        (
            "training.list",
            "training.get",
            "training.logs",
            "training.cancel",
            "deployments.list",
            "deployments.get",
            "costs.get_summary",
            "costs.estimate_cost",
            "budgets.set_budget",
            "budgets.get_budget",
            "budgets.list_budgets",
            "budgets.delete_budget",
            "budgets.list_alerts",
        ),
        STORE,
    ),
    "deployments.predict": SERVING,
}


def bulkhead_of(operation: str) -> str:
    """The bulkhead an operation runs on: ``store``, ``serving``, or ``registry`` (the default)."""
    return BULKHEAD_OF.get(operation, REGISTRY)


@dataclass(frozen=True)
class BulkheadLimits:
    """How much of the server one dependency may hold."""

    #: Threads: calls in progress at once.
    workers: int
    #: Calls allowed to wait for a thread beyond those in progress; more are refused at once.
    waiting: int
    #: Seconds a call may wait for a thread; one that waited longer is refused when a thread takes it.
    max_wait: float
    #: What the dependency is, for the message of a refusal ("the MLflow tracking server").
    what: str


#: The limits of each bulkhead. The queues hold a team at work: 50 members calling flat out (``bench_team.py``) wait
#: their turn rather than being turned away. MLflow's wait is short: when it hangs, every call holds a thread for
#: MLflow's time-out (``MAESTRO_MLFLOW_TIMEOUT``), and a long wait would only end in the same 503.
LIMITS: dict[str, BulkheadLimits] = {
    STORE: BulkheadLimits(workers=8, waiting=256, max_wait=30.0, what="the Maestro database"),
    SERVING: BulkheadLimits(workers=8, waiting=256, max_wait=30.0, what="the model servers"),
    REGISTRY: BulkheadLimits(workers=8, waiting=256, max_wait=10.0, what="the MLflow tracking server"),
}


class Bulkhead:
    """A thread pool with a bound on its queue and on the time a call may wait in it."""

    def __init__(self, name: str, limits: BulkheadLimits) -> None:
        self.name = name
        self.limits = limits
        self._executor = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix=f"maestro-{name}")
        self._slots = threading.BoundedSemaphore(limits.workers + limits.waiting)

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Queue ``fn``; raises :class:`~maestro_jupyter.errors.BackendUnavailable` when the bulkhead is full."""
        if not self._slots.acquire(blocking=False):
            raise self._busy(f"{self.limits.workers + self.limits.waiting} requests are waiting for it already")
        queued = time.monotonic()

        def run() -> T:
            waited = time.monotonic() - queued
            if waited > self.limits.max_wait:
                # Everything ahead of this call was slow: refuse it rather than begin a call that is as likely to
                # hang, when its caller has waited this long already.
                raise self._busy(f"this request waited {waited:.0f} s for its turn")
            return fn()

        try:
            future = self._executor.submit(run)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _f: self._slots.release())
        return future

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` on this bulkhead's threads, awaited from the event loop."""
        return await asyncio.wrap_future(self.submit(fn))

    def shutdown(self) -> None:
        """Drop the queued calls; those in progress finish on their own (a thread cannot be interrupted)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _busy(self, why: str) -> BackendUnavailable:
        return BackendUnavailable(
            f"The server is waiting for {self.limits.what}, which is slow to answer ({why}); try again shortly"
        )


def bulkheads() -> dict[str, Bulkhead]:
    """One bulkhead per dependency, with the limits of :data:`LIMITS`."""
    return {name: Bulkhead(name, limits) for name, limits in LIMITS.items()}
