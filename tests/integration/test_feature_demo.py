"""The demo feature repo (``maestro_jupyter.feature_demo``) is a real, working Feast repo: applied, materialized,
point-in-time consistent, with labels a model can learn; seeding it again changes nothing but the data's window, and
``python -m maestro_jupyter.demo`` seeds it under ``MAESTRO_HOME`` (``make lab``)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from maestro_jupyter.feature_demo import (
    ACTIVITY_TTL,
    PROFILE_TTL,
    churn_frames,
    definitions,
    seed_feature_repo,
)
from maestro_jupyter.settings import Settings
from tests.feature_helpers import copy_feature_repo, entity_frame, open_store

SERVICE_COLUMNS = [
    "tenure_months",
    "monthly_charges",
    "contract_months",
    "logins_7d",
    "support_tickets_30d",
    "data_gb_7d",
    "tickets_per_login",
    "charges_per_gb",
]


def _as_of(entities: pd.DataFrame, source: pd.DataFrame, ttl: timedelta) -> pd.DataFrame:
    """The hand-built point-in-time join: for each entity row, the source's latest row at or before its timestamp
    (latest ``created`` on ties), if within ``ttl``."""
    ordered = source.sort_values(["event_timestamp", "created"])
    joined = pd.merge_asof(
        entities.sort_values("event_timestamp"),
        ordered.rename(columns={"event_timestamp": "feature_timestamp"}),
        left_on="event_timestamp",
        right_on="feature_timestamp",
        by="customer_id",
        direction="backward",
        tolerance=pd.Timedelta(ttl),
    )
    return joined.set_index("customer_id").sort_index()


def test_the_demo_repo_defines_views_an_on_demand_view_and_a_service(feast_repo):
    store = open_store(feast_repo)
    assert store.project == feast_repo.project == "maestro"
    [customer] = store.list_entities()
    assert (customer.name, customer.join_key) == ("customer", "customer_id")
    views = {v.name: v for v in store.list_feature_views()}
    assert sorted(views) == sorted(feast_repo.views) == ["customer_activity", "customer_profile"]
    for view in views.values():  # what the Features tab shows about a view
        assert view.owner
        assert view.description
        assert view.tags["domain"] == "churn"
        assert all(f.description for f in view.features)
    assert views["customer_profile"].ttl == PROFILE_TTL
    assert views["customer_activity"].ttl == ACTIVITY_TTL
    assert [f.name for f in views["customer_profile"].features] == [
        "plan",
        "tenure_months",
        "monthly_charges",
        "contract_months",
    ]
    [ratios] = store.list_on_demand_feature_views()
    assert ratios.name == "customer_ratios"
    assert feast_repo.on_demand_views == ["customer_ratios"]
    assert sorted(ratios.source_feature_view_projections) == ["customer_activity", "customer_profile"]
    service = store.get_feature_service("churn_v1")
    refs = [f"{p.name}:{f.name}" for p in service.feature_view_projections for f in p.features]
    assert refs == feast_repo.service_features
    assert [r.split(":")[1] for r in refs] == SERVICE_COLUMNS
    # The data files and the readable definitions are in the repo, where a person looks for them.
    assert sorted(p.name for p in feast_repo.data_dir.glob("*.parquet")) == [
        "activity.parquet",
        "labels.parquet",
        "profile.parquet",
    ]
    assert (feast_repo.repo / "features.py").exists()
    assert (feast_repo.repo / "feature_store.yaml").exists()


def test_the_batch_views_are_materialized_up_to_the_end(feast_repo):
    store = open_store(feast_repo)
    for name in feast_repo.views:
        view = store.get_feature_view(name)
        assert view.materialization_intervals, name
        assert max(end for _start, end in view.materialization_intervals) == feast_repo.end
        # Seeded "now" (the hour the seeding ran in): the online values were fresh when it applied them.
        applied = view.last_updated_timestamp.replace(tzinfo=UTC)
        assert timedelta(0) <= applied - feast_repo.end < timedelta(hours=1, minutes=5)


def test_online_rows_are_the_latest_values_and_the_ratios_are_computed(feast_repo):
    frames = {name: pd.read_parquet(feast_repo.data_dir / f"{name}.parquet") for name in ("profile", "activity")}
    store = open_store(feast_repo)
    ids = [1001, 1002, 1150]
    answer = store.get_online_features(
        features=store.get_feature_service("churn_v1"),
        entity_rows=[{"customer_id": i} for i in ids] + [{"customer_id": 7}],
    )
    online = pd.DataFrame(answer.to_dict()).set_index("customer_id")
    for frame in frames.values():
        latest = frame.sort_values("event_timestamp").groupby("customer_id").last()
        columns = [c for c in SERVICE_COLUMNS if c in latest.columns]
        pd.testing.assert_frame_equal(online.loc[ids, columns], latest.loc[ids, columns], check_dtype=False)
    expected = online.loc[ids, "support_tickets_30d"] / (online.loc[ids, "logins_7d"] + 1)
    pd.testing.assert_series_equal(online.loc[ids, "tickets_per_login"], expected, check_names=False)
    # An unknown customer has no values: Feast says NOT_FOUND for each of them.
    assert online.loc[7, SERVICE_COLUMNS].isna().all()
    from feast.protos.feast.serving.ServingService_pb2 import FieldStatus

    names = list(answer.proto.metadata.feature_names.val)
    statuses = {name: list(result.statuses) for name, result in zip(names, answer.proto.results, strict=True)}
    for column in SERVICE_COLUMNS[:6]:  # the stored ones (the ratios are computed, from whatever came back)
        assert statuses[column] == [FieldStatus.PRESENT] * 3 + [FieldStatus.NOT_FOUND], column


def test_every_label_has_point_in_time_features_and_a_model_learns_from_them(feast_repo):
    labels = entity_frame(feast_repo)
    assert len(labels) == feast_repo.rows["labels"] == 200
    assert set(labels.columns) == {"customer_id", "event_timestamp", "churned"}
    store = open_store(feast_repo)
    training = store.get_historical_features(labels, features=store.get_feature_service("churn_v1")).to_df()
    assert len(training) == len(labels)  # no label lost for want of features within the TTLs
    assert sorted(training.columns) == sorted(["customer_id", "event_timestamp", "churned", *SERVICE_COLUMNS])
    assert not training[SERVICE_COLUMNS].isna().any().any()
    training = training.set_index("customer_id").sort_index()
    profile = pd.read_parquet(feast_repo.data_dir / "profile.parquet")
    activity = pd.read_parquet(feast_repo.data_dir / "activity.parquet")
    by_hand = _as_of(labels, activity, ACTIVITY_TTL).join(
        _as_of(labels, profile, PROFILE_TTL)[["tenure_months", "monthly_charges", "contract_months"]]
    )
    # Activity changes daily, so a value from the wrong day would show: Feast and the hand-built join agree.
    for column in ("logins_7d", "support_tickets_30d", "data_gb_7d", "tenure_months", "monthly_charges"):
        pd.testing.assert_series_equal(training[column], by_hand[column], check_dtype=False, check_names=False)

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    base_rate = max(training["churned"].mean(), 1 - training["churned"].mean())
    assert 0.15 < training["churned"].mean() < 0.45  # both classes well represented
    accuracy = cross_val_score(
        LogisticRegression(max_iter=2000), training[SERVICE_COLUMNS], training["churned"], cv=5
    ).mean()
    assert accuracy > base_rate + 0.1, (accuracy, base_rate)


def test_the_dataset_is_deterministic_and_created_follows_the_event():
    end = datetime(2026, 3, 1, 12, tzinfo=UTC)
    first, again, other = churn_frames(seed=0, end=end), churn_frames(seed=0, end=end), churn_frames(seed=1, end=end)
    for name in ("profile", "activity", "labels"):
        pd.testing.assert_frame_equal(first[name], again[name])
    assert not first["labels"]["churned"].equals(other["labels"]["churned"])
    for name in ("profile", "activity"):
        frame = first[name]
        lag = frame["created"] - frame["event_timestamp"]
        assert lag.min() >= pd.Timedelta(minutes=5)
        assert lag.max() <= pd.Timedelta(hours=2)
        assert frame["event_timestamp"].max() < end
    assert first["labels"]["event_timestamp"].min() >= end - timedelta(days=30)
    assert first["activity"]["event_timestamp"].dt.tz is not None


def test_seeding_again_re_applies_without_duplicates_and_keeps_the_repos_files(feast_repo, tmp_path):
    repo = copy_feature_repo(feast_repo, tmp_path / "repo").repo
    yaml = repo / "feature_store.yaml"
    yaml.write_text(yaml.read_text() + "# kept by the team\n")
    (repo / "features.py").write_text("# my edits\n")
    later = feast_repo.end + timedelta(days=3)
    demo = seed_feature_repo(repo, end=later)
    assert yaml.read_text().endswith("# kept by the team\n")
    assert (repo / "features.py").read_text() == "# my edits\n"
    store = open_store(demo)
    assert sorted(v.name for v in store.list_feature_views()) == ["customer_activity", "customer_profile"]
    assert [v.name for v in store.list_on_demand_feature_views()] == ["customer_ratios"]
    assert [s.name for s in store.list_feature_services()] == ["churn_v1"]
    assert [e.name for e in store.list_entities()] == ["customer"]
    assert len(store.list_data_sources()) == 2
    # The data moved to the new window and was materialized up to it.
    assert demo.end == later
    activity = store.get_feature_view("customer_activity")
    assert max(end for _start, end in activity.materialization_intervals) == later
    assert pd.read_parquet(demo.labels)["event_timestamp"].max() < later


def test_features_py_is_a_readable_copy_of_the_applied_definitions(feast_repo, monkeypatch):
    """The file people read and edit defines what was applied: same objects, schemas, TTLs, owners and tags."""
    path = feast_repo.repo / "features.py"
    spec = importlib.util.spec_from_file_location("demo_features_py", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "demo_features_py", module)
    spec.loader.exec_module(module)
    from_file = {obj.name: obj for obj in vars(module).values() if hasattr(obj, "to_proto") and hasattr(obj, "name")}
    from_code = {obj.name: obj for obj in definitions(feast_repo.data_dir)}
    assert sorted(from_file) == sorted(from_code)
    for name, obj in from_code.items():
        mine, theirs = _spec(obj), _spec(from_file[name])
        # An on-demand view's function is pickled with its source text, which differs (a closure vs a module-level
        # function); what it computes is checked by the online test.
        for volatile in ("user_defined_function", "feature_transformation"):
            if volatile in mine.DESCRIPTOR.fields_by_name:
                mine.ClearField(volatile)
                theirs.ClearField(volatile)
        assert mine == theirs, name


def _spec(feast_object):
    """The object's definition as a proto, without the times it was made (which differ between two makings)."""
    proto = feast_object.to_proto()
    spec = proto.spec if "spec" in proto.DESCRIPTOR.fields_by_name else proto  # a data source's proto is flat
    _drop_meta(spec)
    return spec


def _drop_meta(message):
    for field, value in message.ListFields():
        if field.name == "meta":
            message.ClearField("meta")
        elif field.message_type is not None:
            # A map of messages, a repeated field, or one message.
            items = value.values() if hasattr(value, "values") else value if hasattr(value, "__len__") else [value]
            for item in items:
                if hasattr(item, "ListFields"):
                    _drop_meta(item)


def test_python_m_demo_seeds_the_feature_repo_under_maestro_home(tmp_path):
    from maestro_jupyter.demo import seed_features

    settings = Settings.from_env({}, home=str(tmp_path / "home"))
    messages: list[str] = []
    demo = seed_features(settings, log=messages.append)
    assert demo is not None
    assert demo.repo == settings.feast_repo == tmp_path / "home" / "feature_repo"
    assert "churn_v1" in messages[-1]
    store = open_store(demo)
    assert [s.name for s in store.list_feature_services()] == ["churn_v1"]
    # A team's repo (MAESTRO_FEAST_REPO elsewhere) is the team's: the demo is not written into it.
    team = tmp_path / "team-repo"
    assert (
        seed_features(Settings.from_env({}, home=str(tmp_path / "home"), feast_repo=str(team)), log=messages.append)
        is None
    )
    assert not team.exists()
    assert "not seeded" in messages[-1]


def test_an_empty_demo_is_refused():
    with pytest.raises(ValueError, match="at least one customer"):
        churn_frames(customers=0)
    with pytest.raises(ValueError, match="two days"):
        churn_frames(days=1)
