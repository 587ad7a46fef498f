"""A real PostgreSQL for tests: Debian's ``postgresql`` server binaries, a private cluster in a temporary folder,
listening on 127.0.0.1 on a free port.

``run_postgres()`` is a context manager yielding a :class:`PostgresServer`; :meth:`PostgresServer.create_database`
makes a fresh, empty database and returns its SQLAlchemy URL (``postgresql+psycopg://...``, with a password: the
cluster asks for one over TCP). The session-scoped ``postgres`` fixture in ``tests/conftest.py`` shares one cluster;
a test that stops its server starts its own.

Call :func:`require_postgres` first: it skips the test (with what to install) when the server binaries or the
``psycopg`` driver are missing.

PostgreSQL refuses to run as root. As root, ``initdb`` and ``postgres`` run as the ``postgres`` system user that
Debian's package creates (else ``nobody``), through ``subprocess.Popen(user=..., group=..., extra_groups=[])``; the
cluster's folder is made under the system temporary folder (not pytest's, which other users cannot enter) and handed
to that user. Durability is switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``): a test cluster
is thrown away, and it makes start-up and writes several times faster.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.prometheus_server import free_port

#: Bound on initdb and on the server's start-up (polled, not slept).
STARTUP_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.05
#: The cluster's superuser (the one the URLs name).
SUPERUSER = "maestro"
#: Who runs the server when the tests run as root, in order of preference.
SERVICE_USERS = ("postgres", "nobody")
#: Enough for the concurrency tests (50 processes or threads, each with its own engine) with room to spare.
MAX_CONNECTIONS = 300
TOOLS = ("initdb", "postgres", "pg_isready")


def find_bindir() -> Path | None:
    """The folder with PostgreSQL's server binaries: the newest ``/usr/lib/postgresql/<major>/bin`` (Debian keeps
    ``initdb`` and ``postgres`` off PATH), else the folder of an ``initdb`` on PATH."""
    candidates = []
    for bindir in Path("/usr/lib/postgresql").glob("*/bin"):
        major = bindir.parent.name
        if re.fullmatch(r"\d+(\.\d+)?", major):
            candidates.append((tuple(int(p) for p in major.split(".")), bindir))
    found = [bindir for _, bindir in sorted(candidates, reverse=True)]
    on_path = shutil.which("initdb")
    if on_path:
        found.append(Path(on_path).resolve().parent)
    for bindir in found:
        if all(os.access(bindir / tool, os.X_OK) for tool in TOOLS):
            return bindir
    return None


def require_postgres() -> Path:
    """Skip the calling test (or module, at import time) unless PostgreSQL's server binaries and the ``psycopg``
    driver are installed; returns the binaries' folder."""
    bindir = find_bindir()
    if bindir is None:
        how = "make test installs it as root" if os.geteuid() == 0 else "as root: apt-get install postgresql"
        pytest.skip(
            f"PostgreSQL server binaries ({', '.join(TOOLS)}) not found under /usr/lib/postgresql/*/bin or on "
            f"PATH (Debian: {how})",
            allow_module_level=True,
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("the psycopg driver is not installed (pip install -e '.[postgres]')", allow_module_level=True)
    return bindir


@dataclass(frozen=True)
class RunAs:
    """Whom the cluster's processes run as: ``None`` fields mean the current user."""

    user: int | None = None
    group: int | None = None

    @classmethod
    def unprivileged(cls) -> RunAs:
        if os.geteuid() != 0:
            return cls()
        for name in SERVICE_USERS:
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
                return cls(entry.pw_uid, entry.pw_gid)
        raise RuntimeError(f"running as root and none of the users {SERVICE_USERS} exists to run PostgreSQL")

    @property
    def extra_groups(self) -> list[int] | None:
        """None keeps the current supplementary groups; a user switched to gets none (not root's)."""
        return None if self.user is None else []

    def own(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.user, self.group if self.group is not None else -1)


@dataclass
class PostgresServer:
    """A running PostgreSQL cluster on 127.0.0.1 whose superuser is :data:`SUPERUSER` with ``password``."""

    host: str
    port: int
    password: str = field(repr=False)
    root: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    _created: int = field(default=0, repr=False)

    def url(self, database: str = "postgres", *, driver: str = "postgresql+psycopg") -> str:
        """The SQLAlchemy URL of ``database`` (``driver="postgresql"`` for a plain libpq URL)."""
        return f"{driver}://{SUPERUSER}:{self.password}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A fresh, empty database (named ``name``, or ``test_<n>``); its SQLAlchemy URL."""
        import psycopg
        from psycopg import sql

        if name is None:
            self._created += 1
            name = f"test_{self._created}_{secrets.token_hex(3)}"
        with psycopg.connect(self.url(driver="postgresql"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def stop(self) -> None:
        """Shut the server down (a fast shutdown: open sessions are ended); nothing listens on the port after."""
        _stop(self.process)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"<no log: {exc}>"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate one.
    for sig, grace in ((signal.SIGINT, 15), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
        process.send_signal(sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _initdb(bindir: Path, root: Path, run_as: RunAs, password: str) -> Path:
    data = root / "data"
    password_file = root / "password"
    password_file.write_text(password + "\n")
    run_as.own(password_file)
    done = subprocess.run(
        [
            str(bindir / "initdb"),
            f"--pgdata={data}",
            f"--username={SUPERUSER}",
            f"--pwfile={password_file}",
            "--auth-local=trust",  # the socket is in the private folder
            "--auth-host=scram-sha-256",  # TCP (what the URLs use) needs the password
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        cwd=root,
        env=_env(root),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT_S,
        check=False,
        user=run_as.user,
        group=run_as.group,
        extra_groups=run_as.extra_groups,
    )
    password_file.unlink()
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return data


def _env(root: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(root)}


def _ready(bindir: Path, server: PostgresServer) -> str | None:
    """Poll ``pg_isready`` within the bound: None when the server accepts connections, else why not."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return f"postgres exited with status {server.process.returncode}"
        done = subprocess.run(
            [str(bindir / "pg_isready"), "--host", server.host, "--port", str(server.port), "--timeout", "2"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if done.returncode == 0:
            return None
        last = done.stdout.strip() or f"pg_isready exit {done.returncode}"
        time.sleep(POLL_INTERVAL_S)
    return f"not ready after {STARTUP_TIMEOUT_S:.0f} s ({last})"


@contextlib.contextmanager
def run_postgres(bindir: Path | None = None) -> Iterator[PostgresServer]:
    """A fresh cluster, started, until the block ends; then stopped and its folder removed."""
    bindir = bindir or require_postgres()
    run_as = RunAs.unprivileged()
    password = secrets.token_urlsafe(16)
    # Not under pytest's temporary folder: its parents are private to the user running the tests.
    root = Path(tempfile.mkdtemp(prefix="maestro-pg-"))
    try:
        run_as.own(root)
        data = _initdb(bindir, root, run_as, password)
        failure = "not started"
        for attempt in range(3):  # another process may take the free port before PostgreSQL binds it
            port = free_port()
            log_path = root / f"postgres-{attempt}.log"
            cmd = [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-h",
                "127.0.0.1",  # loopback only
                "-p",
                str(port),
                "-k",
                str(root),  # the Unix socket too stays in the private folder
                "-c",
                f"max_connections={MAX_CONNECTIONS}",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
            with log_path.open("wb") as log_file:
                process = subprocess.Popen(
                    cmd,
                    cwd=root,
                    env=_env(root),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # a Ctrl-C in the terminal is not a shutdown signal for it
                    user=run_as.user,
                    group=run_as.group,
                    extra_groups=run_as.extra_groups,
                )
            server = PostgresServer("127.0.0.1", port, password, root, log_path, process)
            try:
                failure = _ready(bindir, server) or ""
                if not failure:
                    yield server
                    return
            finally:
                _stop(process)
            if "could not bind" not in server.log() and "already in use" not in server.log():
                break
        raise RuntimeError(f"postgres did not start: {failure}\n--- {server.log_path} ---\n{server.log()}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
