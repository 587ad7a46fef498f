"""Benchmark: MLflow round trips per registry call, before and after, against a real ``mlflow server``.

What is measured
----------------
A real ``mlflow server`` subprocess (SQLite backend store, artifacts proxied through it as ``mlflow-artifacts:/``,
one worker, MLflow's job runner off) holding ``--models`` registered models (default 3,000) of three versions each,
with model tags (``team``, ``task``, the owner), version tags (a passing test report on version 1, a dataset name)
and ``champion`` aliases, written in bulk into MLflow's own tables. Even models' versions come from runs that logged
an MLmodel (and requirements) through the server's artifact proxy; odd models' versions point at a local folder and
have no run (as ``bench_team.py``'s do).

Maestro's registry service runs in-process, in team mode (the service's rules: the owner check on writes), with the
tracking URI pointing at the server, for these routes:

- ``GetVersion`` of a version never read before in the process (run-backed, then local-folder), and read again;
- ``GetVersion`` of the version an alias (``champion``) points at;
- ``ListModels`` filtered by one tag (``team``: 600 models each by default; a page of 100), and with no filter (what
  MLflow's search costs without the tag's sub-queries: building a page of 100 models);
- ``SetAlias`` of ``champion`` through the promotion gate (a version with a passing test report), by its owner.

Each route's calls are timed, and every HTTP request this process sends (MLflow's REST calls and artifact downloads)
is counted by a hook on ``requests``' transport adapter (``tests/mlflow_requests.py``), as is the CPU time the MLflow
server's processes use per call (from ``/proc``).

"before" is the package as committed (``git archive HEAD maestro_jupyter``, extracted into a temporary folder),
"after" is the working tree; each runs in a fresh subprocess against the same server, alternating (before, after,
before, after), each run on versions of its own for the first reads. The ratio after / before is printed per route.
Figures are for comparing the two on this machine, not absolute: the load average is printed.

``.venv/bin/python benchmarks/bench_registry_calls.py`` (1.5 to 2 minutes on two busy cores);
a quick run: ``--models 500 --calls 10 --rounds 1``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from figures import percentile

REPO = Path(__file__).resolve().parents[1]
MODEL = "calls-model-{:05d}"
TEAMS = ("search", "ads", "risk", "vision", "speech")
OWNERS = ("ana", "ben", "chloe", "dev")
VERSIONS = 3
RUNS = 12
ROUTES = (
    "GetVersion (run, first read)",
    "GetVersion (folder, first read)",
    "GetVersion (read again)",
    "GetVersion (alias)",
    "ListModels (tag)",
    "ListModels (no filter)",
    "SetAlias (gate)",
)


class WrongAnswer(AssertionError):
    """An answer that is not what the store holds."""


# --- the server and its store ----------------------------------------------------------------------------------


def start_server(root: Path, store: Path) -> tuple[Any, str]:
    sys.path.insert(0, str(REPO))
    from tests.live_server import spawn_logged
    from tests.prometheus_server import free_port

    port = free_port()
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{store}",
        "--artifacts-destination", (root / "artifacts").as_uri(),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MAESTRO_"))}
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    process = spawn_logged(cmd, root, env, root / "mlflow-server.log")
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((root / "mlflow-server.log").read_text()[-3000:])
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.2)  # polling for readiness, within the deadline
    raise RuntimeError("mlflow server not ready in 120 s")


def populate(url: str, store: Path, models: int, work: Path) -> float:
    """Runs with an MLmodel through the server, then the models, versions, tags and aliases in bulk."""
    import sqlalchemy as sa
    from mlflow import MlflowClient
    from mlflow.store.model_registry.dbmodels.models import (
        SqlModelVersion,
        SqlModelVersionTag,
        SqlRegisteredModel,
        SqlRegisteredModelAlias,
        SqlRegisteredModelTag,
    )

    from maestro_jupyter import tagkeys as tk

    t0 = time.perf_counter()
    client = MlflowClient(tracking_uri=url)
    experiment = client.create_experiment("bench-calls")
    folder = work / "model"
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text(
        "artifact_path: model\nflavors:\n  python_function:\n    loader_module: bench\n    python_version: "
        f"{platform.python_version()}\n  sklearn:\n    sklearn_version: 1.5.0\n"
        'signature:\n  inputs: \'[{"type": "double", "name": "x", "required": true}]\'\n'
        '  outputs: \'[{"type": "long", "required": true}]\'\n'
    )
    (folder / "requirements.txt").write_text("scikit-learn==1.5.0\n")
    runs = []
    for k in range(RUNS):
        run = client.create_run(experiment, run_name=f"train-{k}")
        client.log_metric(run.info.run_id, "accuracy", 0.9 + k / 1000)
        client.log_param(run.info.run_id, "C", str(k))
        client.log_artifacts(run.info.run_id, str(folder), "model")
        client.set_terminated(run.info.run_id)
        runs.append((run.info.run_id, f"{run.info.artifact_uri}/model"))
    local = folder.as_uri()

    engine = sa.create_engine(f"sqlite:///{store}")
    now = int(time.time() * 1000)
    ran_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    try:
        for start in range(0, models, 1000):
            rows: dict[str, list[dict[str, Any]]] = {"m": [], "mt": [], "v": [], "vt": [], "a": []}
            for i in range(start, min(start + 1000, models)):
                name = MODEL.format(i)
                rows["m"].append({"name": name, "creation_time": now, "last_updated_time": now + i})
                rows["mt"] += [
                    {"name": name, "key": "team", "value": TEAMS[i % len(TEAMS)]},
                    {"name": name, "key": "task", "value": "classification" if i % 2 else "regression"},
                    {"name": name, "key": tk.MODEL_OWNER, "value": OWNERS[i % len(OWNERS)]},
                ]
                for v in range(1, VERSIONS + 1):
                    run_id, source = runs[(i + v) % RUNS] if i % 2 == 0 else (None, local)
                    rows["v"].append(
                        {
                            "name": name,
                            "version": v,
                            "creation_time": now,
                            "last_updated_time": now,
                            "current_stage": "None",
                            "source": source,
                            "storage_location": source,
                            "run_id": run_id,
                            "status": "READY",
                        }
                    )
                    rows["vt"].append({"name": name, "version": v, "key": "dataset", "value": f"churn-0{v}"})
                rows["vt"] += [
                    {"name": name, "version": 1, "key": tk.TESTS_VERDICT, "value": "passed"},
                    {"name": name, "version": 1, "key": tk.TESTS_RAN_AT, "value": ran_at},
                ]
                if i % 4 == 0:
                    rows["a"].append({"name": name, "alias": "champion", "version": 1})
            with engine.begin() as conn:
                conn.execute(SqlRegisteredModel.__table__.insert(), rows["m"])
                conn.execute(SqlRegisteredModelTag.__table__.insert(), rows["mt"])
                conn.execute(SqlModelVersion.__table__.insert(), rows["v"])
                conn.execute(SqlModelVersionTag.__table__.insert(), rows["vt"])
                conn.execute(SqlRegisteredModelAlias.__table__.insert(), rows["a"])
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - t0


# --- one measured run (a subprocess: the package from --package) ------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(REPO))
    from team_stack import cpu_snapshot, cpu_used

    from tests.mlflow_requests import counting_requests

    sys.path.insert(0, str(args.package))  # before the working tree: "before" is the committed package
    import maestro_jupyter
    from maestro_jupyter.contract.base import Actor
    from maestro_jupyter.contract.registry import GetVersion, ListModels, SetAlias
    from maestro_jupyter.services import Services
    from maestro_jupyter.settings import Settings

    if not Path(maestro_jupyter.__file__).resolve().is_relative_to(args.package.resolve()):
        raise RuntimeError(f"measuring {maestro_jupyter.__file__}, not the package in {args.package}")
    home = args.server_root.parent / f"home-{args.slot}"  # in the parent's work folder, removed with it
    env = {"MAESTRO_TEAM": "1", "MLFLOW_TRACKING_URI": args.url}
    services = Services(Settings.from_env(env, home=str(home)))
    registry = services.registry
    rng = random.Random(args.seed)
    n, models = args.calls, args.models
    # First reads: models of this run's own slice (runs never share them), even (run) or odd (folder).
    mine = [i for i in range(models) if (i // 2) % args.runs == args.slot]
    even, odd = [i for i in mine if i % 2 == 0], [i for i in mine if i % 2 == 1]
    first_run = [(i, rng.randrange(1, VERSIONS + 1)) for i in rng.sample(even, min(n, len(even)))]
    first_folder = [(i, rng.randrange(1, VERSIONS + 1)) for i in rng.sample(odd, min(n, len(odd)))]
    promote = rng.sample(range(models), n)

    def get(i: int, v: int) -> None:
        detail = registry.get_version(GetVersion.build(name=MODEL.format(i), version=v), Actor("bench"))
        if detail.version != str(v) or "python_function" not in detail.flavors or (detail.run is None) == (i % 2 == 0):
            raise WrongAnswer(f"{detail.name} v{detail.version}: flavors {detail.flavors}, run {detail.run_id}")

    def by_alias(i: int) -> None:
        detail = registry.get_version(GetVersion.build(name=MODEL.format(i), alias="champion"), Actor("bench"))
        if detail.version != "1" or "champion" not in detail.aliases:
            raise WrongAnswer(f"{detail.name}@champion is version {detail.version} ({detail.aliases})")

    def by_tag(k: int) -> None:
        page = registry.list_models(ListModels.build(tags={"team": TEAMS[k % len(TEAMS)]}), Actor("bench"))
        if len(page.models) != 100 or any(m.tags["team"] != TEAMS[k % len(TEAMS)] for m in page.models):
            raise WrongAnswer(f"{len(page.models)} models of team {TEAMS[k % len(TEAMS)]}")

    def unfiltered(k: int) -> None:
        page = registry.list_models(ListModels.build(), Actor("bench"))
        if len(page.models) != 100:
            raise WrongAnswer(f"{len(page.models)} models in a page of 100")

    def set_alias(i: int) -> None:
        owner = Actor(OWNERS[i % len(OWNERS)])
        mv = registry.set_alias(SetAlias.build(name=MODEL.format(i), alias="champion", version=1), owner)
        if mv.version != "1" or "champion" not in mv.aliases:
            raise WrongAnswer(f"{mv.name} v{mv.version} promoted: aliases {mv.aliases}")

    plan = {
        ROUTES[0]: [lambda i=i, v=v: get(i, v) for i, v in first_run],
        ROUTES[1]: [lambda i=i, v=v: get(i, v) for i, v in first_folder],
        ROUTES[2]: [lambda i=i, v=v: get(i, v) for i, v in first_run + first_folder][:n],
        ROUTES[3]: [lambda i=i: by_alias(i) for i in rng.sample(range(0, models, 4), n)],
        ROUTES[4]: [lambda k=k: by_tag(k) for k in range(n)],
        ROUTES[5]: [lambda k=k: unfiltered(k) for k in range(n)],
        ROUTES[6]: [lambda i=i: set_alias(i) for i in promote],
    }
    by_tag(0)  # warm: connections, imports, the first search
    get(1, 1)
    results: dict[str, Any] = {}
    for route, calls in plan.items():
        times, requests = [], []
        endpoints: Counter[str] = Counter()
        before = cpu_snapshot([args.server_root])
        with counting_requests() as log:
            for call in calls:
                log.clear()
                t = time.perf_counter()
                call()
                times.append(time.perf_counter() - t)
                requests.append(len(log))
                endpoints += log.endpoints()
        used = cpu_used(before, cpu_snapshot([args.server_root]))
        results[route] = {
            "times": times,
            "requests": requests,
            "endpoints": {k: c / max(1, len(calls)) for k, c in endpoints.items()},
            "server_cpu": used.get("MLflow", 0.0) + used.get("other", 0.0),
        }
    print(json.dumps(results))


# --- the parent: server, store, baseline, runs, report ------------------------------------------------------------


def baseline_package(work: Path) -> Path:
    """The package as committed, extracted (read-only git: ``git archive``)."""
    target = work / "baseline"
    target.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "HEAD", "maestro_jupyter"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def run_worker(package: Path, url: str, args: argparse.Namespace, slot: int, server_root: Path) -> dict[str, Any]:
    cmd = [
        sys.executable, __file__, "--worker", "--package", str(package), "--url", url,
        "--models", str(args.models), "--calls", str(args.calls), "--slot", str(slot), "--runs", str(2 * args.rounds),
        "--seed", str(slot), "--server-root", str(server_root),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MAESTRO_"))}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir(), timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"worker for {package} failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(results: dict[str, list[dict[str, Any]]]) -> None:
    def merged(label: str, route: str, key: str) -> list[float]:
        return [x for run in results[label] for x in run[route][key]]

    print("Per route: wall time in ms (mean, p95), MLflow HTTP requests per call (mean, max), MLflow server CPU ms")
    print("per call; after / before ratios of the mean and p95")
    header = f"  {'route':<33}{'':<8}{'mean':>8}{'p95':>8}{'req':>7}{'max':>5}{'srv cpu':>9}"
    print(header)
    for route in ROUTES:
        figures = {}
        for label in ("before", "after"):
            times = [t * 1000 for t in merged(label, route, "times")]
            reqs = merged(label, route, "requests")
            cpu = sum(run[route]["server_cpu"] for run in results[label]) * 1000 / max(1, len(times))
            figures[label] = (statistics.fmean(times), percentile(times, 95))
            mean, p95 = figures[label]
            print(
                f"  {route if label == 'before' else '':<33}{label:<8}{mean:>8.1f}{p95:>8.1f}"
                f"{statistics.fmean(reqs):>7.2f}{max(reqs):>5}{cpu:>9.1f}"
            )
        mean_ratio = figures["after"][0] / figures["before"][0]
        p95_ratio = figures["after"][1] / figures["before"][1]
        print(f"  {'':<33}{'ratio':<8}{mean_ratio:>7.2f}x{p95_ratio:>7.2f}x")
    print()
    print("MLflow requests per call, by endpoint (mean over the calls of the last run of each)")
    for route in ROUTES:
        print(f"  {route}")
        for label in ("before", "after"):
            mix = results[label][-1][route]["endpoints"]
            text = ", ".join(f"{k} {c:.2f}" for k, c in sorted(mix.items(), key=lambda kv: -kv[1])) or "none"
            print(f"    {label:<7} {text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--models", type=int, default=3000, help="registered models, three versions each (3000)")
    parser.add_argument("--calls", type=int, default=30, help="calls per route per run (30)")
    parser.add_argument("--rounds", type=int, default=2, help="before/after pairs (2)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--package", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--slot", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--server-root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return 0
    if args.models < 100 * len(TEAMS) or args.calls < 1:
        parser.error(f"--models must be at least {100 * len(TEAMS)} (a full page per team) and --calls at least 1")

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    work = Path(tempfile.mkdtemp(prefix="maestro-bench-calls-"))
    print("Maestro registry round-trips benchmark")
    print(f"  {os.cpu_count()} CPUs, Python {platform.python_version()}, load average at start: {load_average()}")
    process = None
    try:
        from importlib import metadata

        print(f"  mlflow {metadata.version('mlflow')}, store: SQLite, artifacts proxied by the server")
        store = work / "mlflow.db"
        server_root = work / "server"
        server_root.mkdir()
        t0 = time.perf_counter()
        process, url = start_server(server_root, store)
        print(f"  mlflow server up in {time.perf_counter() - t0:.1f} s")
        with contextlib.redirect_stdout(io.StringIO()):  # MLflow prints a link to each run it ends
            seconds = populate(url, store, args.models, work / "source")
        print(f"  populated {args.models:,} models x {VERSIONS} versions, {RUNS} runs with models in {seconds:.1f} s")
        packages = {"before": baseline_package(work), "after": REPO}
        results: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
        slot = 0
        for r in range(args.rounds):
            for label in ("before", "after"):
                t = time.perf_counter()
                results[label].append(run_worker(packages[label], url, args, slot, server_root))
                print(f"  round {r + 1}: {label} measured in {time.perf_counter() - t:.1f} s")
                slot += 1
        print()
        report(results)
        print()
        print(f"Load average at the end: {load_average()}")
    finally:
        if process is not None:
            from tests.live_server import stop

            stop(process)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
