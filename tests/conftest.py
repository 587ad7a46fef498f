"""Shared fixtures: a registry seeded once per session with the real demo models, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from maestro_jupyter.settings import Settings

pytest_plugins = ("pytest_jupyter.jupyter_server",)

MAESTRO_ENV = (
    "MAESTRO_HOME",
    "MLFLOW_TRACKING_URI",
    "MLFLOW_REGISTRY_URI",
    "MAESTRO_ARTIFACT_ROOT",
    "MAESTRO_DB_URL",
    "MAESTRO_COMPUTE",
    "MAESTRO_PROMETHEUS_URL",
    "MAESTRO_USER",
    "MAESTRO_PROJECT",
    "MAESTRO_MLFLOW_UI_URL",
    "MAESTRO_RATE_LIMIT",
    "MAESTRO_RATE_WINDOW",
    "MAESTRO_CARD_TEMPLATES",
    "MAESTRO_GATED_ALIASES",
    "MAESTRO_TEST_POLICY",
    "MAESTRO_GATE_DEPLOYMENTS",
    "MAESTRO_K8S_NAMESPACE",
    "MAESTRO_JOB_IMAGE",
    "MAESTRO_SERVING_IMAGE",
    "MAESTRO_K8S_CODE_PVC",
    "MAESTRO_K8S_CODE_MOUNT",
    "MAESTRO_PRICE_CPU_HOUR",
    "MAESTRO_PRICE_GB_HOUR",
    "MAESTRO_PRICE_GPU_HOUR",
    "MAESTRO_PRICE_GPU_TYPES",
    "MAESTRO_ADMINS",
    "MAESTRO_ALERT_WEBHOOK",
    "MAESTRO_ESTIMATE_JOB_HOURS",
    "MAESTRO_METER_INTERVAL",
    "MAESTRO_JOB_ID",
    "MLFLOW_RUN_ID",
    "MLFLOW_EXPERIMENT_ID",
    "JUPYTERHUB_USER",
)


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
