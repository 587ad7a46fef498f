"""The Maestro DB migrates safely when many processes open a fresh database at once, on PostgreSQL and SQLite; a
database already at the newest schema is only read."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from maestro_jupyter.backends.store import MaestroStore, schema
from maestro_jupyter.backends.store.migrate import VERSION_TABLE, current_revision, head_revision
from tests.postgres_server import PostgresServer

PROCESSES = 50
#: Bound on the whole stampede (start-up, migration, and every process's exit).
DEADLINE_S = 120.0

#: One interpreter imports what opening the store needs, then forks the openers: 50 real processes, each with its
#: own connections, as 50 replicas of the service would be, without paying for 50 interpreters' imports on two
#: cores. Each blocks on a pipe until all exist, then all open the store (which migrates the database) at once;
#: each reports one JSON line ``[pid, "migrated" | "FAILED ..."]`` and exits 0 or 1.
STAMPEDE = """
import json, os, sys
import sqlalchemy
from maestro_jupyter.backends.store import MaestroStore
url, count = sys.argv[1], int(sys.argv[2])
if url.startswith("postgresql"):
    import psycopg, sqlalchemy.dialects.postgresql.psycopg
go_r, go_w = os.pipe()
out_r, out_w = os.pipe()
children = []
for _ in range(count):
    pid = os.fork()
    if pid == 0:
        os.close(go_w)
        os.close(out_r)
        line = "no report"
        try:
            os.read(go_r, 1)
            MaestroStore(url)
            line = "migrated"
        except BaseException as exc:
            line = f"FAILED {type(exc).__name__}: {exc}".splitlines()[0][:300]
        finally:  # never back into the loop: a child forks nothing
            os.write(out_w, (json.dumps([os.getpid(), line]) + "\\n").encode())
            os._exit(0 if line == "migrated" else 1)
    children.append(pid)
os.close(go_r)
os.close(out_w)
os.write(go_w, b"g" * count)
with os.fdopen(out_r) as reports:
    lines = dict(json.loads(line) for line in reports)
results = []
for pid in children:
    _, status = os.waitpid(pid, 0)
    results.append([os.waitstatus_to_exitcode(status), lines.get(pid, "no report")])
print(json.dumps(results))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database nobody has opened yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'maestro.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database()


def _stampede(url: str, count: int) -> list[tuple[int, str]]:
    """``count`` processes open ``url`` at the same moment; each one's exit status and report."""
    process = subprocess.Popen(
        [sys.executable, "-c", STAMPEDE, url, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the openers are in its process group: a timeout ends them all
    )
    try:
        out, err = process.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{count} processes opening {url} did not finish within {DEADLINE_S:.0f} s")
    assert process.returncode == 0, err
    return [(int(code), str(report)) for code, report in json.loads(out)]


def test_fifty_processes_migrate_a_fresh_database_at_once(fresh_url: str) -> None:
    results = _stampede(fresh_url, PROCESSES)

    assert len(results) == PROCESSES
    failures = [report for code, report in results if code != 0 or report != "migrated"]
    assert len(results) - len(failures) == PROCESSES, f"{len(failures)} of {PROCESSES} failed: {failures[:5]}"
    engine = sa.create_engine(fresh_url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            versions = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).all()  # noqa: S608
        assert [v for (v,) in versions] == [head_revision()]  # one row: no process stamped it twice
        tables = set(sa.inspect(engine).get_table_names())
        expected = {"maestro_jobs", "maestro_deployments", "maestro_usage", "maestro_budgets", "maestro_alerts"}
        assert expected | {"maestro_audit"} <= tables
    finally:
        engine.dispose()
    # And the schema works: what one process writes, a fresh one reads.
    store = MaestroStore(fresh_url)
    store.ledger.put_budget("project", "churn", **_budget())
    assert store.ledger.get_budget("project", "churn") is not None


def test_a_database_at_the_newest_schema_is_only_read(fresh_url: str) -> None:
    MaestroStore(fresh_url)  # migrated by this process
    from maestro_jupyter.backends.store.migrate import upgrade

    engine = sa.create_engine(fresh_url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        upgrade(engine)  # as another process opening it would
    finally:
        engine.dispose()
    assert statements  # it did look
    for statement in statements:
        assert statement.lstrip().upper().startswith(("SELECT", "PRAGMA")), statement  # no lock, no DDL, no stamp


def _alembic(url: str, verb: str, revision: str) -> None:
    """Run Alembic's ``upgrade`` or ``downgrade`` to ``revision`` on ``url``, in one transaction, as Maestro does."""
    from alembic import command
    from alembic.config import Config

    from maestro_jupyter.backends.store.migrate import MIGRATIONS

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            getattr(command, verb)(config, revision)
    finally:
        engine.dispose()


def test_a_database_at_0002_takes_the_audit_trail_and_keeps_its_data(fresh_url: str) -> None:
    _alembic(fresh_url, "upgrade", "0002")  # a Maestro DB as the release before the audit trail left it
    engine = sa.create_engine(fresh_url)
    try:
        assert current_revision(engine) == "0002"
        assert not sa.inspect(engine).has_table("maestro_audit")
        with engine.begin() as conn:  # the budgets table is as 0002 made it
            conn.execute(schema.budgets.insert().values(scope="project", subject="churn", **_budget()))
    finally:
        engine.dispose()

    from maestro_jupyter.backends.store.audit import GATE_OVERRIDE, AuditEvent

    store = MaestroStore(fresh_url)  # upgrades it
    assert current_revision(store.engine) == head_revision()
    assert store.ledger.get_budget("project", "churn") is not None  # what was there stays
    store.audit.record(AuditEvent(GATE_OVERRIDE, "m", "1", "boss", "why", details={"action": "alias 'champion'"}))
    (event,) = store.audit.events("m", "1")
    assert (event.actor, event.reason, event.details) == ("boss", "why", {"action": "alias 'champion'"})
    indexes = {ix["name"] for ix in sa.inspect(store.engine).get_indexes("maestro_audit")}
    assert {"ix_maestro_audit_subject", "ix_maestro_audit_at", "ix_maestro_audit_actor"} <= indexes

    _alembic(fresh_url, "downgrade", "0002")  # and back, should a release be rolled back
    engine = sa.create_engine(fresh_url)
    try:
        assert current_revision(engine) == "0002"
        assert not sa.inspect(engine).has_table("maestro_audit")
    finally:
        engine.dispose()


def _budget() -> dict[str, object]:
    return {
        "amount_micros": 1_000_000,
        "period": "monthly",
        "thresholds": [100],
        "hard_limit": False,
        "webhook": None,
        "updated_by": "alice",
        "updated_at": time.time(),
    }
