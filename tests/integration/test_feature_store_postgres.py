"""A team's feature store on PostgreSQL: the repo :func:`write_team_repo` writes (Feast's SQL registry and its
PostgreSQL online store in one database of Debian's PostgreSQL, started by the tests; the offline store on files),
seeded with the demo's definitions, applied and materialized by Feast, then used through Maestro's services as the
team's Maestro service uses it (``MAESTRO_FEAST_REPO`` and the password in its environment).

- the file holds no secret: Feast takes the password from the environment, and without it nothing opens;
- Maestro lists what the registry holds, builds the training set Feast itself builds from the same inputs, reads
  the online store, and saves a feature service that another process, opening the repo anew, finds in the shared
  registry.

Skipped, saying what to install, when PostgreSQL's server binaries are absent (the ``postgres`` fixture).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest

from maestro_jupyter.contract.base import Actor
from maestro_jupyter.feature_demo import ACTIVITY_VIEW, JOIN_KEY, PROFILE_VIEW, RATIOS_VIEW, SERVICE, FeatureDemo
from maestro_jupyter.feature_team import PASSWORD_ENV, TeamRepo, write_team_repo
from maestro_jupyter.settings import Settings
from tests.postgres_server import PostgresServer

ACTOR = Actor(user="alice", projects=("default",), default_project="default")
#: Feast's tables in the team's database: the SQL registry's, and one online table per materialized view.
REGISTRY_TABLES = {"entities", "data_sources", "feature_views", "on_demand_feature_views", "feature_services"}
ONLINE_TABLES = {f"maestro_{PROFILE_VIEW}", f"maestro_{ACTIVITY_VIEW}"}


@dataclass(frozen=True)
class Team:
    db_url: str
    repo: TeamRepo
    demo: FeatureDemo

    @property
    def password(self) -> str:
        return unquote(urlsplit(self.db_url).password or "")


@pytest.fixture(scope="module")
def team(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """A team repo on a fresh database, the demo applied and materialized into it, the password in this process's
    environment only while the module runs (as it is in the Maestro service's)."""
    from maestro_jupyter.feature_demo import seed_feature_repo

    db_url = postgres.create_database()
    repo = write_team_repo(tmp_path_factory.mktemp("team") / "feature-repo", db_url)
    with pytest.MonkeyPatch.context() as env:
        for key, value in repo.environment.items():
            env.setenv(key, value)
        demo = seed_feature_repo(repo.path, customers=60, days=20)
        yield Team(db_url, repo, demo)


@pytest.fixture(scope="module")
def services(team: Team, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Maestro's services, as the team's Maestro service builds them: ``MAESTRO_FEAST_REPO`` is the team repo."""
    from maestro_jupyter.services import Services

    home = tmp_path_factory.mktemp("maestro-home")
    return Services(Settings.from_env({"MAESTRO_FEAST_REPO": str(team.repo.path)}, home=str(home)))


def tables(db_url: str) -> dict[str, int]:
    """The tables of the public schema and their row counts."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=10) as conn:
        names = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        counts = {
            n: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(n))).fetchone() for n in names
        }
        return {n: int(row[0]) for n, row in counts.items() if row is not None}


def feast_store(repo: Path) -> Any:
    from feast import FeatureStore

    return FeatureStore(repo_path=str(repo))


def process_env(**extra: str) -> dict[str, str]:
    """An environment for another process: this one's without the password, plus ``extra``."""
    return {**{k: v for k, v in os.environ.items() if k != PASSWORD_ENV}, **extra}


def test_the_repo_file_holds_no_secret_and_feast_reads_the_teams_postgres_with_the_environments_password(
    team: Team,
) -> None:
    text = team.repo.yaml_path.read_text()
    assert team.password
    assert team.password not in text
    assert "${" + PASSWORD_ENV + "}" in text
    assert team.repo.environment == {PASSWORD_ENV: team.password}

    store = feast_store(team.repo.path)
    config = store.config
    assert (config.registry.registry_type, config.online_store.type, config.offline_store.type) == (
        "sql",
        "postgres",
        "file",
    )
    assert config.online_store.password == team.password  # substituted from the environment
    parts = urlsplit(team.db_url)
    assert (config.online_store.host, config.online_store.port) == (parts.hostname, parts.port)
    assert config.online_store.database == parts.path.strip("/")
    assert type(store.registry).__name__ == "SqlRegistry"
    assert team.password in config.registry.path
    assert parts.path in config.registry.path

    # What apply and materialize wrote is in PostgreSQL: the registry's tables, one online row per customer and view.
    found = tables(team.db_url)
    assert found.keys() >= REGISTRY_TABLES
    assert found.keys() >= ONLINE_TABLES
    customers = pd.read_parquet(team.demo.data_dir / "profile.parquet")[JOIN_KEY].nunique()
    for table in ONLINE_TABLES:
        assert found[table] >= customers, (table, found[table])
    assert found["feature_views"] == 2
    assert found["on_demand_feature_views"] == 1

    # Without the password in its environment, another process holding the same file opens nothing.
    probe = (
        f"from feast import FeatureStore; print(FeatureStore(repo_path={str(team.repo.path)!r}).list_feature_views())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=process_env(), capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode != 0
    assert "password authentication failed" in done.stderr


def test_maestro_lists_what_the_team_registry_holds(team: Team, services: Any) -> None:
    from maestro_jupyter.contract.featurestore import (
        GetFeatureStore,
        GetFeatureView,
        ListFeatureServices,
        ListFeatureViews,
    )

    overview = services.featurestore.overview(GetFeatureStore(), ACTOR)
    assert overview.project == "maestro"
    assert Path(overview.repo).resolve() == team.repo.path
    assert "postgres" in overview.online_store.lower()
    assert (overview.views, overview.on_demand_views, overview.entities) == (2, 1, 1)
    views = services.featurestore.list_views(ListFeatureViews(), ACTOR)
    assert {v.name for v in views.items} == {PROFILE_VIEW, ACTIVITY_VIEW, RATIOS_VIEW}
    activity = services.featurestore.get_view(GetFeatureView(name=ACTIVITY_VIEW), ACTOR)
    assert [f.name for f in activity.features] == ["logins_7d", "support_tickets_30d", "data_gb_7d"]
    # Materialized up to the demo's end, as recorded in the shared registry.
    assert activity.last_materialized == pytest.approx(team.demo.end.timestamp())
    assert SERVICE in {s.name for s in services.featurestore.list_services(ListFeatureServices(), ACTOR).items}


def test_a_training_set_from_the_team_store_is_feasts_own_answer(team: Team, services: Any) -> None:
    from maestro_jupyter.contract.featurestore import BuildTrainingSet

    labels = pd.read_parquet(team.demo.labels)
    built = services.featurestore.training_set(BuildTrainingSet(entity_df=labels, service=SERVICE), ACTOR)
    frame = built.frame
    # Every entity row, in the caller's order.
    assert len(frame) == len(labels) == built.rows
    pd.testing.assert_frame_equal(
        frame[[JOIN_KEY, "event_timestamp"]].reset_index(drop=True),
        labels[[JOIN_KEY, "event_timestamp"]].reset_index(drop=True),
    )
    assert set(built.views) == {PROFILE_VIEW, ACTIVITY_VIEW, RATIOS_VIEW}

    store = feast_store(team.repo.path)
    expected = store.get_historical_features(labels, features=store.get_feature_service(SERVICE)).to_df()
    features = [c for c in expected.columns if c not in labels.columns]
    assert len(features) == len(team.demo.service_features)
    keys = [JOIN_KEY, "event_timestamp"]
    ours = frame.sort_values(keys).reset_index(drop=True)
    theirs = expected.sort_values(keys).reset_index(drop=True)
    assert len(theirs) == len(ours)  # every label has features within the views' TTLs here
    for column in features:
        pd.testing.assert_series_equal(ours[column], theirs[column], check_dtype=False, check_names=False, obj=column)
    assert frame[features].notna().all().all()


def test_an_online_lookup_reads_the_postgres_online_store(team: Team, services: Any) -> None:
    from maestro_jupyter.contract.featurestore import GetOnlineFeatures

    activity = pd.read_parquet(team.demo.data_dir / "activity.parquet")
    latest: dict[int, dict[str, Any]] = (
        activity.sort_values("event_timestamp").groupby(JOIN_KEY).last().to_dict(orient="index")  # type: ignore[assignment]
    )
    known = [int(i) for i in sorted(latest)[:2]]
    unknown = max(latest) + 1000
    entities: list[dict[str, str | int | float]] = [{JOIN_KEY: known[0]}, {JOIN_KEY: unknown}, {JOIN_KEY: known[1]}]
    answer = services.featurestore.online(GetOnlineFeatures(entities=entities, service=SERVICE), ACTOR)

    assert [row[JOIN_KEY] for row in answer.rows] == [known[0], unknown, known[1]]
    for row, customer in ((answer.rows[0], known[0]), (answer.rows[2], known[1])):
        # The last value materialized, from PostgreSQL.
        last = latest[customer]
        assert row["logins_7d"] == last["logins_7d"]
        assert row["data_gb_7d"] == pytest.approx(last["data_gb_7d"])
        assert row["tickets_per_login"] == pytest.approx(last["support_tickets_30d"] / (last["logins_7d"] + 1))
    # The customer the store has never seen: each of its batch features is missing, and named.
    assert any(f"{JOIN_KEY}={unknown}" in m and "logins_7d" in m for m in answer.missing)
    assert not [m for m in answer.missing if f"={known[0]}" in m or f"={known[1]}" in m]
    assert answer.stale == []

    # Feast's own answer for the same entities agrees.
    store = feast_store(team.repo.path)
    direct = store.get_online_features(features=store.get_feature_service(SERVICE), entity_rows=entities).to_dict()
    assert [row["monthly_charges"] for row in answer.rows] == pytest.approx(direct["monthly_charges"], nan_ok=True)


def test_a_feature_service_saved_through_maestro_is_in_the_shared_registry(team: Team, services: Any) -> None:
    from maestro_jupyter.contract.featurestore import GetFeatureService, SaveFeatureService
    from maestro_jupyter.services import Services

    chosen = [f"{ACTIVITY_VIEW}:logins_7d", f"{ACTIVITY_VIEW}:support_tickets_30d", f"{PROFILE_VIEW}:tenure_months"]
    saved = services.featurestore.save_service(
        SaveFeatureService(name="churn_team_slim", features=chosen, description="Three features that matter"),
        ACTOR,
    )
    assert saved.name == "churn_team_slim"
    assert sorted(saved.features) == sorted(chosen)

    # Another process, opening the repo anew with the password: the registry in PostgreSQL has it.
    probe = (
        "import json; from feast import FeatureStore\n"
        f"fs = FeatureStore(repo_path={str(team.repo.path)!r}).get_feature_service('churn_team_slim')\n"
        "print(json.dumps([f'{p.name}:{f.name}' for p in fs.feature_view_projections for f in p.features]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=process_env(**{PASSWORD_ENV: team.password}),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(json.loads(done.stdout.strip().splitlines()[-1])) == sorted(chosen)

    # And a second Maestro (another replica of the service, or the next start) sees it too.
    other = Services(services.settings)
    again = other.featurestore.get_service(GetFeatureService(name="churn_team_slim"), ACTOR)
    assert sorted(again.features) == sorted(chosen)
    assert again.description == "Three features that matter"


def test_without_the_password_maestro_says_the_store_is_unavailable(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from maestro_jupyter.contract.featurestore import ListFeatureViews
    from maestro_jupyter.errors import BackendUnavailable
    from maestro_jupyter.services import Services

    monkeypatch.delenv(PASSWORD_ENV)
    fresh = Services(Settings.from_env({"MAESTRO_FEAST_REPO": str(team.repo.path)}, home=str(tmp_path)))
    with pytest.raises(BackendUnavailable) as caught:
        fresh.featurestore.list_views(ListFeatureViews(), ACTOR)
    assert team.password not in str(caught.value)
