"""``write_team_repo``: the team's ``feature_store.yaml`` as Feast reads it (its own loader, with the environment's
password substituted), no secret in the file, and the URLs and passwords it refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from maestro_jupyter.feature_team import PASSWORD_ENV, team_store_yaml, write_team_repo

URL = "postgresql+psycopg://maestro:s3cret-Pass_1.x~@db.example:6543/feast"


def feast_config(repo: Path, monkeypatch: pytest.MonkeyPatch, **env: str):  # type: ignore[no-untyped-def]
    """The repo's configuration as ``FeatureStore(repo_path=...)`` loads it, in an environment holding ``env``."""
    from feast.repo_config import load_repo_config

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return load_repo_config(repo, repo / "feature_store.yaml")


def test_the_yaml_names_the_teams_postgres_and_takes_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "features.py").write_text("# the team's definitions")
    team = write_team_repo(tmp_path / "repo", URL)
    assert team.path == (tmp_path / "repo").resolve()
    assert team.environment == {PASSWORD_ENV: "s3cret-Pass_1.x~"}
    assert "s3cret" not in team.yaml_path.read_text()
    assert "s3cret" not in repr(team)
    assert (tmp_path / "repo" / "features.py").read_text() == "# the team's definitions"  # the rest is left alone

    config = feast_config(team.path, monkeypatch, **team.environment)
    assert (config.project, config.provider, config.entity_key_serialization_version) == ("maestro", "local", 3)
    assert config.registry.registry_type == "sql"
    assert config.registry.path == "postgresql+psycopg://maestro:s3cret-Pass_1.x~@db.example:6543/feast?sslmode=prefer"
    assert config.registry.cache_ttl_seconds == 60
    online = config.online_store
    assert online.type == "postgres"
    assert (online.host, online.port, online.database, online.db_schema) == ("db.example", 6543, "feast", "public")
    assert (online.user, online.password, online.sslmode) == ("maestro", "s3cret-Pass_1.x~", "prefer")
    assert config.offline_store.type == "file"

    # Without the variable, Feast is left with the placeholder: nothing in the file opens the database.
    assert feast_config(team.path, monkeypatch).online_store.password == "${" + PASSWORD_ENV + "}"


def test_values_that_look_like_other_yaml_types_stay_strings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgres://true:12345@127.0.0.1/null?sslmode=disable"
    team = write_team_repo(tmp_path, url, project="churn_team", password_env="TEAM_FEAST_PW", db_schema="features")
    assert team.environment == {"TEAM_FEAST_PW": "12345"}
    config = feast_config(team.path, monkeypatch, TEAM_FEAST_PW="12345")
    online = config.online_store
    assert (online.user, online.password, online.database) == ("true", "12345", "null")
    assert (online.port, online.sslmode, online.db_schema) == (5432, "disable", "features")
    assert config.project == "churn_team"
    assert config.registry.path == "postgresql+psycopg://true:12345@127.0.0.1:5432/null?sslmode=disable"


def test_a_url_without_a_password_needs_no_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text, env = team_store_yaml("postgresql://feast@[::1]:5433/feast", sslmode="require")
    assert env == {}
    assert "${" not in text
    team = write_team_repo(tmp_path, "postgresql://feast@[::1]:5433/feast", sslmode="require")
    config = feast_config(team.path, monkeypatch)
    assert config.registry.path == "postgresql+psycopg://feast@[::1]:5433/feast?sslmode=require"
    assert (config.online_store.host, config.online_store.password) == ("::1", "")


def test_a_second_write_replaces_the_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_team_repo(tmp_path, URL)
    team = write_team_repo(tmp_path, "postgresql://maestro:other@db2.example/feast2")
    config = feast_config(team.path, monkeypatch, **team.environment)
    assert (config.online_store.host, config.online_store.database) == ("db2.example", "feast2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feature_store.yaml"]  # no partial file left


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        ("sqlite:///feast.db", {}, "needs a PostgreSQL URL"),
        ("mysql://u:p@h/db", {}, "needs a PostgreSQL URL"),
        ("postgresql://u:p@h/", {}, "must name a user, a host and a database"),
        ("postgresql://:p@h/db", {}, "must name a user, a host and a database"),
        ("postgresql://u:p@h:port/db", {}, "port is not a number"),
        ("postgresql://u:p%40ss@h/db", {}, "letters, digits and '-._~' only"),  # '@'
        ("postgresql://u:it's@h/db", {}, "letters, digits and '-._~' only"),
        ("postgresql://u:a%20b@h/db", {}, "letters, digits and '-._~' only"),
        ("postgresql://u:p@h/feast%0Aproject:%20evil", {}, "control character or '$'"),
        ("postgresql://u$HOME:p@h/db", {}, "control character or '$'"),
        (URL, {"db_schema": "$SCHEMA"}, "control character or '$'"),
        (URL, {"password_env": "lower"}, "not an environment variable's name"),
        (URL, {"project": "Churn-Team"}, "not a Feast project name"),
    ],
)
def test_what_it_refuses(tmp_path: Path, url: str, options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        write_team_repo(tmp_path / "repo", url, **options)  # type: ignore[arg-type]
    assert not (tmp_path / "repo").exists()
