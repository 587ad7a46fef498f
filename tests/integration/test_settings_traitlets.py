"""The real Jupyter server takes every setting as ``c.Maestro.<name>``, and config wins over the environment."""

from __future__ import annotations

from typing import Any

import pytest

from maestro_jupyter.settings import SETTINGS


@pytest.fixture
def maestro_config(maestro_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # Set before the server starts (jp_server_config needs this fixture): the environment it reads at start-up.
    monkeypatch.setenv("MAESTRO_PROJECT", "from-env")
    monkeypatch.setenv("MAESTRO_MLFLOW_TIMEOUT", "30")
    monkeypatch.setenv("MAESTRO_JOB_IMAGE", "env/image:1")
    return {
        **maestro_config,
        "project": "from-config",
        "user": "zed",
        "mlflow_timeout": 3,  # the two settings that once had no traitlet
        "mlflow_retries": 0,
        "gate_deployments": False,
        "compute": " Local ",  # normalised, as from the environment
    }


def _server_settings(jp_serverapp: Any) -> Any:
    return jp_serverapp.web_app.settings["maestro"].services.settings


async def test_config_wins_over_the_environment(jp_serverapp: Any, api: Any) -> None:
    s = _server_settings(jp_serverapp)
    assert (s.project, s.user, s.mlflow_timeout, s.mlflow_retries) == ("from-config", "zed", 3, 0)
    assert (s.gate_deployments, s.compute) == (False, "local")
    assert s.job_image == "env/image:1"  # not configured: the environment still counts

    status, info = await api("GET", "info")
    assert status == 200
    assert (info["project"], info["user"]) == ("from-config", "zed")


def test_every_setting_is_configurable_on_the_running_app(jp_serverapp: Any) -> None:
    (app,) = (ext for ext in _extension_apps(jp_serverapp) if ext.name == "maestro_jupyter")
    configurable = app.traits(config=True)
    for spec in SETTINGS:
        assert spec.help in configurable[spec.name].help


def _extension_apps(serverapp: Any) -> list[Any]:
    manager = serverapp.extension_manager
    return [point.app for ext in manager.extensions.values() for point in ext.extension_points.values() if point.app]
