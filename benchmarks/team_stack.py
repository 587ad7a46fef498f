"""The team's stack for ``bench_team.py``, all on 127.0.0.1: a private PostgreSQL cluster (``tests/postgres_server``),
a real ``mlflow server`` on a PostgreSQL database, and a JupyterHub (with its configurable-http-proxy) running the
Maestro service as a managed service (``tests/hub/service_hub_config.py``, the hub the team-service tests use), with
members created through the hub's REST API; and what the stores hold, written in bulk.

Every process started here leads its own process group and is stopped when its context ends.
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from figures import model_folder

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the repository, for tests.*

from tests.hub.hub_server import PROXY, free_ports, service_home_env, service_hub_env  # noqa: E402
from tests.live_server import spawn_logged, stop  # noqa: E402
from tests.postgres_server import PostgresServer, find_bindir, run_postgres  # noqa: E402

SERVICE_HUB_CONFIG = REPO / "tests" / "hub" / "service_hub_config.py"
#: The hub admin of that configuration, whose token creates the members.
HUB_ADMIN = "boss"
START_TIMEOUT_S = 120.0
POLL_S = 0.2
PASSWORD = "bench-team-password"  # noqa: S105 - a throwaway hub of the benchmark's
#: The scope a member's token carries: it may reach the Maestro service, nothing else.
MEMBER_SCOPES = ["access:services!service=maestro"]

MODEL = "team-model-{:05d}"
TEAMS = ("search", "ads", "risk", "vision", "speech")
PROJECTS = ("churn", "fraud", *(f"area-{p:02d}" for p in range(28)))
DAY_S = 86400
JOBS_PER_MEMBER = 100

#: What a process of the stack is, from its command line (the first key found wins).
COMPONENTS = (
    ("maestro_jupyter.server.service", "service"),
    ("configurable-http-proxy", "proxy"),
    ("jupyterhub", "hub"),
    ("mlflow", "MLflow"),
)
#: This process: the simulated members (and, in-process, the services they call).
MEMBERS = "members"

__all__ = ["PostgresServer", "Stack", "find_bindir", "mlflow_server", "run_postgres", "service_hub"]


@dataclass(frozen=True)
class Member:
    """A simulated member: a hub user, a hub admin or not, in the hub groups ``project-<p>`` of ``projects``."""

    name: str
    admin: bool
    projects: tuple[str, ...]


def _wait(what: str, check: Callable[[], tuple[bool, str]], exited: Callable[[], int | None], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if exited() is not None:
            raise RuntimeError(f"{what} exited:\n{_tail(log)}")
        try:
            ok, last = check()
            if ok:
                return
        except requests.RequestException as exc:
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(POLL_S)  # polling for readiness, within the deadline
    raise RuntimeError(f"{what} not ready in {START_TIMEOUT_S:.0f} s ({last}):\n{_tail(log)}")


def _tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "<no log>"


def cpu_snapshot(roots: Sequence[Path]) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by this process and by every process working in one of ``roots`` (by its current
    folder: the stack's processes and nothing else of the machine's), with the component each belongs to
    (:data:`COMPONENTS`, else that of its nearest ancestor that has one: MLflow's uvicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, str, float]] = {}  # pid -> (parent, component or "", seconds)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if not any((proc / "cwd").resolve().is_relative_to(root) for root in roots):
                continue
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone, or not readable
        command = b" ".join(argv).decode(errors="replace")
        if command.startswith("postgres") or Path(argv[0].decode(errors="replace")).name == "postgres":
            component = "PostgreSQL"  # the server and its backends (named "postgres: user database ...")
        else:
            component = next((label for key, label in COMPONENTS if key in command), "")
        # utime and stime, and cutime and cstime: the children it reaped (PostgreSQL's ended backends) count too.
        found[int(proc.name)] = (int(fields[1]), component, sum(int(f) for f in fields[11:15]) / tick)
    snapshot = {}
    for pid, (parent, component, seconds) in found.items():
        while not component and parent in found:
            parent, component, _ = found[parent]
        snapshot[pid] = (component or "other", seconds)
    own = os.times()
    snapshot[os.getpid()] = (MEMBERS, own.user + own.system)
    return snapshot


def cpu_used(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds by component between two snapshots. A process that ended in between counts through its parent
    (which reaped it, so its whole life is in the parent's children's time): what it had used before is taken off."""
    used: dict[str, float] = {}
    for pid, (component, seconds) in after.items():
        used[component] = used.get(component, 0.0) + seconds - (before[pid][1] if pid in before else 0.0)
    for pid, (component, seconds) in before.items():
        if pid not in after:
            used[component] = used.get(component, 0.0) - seconds
    return used


@contextlib.contextmanager
def mlflow_server(store_uri: str, root: Path, workers: int) -> Iterator[str]:
    """``mlflow server`` on 127.0.0.1 with ``store_uri`` as its backend store; yields its URL once healthy."""
    (port,) = free_ports(1)
    log = root / "mlflow-server.log"
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", store_uri,
        "--artifacts-destination", (root / "mlflow-artifacts").as_uri(),
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MAESTRO_"))}
    # MLflow 3's job runner (a GenAI feature, with its queue consumers) has nothing to do for Maestro: not started.
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    process = spawn_logged(cmd, root, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(
            "mlflow server",
            lambda: (requests.get(f"{url}/health", timeout=2).status_code == 200, "not healthy"),
            process.poll,
            log,
        )
        yield url
    finally:
        stop(process)


@dataclass
class Stack:
    """The running hub: its public URL, the hub admin's token, and the log."""

    url: str
    admin_token: str = field(repr=False)
    log_path: Path
    process: Any = field(repr=False)
    #: The service itself, not through the proxy (for a breakdown of where time goes).
    service_url: str = ""

    @property
    def maestro_url(self) -> str:
        """``MAESTRO_URL`` for a member: the service behind the hub's proxy."""
        return f"{self.url}services/maestro"

    def log(self) -> str:
        return _tail(self.log_path)

    def hub_api(self, method: str, path: str, body: Any = None, token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"token {token or self.admin_token}"}
        return requests.request(method, f"{self.url}hub/api/{path}", headers=headers, json=body, timeout=60)

    def expect(self, status: int, method: str, path: str, body: Any = None) -> Any:
        response = self.hub_api(method, path, body)
        if response.status_code != status:
            raise RuntimeError(f"hub {method} {path} -> {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def new_token(self, user: str, scopes: list[str] | None = None) -> str:
        body: dict[str, Any] = {"note": "bench_team", "expires_in": 4 * 3600}
        if scopes is not None:
            body["scopes"] = scopes
        return str(self.expect(201, "POST", f"users/{user}/tokens", body)["token"])

    def add_members(self, names: list[str], admins: set[str], groups: dict[str, list[str]]) -> dict[str, str]:
        """Create the hub users (``admins`` as hub admins), put them in ``groups`` (created if missing) and give
        each a token scoped to the Maestro service only; {name: token}."""
        plain = [n for n in names if n not in admins]
        if plain:
            self.expect(201, "POST", "users", {"usernames": plain})
        if admins:
            self.expect(201, "POST", "users", {"usernames": sorted(admins), "admin": True})
        existing = {g["name"] for g in self.expect(200, "GET", "groups")}
        for group, users in groups.items():
            if not users:
                continue
            if group not in existing:
                self.expect(201, "POST", f"groups/{group}", {"users": users})
            else:
                self.expect(200, "POST", f"groups/{group}/users", {"users": users})
        return {name: self.new_token(name, MEMBER_SCOPES) for name in names}


@contextlib.contextmanager
def service_hub(root: Path, service_env: dict[str, str]) -> Iterator[Stack]:
    """A JupyterHub whose one managed service is ``python -m maestro_jupyter.server.service`` with ``service_env``;
    yields once the hub answers and the service answers its admin through the proxy."""
    if not PROXY.exists():
        raise RuntimeError(f"configurable-http-proxy is not installed at {PROXY}: run `make hub-deps`")
    home = root / "hub-home"
    port, api, proxy_api, maestro = free_ports(4)
    tester_token = secrets.token_hex(24)
    environment = {**service_home_env(home), **service_env}
    ports = {"port": port, "api": api, "proxy_api": proxy_api, "maestro": maestro}
    env = service_hub_env(home, ports, PASSWORD, tester_token, environment)
    log = root / "jupyterhub.log"
    process = spawn_logged([sys.executable, "-m", "jupyterhub", "-f", str(SERVICE_HUB_CONFIG)], home, env, log)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait("the hub", lambda: (requests.get(f"{url}hub/api/", timeout=2).status_code == 200, ""), process.poll, log)
        # The configuration's "tester" service may make tokens for users: one of the hub admin's is an admin token.
        tester = Stack(url, tester_token, log, process)
        service_url = f"http://127.0.0.1:{maestro}/services/maestro"
        stack = Stack(url, tester.new_token(HUB_ADMIN), log, process, service_url)

        def answers() -> tuple[bool, str]:
            headers = {"Authorization": f"token {stack.admin_token}"}
            response = requests.get(f"{stack.maestro_url}/maestro/api/v1/info", headers=headers, timeout=5)
            return response.status_code == 200, f"{response.status_code} {response.text[:200]}"

        _wait("the Maestro service", answers, process.poll, log)
        yield stack
    finally:
        stop(process)


# --- what the stores hold -------------------------------------------------------------------------------------


def model_source(root: Path) -> str:
    """A small real model folder for the versions' ``source``: an MLmodel file."""
    return model_folder(root).as_uri()


def settle(engine: Any) -> None:
    """What autovacuum would do after a bulk load, done now rather than during the timed series: vacuum (the
    visibility map) and analyse (the planner's statistics) every table, then a checkpoint."""
    import sqlalchemy as sa

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
        conn.execute(sa.text("CHECKPOINT"))


def populate_registry(store_uri: str, count: int, source: str, owners: Sequence[str]) -> None:
    """``count`` models of two versions, with tags, test reports and champions, in bulk through MLflow's own ORM
    tables (the schema the server created), a batch of 1,000 models per statement. Model ``i`` is
    ``owners[i % len(owners)]``'s, as if they had registered it through Maestro (only they change it on a team)."""
    import sqlalchemy as sa
    from mlflow.store.model_registry.dbmodels.models import (
        SqlModelVersion,
        SqlModelVersionTag,
        SqlRegisteredModel,
        SqlRegisteredModelAlias,
        SqlRegisteredModelTag,
    )

    from maestro_jupyter import tagkeys as tk

    engine = sa.create_engine(store_uri)
    now = int(time.time() * 1000)
    ran_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    try:
        for start in range(0, count, 1000):
            models, versions, model_tags, version_tags, aliases = [], [], [], [], []
            for i in range(start, min(start + 1000, count)):
                name = MODEL.format(i)
                models.append({"name": name, "creation_time": now, "last_updated_time": now + i, "description": None})
                model_tags += [
                    {"name": name, "key": "team", "value": TEAMS[i % len(TEAMS)]},
                    {"name": name, "key": "task", "value": "classification" if i % 2 else "regression"},
                    {"name": name, "key": tk.MODEL_OWNER, "value": owners[i % len(owners)]},
                ]
                for v in (1, 2):
                    versions.append(
                        {
                            "name": name,
                            "version": v,
                            "creation_time": now,
                            "last_updated_time": now,
                            "description": None,
                            "user_id": None,
                            "current_stage": "None",
                            "source": source,
                            "storage_location": source,
                            "run_id": None,
                            "status": "READY",
                        }
                    )
                    version_tags.append({"name": name, "version": v, "key": "dataset", "value": f"churn-2024-0{v}"})
                if i % 3 == 0:
                    version_tags += [
                        {"name": name, "version": 1, "key": tk.TESTS_VERDICT, "value": "passed"},
                        {"name": name, "version": 1, "key": tk.TESTS_RAN_AT, "value": ran_at},
                    ]
                elif i % 3 == 1:
                    version_tags += [
                        {"name": name, "version": 2, "key": tk.TESTS_VERDICT, "value": "failed"},
                        {"name": name, "version": 2, "key": tk.TESTS_RAN_AT, "value": ran_at},
                        {"name": name, "version": 2, "key": tk.TESTS_FAILED, "value": "min_accuracy"},
                    ]
                if i % 6 == 0:
                    aliases.append({"name": name, "alias": "champion", "version": 1})
            with engine.begin() as conn:
                conn.execute(SqlRegisteredModel.__table__.insert(), models)
                conn.execute(SqlRegisteredModelTag.__table__.insert(), model_tags)
                conn.execute(SqlModelVersion.__table__.insert(), versions)
                conn.execute(SqlModelVersionTag.__table__.insert(), version_tags)
                if aliases:
                    conn.execute(SqlRegisteredModelAlias.__table__.insert(), aliases)
        # The planner's statistics: without them MLflow's tag search on PostgreSQL takes seconds (a nested loop over
        # the tag sub-queries).
        settle(engine)
    finally:
        engine.dispose()


def populate_ledger(db_url: str, rows: int, members: list[Member], models: int) -> None:
    """``rows`` ledger rows over 35 days (PostgreSQL's ``COPY``), their daily sums (one ``INSERT ... SELECT``, the
    sums ``Ledger.record`` keeps row by row), and 100 finished, settled jobs per member.

    As in ``bench_costs.py``: each of 200 users (the members and 150 former ones) works in two projects (a member
    in their own projects' groups first), each of the 30 projects trains four of the registry's models, with a new
    version every 4 days."""
    import sqlalchemy as sa

    from maestro_jupyter.backends.store import engine_for, schema
    from maestro_jupyter.entities import Job

    rng = random.Random(1)
    users = {m.name: (*m.projects, *rng.sample(PROJECTS, 2))[:2] for m in members}
    users.update({f"former-{u:03d}": tuple(rng.sample(PROJECTS, 2)) for u in range(150)})
    names = list(users)
    trained = {p: [MODEL.format((4 * k + m) % models) for m in range(4)] for k, p in enumerate(PROJECTS)}
    now = time.time()
    engine = engine_for(db_url)  # migrated, as the service finds it
    columns = (
        'kind, source_id, period_start, period_end, "user", project, model, version, cpu_seconds, '
        "memory_gb_seconds, gpu_seconds, cost_micros, rates, measured_by, recorded_at"
    )
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cur, cur.copy(f"COPY maestro_usage ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for i in range(rows):
                end = now - rng.uniform(0, 35 * DAY_S)
                user = rng.choice(names)
                project = rng.choice(users[user])
                model = rng.choice(trained[project]) if rng.random() < 0.8 else ""
                version = str(1 + int((now - end) // (4 * DAY_S))) if model else ""
                kind = "job" if rng.random() < 0.7 else "deployment"
                row = (kind, f"src-{i}", end - 300, end, user, project, model, version)
                copy.write_row((*row, 300.0, 600.0, 0.0, rng.randint(1, 100_000), "{}", "rusage", end))
        raw.commit()
    finally:
        raw.close()
    u, d = schema.usage, schema.usage_daily
    day = sa.cast(sa.func.floor(u.c.period_end / DAY_S), sa.Integer)
    keys = (u.c.user, u.c.project, u.c.model, u.c.version, u.c.kind)
    sums = (sa.func.sum(u.c[c]) for c in ("cost_micros", "cpu_seconds", "memory_gb_seconds", "gpu_seconds"))
    daily = sa.select(day, *keys, *sums, sa.func.count()).group_by(day, *keys)
    jobs = []
    for member in members:
        for k in range(JOBS_PER_MEMBER):
            created = now - rng.uniform(0, 30 * DAY_S)
            job = Job(
                id=f"bench-{member.name}-{k:03d}",
                name=f"train-{k % 7}",
                status="succeeded" if k % 10 else "failed",
                user=member.name,
                project=(member.projects or ("churn",))[0],
                backend="local",
                kind="script",
                source="train.py",
                experiment="maestro-training",
                created_at=created,
                started_at=created + 2,
                finished_at=created + 600,
                exit_code=0 if k % 10 else 1,
                cpu_seconds=550.0,
                cost=0.05,
            )
            record = job.model_dump(mode="json", exclude={"duration_seconds", "estimate"})
            jobs.append({**record, "handle": {}, "settled_at": created + 700})
    with engine.begin() as conn:
        columns_daily = ["day", "user", "project", "model", "version", "kind"]
        columns_daily += ["cost_micros", "cpu_seconds", "memory_gb_seconds", "gpu_seconds", "records"]
        conn.execute(d.insert().from_select(columns_daily, daily))
        conn.execute(schema.jobs.insert(), jobs)
    settle(engine)
