"""``jupyterhub_config.py`` as JupyterHub loads it, without starting a hub: the secrets it makes on a first start,
the settings it gives every server, and the refusals."""

from __future__ import annotations

import os
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


def test_members_and_admins_come_from_the_settings(monkeypatch, tmp_path):
    config, _ = load(monkeypatch, tmp_path, MAESTRO_HUB_USERS="alice, bob", MAESTRO_HUB_ADMINS="boss")
    assert config.Authenticator.allowed_users == {"alice", "bob"}
    assert config.Authenticator.allow_all is False
    assert config.Authenticator.admin_users == {"boss"}
    open_door, _ = load(monkeypatch, tmp_path)
    assert open_door.Authenticator.allow_all is True


def test_team_settings_reach_the_servers_but_the_hubs_own_do_not(monkeypatch, tmp_path):
    _, namespace = load(monkeypatch, tmp_path, MAESTRO_PRICE_CPU_HOUR="0.07")
    team = namespace["TEAM_SETTINGS"]
    assert team["MAESTRO_PRICE_CPU_HOUR"] == "0.07"
    assert not [k for k in team if k.startswith("MAESTRO_HUB_")]
    # That a MAESTRO_USER given to the hub names no one is checked on a running hub (tests/hub/conftest.py).
