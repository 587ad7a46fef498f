"""Benchmark: the model list of Maestro's REST API against a direct MLflow call, and Maestro's import cost.

What is measured
----------------
1. ``GET {base_url}maestro/api/v1/models?max_results=100`` served by a real Jupyter server (a subprocess, with the
   Maestro server extension enabled as installed), with a registry of ``--models`` registered models (default
   1,000) of two versions each, some with tags, descriptions and aliases. ``--requests`` (default 200) sequential
   requests over one keep-alive HTTP connection, after a warm-up.
2. In the same run and process, the same number of direct ``MlflowClient.search_registered_models(max_results=100,
   order_by=["name ASC"])`` calls against the same SQLite store.
3. Maestro's own layers in this process, for a breakdown of the REST path's extra cost: the service call
   (``Services.registry.list_models``: the MLflow search plus the conversion to Maestro's entities), and the JSON
   encoding of the page as the handler does it.

   The three series are rotated (which goes first changes every iteration), so machine noise hits them alike.
4. ``import maestro_jupyter`` and ``%load_ext maestro_jupyter`` (in a fresh IPython ``InteractiveShell``), each in
   fresh subprocesses (median of ``--import-runs``), and which heavy modules (mlflow, sklearn, kubernetes,
   data_profiling) they pulled in: there should be none.

Goals (from the issue): REST p95 under 50 ms and at most 1.5x the direct call's p95; import and ``%load_ext`` under
0.3 s each with nothing heavy imported. The script prints PASS/MISS per goal but always exits 0 on a completed run:
it reports figures, it is not a test.

How to run
----------
``make bench`` runs ``python benchmarks/bench_registry_api.py`` (the full run: populating 1,000 models takes a
minute or two). A quick run: ``.venv/bin/python benchmarks/bench_registry_api.py --models 50 --requests 20``.
``--home DIR`` keeps the store in ``DIR`` and reuses it on the next run when it already holds the models.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from figures import model_folder, percentile

MODEL_PREFIX = "bench-model-"
PAGE = 100
HEAVY = ("mlflow", "sklearn", "kubernetes", "data_profiling")
# Not forbidden by the goal, but worth knowing about when an import is slow.
NOTABLE = ("pandas", "numpy", "sqlalchemy", "pydantic", "jupyter_server", "tornado", "requests")
REST_P95_GOAL_S = 0.050
RATIO_GOAL = 1.5
IMPORT_GOAL_S = 0.3
# Environment variables that could point Maestro or MLflow somewhere other than the benchmark's own store.
_FOREIGN_ENV_PREFIXES = ("MAESTRO_", "MLFLOW_", "_MLFLOW_")


# --- small helpers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    p50: float
    p95: float
    mean: float
    minimum: float
    maximum: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Stats:
        return cls(
            percentile(values, 50),
            percentile(values, 95),
            statistics.fmean(values),
            min(values),
            max(values),
            len(values),
        )

    def row(self, label: str) -> str:
        ms = [x * 1000 for x in (self.p50, self.p95, self.mean, self.minimum, self.maximum)]
        return f"  {label:<34}" + "".join(f"{v:>9.2f}" for v in ms) + f"{self.n:>7}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment with ``MAESTRO_HOME`` set and anything pointing elsewhere removed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_ENV_PREFIXES)}
    env["MAESTRO_HOME"] = str(home)
    return env


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def version_of(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


# --- populating the registry -----------------------------------------------------------------------------------


def model_name(i: int) -> str:
    return f"{MODEL_PREFIX}{i:05d}"


def make_model_dir(home: Path) -> str:
    """A small real directory for versions' ``source``: an MLmodel file and a tiny "weights" file."""
    src = model_folder(home)
    (src / "weights.bin").write_bytes(b"\x00" * 256)
    return src.as_uri()


def existing_models(client: Any) -> set[str]:
    names: set[str] = set()
    token = None
    while True:
        page = client.search_registered_models(
            filter_string=f"name LIKE '{MODEL_PREFIX}%'", max_results=1000, page_token=token
        )
        names.update(rm.name for rm in page)
        token = page.token
        if not token:
            return names


def populate(home: Path, count: int) -> tuple[str, float, int]:
    """Bootstrap the embedded store as Maestro does and fill it; return (tracking URI, seconds, models created)."""
    from maestro_jupyter.services import Services
    from maestro_jupyter.settings import Settings

    settings = Settings.from_env(clean_env(home))
    services = Services(settings)
    services.mlflow  # noqa: B018 - opening the backend bootstraps the store with its artifact root under the home

    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=settings.tracking_uri, registry_uri=settings.registry_uri)
    have = existing_models(client)
    missing = [i for i in range(count) if model_name(i) not in have]
    if not missing:
        return settings.tracking_uri, 0.0, 0

    source = make_model_dir(home)
    teams = ("search", "ads", "risk", "vision", "speech")
    start = time.perf_counter()
    last_report = start
    for n, i in enumerate(missing, 1):
        name = model_name(i)
        client.create_registered_model(
            name,
            tags={"team": teams[i % len(teams)], "task": "classification" if i % 2 else "regression"},
            description=f"Benchmark model {i}: a gradient-boosted classifier of customer churn."
            if i % 3 == 0
            else None,
        )
        for v in (1, 2):
            client.create_model_version(
                name,
                source,
                tags={"validated": "true" if v == 1 else "false", "dataset": f"churn-2024-{v:02d}"},
                description=f"version {v}" if i % 4 == 0 else None,
            )
        if i % 4 == 0:
            client.set_registered_model_alias(name, "champion", "1")
        if i % 8 == 0:
            client.set_registered_model_alias(name, "challenger", "2")
        now = time.perf_counter()
        if now - last_report > 15:
            print(f"    ... {n}/{len(missing)} models ({now - start:.0f} s)", flush=True)
            last_report = now
    return settings.tracking_uri, time.perf_counter() - start, len(missing)


# --- the Jupyter server ----------------------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    token: str
    log: Path


@contextlib.contextmanager
def jupyter_server(home: Path, workdir: Path, timeout: float) -> Iterator[Server]:
    port, token = free_port(), secrets.token_hex(24)
    env = clean_env(home)
    env["JUPYTER_CONFIG_DIR"] = str(workdir / "jupyter-config")  # no user-level config; the sys-prefix one applies
    env["JUPYTER_RUNTIME_DIR"] = str(workdir / "jupyter-runtime")
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    root = workdir / "root"
    root.mkdir(parents=True, exist_ok=True)
    log = workdir / "jupyter-server.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "server",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        f"--ServerApp.token={token}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, port, token, log)
    try:
        wait_until_ready(server, timeout)
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


def wait_until_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"the Jupyter server exited with {server.proc.returncode}:\n{tail(server.log)}")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request("GET", f"/maestro/api/v1/models?max_results={PAGE}", headers=auth(server))
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                return
            last = f"HTTP {resp.status}"
        except OSError as exc:
            last = str(exc)
        finally:
            conn.close()
        time.sleep(0.25)
    raise RuntimeError(f"the Jupyter server did not answer 200 within {timeout:.0f} s ({last}):\n{tail(server.log)}")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def auth(server: Server) -> dict[str, str]:
    return {"Authorization": f"token {server.token}"}


# --- the timed series ------------------------------------------------------------------------------------------


@dataclass
class Series:
    rest: list[float]
    direct: list[float]
    service: list[float]
    encode: list[float]
    rest_bytes: int
    first_rest_name: str
    first_direct_name: str
    page_len: int


def run_series(server: Server, home: Path, tracking_uri: str, requests: int, warmup: int) -> Series:
    """Three series, rotated every iteration: REST through the server, the direct MLflow call, and Maestro's own
    service call in this process (MLflow search plus conversion to Maestro's entities, then JSON encoding)."""
    from mlflow import MlflowClient

    from maestro_jupyter.contract.base import Actor
    from maestro_jupyter.contract.registry import ListModels
    from maestro_jupyter.services import Services
    from maestro_jupyter.settings import Settings

    client = MlflowClient(tracking_uri=tracking_uri)
    registry = Services(Settings.from_env(clean_env(home))).registry
    actor = Actor("bench")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {**auth(server), "Connection": "keep-alive", "Accept": "application/json"}
    path = f"/maestro/api/v1/models?max_results={PAGE}"
    last_body = b""
    encode_times: list[float] = []

    def rest() -> int:
        nonlocal last_body
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {path} -> HTTP {resp.status}: {body[:300]!r}")
        last_body = body
        return len(json.loads(body)["models"])

    def direct() -> int:
        return len(client.search_registered_models(max_results=PAGE, order_by=["name ASC"]))

    def service() -> int:
        page = registry.list_models(ListModels(max_results=PAGE), actor)
        start = time.perf_counter()
        json.dumps(page.model_dump(mode="json"))  # what MaestroHandler.send does
        encode_times.append(time.perf_counter() - start)
        return len(page.models)

    # A full page unless the store holds fewer models (a quick run with --models under 100).
    expected = direct()

    def timed(fn: Callable[[], int], into: list[float], label: str) -> None:
        start = time.perf_counter()
        n = fn()
        into.append(time.perf_counter() - start)
        if n != expected:
            raise RuntimeError(f"{label} returned {n} models, expected {expected}")

    rest_times: list[float] = []
    direct_times: list[float] = []
    service_times: list[float] = []
    plan = [(rest, rest_times, "REST"), (direct, direct_times, "direct"), (service, service_times, "service")]
    try:
        scratch: list[float] = []
        for _ in range(warmup):
            for fn, _into, label in plan:
                timed(fn, scratch, label)
        encode_times.clear()
        gc.collect()  # start the timed series without the warm-up's garbage pending
        for i in range(requests):
            k = i % len(plan)
            for fn, into, label in plan[k:] + plan[:k]:
                timed(fn, into, label)
        # list_models time includes only the service call; the encoding is reported on its own.
        service_only = [t - e for t, e in zip(service_times, encode_times, strict=True)]
        first_rest = json.loads(last_body)["models"][0]["name"]
        first_direct = client.search_registered_models(max_results=PAGE, order_by=["name ASC"])[0].name
        return Series(
            rest_times, direct_times, service_only, encode_times, len(last_body), first_rest, first_direct, expected
        )
    finally:
        conn.close()


# --- import and %load_ext --------------------------------------------------------------------------------------

_IMPORT_PROBE = """
import json, sys, time
t = time.perf_counter()
import maestro_jupyter
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "top": sorted({m.split(".")[0] for m in sys.modules})}))
"""

_LOAD_EXT_PROBE = """
import json, sys, time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
before = set(sys.modules)
t = time.perf_counter()
shell.run_line_magic("load_ext", "maestro_jupyter")
dt = time.perf_counter() - t
new = set(sys.modules) - before
print(json.dumps({
    "seconds": dt,
    "top": sorted({m.split(".")[0] for m in sys.modules}),
    "new": len(new),
    "magic": "maestro" in shell.magics_manager.magics["line"],
}))
"""


@dataclass
class ProbeResult:
    seconds: list[float]
    heavy: list[str]
    notable: list[str]
    extra: dict[str, Any]


def probe(code: str, runs: int, home: Path, cwd: Path) -> ProbeResult:
    seconds: list[float] = []
    top: set[str] = set()
    extra: dict[str, Any] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], env=clean_env(home), cwd=cwd, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"probe failed ({done.returncode}):\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        seconds.append(result.pop("seconds"))
        top.update(result.pop("top"))
        extra = result
    return ProbeResult(seconds, [m for m in HEAVY if m in top], [m for m in NOTABLE if m in top], extra)


def slowest_imports(home: Path, cwd: Path, count: int = 6) -> list[tuple[float, str]]:
    """The heaviest direct imports of ``import maestro_jupyter`` per ``-X importtime`` (cumulative seconds)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import maestro_jupyter"],
        env=clean_env(home),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows: list[tuple[float, int, str]] = []  # (cumulative seconds, nesting depth, module), children before parents
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        rows.append((int(cumulative) / 1e6, depth, name.strip()))
    top = next((i for i, r in enumerate(rows) if r[1] == 0 and r[2] == "maestro_jupyter"), None)
    if top is None:
        return []
    children: list[tuple[float, str]] = [(rows[top][0], "maestro_jupyter (total)")]
    for secs, depth, name in reversed(rows[:top]):
        if depth == 0:
            break
        if depth == 1:
            children.append((secs, name))
    return sorted(children, reverse=True)[:count]


# --- main ------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--models", type=int, default=1000, help="registered models, two versions each (1000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per series (200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per series first (10)")
    parser.add_argument("--import-runs", type=int, default=5, help="fresh processes per import probe (5)")
    parser.add_argument("--home", type=Path, help="MAESTRO_HOME to use (and reuse); default: a fresh temp dir")
    parser.add_argument("--server-timeout", type=float, default=120, help="seconds to wait for the server (120)")
    args = parser.parse_args(argv)
    if args.models < 1 or args.requests < 1:
        parser.error("--models and --requests must be at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="maestro-bench-"))
    home = args.home.expanduser().resolve() if args.home else workdir / "home"
    try:
        return run(args, home, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, home: Path, workdir: Path) -> int:
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # keep order with MLflow's stderr logs
    print("Maestro registry API benchmark")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.system()} {platform.release()}"
    )
    print(
        f"  Python {platform.python_version()}, maestro-jupyter {version_of('maestro-jupyter')}, "
        f"mlflow {version_of('mlflow')}, jupyter_server {version_of('jupyter_server')}, "
        f"jupyterlab {version_of('jupyterlab')}, tornado {version_of('tornado')}"
    )
    print(f"  MAESTRO_HOME: {home}")
    print(f"  load average at start: {load_average()} (other work on the machine skews the tails)")
    print()

    print(f"Populating {args.models} registered models x 2 versions ...", flush=True)
    tracking_uri, seconds, created = populate(home, args.models)
    if created:
        print(
            f"  created {created} models ({2 * created} versions) in {seconds:.1f} s "
            f"({seconds / created * 1000:.1f} ms per model with its versions, tags and aliases)"
        )
    else:
        print("  the store already holds them: reused")
    print()

    print("Starting a Jupyter server ...", flush=True)
    t0 = time.perf_counter()
    with jupyter_server(home, workdir, args.server_timeout) as server:
        print(f"  first 200 from /maestro/api/v1/models after {time.perf_counter() - t0:.1f} s (port {server.port})")
        print(f"Timing {args.requests} REST requests, direct calls and service calls, rotating ...", flush=True)
        series = run_series(server, home, tracking_uri, args.requests, args.warmup)
    print()

    print("Timing import maestro_jupyter and %load_ext maestro_jupyter in fresh processes ...", flush=True)
    imp = probe(_IMPORT_PROBE, args.import_runs, home, workdir)
    ext = probe(_LOAD_EXT_PROBE, args.import_runs, home, workdir)
    slow = slowest_imports(home, workdir)
    print()

    rest, direct = Stats.of(series.rest), Stats.of(series.direct)
    service, encode = Stats.of(series.service), Stats.of(series.encode)
    ratio95, ratio50 = rest.p95 / direct.p95, rest.p50 / direct.p50
    print(f"Model list: max_results={PAGE}, {series.page_len} models per page, times in ms")
    print(f"  {'':<34}{'p50':>9}{'p95':>9}{'mean':>9}{'min':>9}{'max':>9}{'n':>7}")
    print(rest.row("REST GET maestro/api/v1/models"))
    print(direct.row("direct search_registered_models"))
    print(service.row("in-process: Maestro list_models"))
    print(encode.row("in-process: model_dump + json.dumps"))
    print(f"  REST/direct ratio: p95 {ratio95:.2f}x, p50 {ratio50:.2f}x")
    convert = service.p50 - direct.p50
    http_part = rest.p50 - service.p50 - encode.p50
    print(
        f"  REST over direct at p50: {(rest.p50 - direct.p50) * 1000:+.2f} ms = conversion to Maestro entities "
        f"~{convert * 1000:+.2f} ms + JSON encoding ~{encode.p50 * 1000:.2f} ms + HTTP/tornado/auth/thread hop and "
        f"client decode ~{http_part * 1000:+.2f} ms (differences of medians: rough when the machine is busy)"
    )
    print(f"  REST response body: {series.rest_bytes / 1024:.1f} KiB; first model: {series.first_rest_name}")
    if series.first_rest_name != series.first_direct_name:
        print(f"  NOTE: the direct call's first model is {series.first_direct_name}")
    print()

    print("Import cost (median of fresh processes, seconds)")
    imp_med, ext_med = statistics.median(imp.seconds), statistics.median(ext.seconds)
    print(
        f"  import maestro_jupyter:     {imp_med:.3f} s (runs: {', '.join(f'{s:.3f}' for s in imp.seconds)}); "
        f"heavy modules: {', '.join(imp.heavy) or 'none'}; also loaded: {', '.join(imp.notable) or 'none'}"
    )
    print(
        f"  %load_ext maestro_jupyter:  {ext_med:.3f} s (runs: {', '.join(f'{s:.3f}' for s in ext.seconds)}); "
        f"heavy modules: {', '.join(ext.heavy) or 'none'}; also loaded: {', '.join(ext.notable) or 'none'}; "
        f"{ext.extra.get('new', '?')} new modules; %maestro registered: {ext.extra.get('magic')}"
    )
    print("  heaviest direct imports of maestro_jupyter (cumulative, -X importtime, one run):")
    for secs, name in slow:
        print(f"    {secs * 1000:8.1f} ms  {name}")
    print()

    print(f"Load average at the end: {load_average()}")
    print()
    print("Goals")
    print(
        f"  {verdict(rest.p95 < REST_P95_GOAL_S)}  REST p95 {rest.p95 * 1000:.2f} ms < {REST_P95_GOAL_S * 1000:.0f} ms"
    )
    print(f"  {verdict(ratio95 <= RATIO_GOAL)}  REST p95 / direct p95 = {ratio95:.2f}x <= {RATIO_GOAL}x")
    print(f"  {verdict(imp_med < IMPORT_GOAL_S)}  import maestro_jupyter {imp_med:.3f} s < {IMPORT_GOAL_S} s")
    print(f"  {verdict(ext_med < IMPORT_GOAL_S)}  %load_ext maestro_jupyter {ext_med:.3f} s < {IMPORT_GOAL_S} s")
    print(f"  {verdict(not imp.heavy and not ext.heavy)}  nothing heavy imported ({', '.join(HEAVY)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
