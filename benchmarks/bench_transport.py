"""Benchmark: what the contract costs an SDK call: the same calls through the in-process transport and through the
JSON round trip (every request, result and error serialised and parsed again, as a wire would).

What is measured
----------------
On the seeded demo registry (three models), ``--calls`` (default 300) of each of these SDK calls, rotated so that
machine noise hits both transports alike:

- ``ml.models.list()`` (a page of models), ``ml.models.get(name)`` (a model with its versions),
- ``ml.models.get(name, version=1)`` (a version with its run, signature and load snippet),
- ``ml.budgets.list()`` (the Maestro DB), and a refused call (an unknown model: the typed error's trip).

Figures: the median and p95 per call and transport, and the round trip's extra cost, absolute and as a ratio.
The JSON round trip is a lower bound on an HTTP transport's cost (no sockets, no server), which issue 18 adds.
Goal: the contract adds under 1 ms per call at the median. The script prints figures; it always exits 0.

``.venv/bin/python benchmarks/bench_transport.py [--calls N]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from figures import percentile

from maestro_jupyter import MaestroClient, NotFound
from maestro_jupyter.demo import seed
from maestro_jupyter.sdk.transport import InProcessTransport, JsonRoundTripTransport
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings

GOAL_MS = 1.0


def refused(ml: MaestroClient) -> None:
    try:
        ml.models.get("no-such-model")
    except NotFound:
        return
    raise AssertionError("an unknown model was found")


CALLS: dict[str, Callable[[MaestroClient], Any]] = {
    "models.list": lambda ml: ml.models.list(),
    "models.get": lambda ml: ml.models.get("iris-classifier"),
    "models.get version": lambda ml: ml.models.get("iris-classifier", version=1),
    "budgets.list": lambda ml: ml.budgets.list(),
    "refused (NotFound)": refused,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="maestro-bench-transport-") as home:
        settings = Settings.from_env({}, home=home)
        seed(settings, log=lambda _m: None)
        in_process = InProcessTransport(Services(settings))
        clients = {
            "in-process": MaestroClient(transport=in_process),
            "json round trip": MaestroClient(transport=JsonRoundTripTransport(in_process)),
        }
        print(f"{args.calls} calls each, same services and stores for both transports")
        print(f"{'call':22s} {'in-process p50/p95':>20s} {'JSON trip p50/p95':>20s} {'extra p50':>10s} {'ratio':>6s}")
        worst = 0.0
        for name, call in CALLS.items():
            times: dict[str, list[float]] = {label: [] for label in clients}
            for client in clients.values():
                call(client)  # warm: the stores are open, the first page cached by SQLite
            for i in range(args.calls):
                order = list(clients.items()) if i % 2 == 0 else list(reversed(clients.items()))
                for label, client in order:
                    start = time.perf_counter()
                    call(client)
                    times[label].append((time.perf_counter() - start) * 1000)
            ours, wire = times["in-process"], times["json round trip"]
            extra = statistics.median(wire) - statistics.median(ours)
            worst = max(worst, extra)
            print(
                f"{name:22s} {statistics.median(ours):8.2f} / {percentile(ours, 95):6.2f} ms "
                f"{statistics.median(wire):8.2f} / {percentile(wire, 95):6.2f} ms {extra:8.3f} ms "
                f"{statistics.median(wire) / statistics.median(ours):5.2f}x"
            )
        verdict = "PASS" if worst < GOAL_MS else "MISS"
        print(f"largest extra median cost of the JSON round trip: {worst:.3f} ms (goal < {GOAL_MS} ms: {verdict})")


if __name__ == "__main__":
    main()
