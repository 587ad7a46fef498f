"""Bring a Maestro DB up to the newest schema with Alembic, once per process and URL.

Alembic is imported only when the database is behind: opening an up-to-date database costs one query. Two
processes opening a new SQLite database at once (a kernel and the server) take turns on a file lock.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

VERSION_TABLE = "maestro_alembic_version"
MIGRATIONS = Path(__file__).with_name("migrations")


def head_revision() -> str:
    """The newest migration's revision id (the highest-numbered file)."""
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))[-1]


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is at (``None``: never migrated)."""
    if not sa.inspect(engine).has_table(VERSION_TABLE):
        return None
    with engine.connect() as conn:
        row = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()  # noqa: S608 - a constant
    return None if row is None else str(row[0])


def upgrade(engine: sa.Engine) -> None:
    """Run every migration the database lacks."""
    if current_revision(engine) == head_revision():
        return
    with _lock(engine):
        if current_revision(engine) == head_revision():  # another process did it while we waited
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


@contextlib.contextmanager
def _lock(engine: sa.Engine) -> Iterator[None]:
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        yield  # a server database migrates inside one transaction (PostgreSQL DDL is transactional)
        return
    with open(f"{database}.migrate-lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
