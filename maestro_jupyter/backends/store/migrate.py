"""Bring a Maestro DB up to the newest schema with Alembic, once per process and URL, safely when many processes
open a new database at once (a team's service replicas, a kernel and its server, every job's supervisor).

A process that finds the database at the newest revision only reads it: no lock, no Alembic import. One that finds
it behind takes the database's migration lock, looks again (another process may have migrated it meanwhile: then it
does nothing), and migrates in one transaction:

- PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``) taken by the migrating transaction
  itself, so it is released by the commit or the rollback whatever happens; it is per database, and DDL is
  transactional, so a failed migration leaves nothing behind.
- SQLite: an exclusive ``flock`` on a file next to the database.
- Any other database: no lock (one process at a time must open a new one).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

VERSION_TABLE = "maestro_alembic_version"
MIGRATIONS = Path(__file__).with_name("migrations")
#: The key of the PostgreSQL advisory lock that serializes migrations (any fixed 64-bit number; advisory locks are
#: per database, so databases of one cluster do not wait for each other).
ADVISORY_LOCK_KEY = 0x6D61_6573_7472_6F00  # "maestro\0"


def head_revision() -> str:
    """The newest migration's revision id (the highest-numbered file)."""
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))[-1]


def current_revision(bind: sa.Engine | sa.Connection) -> str | None:
    """The revision the database is at (``None``: never migrated)."""
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            return current_revision(conn)
    if not sa.inspect(bind).has_table(VERSION_TABLE):
        return None
    row = bind.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()  # noqa: S608 - a constant
    return None if row is None else str(row[0])


def upgrade(engine: sa.Engine) -> None:
    """Run every migration the database lacks (nothing, and no lock, when it lacks none)."""
    head = head_revision()
    if current_revision(engine) == head:
        return
    with _file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))
        if current_revision(conn) == head:  # another process migrated it while we waited
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@contextlib.contextmanager
def _file_lock(engine: sa.Engine) -> Iterator[None]:
    """An SQLite database file's migration lock (nothing for other databases)."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
