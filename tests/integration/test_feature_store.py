"""The feature-store service against real Feast repos: browsing, searching, bad input, saving a feature service and
online lookups (present, missing and stale values), and how the repository is found and opened."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from maestro_jupyter.backends.feast_store import FeastBackend
from maestro_jupyter.contract.base import laptop_actor
from maestro_jupyter.contract.featurestore import (
    BuildTrainingSet,
    GetFeatureService,
    GetFeatureStore,
    GetFeatureView,
    GetOnlineFeatures,
    ListDataSources,
    ListEntities,
    ListFeatureServices,
    ListFeatureViews,
    SaveFeatureService,
    SearchFeatureStore,
)
from maestro_jupyter.errors import BackendUnavailable, Conflict, InvalidParameter, NotFound
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings
from tests.feast_tiny_repo import build_tiny_repo, day
from tests.feature_helpers import FeatureDemo, copy_feature_repo, entity_frame, feature_settings, open_store

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::DeprecationWarning")


def _services(settings: Settings) -> tuple[Services, object]:
    services = Services(settings)
    return services, laptop_actor(settings)


@pytest.fixture
def shared(tmp_path: Path, feast_repo: FeatureDemo):
    """Services on the session's demo repo (read-only), and a function that runs a request."""
    services, actor = _services(feature_settings(tmp_path / "home", feast_repo))
    return lambda request: services.execute(request, actor)


@pytest.fixture
def private(tmp_path: Path, feast_repo: FeatureDemo):
    """Services on a private copy of the demo repo (its registry may change)."""
    demo = copy_feature_repo(feast_repo, tmp_path / "repo")
    services, actor = _services(feature_settings(tmp_path / "home", demo))
    return services, (lambda request: services.execute(request, actor)), demo


# --- browsing -------------------------------------------------------------------------------------------------


def test_overview_views_entities_sources_and_services_describe_the_demo_repo(shared, feast_repo):
    overview = shared(GetFeatureStore())
    assert (overview.project, overview.views, overview.on_demand_views) == (feast_repo.project, 2, 1)
    assert (overview.entities, overview.sources, overview.services) == (1, 2, 1)
    assert (overview.provider, overview.online_store, overview.offline_store) == ("local", "sqlite", "file")
    assert overview.registry_version == open_store(feast_repo).registry.proto().version_id
    assert overview.last_materialized == pytest.approx(feast_repo.end.timestamp())

    views = shared(ListFeatureViews())
    assert [v.name for v in views] == ["customer_activity", "customer_profile", "customer_ratios"]
    assert views.total == 3
    profile = shared(GetFeatureView(name="customer_profile"))
    assert profile.kind == "batch"
    assert profile.entities == ["customer"]
    assert [(f.name, f.dtype) for f in profile.features][:2] == [("plan", "String"), ("tenure_months", "Int64")]
    assert profile.features[0].description.startswith("Subscription plan")
    assert profile.ttl_seconds == 45 * 86400
    assert profile.owner
    assert profile.tags["domain"] == "churn"
    assert profile.source == "customer_profile_source"
    assert profile.services == ["churn_v1"]
    # Freshness: the materialization's end, and one row per customer in the SQLite online store.
    assert profile.last_materialized == pytest.approx(feast_repo.end.timestamp())
    assert profile.online_rows == entity_frame(feast_repo)["customer_id"].nunique()
    ratios = shared(GetFeatureView(name="customer_ratios"))
    assert ratios.kind == "on_demand"
    assert ratios.online_rows is None
    assert ratios.ttl_seconds is None
    assert set(ratios.sources) == {"customer_profile", "customer_activity"}
    assert ratios.entities == ["customer"]

    entities = shared(ListEntities())
    assert [(e.name, e.join_keys, e.value_type) for e in entities] == [("customer", ["customer_id"], "INT64")]
    assert set(entities[0].views) == {"customer_profile", "customer_activity", "customer_ratios"}
    sources = {s.name: s for s in shared(ListDataSources())}
    assert sources["customer_profile_source"].kind == "file"
    assert sources["customer_profile_source"].location.endswith("profile.parquet")
    assert sources["customer_profile_source"].views == ["customer_profile"]
    assert sources["customer_activity_source"].created_timestamp_column == "created"
    service = shared(GetFeatureService(name="churn_v1"))
    assert service.features == feast_repo.service_features
    assert service.views == ["customer_profile", "customer_activity", "customer_ratios"]
    assert service.created_at is not None
    assert [s.name for s in shared(ListFeatureServices(search="ratio"))] == ["churn_v1"]
    assert list(shared(ListFeatureServices(search="nothing-like-it"))) == []


def test_search_finds_names_first_then_descriptions(shared):
    found = shared(SearchFeatureStore(query="login"))
    kinds = [(h.kind, h.name, h.view) for h in found]
    assert kinds[:2] == [
        ("feature", "logins_7d", "customer_activity"),
        ("feature", "tickets_per_login", "customer_ratios"),
    ]
    assert ("view", "customer_ratios", None) in kinds[2:]  # its description mentions logins
    views = shared(ListFeatureViews(search="GB"))
    assert {v.name for v in views} == {"customer_activity", "customer_ratios"}
    assert views.total == 3
    assert [h.kind for h in shared(SearchFeatureStore(query="customer_id"))] == ["entity"]


def test_results_read_as_a_summary_then_details(shared):
    view = shared(GetFeatureView(name="customer_profile"))
    text = str(view)
    assert text.splitlines()[0].startswith("Feature view customer_profile · 4 features · materialized")
    assert re.search(r"TTL\s+45 d", text)
    html = view._repr_html_()
    assert "customer_profile" in html
    assert "var(--jp-" in html
    assert "<details>" in html
    listing = str(shared(ListFeatureViews()))
    assert listing.splitlines()[0] == "3 feature views"
    overview = shared(GetFeatureStore())._repr_mimebundle_()
    assert set(overview) == {"text/html", "text/plain"}


# --- bad input ------------------------------------------------------------------------------------------------


def test_bad_training_set_requests_are_typed_errors_before_feast_runs(shared, feast_repo):
    labels = entity_frame(feast_repo, rows=20)
    with pytest.raises(InvalidParameter, match=r"no 'event_timestamp' column.*timestamp_column"):
        shared(BuildTrainingSet(entity_df=labels.drop(columns="event_timestamp"), service="churn_v1"))
    with pytest.raises(InvalidParameter, match=r"no 'when' column"):
        shared(BuildTrainingSet(entity_df=labels, service="churn_v1", timestamp_column="when"))
    with pytest.raises(InvalidParameter, match=r"not times"):
        shared(BuildTrainingSet(entity_df=labels.assign(event_timestamp="soon"), service="churn_v1"))
    with pytest.raises(NotFound, match=r"No feature view 'customer_profil'.*views: customer_profile, "):
        shared(BuildTrainingSet(entity_df=labels, features=["customer_profil:plan"]))
    with pytest.raises(NotFound, match=r"customer_profile has no feature 'tenure'; its features: tenure_months"):
        shared(BuildTrainingSet(entity_df=labels, features=["customer_profile:tenure"]))
    with pytest.raises(NotFound, match=r"No feature service 'churn_v2'.*churn_v1"):
        shared(BuildTrainingSet(entity_df=labels, service="churn_v2"))
    # Mismatched entity keys: the join key missing, or of another type than the entity's.
    with pytest.raises(InvalidParameter, match=r"no 'customer_id' column.*its columns: cid"):
        shared(BuildTrainingSet(entity_df=labels.rename(columns={"customer_id": "cid"}), service="churn_v1"))
    with pytest.raises(InvalidParameter, match=r"'customer_id' column holds object values.*int64"):
        shared(BuildTrainingSet(entity_df=labels.astype({"customer_id": str}), service="churn_v1"))
    bad = labels.astype({"customer_id": "float64"})
    bad.loc[3, "customer_id"] = None
    with pytest.raises(InvalidParameter, match=r"'customer_id' column has 1 missing"):
        shared(BuildTrainingSet(entity_df=bad, service="churn_v1"))
    with pytest.raises(InvalidParameter, match=r"already has a column 'plan'"):
        shared(BuildTrainingSet(entity_df=labels.assign(plan="x"), features=["customer_profile"]))
    with pytest.raises(InvalidParameter, match=r"no rows"):
        shared(BuildTrainingSet(entity_df=labels.head(0), service="churn_v1"))
    with pytest.raises(InvalidParameter, match=r"exactly one"):
        BuildTrainingSet.build(entity_df=labels, service="churn_v1", features=["customer_profile"])
    with pytest.raises(InvalidParameter, match=r"view:feature"):
        BuildTrainingSet.build(entity_df=labels, features=["a:b:c"])


def test_a_missing_repository_is_unavailable_and_the_default_one_is_created(tmp_path):
    missing = Settings.from_env({}, home=str(tmp_path / "home"), feast_repo=str(tmp_path / "nowhere"))
    services, actor = _services(missing)
    with pytest.raises(BackendUnavailable, match=r"nowhere.*does not exist.*MAESTRO_FEAST_REPO"):
        services.execute(GetFeatureStore(), actor)
    (tmp_path / "nowhere").mkdir()
    with pytest.raises(BackendUnavailable, match=r"has no feature_store.yaml"):
        services.execute(GetFeatureStore(), actor)
    (tmp_path / "nowhere" / "feature_store.yaml").write_text("project: [not, a, name]\nprovider: 7\n")
    with pytest.raises(BackendUnavailable, match=r"cannot be opened: its feature_store.yaml is not valid"):
        services.execute(GetFeatureStore(), actor)

    # The embedded default: an empty, valid local repo under MAESTRO_HOME, made on first use.
    default = Settings.from_env({}, home=str(tmp_path / "fresh"))
    services, actor = _services(default)
    overview = services.execute(GetFeatureStore(), actor)
    assert (overview.views, overview.services, overview.online_store) == (0, 0, "sqlite")
    assert (tmp_path / "fresh" / "feature_repo" / "feature_store.yaml").exists()
    assert list(services.execute(ListFeatureViews(), actor)) == []


def test_the_store_is_reopened_when_its_yaml_changes(tmp_path):
    build_tiny_repo(tmp_path / "tiny")
    backend = FeastBackend(Settings.from_env({}, home=str(tmp_path / "home"), feast_repo=str(tmp_path / "tiny")))
    first = backend.store
    assert backend.store is first
    assert backend.project == "tiny"
    yaml = tmp_path / "tiny" / "feature_store.yaml"
    yaml.write_text(yaml.read_text().replace("project: tiny", "project: other"))
    assert backend.store is not first
    assert backend.project == "other"
    assert backend.all_views() == {}  # the other project holds nothing


# --- saving a feature service ---------------------------------------------------------------------------------


def test_save_service_round_trip_conflict_and_overwrite(private):
    services, run, demo = private
    before = run(GetFeatureStore()).registry_version
    saved = run(
        SaveFeatureService(
            name="churn_small",
            features=["customer_profile:plan", "customer_activity"],
            description="Plan and activity",
            tags={"stage": "try"},
        )
    )
    assert saved.features == [
        "customer_profile:plan",
        "customer_activity:logins_7d",
        "customer_activity:support_tickets_30d",
        "customer_activity:data_gb_7d",
    ]
    assert (saved.description, saved.tags, saved.owner) == (
        "Plan and activity",
        {"stage": "try"},
        services.settings.user,
    )
    assert run(GetFeatureStore()).registry_version != before
    # Feast itself sees it, and a training set can be built from it.
    assert [p.name for p in open_store(demo).get_feature_service("churn_small").feature_view_projections] == [
        "customer_profile",
        "customer_activity",
    ]
    ts = run(BuildTrainingSet(entity_df=entity_frame(demo, rows=10), service="churn_small"))
    assert ts.service == "churn_small"
    assert list(ts.frame.columns)[3:] == [
        "plan",
        "logins_7d",
        "support_tickets_30d",
        "data_gb_7d",
    ]

    with pytest.raises(Conflict, match=r"churn_small.*already exists"):
        run(SaveFeatureService(name="churn_small", features=["customer_profile:plan"]))
    replaced = run(SaveFeatureService(name="churn_small", features=["customer_profile:plan"], overwrite=True))
    assert replaced.features == ["customer_profile:plan"]
    assert run(GetFeatureService(name="churn_small")).features == ["customer_profile:plan"]
    # An unknown feature saves nothing.
    with pytest.raises(NotFound, match=r"no feature 'nope'"):
        run(SaveFeatureService(name="broken", features=["customer_profile:nope"]))
    assert [s.name for s in run(ListFeatureServices())] == ["churn_small", "churn_v1"]
    with pytest.raises(InvalidParameter, match=r"Invalid feature service name"):
        SaveFeatureService.build(name="no spaces", features=["customer_profile"])


# --- online ---------------------------------------------------------------------------------------------------


def test_online_values_match_feast_and_name_what_is_missing(shared, feast_repo):
    customer = int(entity_frame(feast_repo)["customer_id"].iloc[0])
    found = shared(GetOnlineFeatures(entities=[{"customer_id": customer}, {"customer_id": 424242}], service="churn_v1"))
    store = open_store(feast_repo)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = store.get_online_features(
            features=store.get_feature_service("churn_v1"), entity_rows=[{"customer_id": customer}]
        ).to_dict()
    features = [r.split(":")[1] for r in feast_repo.service_features]
    assert list(found.rows[0]) == ["customer_id", *features]
    assert found.rows[0] == {k: direct[k][0] for k in ["customer_id", *features]}
    assert found.rows[1]["customer_id"] == 424242
    assert all(found.rows[1][f] is None for f in features)
    assert found.missing == [f"customer_id=424242: {r}" for r in sorted(feast_repo.service_features)]
    assert found.stale == []
    assert "1 value" not in str(found)
    assert str(found).startswith("Online features · 2 entities · 8 values missing")


def test_online_values_beyond_the_ttl_are_stale_and_bad_entities_are_refused(tmp_path):
    # Materialized up to day 10: customer 1's balance (day 9) is long beyond the 10-day TTL by now.
    build_tiny_repo(tmp_path / "tiny", materialize_until=day(10))
    services, actor = _services(Settings.from_env({}, home=str(tmp_path / "home"), feast_repo=str(tmp_path / "tiny")))
    lookup = services.feast.online(
        [{"customer_id": 1}, {"customer_id": 3}], services.feast.resolve(["account:balance"], None)
    )
    assert lookup.frame["customer_id"].tolist() == [1, 3]
    assert lookup.frame["balance"].tolist()[0] == 90
    assert lookup.stale == [(0, "account:balance")]
    assert lookup.missing == [(1, "account:balance")]
    assert lookup.ttl_seconds == {"account": 10 * 86400}
    answer = services.execute(GetOnlineFeatures(entities=[{"customer_id": "1"}], features=["account"]), actor)
    assert answer.stale == ["customer_id=1: account:balance", "customer_id=1: account:tier"]

    run = lambda **kw: services.execute(GetOnlineFeatures(**kw), actor)  # noqa: E731
    with pytest.raises(InvalidParameter, match=r"Entity 0 has no 'customer_id'.*it has cid"):
        run(entities=[{"cid": 1}], service="balances")
    with pytest.raises(InvalidParameter, match=r"Entity 1: customer_id must be a whole number"):
        run(entities=[{"customer_id": 1}, {"customer_id": "one"}], service="balances")
    with pytest.raises(InvalidParameter, match=r"'region', which no chosen view is keyed by"):
        run(entities=[{"customer_id": 1, "region": "eu"}], service="balances")
    with pytest.raises(NotFound, match=r"No feature view 'acount'.*account"):
        run(entities=[{"customer_id": 1}], features=["acount:balance"])


def test_the_timestamp_may_be_text_and_the_answer_keeps_the_callers_frame(tmp_path):
    build_tiny_repo(tmp_path / "tiny")
    backend = FeastBackend(Settings.from_env({}, home=str(tmp_path / "home"), feast_repo=str(tmp_path / "tiny")))
    entity_df = pd.DataFrame(
        {"customer_id": [1, 2], "event_timestamp": [day(8).isoformat(), day(3).isoformat()], "note": ["a", "b"]},
        index=["x", "y"],
    )
    frame = backend.training_frame(entity_df, backend.resolve(["account:balance"], None))
    assert list(frame.index) == ["x", "y"]
    assert list(frame["note"]) == ["a", "b"]
    assert frame["event_timestamp"].tolist() == entity_df["event_timestamp"].tolist()  # untouched
    assert list(frame["balance"]) == [55, 20]
    assert frame.attrs["maestro_feature_views"] == {"balance": "account"}
    assert isinstance(day(1), dt.datetime)
