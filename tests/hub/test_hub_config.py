"""``jupyterhub_config.py`` as JupyterHub loads it, without starting a hub: the secrets it makes on a first start,
the settings it gives every server, and the refusals."""

from __future__ import annotations

import asyncio
import os
import re
import runpy
import stat
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from tests.hub.hub_server import CONFIG


def load(monkeypatch: pytest.MonkeyPatch, home: Path, **env: str) -> tuple[Config, dict[str, Any]]:
    for key in [k for k in os.environ if k.startswith("MAESTRO_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MAESTRO_HUB_HOME", str(home))
    monkeypatch.setenv("MAESTRO_HUB_PROXY", "/bin/true")  # not started here
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = Config()
    namespace = runpy.run_path(str(CONFIG), init_globals={"get_config": lambda: config})
    return config, namespace


def test_a_first_start_makes_the_passwords_and_the_next_one_keeps_them(monkeypatch, tmp_path):
    config, _ = load(monkeypatch, tmp_path / "hub")
    team = (tmp_path / "hub" / "password").read_text()
    admins = (tmp_path / "hub" / "admin-password").read_text()
    assert config.SharedPasswordAuthenticator.user_password == team
    assert config.SharedPasswordAuthenticator.admin_password == admins
    assert len(team) >= 8
    assert len(admins) >= 32
    for name in ("password", "admin-password"):
        assert stat.S_IMODE((tmp_path / "hub" / name).stat().st_mode) == 0o600  # the hub's account only
    again, _ = load(monkeypatch, tmp_path / "hub")
    assert again.SharedPasswordAuthenticator.user_password == team
    # Given in the environment, a password wins and nothing is written.
    given, _ = load(monkeypatch, tmp_path / "other", MAESTRO_HUB_PASSWORD="from-the-environment")
    assert given.SharedPasswordAuthenticator.user_password == "from-the-environment"
    assert not (tmp_path / "other" / "password").exists()


def test_members_and_admins_come_from_the_settings_each_with_a_password_of_their_own(monkeypatch, tmp_path):
    config, namespace = load(monkeypatch, tmp_path, MAESTRO_HUB_USERS="alice, bob", MAESTRO_HUB_ADMINS="boss")
    assert config.Authenticator.allowed_users == {"alice", "bob", "boss"}
    assert config.Authenticator.admin_users == {"boss"}
    assert config.JupyterHub.authenticator_class is namespace["MemberPasswordAuthenticator"]
    passwords = {name: (tmp_path / "passwords" / name).read_text() for name in ("alice", "bob", "boss")}
    assert len(set(passwords.values())) == 3
    assert stat.S_IMODE((tmp_path / "passwords").stat().st_mode) == 0o700
    assert not (tmp_path / "password").exists()  # no team password to share

    authenticator = namespace["MemberPasswordAuthenticator"]()
    login = lambda name, password: asyncio.run(  # noqa: E731
        authenticator.authenticate(None, {"username": name, "password": password})
    )
    assert login("alice", passwords["alice"]) == "alice"
    assert login("bob", passwords["alice"]) is None  # her own password opens no one else's door
    assert login("carol", passwords["alice"]) is None
    assert login("alice", "") is None
    load(monkeypatch, tmp_path, MAESTRO_HUB_USERS="alice, bob", MAESTRO_HUB_ADMINS="boss")
    assert (tmp_path / "passwords" / "alice").read_text() == passwords["alice"]  # kept across starts

    open_door, _ = load(monkeypatch, tmp_path / "open")
    assert open_door.Authenticator.allow_all is True
    assert open_door.JupyterHub.authenticator_class == "shared-password"


def test_team_settings_reach_the_service_but_the_hubs_own_do_not(monkeypatch, tmp_path):
    _, namespace = load(monkeypatch, tmp_path, MAESTRO_PRICE_CPU_HOUR="0.07", MAESTRO_USER="intruder")
    team = namespace["TEAM_SETTINGS"]
    assert team["MAESTRO_PRICE_CPU_HOUR"] == "0.07"
    assert namespace["SERVICE_ENV"]["MAESTRO_PRICE_CPU_HOUR"] == "0.07"
    assert not [k for k in team if k.startswith("MAESTRO_HUB_")]
    assert "MAESTRO_USER" not in team  # names no one; that no server gets it is checked on a running hub


def test_mlflow_runs_behind_its_login_with_secrets_made_once_for_the_owner_only(monkeypatch, tmp_path):
    config, namespace = load(monkeypatch, tmp_path / "hub")
    home = tmp_path / "hub"
    for name in ("mlflow-admin-password", "mlflow-secret-key", "mlflow-auth.ini"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name
    admin_password = (home / "mlflow-admin-password").read_text()
    assert len(admin_password) >= 32
    ini = (home / "mlflow-auth.ini").read_text()
    assert f"admin_password = {admin_password}" in ini
    assert "default_permission = READ" in ini
    assert "auth_cache_ttl_seconds = 60" in ini  # a notebook's burst of MLflow calls checks a password once
    assert f"database_uri = sqlite:///{home / 'mlflow-auth.db'}" in ini
    mlflow = next(s for s in config.JupyterHub.services if s["name"] == "mlflow")
    assert mlflow["command"][mlflow["command"].index("--app-name") + 1] == "basic-auth"
    assert mlflow["command"][mlflow["command"].index("--host") + 1] == "127.0.0.1"
    assert "url" not in mlflow  # never routed through the proxy
    assert mlflow["environment"]["MLFLOW_AUTH_CONFIG_PATH"] == str(home / "mlflow-auth.ini")
    assert mlflow["environment"]["MLFLOW_FLASK_SERVER_SECRET_KEY"] == (home / "mlflow-secret-key").read_text()
    # The next start keeps them: the admin's password is the one MLflow's user database was made with.
    again, _ = load(monkeypatch, home)
    assert (home / "mlflow-auth.ini").read_text().count("auth_cache_ttl_seconds") == 1
    assert (
        next(s for s in again.JupyterHub.services if s["name"] == "maestro")["environment"]["MLFLOW_TRACKING_PASSWORD"]
        == admin_password
    )
    # No hub user can have the MLflow admin's name, so no member is ever given its account.
    assert not re.fullmatch(config.Authenticator.username_pattern, namespace["MLFLOW_ADMIN"])


def test_the_maestro_service_alone_holds_the_keys_and_members_may_reach_it(monkeypatch, tmp_path):
    config, namespace = load(
        monkeypatch,
        tmp_path,
        MAESTRO_HUB_DB_URL="postgresql+psycopg://maestro:pw@db.example:5432/maestro",
        MAESTRO_HUB_SERVICE_PORT="9123",
        MAESTRO_ALERT_WEBHOOK="https://hooks.example/alerts",
        MAESTRO_HTTP_TIMEOUT="12",
        MAESTRO_USER="intruder",
        MAESTRO_ADMINS="intruder",
        MAESTRO_DB_URL="sqlite:////tmp/elsewhere.db",
    )
    service = next(s for s in config.JupyterHub.services if s["name"] == "maestro")
    assert service["url"] == "http://127.0.0.1:9123"
    assert service["command"][1:3] == ["-m", "maestro_jupyter.server.service"]
    assert service["oauth_no_confirm"] is True
    env = service["environment"]
    assert env["MAESTRO_DB_URL"] == "postgresql+psycopg://maestro:pw@db.example:5432/maestro"  # the hub's, not MAESTRO_
    assert (env["MAESTRO_TEAM"], env["MAESTRO_COMPUTE"]) == ("1", "local")
    assert env["MAESTRO_ALERT_WEBHOOK"] == "https://hooks.example/alerts"
    assert (env["MLFLOW_TRACKING_URI"], env["MLFLOW_TRACKING_USERNAME"]) == ("http://127.0.0.1:5000", "_maestro")
    assert not {"MAESTRO_USER", "MAESTRO_ADMINS", "MAESTRO_URL"} & env.keys()
    assert namespace["MAESTRO_URL"] == "http://127.0.0.1:9123/services/maestro"
    # Members (and their servers' tokens, which kernels inherit) may call it; the default user role had only "self".
    roles = {r["name"]: r for r in config.JupyterHub.load_roles}
    assert roles["user"]["scopes"] == ["self", "access:services!service=maestro"]
    assert "access:services!service=maestro" in config.Spawner.server_token_scopes
    assert {"users:activity!user", "access:servers!server"} <= set(config.Spawner.server_token_scopes)
    # Of the team's settings, members get only their client's own.
    team = namespace["TEAM_SETTINGS"]
    assert {k: team[k] for k in namespace["CLIENT_SETTINGS"] if k in team} == {"MAESTRO_HTTP_TIMEOUT": "12"}


def test_projects_are_hub_groups_made_at_start(monkeypatch, tmp_path):
    config, namespace = load(monkeypatch, tmp_path, MAESTRO_HUB_PROJECTS=" churn: alice, bob ; fraud:bob;ops:*,carol ")
    assert config.JupyterHub.load_groups == {
        "project-churn": {"users": ["alice", "bob"]},
        "project-fraud": {"users": ["bob"]},
        "project-ops": {"users": ["carol"]},
    }
    assert namespace["OPEN_PROJECTS"] == ["project-ops"]
    default, namespace = load(monkeypatch, tmp_path)
    assert default.JupyterHub.load_groups == {"project-default": {"users": []}}
    assert namespace["OPEN_PROJECTS"] == ["project-default"]
    for bad in ("churn", "churn alice", ":alice", "a b:alice", "churn!:alice", "-churn:alice"):
        with pytest.raises(SystemExit, match="MAESTRO_HUB_PROJECTS"):
            load(monkeypatch, tmp_path, MAESTRO_HUB_PROJECTS=bad)


def test_the_team_feature_store_is_the_services_alone(monkeypatch, tmp_path):
    """``MAESTRO_HUB_FEAST_DB_URL``: the hub writes the team's Feast repo (no password in it) and gives the service,
    and no one else, the repo and the database's password."""
    from feast.repo_config import load_repo_config

    from maestro_jupyter.feature_team import PASSWORD_ENV

    db_url = "postgresql+psycopg://maestro:feast-Pw_0123@db.example:5432/feast"
    config, namespace = load(monkeypatch, tmp_path, MAESTRO_HUB_FEAST_DB_URL=db_url, MAESTRO_HTTP_TIMEOUT="12")
    service = next(s for s in config.JupyterHub.services if s["name"] == "maestro")["environment"]
    repo = tmp_path / "feature-repo"
    assert service["MAESTRO_FEAST_REPO"] == str(repo)
    assert service[PASSWORD_ENV] == "feast-Pw_0123"
    assert "feast-Pw_0123" not in (repo / "feature_store.yaml").read_text()
    # Feast, in the service's environment, opens the team's PostgreSQL with it.
    monkeypatch.setenv(PASSWORD_ENV, service[PASSWORD_ENV])
    feast_config = load_repo_config(repo, repo / "feature_store.yaml")
    assert (feast_config.registry.registry_type, feast_config.online_store.type) == ("sql", "postgres")
    assert feast_config.registry.path.startswith("postgresql+psycopg://maestro:feast-Pw_0123@db.example:5432/feast")
    assert feast_config.online_store.password == "feast-Pw_0123"
    # Members' servers get only their client's settings from the hub's: neither the repo nor the password.
    given = {k for k in namespace["CLIENT_SETTINGS"] if k in namespace["TEAM_SETTINGS"]}
    assert given == {"MAESTRO_HTTP_TIMEOUT"}
    assert not {"MAESTRO_FEAST_REPO", PASSWORD_ENV} & namespace["TEAM_SETTINGS"].keys()

    # The hub's own setting wins over a MAESTRO_FEAST_REPO of its environment; a wrong URL stops the hub, saying why.
    config, _ = load(
        monkeypatch,
        tmp_path,
        MAESTRO_HUB_FEAST_DB_URL=db_url,
        MAESTRO_HUB_FEAST_REPO=str(tmp_path / "elsewhere"),
        MAESTRO_FEAST_REPO="/somewhere/else",
    )
    service = next(s for s in config.JupyterHub.services if s["name"] == "maestro")["environment"]
    assert service["MAESTRO_FEAST_REPO"] == str(tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / "feature_store.yaml").exists()
    with pytest.raises(SystemExit, match=r"MAESTRO_HUB_FEAST_DB_URL: .*PostgreSQL"):
        load(monkeypatch, tmp_path, MAESTRO_HUB_FEAST_DB_URL="sqlite:///feast.db")
    # Without the setting, the service keeps a local repo in its own home (Maestro's default) and holds no password.
    config, _ = load(monkeypatch, tmp_path / "plain")
    service = next(s for s in config.JupyterHub.services if s["name"] == "maestro")["environment"]
    assert not {"MAESTRO_FEAST_REPO", PASSWORD_ENV} & service.keys()
