"""An unreachable Maestro DB is a 503 ``BACKEND_UNAVAILABLE`` on every route that reads it (never a 500), and a
``BackendUnavailable`` from the SDK: whether it never answered or went away while the server was using it. The
message names the database, never its password or any internals; a database that comes back is used again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from maestro_jupyter import MaestroClient
from maestro_jupyter.backends.store import MaestroStore
from maestro_jupyter.errors import BackendUnavailable
from maestro_jupyter.settings import Settings
from tests.postgres_server import PostgresServer, require_postgres, run_postgres
from tests.prometheus_server import free_port

#: Every route that reads the Maestro DB (those naming a record name one that does not exist: the store is asked).
DB_ROUTES = (
    ("training", "jobs"),
    ("training", "jobs", "job-0123456789ab"),
    ("deployments",),
    ("deployments", "nothing-here"),
    ("costs",),
    ("budgets",),
    ("alerts",),
)
#: What must never reach a caller: a password, a driver's or SQLAlchemy's own words, a traceback.
INTERNALS = ("Traceback", "sqlalchemy", "psycopg.", "OperationalError", "sqlalche.me", 'File "')


def _dead_url() -> str:
    """A PostgreSQL URL with a password, on a loopback port nothing listens on."""
    return f"postgresql+psycopg://maestro:hunter2-secret@127.0.0.1:{free_port()}/maestro"


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    """A cluster of this test's own, which it may stop."""
    with run_postgres(require_postgres()) as server:
        yield server


@pytest.fixture(params=["never-reachable", "went-away"])
def db(request: pytest.FixtureRequest) -> dict[str, Any]:
    """``url`` of the Maestro DB and, for a database that is up at first, its ``server`` (the test stops it)."""
    if request.param == "never-reachable":
        return {"url": _dead_url(), "server": None}
    server: PostgresServer = request.getfixturevalue("private_postgres")
    return {"url": server.create_database(), "server": server}


@pytest.fixture
def maestro_config(maestro_home: Path, db: dict[str, Any]) -> dict[str, Any]:
    return {"home": str(maestro_home), "db_url": db["url"]}


def _assert_unavailable_body(status: int, body: Any, password: str | None) -> None:
    assert status == 503, body
    assert isinstance(body, dict), body
    assert body["error"] == "BACKEND_UNAVAILABLE"
    message = body["message"]
    assert "cannot be reached" in message
    assert "127.0.0.1" in message  # names the database
    assert ":***@" in message
    assert password
    assert password not in message
    for internal in INTERNALS:
        assert internal not in message, message
    assert set(body) == {"error", "message"}


async def test_every_db_route_answers_503_when_the_db_is_unreachable(api: Any, db: dict[str, Any]) -> None:
    server: PostgresServer | None = db["server"]
    if server is not None:  # it was up: the server used it, then it went away
        status, body = await api("GET", "training", "jobs")
        assert (status, body["jobs"]) == (200, [])
        server.stop()
    password = sa.make_url(db["url"]).password
    for route in DB_ROUTES:
        status, body = await api("GET", *route)
        _assert_unavailable_body(status, body, password)


def test_the_sdk_raises_backend_unavailable(maestro_home: Path) -> None:
    url = _dead_url()
    client = MaestroClient(Settings.from_env({}, home=str(maestro_home), db_url=url))
    for call in (client.training.list, client.deployments.list, client.budgets.list, client.budgets.alerts):
        with pytest.raises(BackendUnavailable, match=r"cannot be reached") as caught:
            call()
        assert "hunter2-secret" not in str(caught.value)
    with pytest.raises(BackendUnavailable):
        client.costs.summary()


def test_a_missing_driver_is_backend_unavailable_with_what_to_install() -> None:
    with pytest.raises(BackendUnavailable, match=r"driver .*not installed") as caught:
        MaestroStore(f"postgresql+nosuchdriver://maestro:hunter2-secret@127.0.0.1:{free_port()}/maestro")
    assert "hunter2-secret" not in str(caught.value)


def test_a_database_that_restarts_is_used_again(postgres: PostgresServer) -> None:
    """Connections the database dropped (a restart, an administrator) are replaced, not reported: the pool checks
    each before use."""
    import psycopg

    url = postgres.create_database()
    store = MaestroStore(url)
    assert store.list_jobs() == []
    database = sa.make_url(url).database
    with psycopg.connect(postgres.url(driver="postgresql"), autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> "
            "pg_backend_pid()",
            (database,),
        ).fetchone()
    assert ended is not None
    assert ended[0] >= 1  # the store's pooled connection was ended under it
    assert store.list_jobs() == []
    assert store.ledger.count() == 0
