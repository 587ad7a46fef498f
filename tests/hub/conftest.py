"""The hub suite: one real JupyterHub (proxy, MLflow and Maestro services, local JupyterLab servers, the stores on
PostgreSQL) for the session, and a team of three logged in through the login form: alice, bob and boss, members of
the project hub-team, boss a hub admin."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hub.hub_server import Hub, HubUser, start_hub, stop_hub
from tests.postgres_server import PostgresServer
from tests.ui.conftest import browser, jp_asyncio_loop, jp_server_cleanup, page

__all__ = ["browser", "jp_asyncio_loop", "jp_server_cleanup", "page"]  # fixtures shared with the browser suite

#: The team's members: each logs in with a password of their own, which the hub makes (carol logs in first in the
#: browser test).
MEMBERS = "alice,bob,boss,carol"
PROMETHEUS_TOKEN = "prometheus-scrape-token-for-the-hub-tests"
#: The project alice and bob work for (the hub group project-hub-team, made at the hub's start).
PROJECT = "hub-team"
#: The file_sd file the hub keeps, beside its home.
TARGETS_FILE = "prometheus-targets.json"


@dataclass
class Team:
    alice: HubUser
    bob: HubUser
    boss: HubUser


@pytest.fixture(scope="package")
def hub(postgres: PostgresServer) -> Iterator[Hub]:
    # Not under pytest's temporary folder, which is closed to other accounts: run as root, the hub runs each member
    # under an OS account of their own, which must reach its home in the hub's.
    root = Path(tempfile.mkdtemp(prefix="maestro-hub-test-"))
    root.chmod(0o711)
    try:
        running = start_hub(
            root,
            {
                "MAESTRO_HUB_USERS": MEMBERS,
                "MAESTRO_HUB_ADMINS": "boss",
                "MAESTRO_HUB_PROJECTS": f"{PROJECT}:alice,bob,boss",
                # A team's stores, on PostgreSQL: the Maestro DB and MLflow's backend store.
                "MAESTRO_HUB_DB_URL": postgres.create_database(),
                "MAESTRO_HUB_MLFLOW_STORE": postgres.create_database(),
                # ... and the feature store's: Feast's SQL registry and online store.
                "MAESTRO_HUB_FEAST_DB_URL": postgres.create_database(),
                "MAESTRO_HUB_PROMETHEUS_TOKEN": PROMETHEUS_TOKEN,
                "MAESTRO_HUB_PROMETHEUS_TARGETS": str(root / TARGETS_FILE),
                "MAESTRO_HUB_PROMETHEUS_TARGETS_INTERVAL": "0.5",
                # A team-wide Maestro setting, given to the service: prices that make any job cost something.
                "MAESTRO_PRICE_CPU_HOUR": "36",
                # ... but settings name no one on a team: these reach no server and make nobody a user or an admin.
                "MAESTRO_USER": "intruder",
                "MAESTRO_ADMINS": "alice",
            },
        )
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield running
    finally:
        stop_hub(running)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="package")
def team(hub: Hub) -> Team:
    return Team(
        alice=hub.start_user("alice", hub.password("alice")),
        bob=hub.start_user("bob", hub.password("bob")),
        boss=hub.start_user("boss", hub.password("boss")),
    )
