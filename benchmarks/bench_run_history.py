"""Benchmark: a run's learning curve of 100,000 steps, and a comparison of 100 runs, in process.

What is measured
----------------
On a fresh embedded store (MLflow on SQLite), one run logs ``loss`` at 100,000 steps and an experiment holds 100 runs
(and, with ``--runs-page``, 2,000 runs for a page of the runs table). Then, median of 5 after one warm-up:

1. ``GetMetricHistory`` (what ``GET /runs/{id}/metrics/loss/history`` carries out): read every value and downsample
   to 1,000 points keeping each bucket's extremes; against MLflow's own ``MlflowClient.get_metric_history`` (the
   obvious alternative, which returns every value and downsamples nothing) in the same run;
2. ``CompareRuns`` of 100 runs (one search over every experiment); against the same comparison made from 100
   ``get_run`` calls;
3. with ``--runs-page``: ``ListRuns`` of 2,000 runs in one page.

Goals (from the issue): the history well under a second; comparing 100 runs under 2 s (the sidebar's rendering
included, which this script does not measure). Prints figures and PASS/MISS; it is not a test.

Run: ``.venv/bin/python benchmarks/bench_run_history.py`` (about a minute; ``--steps 20000`` for a quicker run).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], repeats: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--runs-page", type=int, default=0, help="also time a page of this many runs (e.g. 2000)")
    args = parser.parse_args()

    from mlflow.entities import Metric, Param

    from maestro_jupyter.contract.base import laptop_actor
    from maestro_jupyter.contract.experiments import CompareRuns, ListRuns
    from maestro_jupyter.contract.runs import GetMetricHistory
    from maestro_jupyter.services import Services
    from maestro_jupyter.settings import Settings

    home = tempfile.mkdtemp(prefix="bench-runs-")
    settings = Settings.from_env({}, home=home)
    services = Services(settings)
    actor = laptop_actor(settings)
    client = services.mlflow.client

    print(f"Logging {args.steps:,} steps of loss ...", flush=True)
    experiment = client.create_experiment("long")
    run_id = client.create_run(experiment).info.run_id
    now = int(time.time() * 1000)
    for first in range(0, args.steps, 1000):
        batch = [Metric("loss", 1 / (1 + s / 500), now + s, s) for s in range(first, min(first + 1000, args.steps))]
        client.log_batch(run_id, metrics=batch)

    request = GetMetricHistory(run_id=run_id, key="loss", max_points=1000)
    ours = timed(lambda: services.execute(request, actor))
    answer = services.execute(request, actor)
    theirs = timed(lambda: client.get_metric_history(run_id, "loss"), repeats=3)
    print(
        f"GetMetricHistory, {args.steps:,} steps -> {len(answer.points):,} points: {ours * 1000:,.0f} ms "
        f"(MLflow's get_metric_history, every point: {theirs * 1000:,.0f} ms; {theirs / ours:.1f}x) "
        f"{'PASS' if ours < 1 else 'MISS'} (goal: well under 1 s)"
    )

    print(f"Logging {args.runs} runs ...", flush=True)
    many = client.create_experiment("many")
    ids = []
    for i in range(args.runs):
        rid = client.create_run(many, run_name=f"r{i}").info.run_id
        client.log_batch(
            rid,
            metrics=[Metric("accuracy", 0.5 + i / 1000, now, 0), Metric("loss", 1 / (i + 1), now, 0)],
            params=[Param("i", str(i)), Param("depth", str(i % 7))],
        )
        ids.append(rid)
    compare = CompareRuns(run_ids=ids[:100])
    ours = timed(lambda: services.execute(compare, actor))
    one_by_one = timed(lambda: [services.mlflow.get_run(r) for r in ids[:100]], repeats=3)
    print(
        f"CompareRuns, {len(compare.run_ids)} runs: {ours * 1000:,.0f} ms "
        f"(100 get_run calls: {one_by_one * 1000:,.0f} ms; {one_by_one / ours:.1f}x) "
        f"{'PASS' if ours < 2 else 'MISS'} (goal: under 2 s with the rendering)"
    )

    if args.runs_page:
        print(f"Logging {args.runs_page - args.runs} more runs ...", flush=True)
        for i in range(args.runs, args.runs_page):
            rid = client.create_run(many, run_name=f"r{i}").info.run_id
            client.log_batch(rid, metrics=[Metric("accuracy", 0.5 + i / 10_000, now, 0)], params=[Param("i", str(i))])
        listing = ListRuns(experiment="many", max_results=args.runs_page, order_by="metrics.accuracy DESC")
        took = timed(lambda: services.execute(listing, actor), repeats=3)
        print(f"ListRuns, one page of {args.runs_page:,} runs: {took * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
