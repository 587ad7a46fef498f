from __future__ import annotations

from pathlib import Path

import pytest

from maestro_jupyter.errors import InvalidParameter
from maestro_jupyter.settings import Settings


def test_embedded_defaults_live_under_maestro_home(tmp_path):
    s = Settings.from_env({"MAESTRO_HOME": str(tmp_path / "h")})
    assert s.home == (tmp_path / "h").resolve()
    assert s.tracking_uri == f"sqlite:///{s.home / 'mlflow.db'}"
    assert s.registry_uri == s.tracking_uri
    assert s.db_url == f"sqlite:///{s.home / 'maestro.db'}"
    assert s.artifact_root == (s.home / "artifacts").as_uri()
    assert (s.compute, s.project, s.prometheus_url, s.mlflow_ui_url) == ("local", "default", None, None)
    assert s.embedded_tracking


def test_home_defaults_to_dot_maestro_and_is_not_created_by_reading(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    s = Settings.from_env({})
    assert s.home == tmp_path / ".maestro"
    assert not s.home.exists()
    s.ensure_home()
    assert s.home.is_dir()
    assert (s.home / "artifacts").is_dir()


def test_reading_settings_never_writes_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Settings.from_env({"MAESTRO_HOME": str(tmp_path / "elsewhere")})
    assert list(tmp_path.iterdir()) == []


def test_environment_variables_are_read():
    env = {
        "MAESTRO_HOME": "/srv/maestro",
        "MLFLOW_TRACKING_URI": "http://mlflow:5000",
        "MAESTRO_DB_URL": "postgresql://u:secret@db/maestro",
        "MAESTRO_COMPUTE": "Kubernetes",
        "MAESTRO_PROMETHEUS_URL": "http://prom:9090",
        "MAESTRO_USER": "ana",
        "MAESTRO_PROJECT": "churn",
        "MAESTRO_RATE_LIMIT": "5",
        "MAESTRO_RATE_WINDOW": "2.5",
    }
    s = Settings.from_env(env)
    assert s.home == Path("/srv/maestro")
    assert (s.tracking_uri, s.registry_uri) == ("http://mlflow:5000", "http://mlflow:5000")
    assert s.compute == "kubernetes"
    assert (s.user, s.project, s.rate_limit, s.rate_window) == ("ana", "churn", 5, 2.5)
    assert s.mlflow_ui_url == "http://mlflow:5000"  # an http tracking server is also the UI
    assert not s.embedded_tracking


def test_hub_user_is_the_fallback_user():
    assert Settings.from_env({"JUPYTERHUB_USER": "bob"}).user == "bob"
    assert Settings.from_env({"JUPYTERHUB_USER": "bob", "MAESTRO_USER": "ana"}).user == "ana"


def test_explicit_overrides_beat_the_environment():
    s = Settings.from_env({"MLFLOW_TRACKING_URI": "http://env:5000"}, tracking_uri="http://config:5000", user=None)
    assert s.tracking_uri == "http://config:5000"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAESTRO_COMPUTE": "slurm"}, "MAESTRO_COMPUTE must be one of local, kubernetes"),
        ({"MAESTRO_RATE_LIMIT": "lots"}, "MAESTRO_RATE_LIMIT must be a number"),
        ({"MAESTRO_RATE_LIMIT": "0"}, "at least 1"),
    ],
)
def test_bad_values_are_clear_errors(env, message):
    with pytest.raises(InvalidParameter, match=message):
        Settings.from_env(env)


def test_unknown_override_is_refused():
    with pytest.raises(InvalidParameter, match="Unknown Maestro setting"):
        Settings.from_env({}, tracking_url="x")


def test_public_dict_hides_passwords():
    s = Settings.from_env({"MLFLOW_TRACKING_URI": "https://ana:s3cret@mlflow.example/"})
    assert "s3cret" not in str(s.public_dict())
    assert s.public_dict()["tracking_uri"] == "https://ana:***@mlflow.example/"
