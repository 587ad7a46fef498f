"""Shared fixtures: a registry seeded once per session with the real demo models, copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from maestro_jupyter.feature_demo import FeatureDemo
from maestro_jupyter.settings import Settings, env_vars
from tests.postgres_server import PostgresServer

pytest_plugins = ("pytest_jupyter.jupyter_server",)

# Every variable Maestro reads, generated from the settings table: a new setting is cleared without an edit here.
MAESTRO_ENV = env_vars()


@pytest.fixture(autouse=True)
def _clean_maestro_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own Maestro or MLflow configuration."""
    for var in MAESTRO_ENV:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MAESTRO_HOME seeded once with the demo models (real training, real MLflow SQLite store)."""
    from maestro_jupyter.demo import seed

    home = tmp_path_factory.mktemp("seeded")
    created = seed(Settings.from_env({}, home=str(home)), log=lambda _m: None)
    assert created == ["breast-cancer-classifier", "diabetes-regressor", "iris-classifier"]
    return home


@pytest.fixture
def maestro_home(seeded_home: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded tracking database, so that a test's changes stay its own.

    Artifacts stay in the seeded home (their locations are recorded in the database); tests only read them.
    """
    home = tmp_path / "maestro-home"
    home.mkdir()
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    return home


@pytest.fixture
def settings(maestro_home: Path) -> Settings:
    return Settings.from_env({}, home=str(maestro_home))


@pytest.fixture(scope="session")
def feast_repo(tmp_path_factory: pytest.TempPathFactory) -> FeatureDemo:
    """The demo churn feature repo (real Feast: applied and materialized up to now), seeded once per session in a
    temp ``MAESTRO_HOME/feature_repo``. Read-only: a test that changes it takes a copy (feature_helpers)."""
    from tests.feature_helpers import feature_repo

    return feature_repo(tmp_path_factory)


@pytest.fixture
def feast_settings(settings: Settings, feast_repo: FeatureDemo) -> Settings:
    """The ``settings`` fixture (a private copy of the seeded registry) with the shared demo feature repo."""
    return settings.with_overrides(feast_repo=feast_repo.repo)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One private PostgreSQL cluster for the session (Debian's server, 127.0.0.1, a free port); each test takes a
    fresh database with ``postgres.create_database()``. Skips, saying what to install, when PostgreSQL is missing."""
    from tests.postgres_server import require_postgres, run_postgres

    with run_postgres(require_postgres()) as server:
        yield server
