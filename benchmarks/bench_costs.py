"""Benchmark: a cost summary over 1,000,000 ledger rows, grouped by user, project and model.

What is measured (the embedded SQLite Maestro DB, in a temporary MAESTRO_HOME)
------------------------------------------------------------------------------
``ml.costs.summary(by=..., window="30d")`` (without settling first: nothing is waiting to be settled) over
``--rows`` ledger rows (default 1,000,000) spread over 35 days, from 200 users in 30 projects (2 each) training 120
models, a new version every 4 days.
Its answer is checked against the obvious alternative, a ``GROUP BY`` over the ledger itself for the same window,
measured in the same run; the ratio is printed. Goal: under 200 ms per summary.

The rows are written in bulk (``executemany``) and the daily sums built from them with one ``INSERT ... SELECT``:
the same sums ``Ledger.record`` keeps row by row, without a million separate transactions to wait for.

How to run: ``.venv/bin/python benchmarks/bench_costs.py`` (``make bench`` runs it), alone on the machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time

import sqlalchemy as sa

from maestro_jupyter.backends.store import schema
from maestro_jupyter.backends.store.ledger import DAY_S
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings

GOAL_S = 0.200


def fill(engine: sa.Engine, rows: int, now: float) -> None:
    rng = random.Random(1)
    projects = [f"project-{p}" for p in range(30)]
    models = {p: [f"{p}-model-{m}" for m in range(4)] for p in projects}
    users = {f"user-{u}": rng.sample(projects, 2) for u in range(200)}
    names = list(users)
    batch = []
    columns = "kind, source_id, period_start, period_end, user, project, model, version, cpu_seconds, "
    columns += "memory_gb_seconds, gpu_seconds, gpu_type, cost_micros, rates, measured_by, recorded_at"
    insert = sa.text(
        f"INSERT INTO maestro_usage ({columns}) VALUES (:kind, :source_id, :start, :end, :user, :project, :model, "  # noqa: S608 - constants
        ":version, :cpu, :mem, 0, NULL, :cost, '{}', 'rusage', :end)"
    )
    with engine.begin() as conn:
        for i in range(rows):
            user = rng.choice(names)
            project = rng.choice(users[user])
            end = now - rng.uniform(0, 35 * DAY_S)
            model = rng.choice(models[project]) if rng.random() < 0.8 else ""
            batch.append(
                {
                    "kind": "job" if rng.random() < 0.7 else "deployment",
                    "source_id": f"src-{i}",
                    "start": end - 300,
                    "end": end,
                    "user": user,
                    "project": project,
                    "model": model,
                    # A model gets a new version every few days; usage goes to the version of its day.
                    "version": str(1 + int((now - end) // (4 * DAY_S))) if model else "",
                    "cpu": 300.0,
                    "mem": 600.0,
                    "cost": rng.randint(1, 100_000),
                }
            )
            if len(batch) == 50_000:
                conn.execute(insert, batch)
                batch.clear()
        if batch:
            conn.execute(insert, batch)
        conn.execute(
            sa.text(
                "INSERT INTO maestro_usage_daily (day, user, project, model, version, kind, cost_micros, cpu_seconds, "
                "memory_gb_seconds, gpu_seconds, records) SELECT CAST(period_end / 86400 AS INTEGER), user, project, "
                "model, version, kind, SUM(cost_micros), SUM(cpu_seconds), SUM(memory_gb_seconds), SUM(gpu_seconds), "
                "COUNT(*) FROM maestro_usage GROUP BY 1, 2, 3, 4, 5, 6"
            )
        )


def naive(engine: sa.Engine, by: str, since: float) -> dict[str, int]:
    t = schema.usage
    query = sa.select(t.c[by], sa.func.sum(t.c.cost_micros)).where(t.c.period_end >= since).group_by(t.c[by])
    with engine.connect() as conn:
        return {str(k): int(v) for k, v in conn.execute(query)}


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        services = Services(Settings.from_env({}, home=home))
        engine = services.store.engine
        now = time.time()
        started = time.perf_counter()
        fill(engine, args.rows, now)
        print(f"{args.rows:,} ledger rows written in {time.perf_counter() - started:.1f} s")
        with engine.connect() as conn:
            daily = conn.execute(sa.select(sa.func.count()).select_from(schema.usage_daily)).scalar_one()
        print(f"daily sums: {daily:,} rows")
        costs = services.costs
        for by in ("user", "project", "model"):
            ours, summary = timed(lambda by=by: costs.summary(by=by, window="30d", settle=False), args.repeats)
            since = summary.since  # type: ignore[attr-defined]
            theirs, expected = timed(lambda by=by, since=since: naive(engine, by, since), args.repeats)
            got = {g.key: round(g.cost * 1_000_000) for g in summary.groups}  # type: ignore[attr-defined]
            assert got == expected, f"summary by {by} differs from the ledger's own GROUP BY"
            verdict = "PASS" if ours < GOAL_S else "FAIL"
            print(
                f"summary by {by:8s}: median {ours * 1000:7.1f} ms ({len(got)} groups, goal < 200 ms: {verdict}); "
                f"GROUP BY over the ledger {theirs * 1000:7.1f} ms; ratio {theirs / ours:5.1f}x"
            )


if __name__ == "__main__":
    main()
