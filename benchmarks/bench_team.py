"""Benchmark: the team's Maestro service under 50 members at once, against the same calls in-process.

What is measured
----------------
The stack of a team, all on 127.0.0.1 (``team_stack.py``): a private PostgreSQL cluster (Debian's server) holding
both MLflow's backend store and the Maestro DB; a real ``mlflow server`` on it; a JupyterHub with its
configurable-http-proxy running ``python -m maestro_jupyter.server.service`` as a managed service (the hub of
``tests/hub/service_hub_config.py``). The stores hold ``--models`` registered models (default 10,000; two versions
each, tags, some passing or failing test reports, some champions), ``--ledger-rows`` ledger rows (default 1,000,000,
with their daily sums) and 100 finished jobs per member, written in bulk (MLflow's own ORM tables, PostgreSQL's
``COPY``), then vacuumed and analysed (what autovacuum does for a store filled gradually, done before the timing
rather than during it); the time that took is printed. MLflow's job runner (a GenAI feature, with its queue workers)
is switched off: it has nothing to do here.

``--members`` members (default 50) are hub users created through the hub's REST API with an admin token, each with a
token of their own scoped ``access:services!service=maestro`` only; most are in ``project-churn``,
``project-fraud`` or both, some in none, and a few are hub admins. Each member is a thread making its calls one after
another, all members at once, until done or ``--time-limit`` seconds (then the rest count as not run), in two series:

- paced (the goals): ``--requests`` calls in all (default 40 per member: 2,000), each member thinking between two
  calls (a random time, exponential, mean ``--think`` s, default 2 s): 50 members offer 25 calls a second, each
  making a call every 2 s, busier than anyone in a notebook;
- flat out (the capacity): ``--flat-out`` more calls (default 20 per member: 1,000) with no think time: the
  throughput the stack sustains, and what waiting in line does to latency.

The mix (weights in ``MIX``):

- reads: model search (by name and by tag), a model with its versions, a version in detail, jobs (own or all),
  a cost summary over 30 days (by project, user or model);
- writes: model and version tags; ``champion`` through the promotion gate (half the promotions are of versions
  with a passing test report and go through; the others have a failing or no report and are refused with
  ``GateRefused``, which is the expected answer, not an error); budgets (admins only).

Every answer is checked (the right model, the gate's verdict as the test reports say, the budget's amount); a
failure or a wrong answer is an error. The calls go through the hub's proxy as a member's kernel makes them: the
SDK's HTTP transport (``MaestroClient`` with ``MAESTRO_URL`` = ``{hub}/services/maestro`` and the member's token,
``MAESTRO_HTTP_RETRIES=0`` so no failure is hidden), i.e. ``POST /services/maestro/maestro/api/v1/operations/<Name>``
on a new connection per call. Latency is the SDK call's, from request model to typed result.

For each series, the CPU time each process of the stack used (found by its working folder, so nothing else of the
machine counts), per call answered, and the throughput the machine's CPUs would allow at that cost were nothing else
running; and one member alone (a model with its versions, a cost summary by project) through the proxy, to the
service directly and in-process: where the time of a call goes when nobody waits in line.

In the same run the same two series (same members, calls, pacing and concurrency) run in-process, as on the laptop
path: ``MaestroClient`` with an ``InProcessTransport`` acting as the member, on the same MLflow server and Maestro DB,
with the hub still up (idle). The two paths differ where the team service is built to: over the hub, model lists
(search by name and by tag) come from the service's model index (``maestro_jupyter/backends/model_index.py``, read
when the service starts; a list asked before that goes to MLflow), in-process from MLflow's own search, as on a
laptop. Each series runs in two halves, hub / in-process / in-process / hub, so that a drift of
the machine's load weighs on both paths alike. The ratio hub / in-process is printed per route. Figures: p50 and p95
per route, errors and throughput (calls answered per second of the series).

Goals (issue 18): over the hub, read p95 under 100 ms, write p95 under 250 ms, 0 errors. PASS/MISS per goal; the
script always exits 0 after a completed run. Every process shares the machine (and its other work): the load
average is printed at the start and the end.

``.venv/bin/python benchmarks/bench_team.py`` (``make bench``); a quick run:
``.venv/bin/python benchmarks/bench_team.py --models 500 --ledger-rows 50000 --members 10``.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import random
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from figures import percentile
from team_stack import (
    MEMBERS,
    MODEL,
    PROJECTS,
    TEAMS,
    Member,
    cpu_snapshot,
    cpu_used,
    find_bindir,
    mlflow_server,
    model_source,
    populate_ledger,
    populate_registry,
    run_postgres,
    service_hub,
)

READ_P95_GOAL_S = 0.100
WRITE_P95_GOAL_S = 0.250
#: Default calls per member in the paced and in the flat-out series.
PACED_PER_MEMBER = 40
FLAT_OUT_PER_MEMBER = 20
#: Route, whether it writes, and its weight in a member's mix (admins add budgets).
MIX: tuple[tuple[str, bool, int], ...] = (
    ("ListModels (search)", False, 14),
    ("ListModels (tag)", False, 6),
    ("GetModel", False, 18),
    ("GetVersion", False, 10),
    ("ListJobs", False, 12),
    ("GetCostSummary", False, 12),
    ("SetTag", True, 14),
    ("SetAlias (gate)", True, 14),
)
ADMIN_BUDGET_WEIGHT = 20


# --- figures ---------------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def version_of(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# --- the members and their plan ---------------------------------------------------------------------------------


def make_members(count: int) -> list[Member]:
    """40% churn, 30% fraud, 10% both, 20% none; one admin in 16 (at least one), admins of no project."""
    members = []
    admins = max(1, count // 16)
    for i in range(count):
        admin = i >= count - admins
        share = i / count
        projects: tuple[str, ...] = ()
        if not admin:
            if share < 0.4:
                projects = ("churn",)
            elif share < 0.7:
                projects = ("fraud",)
            elif share < 0.8:
                projects = ("churn", "fraud")
        members.append(Member(f"member-{i:02d}", admin, projects))
    return members


@dataclass(frozen=True)
class Call:
    route: str
    write: bool
    args: tuple[Any, ...]


def gate_passes(model: int, version: int) -> bool:
    """As the test reports ``populate_registry`` wrote say: version 1 of every third model passed; version 2 of the
    next one failed; no other version has a report."""
    return model % 3 == 0 and version == 1


def own_model(rng: random.Random, owner: int, owners: int, models: int, residue: int | None = None) -> int:
    """A model of member ``owner``'s (``populate_registry`` gives model ``i`` to member ``i % owners``), whose index
    is ``residue`` modulo 3 when given (what its test reports say: see :func:`gate_passes`). With too few models for
    that, any model that fits the residue (then the call is refused as someone else's, and counted as an error)."""
    mine = [i for i in range(owner, models, owners) if residue is None or i % 3 == residue]
    return rng.choice(mine or [i for i in range(models) if residue is None or i % 3 == residue] or [0])


def make_plan(members: list[Member], requests: int, models: int, rng: random.Random) -> dict[str, list[Call]]:
    per = [requests // len(members) + (1 if i < requests % len(members) else 0) for i in range(len(members))]
    names = [m.name for m in members]
    plan: dict[str, list[Call]] = {}
    for index, (member, count) in enumerate(zip(members, per, strict=True)):
        mix = [*MIX, ("SetBudget", True, ADMIN_BUDGET_WEIGHT if member.admin else 0)]
        routes = rng.choices(mix, weights=[w for *_, w in mix], k=count)
        calls = []
        for route, write, _ in routes:
            i = rng.randrange(models)
            args: tuple[Any, ...]
            if route == "ListModels (search)":
                args = (f"{rng.randrange(min(models, 10_000)):05d}"[1:],)  # a 4-digit part: about 10 names
            elif route == "ListModels (tag)":
                args = (rng.choice(TEAMS),)
            elif route == "GetModel":
                args = (i, rng.choice((None, 1, 2)), member.name)
            elif route == "SetTag":  # a model of the member's own: on a team only its owner (or an admin) tags it
                args = (own_model(rng, index, len(members), models), rng.choice((None, 1, 2)), member.name)
            elif route == "GetVersion":
                args = (i, rng.choice((1, 2)))
            elif route == "ListJobs":
                args = (member.name if rng.random() < 0.5 else None,)
            elif route == "GetCostSummary":
                args = (rng.choice(("project", "user", "model")),)
            elif route == "SetAlias (gate)":  # of a model of the member's own
                if rng.random() < 0.5:  # a tested version: promoted
                    args = (own_model(rng, index, len(members), models, residue=0), 1)
                else:
                    args = (own_model(rng, index, len(members), models, residue=1), rng.choice((1, 2)))
            else:  # SetBudget
                subject = f"project:{rng.choice(PROJECTS[:6])}" if rng.random() < 0.7 else f"user:{rng.choice(names)}"
                args = (subject, float(rng.randrange(100, 5000)))
            calls.append(Call(route, write, args))
        plan[member.name] = calls
    return plan


# --- running the plan --------------------------------------------------------------------------------------------


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    refused: int = 0
    promoted: int = 0
    not_run: int = 0
    wall_s: float = 0.0
    #: CPU seconds the series took, by component of the stack.
    cpu: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, route: str, seconds: float) -> None:
        with self.lock:
            self.times.setdefault(route, []).append(seconds)

    def fail(self, route: str, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc}"
        with self.lock:
            self.errors[route] += 1
            self.examples.setdefault(f"{route}: {text[:160]}", text)

    def done(self) -> int:
        return sum(len(v) for v in self.times.values())

    def merged(self, other: Results) -> Results:
        """Both series' figures together (two halves of one plan)."""
        both = Results(
            {r: self.times.get(r, []) + other.times.get(r, []) for r in {*self.times, *other.times}},
            self.errors + other.errors,
            {**other.examples, **self.examples},
            self.refused + other.refused,
            self.promoted + other.promoted,
            self.not_run + other.not_run,
            self.wall_s + other.wall_s,
            {c: self.cpu.get(c, 0.0) + other.cpu.get(c, 0.0) for c in {*self.cpu, *other.cpu}},
        )
        return both

    def all_times(self, write: bool) -> list[float]:
        return [t for route, ts in self.times.items() if is_write(route) == write for t in ts]


def is_write(route: str) -> bool:
    return route.startswith("Set")


class WrongAnswer(AssertionError):
    """An answer that is not what the stores say it should be."""


def perform(ml: Any, call: Call) -> str:
    """Make the call with the SDK; the route it is counted under. A wrong answer raises ``WrongAnswer``."""
    from maestro_jupyter.errors import GateRefused

    route, args = call.route, call.args
    if route == "ListModels (search)":
        page = ml.models.list(search=args[0])
        if not all(args[0] in m.name for m in page.models):
            raise WrongAnswer(f"search {args[0]!r} found {[m.name for m in page.models][:3]}")
    elif route == "ListModels (tag)":
        page = ml.models.list(tags={"team": args[0]})
        if not page.models:
            raise WrongAnswer(f"no model of team {args[0]}")
    elif route == "GetModel":
        model = ml.models.get(MODEL.format(args[0]))
        if model.name != MODEL.format(args[0]) or len(model.versions) < 2:
            raise WrongAnswer(f"{model.name} with {len(model.versions)} versions")
    elif route == "GetVersion":
        detail = ml.models.get(MODEL.format(args[0]), version=args[1])
        if str(detail.version) != str(args[1]) or detail.flavors != ["python_function"]:
            raise WrongAnswer(f"version {detail.version}, flavors {detail.flavors}")
    elif route == "ListJobs":
        jobs = ml.training.list(user=args[0]).jobs
        if not jobs or (args[0] and any(j.user != args[0] for j in jobs)):
            raise WrongAnswer(f"{len(jobs)} jobs for {args[0] or 'everyone'}")
    elif route == "GetCostSummary":
        summary = ml.costs.summary(by=args[0], window="30d")
        if not summary.groups or summary.total <= 0:
            raise WrongAnswer(f"an empty summary by {args[0]}")
    elif route == "SetTag":
        ml.models.set_tag(MODEL.format(args[0]), "bench.reviewed_by", args[2], version=args[1])
    elif route == "SetAlias (gate)":
        expected = gate_passes(args[0], args[1])
        try:
            version = ml.models.set_alias(MODEL.format(args[0]), "champion", args[1])
        except GateRefused:
            if expected:
                raise
            return "SetAlias (refused)"
        if not expected or str(version.version) != str(args[1]):
            raise WrongAnswer(f"version {args[1]} of model {args[0]} was promoted")
        return "SetAlias (promoted)"
    elif route == "SetBudget":
        budget = ml.budgets.set(args[0], args[1], period="monthly")
        if abs(budget.amount - args[1]) > 1e-6:
            raise WrongAnswer(f"budget {args[0]} is {budget.amount}, not {args[1]}")
    return route


def run_plan(
    clients: dict[str, Any],
    plan: dict[str, list[Call]],
    think: float,
    time_limit: float,
    seed: int,
    meter: Callable[[], dict[int, tuple[str, float]]],
) -> Results:
    """One thread per member, each making its calls in order with a think time between them; all start together.
    ``meter`` reads the CPU time the stack's processes used so far, before and after."""
    results = Results()
    start_line = threading.Barrier(len(clients) + 1)
    deadline = 0.0

    def member(name: str) -> None:
        rng = random.Random(f"{seed}-{name}")
        ml = clients[name]
        start_line.wait()
        for n, call in enumerate(plan[name]):
            if think:
                time.sleep(rng.expovariate(1 / think))  # the member's think time (pacing, not a wait for a result)
            if time.monotonic() > deadline:
                with results.lock:
                    results.not_run += len(plan[name]) - n
                return
            started = time.perf_counter()
            try:
                route = perform(ml, call)
            except Exception as exc:  # counted and shown: anything but the expected answer is an error
                results.fail(call.route, exc)
                continue
            elapsed = time.perf_counter() - started
            results.add(route, elapsed)
            if route == "SetAlias (promoted)":
                with results.lock:
                    results.promoted += 1
            elif route == "SetAlias (refused)":
                with results.lock:
                    results.refused += 1

    threads = [threading.Thread(target=member, args=(name,), name=name, daemon=True) for name in clients]
    for thread in threads:
        thread.start()
    cpu = meter()
    deadline = time.monotonic() + time_limit
    began = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    results.wall_s = time.perf_counter() - began
    results.cpu = cpu_used(cpu, meter())
    return results


def warm(clients: dict[str, Any]) -> None:
    """One untimed read per member (the hub checks each token once, then for a minute answers from its cache)."""
    for ml in clients.values():
        ml.models.list(max_results=1)


# --- main ------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--models", type=int, default=10_000, help="registered models, two versions each (10000)")
    parser.add_argument("--ledger-rows", type=int, default=1_000_000, help="rows in the usage ledger (1000000)")
    parser.add_argument("--members", type=int, default=50, help="members calling at once (50)")
    parser.add_argument("--requests", type=int, help="paced calls in all, per path (40 per member: 2000)")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time between a member's calls (2 s)")
    parser.add_argument("--flat-out", type=int, help="calls per path with no think time (20 per member: 1000)")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds per series before calls stop (600)")
    parser.add_argument("--mlflow-workers", type=int, default=2, help="mlflow server worker processes (2)")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    args.requests = PACED_PER_MEMBER * args.members if args.requests is None else args.requests
    args.flat_out = FLAT_OUT_PER_MEMBER * args.members if args.flat_out is None else args.flat_out
    if min(args.models, args.members, args.requests) < 1 or min(args.ledger_rows, args.flat_out, args.think) < 0:
        parser.error("--models, --members and --requests must be at least 1, the others not negative")
    if find_bindir() is None:
        print("PostgreSQL's server binaries are missing (Debian: apt-get install postgresql; `make system-deps`)")
        return 0
    root = Path(tempfile.mkdtemp(prefix="maestro-bench-team-"))
    try:
        return run(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(args: argparse.Namespace, root: Path) -> int:
    print("Maestro team service benchmark")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; Python "
        f"{platform.python_version()}, maestro-jupyter {version_of('maestro-jupyter')}, mlflow {version_of('mlflow')}, "
        f"jupyterhub {version_of('jupyterhub')}, jupyter_server {version_of('jupyter_server')}"
    )
    print(f"  load average at start: {load_average()} (PostgreSQL, MLflow, the hub, its proxy, the service and the")
    print("  simulated members all share these CPUs, with whatever else runs on the machine)")
    members = make_members(args.members)
    plan = make_plan(members, args.requests, args.models, random.Random(args.seed))
    flat = make_plan(members, args.flat_out, args.models, random.Random(args.seed + 1)) if args.flat_out else {}
    writes = max(sum(c.write for c in calls) for calls in (*plan.values(), *flat.values()))
    service_env = {"MAESTRO_GATE_DEPLOYMENTS": "false"}
    if writes > 60:  # the service's default: 60 changes a minute per member, which a long plan may pass
        service_env["MAESTRO_RATE_LIMIT"] = str(writes)
        print(f"  the busiest member makes {writes} changes: the service's rate limit is raised to {writes} a minute")
    with run_postgres() as pg:
        store_uri, db_url = pg.create_database("mlflow"), pg.create_database("maestro")
        started = time.perf_counter()
        with mlflow_server(store_uri, root, args.mlflow_workers) as mlflow_url:
            print(
                f"PostgreSQL, and mlflow server ({args.mlflow_workers} workers) on it, up in "
                f"{time.perf_counter() - started:.1f} s"
            )
            t0 = time.perf_counter()
            populate_registry(store_uri, args.models, model_source(root), [m.name for m in members])
            t1 = time.perf_counter()
            populate_ledger(db_url, args.ledger_rows, members, args.models)
            t2 = time.perf_counter()
            print(
                f"Populated: {args.models:,} models x 2 versions (tags, test reports, champions) in {t1 - t0:.1f} s; "
                f"{args.ledger_rows:,} ledger rows + daily sums + {100 * len(members):,} jobs in {t2 - t1:.1f} s"
            )
            service_env.update({"MAESTRO_DB_URL": db_url, "MLFLOW_TRACKING_URI": mlflow_url})
            plans = {"paced": plan, "flat out": flat}
            meter = functools.partial(cpu_snapshot, (root, pg.root))
            series, breakdown = both_paths(args, root, members, plans, service_env, mlflow_url, db_url, meter)
    report(args, series, breakdown)
    return 0


def both_paths(
    args: argparse.Namespace,
    root: Path,
    members: list[Member],
    plans: dict[str, dict[str, list[Call]]],
    service_env: dict[str, str],
    mlflow_url: str,
    db_url: str,
    meter: Callable[[], dict[int, tuple[str, float]]],
) -> tuple[dict[tuple[str, str], Results], dict[str, list[float]]]:
    """The plans over the hub and in-process (the hub still running, idle), paced then flat out; then one member
    alone, for where the time of a call goes."""
    from maestro_jupyter import MaestroClient
    from maestro_jupyter.contract.base import Actor
    from maestro_jupyter.sdk.http import HttpTransport
    from maestro_jupyter.sdk.transport import InProcessTransport
    from maestro_jupyter.services import Services
    from maestro_jupyter.settings import Settings

    series: dict[tuple[str, str], Results] = {}

    def run_series(paths: dict[str, dict[str, Any]]) -> None:
        """Each plan in two halves, the paths in the order A B B A, so that a drift of the machine's load (or of
        the stores) over the run weighs on both alike."""
        for clients in paths.values():
            warm(clients)
        hub, local = paths
        for kind, plan in plans.items():
            if not plan:
                continue
            think = args.think if kind == "paced" else 0.0
            halves = ({n: c[: len(c) // 2] for n, c in plan.items()}, {n: c[len(c) // 2 :] for n, c in plan.items()})
            for path, half in ((hub, 0), (local, 0), (local, 1), (hub, 1)):
                calls = sum(len(c) for c in halves[half].values())
                print(f"  {path}, {kind}, half {half + 1}: {calls:,} calls (load {load_average()}) ...", flush=True)
                done = run_plan(paths[path], halves[half], think, args.time_limit, args.seed + half, meter)
                series[path, kind] = series[path, kind].merged(done) if (path, kind) in series else done

    services = Services(
        Settings.from_env({}, home=root / "laptop-home", tracking_uri=mlflow_url, db_url=db_url, gate_deployments=False)
    )
    local = {}
    for m in members:
        transport = InProcessTransport(services)
        transport.actor = Actor(m.name, m.admin, m.projects, m.projects[0] if m.projects else None)
        local[m.name] = MaestroClient(transport=transport)
    started = time.perf_counter()
    with service_hub(root, service_env) as hub:
        print(f"Hub, proxy and Maestro service up in {time.perf_counter() - started:.1f} s")
        t0 = time.perf_counter()
        groups = {f"project-{p}": [m.name for m in members if p in m.projects] for p in ("churn", "fraud")}
        tokens = hub.add_members([m.name for m in members], {m.name for m in members if m.admin}, groups)
        print(
            f"  {len(members)} members created through the hub's API in {time.perf_counter() - t0:.1f} s: "
            f"{len(groups['project-churn'])} in project-churn, {len(groups['project-fraud'])} in project-fraud, "
            f"{sum(not m.projects and not m.admin for m in members)} in none, {sum(m.admin for m in members)} hub "
            "admins; each token scoped access:services!service=maestro only"
        )

        def over(url: str, member: Member) -> Any:
            settings = Settings.from_env({}, home=root / "member-home", url=url, http_retries=0)
            return MaestroClient(transport=HttpTransport(settings, token=tokens[member.name]))

        run_series({"hub": {m.name: over(hub.maestro_url, m) for m in members}, "in-process": local})
        first = members[0]
        alone = {
            "hub (proxy)": over(hub.maestro_url, first),
            "service, no proxy": over(hub.service_url, first),
            "in-process": local[first.name],
        }
        print("  one member alone: calls through the proxy, to the service directly, in-process (rotating) ...")
        breakdown = one_member(alone, args.models, random.Random(args.seed))
    return series, breakdown


def one_member(clients: dict[str, Any], models: int, rng: random.Random, rounds: int = 40) -> dict[str, list[float]]:
    """``rounds`` rounds of a GetModel and a GetCostSummary by project per path, one call at a time, the paths
    rotated each round; times by ``"<call>, <path>"``."""
    warm(clients)
    calls: dict[str, Callable[[Any], Any]] = {
        "GetModel": lambda ml: ml.models.get(MODEL.format(rng.randrange(models))),
        "GetCostSummary": lambda ml: ml.costs.summary(by="project", window="30d"),
    }
    times: dict[str, list[float]] = {}
    paths = list(clients)
    for n in range(rounds):
        for call, fn in calls.items():
            for path in paths[n % len(paths) :] + paths[: n % len(paths)]:
                started = time.perf_counter()
                fn(clients[path])
                times.setdefault(f"{call}, {path}", []).append(time.perf_counter() - started)
    return times


def report(args: argparse.Namespace, series: dict[tuple[str, str], Results], alone: dict[str, list[float]]) -> None:
    def ms(values: list[float], q: float) -> str:
        return f"{percentile(values, q) * 1000:9.1f}" if values else "        -"

    def ratio(a: list[float], b: list[float]) -> str:
        return f"{percentile(a, 95) / percentile(b, 95):6.1f}x" if a and b else "      -"

    http, local = series["hub", "paced"], series["in-process", "paced"]
    offered = args.members / args.think if args.think else float("inf")
    print()
    print(
        f"Paced: each member calls, thinks {args.think:g} s on average, calls again ({offered:.0f} calls/s offered); "
        "ms; ratio = hub p95 / in-process p95"
    )
    print(f"  {'route':<21}{'n':>6}{'hub p50':>10}{'p95':>9}{'local p50':>11}{'p95':>9}{'ratio':>8}{'errors':>8}")
    routes = sorted(set(http.times) | set(local.times) | set(http.errors) | set(local.errors))
    for route in routes:
        h, lo = http.times.get(route, []), local.times.get(route, [])
        failed = f"{http.errors[route]}/{local.errors[route]}"
        print(f"  {route:<21}{len(h):>6}{ms(h, 50)}{ms(h, 95)} {ms(lo, 50)}{ms(lo, 95)} {ratio(h, lo)}{failed:>8}")
    for label, write in (("all reads", False), ("all writes", True)):
        h, lo = http.all_times(write), local.all_times(write)
        print(f"  {label:<21}{len(h):>6}{ms(h, 50)}{ms(h, 95)} {ms(lo, 50)}{ms(lo, 95)} {ratio(h, lo)}")
    print()
    for (path, kind), res in series.items():
        reads, writes = res.all_times(False), res.all_times(True)
        print(
            f"  {path:<10} {kind:<8}: {res.done():,} answered in {res.wall_s:.1f} s = {res.done() / res.wall_s:5.1f} "
            f"calls/s; read p50/p95 {ms(reads, 50).strip()}/{ms(reads, 95).strip()} ms, write "
            f"{ms(writes, 50).strip()}/{ms(writes, 95).strip()} ms; {sum(res.errors.values())} errors, "
            f"{res.not_run} not run; gate: {res.promoted} promoted, {res.refused} refused (GateRefused, expected)"
        )
        for example in list(res.examples.values())[:5]:
            print(f"      error: {example[:400]}")
    print()
    print("CPU time per call answered (ms), by process; capacity = this machine's CPUs / total, were it otherwise idle")
    components = [MEMBERS, "service", "proxy", "hub", "MLflow", "PostgreSQL", "other"]
    print(f"  {'series':<20}" + "".join(f"{c:>11}" for c in components) + f"{'total':>9}{'capacity':>13}")
    for (path, kind), res in series.items():
        per_call = {c: res.cpu.get(c, 0.0) / max(1, res.done()) * 1000 for c in components}
        total = sum(per_call.values())
        cells = "".join(f"{per_call[c]:>11.1f}" for c in components)
        print(f"  {path + ', ' + kind:<20}{cells}{total:>9.1f}{(os.cpu_count() or 1) / total * 1000:>9.0f}/s")
    print("  one member alone (nobody waiting in line), ms p50/p95:")
    for call in dict.fromkeys(key.split(", ")[0] for key in alone):
        paths = [(key.split(", ", 1)[1], t) for key, t in alone.items() if key.startswith(call + ", ")]
        print(f"    {call:<15}" + "; ".join(f"{p} {ms(t, 50).strip()}/{ms(t, 95).strip()}" for p, t in paths))
    flat = series.get(("hub", "flat out"))
    if flat is not None and flat.done() and args.think:
        capacity = flat.done() / flat.wall_s
        print(
            f"  the paced series offers {offered:.0f} calls/s over the hub, {offered / capacity:.0%} of the "
            f"{capacity:.0f} calls/s it sustained flat out on this machine now: beyond about 70%, waiting in line "
            "is most of a call's time"
        )
    print(f"  load average at the end: {load_average()}")
    reads, writes = http.all_times(False), http.all_times(True)
    hub = [res for (path, _), res in series.items() if path == "hub"]
    errors, not_run = sum(sum(r.errors.values()) for r in hub), sum(r.not_run for r in hub)
    print()
    print("Goals (over the hub, paced)")
    read_p95, write_p95 = percentile(reads, 95), percentile(writes, 95)
    print(f"  {verdict(read_p95 < READ_P95_GOAL_S)}  read p95 {read_p95 * 1000:.1f} ms < 100 ms")
    print(f"  {verdict(write_p95 < WRITE_P95_GOAL_S)}  write p95 {write_p95 * 1000:.1f} ms < 250 ms")
    print(f"  {verdict(errors == 0 and not_run == 0)}  {errors} errors, {not_run} calls not run (paced and flat out)")


if __name__ == "__main__":
    raise SystemExit(main())
