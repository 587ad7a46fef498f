from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from traitlets import Integer
from traitlets.config import Config, Configurable

from maestro_jupyter.errors import InvalidParameter
from maestro_jupyter.settings import OTHER_ENV_VARS, SETTINGS, Settings, env_vars, setting, settings_table


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
        ({"MAESTRO_COMPUTE": "2 nodes"}, "MAESTRO_COMPUTE must be a compute backend name"),
        ({"MAESTRO_RATE_LIMIT": "lots"}, "MAESTRO_RATE_LIMIT must be a number"),
        ({"MAESTRO_RATE_LIMIT": "0"}, "at least 1"),
        ({"MAESTRO_RATE_WINDOW": "0"}, "MAESTRO_RATE_WINDOW positive"),
        ({"MAESTRO_METER_INTERVAL": "0.5"}, "MAESTRO_METER_INTERVAL must be at least 1 second"),
        ({"MAESTRO_MODEL_INDEX_SWEEP": "5"}, "MAESTRO_MODEL_INDEX_SWEEP must be 0 \\(no index\\) or from 10"),
        ({"MAESTRO_MLFLOW_TIMEOUT": "soon"}, "MAESTRO_MLFLOW_TIMEOUT must be a number"),
        ({"MAESTRO_GATE_DEPLOYMENTS": "maybe"}, "MAESTRO_GATE_DEPLOYMENTS must be true or false"),
        ({"MAESTRO_PRICE_GPU_TYPES": "a100"}, "MAESTRO_PRICE_GPU_TYPES takes type=price pairs"),
        ({"MAESTRO_ALERT_WEBHOOK": "ftp://x"}, "MAESTRO_ALERT_WEBHOOK must be an http"),
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


def test_compute_is_only_normalised_here_the_registry_knows_the_backends():
    # Which backends exist is the compute registry's business (entry points); settings only check the name's shape.
    assert Settings.from_env({"MAESTRO_COMPUTE": "  Slurm "}).compute == "slurm"
    assert Settings.from_env({}, compute="my-backend_2").compute == "my-backend_2"
    for bad in ("", "2nodes", "local!", "a b"):
        with pytest.raises(InvalidParameter, match="must be a compute backend name"):
            Settings.from_env({}, compute=bad)


def test_derived_defaults_follow_the_settings_they_derive_from(tmp_path):
    s = Settings.from_env({"JUPYTERHUB_USER": "hub-ana"}, home=str(tmp_path), tracking_uri="https://mlflow.example")
    assert (s.registry_uri, s.mlflow_ui_url) == ("https://mlflow.example", "https://mlflow.example")
    assert s.db_url == f"sqlite:///{tmp_path.resolve() / 'maestro.db'}"
    assert s.user == "hub-ana"
    assert Settings.from_env({}, home=str(tmp_path), registry_uri="http://reg:5000").registry_uri == "http://reg:5000"


def test_settings_that_had_drifted_are_read_like_the_others():
    s = Settings.from_env({"MAESTRO_MLFLOW_TIMEOUT": "3", "MAESTRO_MLFLOW_RETRIES": "0"})
    assert (s.mlflow_timeout, s.mlflow_retries) == (3, 0)
    defaults = Settings.from_env({})
    assert (defaults.mlflow_timeout, defaults.mlflow_retries) == (10, 1)


def test_typed_values_from_config_are_parsed_like_strings_from_the_environment():
    s = Settings.from_env(
        {"MAESTRO_GATE_DEPLOYMENTS": "yes", "MAESTRO_ADMINS": "ana, bob"},
        gate_deployments=False,
        gated_aliases="Staging, none",
        price_gpu_types="A100=2.9",
        price_cpu_hour=1,
    )
    assert (s.gate_deployments, s.admins, s.gated_aliases) == (False, ("ana", "bob"), ("staging", "none"))
    assert (s.price_gpu_types, s.price_cpu_hour) == ((("a100", 2.9),), 1.0)
    assert Settings.from_env({"MAESTRO_GATED_ALIASES": "none"}).gated_aliases == ()


def test_the_table_is_the_dataclass():
    assert [spec.name for spec in SETTINGS] == [f.name for f in fields(Settings)]
    assert settings_table(Settings) is SETTINGS
    envs = [spec.env for spec in SETTINGS]
    assert len(set(envs)) == len(envs)
    assert not set(envs) & set(OTHER_ENV_VARS)


def test_every_setting_has_its_own_help():
    helps = [spec.help.strip() for spec in SETTINGS]
    assert all(helps), [spec.name for spec in SETTINGS if not spec.help.strip()]
    assert len(set(helps)) == len(helps), "two settings share a help text"


def test_the_test_cleaner_clears_every_variable_maestro_reads():
    from tests.conftest import MAESTRO_ENV

    assert env_vars() == MAESTRO_ENV
    assert {spec.env for spec in SETTINGS} | set(OTHER_ENV_VARS) <= set(MAESTRO_ENV)


def test_every_setting_is_a_server_traitlet_with_its_help():
    from maestro_jupyter.server.extension import Maestro

    traits = Maestro.class_traits(config=True)
    for spec in SETTINGS:
        assert spec.name in traits, spec.name
        assert spec.help in traits[spec.name].help
        assert spec.env in traits[spec.name].help


def test_adding_a_setting_is_one_edit(tmp_path):
    """One entry in a Settings (sub)class body gives an environment variable, a traitlet and a cleared variable."""
    from maestro_jupyter.server.extension import setting_traits

    @dataclass(frozen=True)
    class Extended(Settings):
        throwaway: int = setting(
            env="MAESTRO_THROWAWAY",
            parse=lambda value, var: int(value),
            default=3,
            help="A setting that exists only in this test.",
        )

    table = settings_table(Extended)
    assert table[-1].name == "throwaway"
    assert "throwaway" not in {spec.name for spec in SETTINGS}  # the real table is untouched

    # (a) read from its environment variable by from_env, with its default, and refused nowhere as unknown
    assert Extended.from_env({}).throwaway == 3
    assert Extended.from_env({"MAESTRO_THROWAWAY": " 7 "}).throwaway == 7
    assert Extended.from_env({"MAESTRO_THROWAWAY": "7"}, throwaway=8).throwaway == 8
    assert Extended.from_env({}).with_overrides(throwaway=5).throwaway == 5

    # (b) a config=True traitlet with its help; configured, it wins over the environment, as in the server
    traits = setting_traits(table)
    trait = traits["throwaway"]
    assert isinstance(trait, Integer)
    assert trait.metadata["config"] is True
    assert trait.help.startswith("A setting that exists only in this test.")
    app_class = type("App", (Configurable,), traits)
    app = app_class(config=Config({"App": {"throwaway": 9}}))
    overrides = {spec.name: getattr(app, spec.name) for spec in table}
    assert Extended.from_env({"MAESTRO_THROWAWAY": "7", "MAESTRO_HOME": str(tmp_path)}, **overrides).throwaway == 9

    # (c) in the list of variables the tests clear
    assert "MAESTRO_THROWAWAY" in env_vars(table)
    assert "MAESTRO_THROWAWAY" not in env_vars()


def test_a_field_declared_without_setting_is_refused():
    @dataclass(frozen=True)
    class Undeclared(Settings):
        stray: int = 0

    with pytest.raises(TypeError, match="not declared with setting"):
        settings_table(Undeclared)
