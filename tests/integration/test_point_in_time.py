"""Point-in-time correctness of training sets, against real Feast repos.

Two references: Feast's own ``get_historical_features`` on the same inputs (the demo churn repo, seeded with
``feast apply`` and ``materialize``), and a hand-built expectation on a tiny repo with planted values (a correction,
a late-arriving value, values beyond the TTL) that must not leak into the past.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from maestro_jupyter.backends.feast_store import FeastBackend
from maestro_jupyter.contract.base import laptop_actor
from maestro_jupyter.contract.featurestore import BuildTrainingSet
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings
from tests.feast_tiny_repo import build_tiny_repo, day
from tests.feature_helpers import FeatureDemo, entity_frame, feature_settings, open_store

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::DeprecationWarning")


@pytest.fixture
def services(tmp_path: Path, feast_repo: FeatureDemo) -> Services:
    return Services(feature_settings(tmp_path / "home", feast_repo))


def _feast_direct(demo: FeatureDemo, entity_df: pd.DataFrame, service: str) -> pd.DataFrame:
    store = open_store(demo)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return store.get_historical_features(entity_df=entity_df, features=store.get_feature_service(service)).to_df()


def test_training_set_matches_feast_row_for_row_and_keeps_every_row_in_order(services, feast_repo):
    labels = entity_frame(feast_repo)
    end = pd.Timestamp(feast_repo.end)
    # Shuffled, with a duplicate, an unknown customer, a row before any data, and a row far beyond every TTL: Feast
    # reorders its answer and leaves some of these out; Maestro must keep them all, where they were.
    extra = pd.DataFrame(
        {
            "customer_id": [labels.customer_id[0], 999_999, labels.customer_id[1], labels.customer_id[2]],
            "event_timestamp": [
                labels.event_timestamp[0],
                end,
                end - pd.Timedelta(days=400),
                end + pd.Timedelta(days=400),
            ],
            "churned": [0, 0, 1, 1],
        }
    )
    entity_df = pd.concat([labels.sample(frac=1.0, random_state=3), extra], ignore_index=True)
    entity_df.index = pd.RangeIndex(1000, 1000 + len(entity_df))  # the caller's own index survives

    ts = services.execute(
        BuildTrainingSet(entity_df=entity_df, service=feast_repo.service), laptop_actor(services.settings)
    )
    ours = ts.frame
    theirs = _feast_direct(feast_repo, entity_df[["customer_id", "event_timestamp"]], feast_repo.service)

    assert len(ours) == len(entity_df)
    assert list(ours.index) == list(entity_df.index)
    pd.testing.assert_frame_equal(ours[entity_df.columns], entity_df)
    features = [ref.split(":")[1] for ref in feast_repo.service_features]
    assert list(ours.columns) == [*entity_df.columns, *features]
    assert ts.refs == feast_repo.service_features
    assert ours.attrs["maestro_feature_views"] == {r.split(":")[1]: r.split(":")[0] for r in ts.refs}

    # Every row Feast answered has exactly Feast's values (matched on key and time: the duplicate agrees with
    # itself); every row it left out has no features here.
    keyed = theirs.drop_duplicates(["customer_id", "event_timestamp"]).set_index(["customer_id", "event_timestamp"])
    ours_keyed = ours.set_index(["customer_id", "event_timestamp"])
    answered = ours_keyed.index.isin(keyed.index)
    expected = keyed.loc[ours_keyed.index[answered], features].reset_index(drop=True)
    got = ours_keyed.loc[answered, features].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert ours_keyed.loc[~answered, features].isna().all().all()
    # The rows that can have nothing: the unknown customer, before any data, beyond every TTL.
    no_features = ours[features].isna().all(axis=1)
    assert no_features.iloc[-3:].all()
    assert ts.rows_without_features == int(no_features.sum()) >= 3
    assert not no_features.iloc[: len(labels)].all()


def test_a_feature_list_and_a_timestamp_column_of_another_name(services, feast_repo):
    labels = entity_frame(feast_repo, rows=40).rename(columns={"event_timestamp": "label_time"})
    ts = services.execute(
        BuildTrainingSet(
            entity_df=labels,
            features=["customer_profile:plan", "customer_activity"],
            timestamp_column="label_time",
        ),
        laptop_actor(services.settings),
    )
    assert list(ts.frame.columns) == [
        "customer_id",
        "label_time",
        "churned",
        "plan",
        "logins_7d",
        "support_tickets_30d",
        "data_gb_7d",
    ]
    assert ts.columns_by_view == {
        "customer_profile": ["plan"],
        "customer_activity": ["logins_7d", "support_tickets_30d", "data_gb_7d"],
    }
    theirs = _feast_direct_features(feast_repo, labels.rename(columns={"label_time": "event_timestamp"}))
    merged = ts.frame.rename(columns={"label_time": "event_timestamp"}).merge(
        theirs, on=["customer_id", "event_timestamp"], suffixes=("", "_feast")
    )
    assert len(merged) == len(theirs) > 0
    for column in ("plan", "logins_7d", "data_gb_7d"):
        pd.testing.assert_series_equal(merged[column], merged[f"{column}_feast"], check_names=False, check_dtype=False)


def _feast_direct_features(demo: FeatureDemo, entity_df: pd.DataFrame) -> pd.DataFrame:
    store = open_store(demo)
    return store.get_historical_features(
        entity_df=entity_df[["customer_id", "event_timestamp"]],
        features=["customer_profile:plan", "customer_activity:logins_7d", "customer_activity:data_gb_7d"],
    ).to_df()


# --- a hand-built expectation with planted values -------------------------------------------------------------

#: (customer_id, entity time, the balance it must see: None when nothing within the TTL is at or before then)
EXPECTED = [
    (1, day(8), 55),  # the day-5 correction; the value of day 8 01:00 arrives later and must not leak
    (2, day(3), 20),
    (1, day(4), 10),
    (1, day(9), 90),  # a value stamped exactly at the row's time counts
    (1, day(8) + pd.Timedelta(hours=1), 999),  # ...as the late value does at its own time
    (2, day(15), None),  # 13 days old: beyond the 10-day TTL
    (3, day(8), None),  # no such customer
    (1, day(0), None),  # before any value
    (1, day(18), 90),  # 9 days old: within the TTL
    (1, day(20), None),  # 11 days old: beyond it
    (1, day(8), 55),  # the same row twice: the same answer twice
]


@pytest.fixture
def tiny(tmp_path: Path) -> FeastBackend:
    build_tiny_repo(tmp_path / "tiny")
    return FeastBackend(Settings.from_env({}, home=str(tmp_path / "home"), feast_repo=str(tmp_path / "tiny")))


def test_no_late_value_leaks_into_the_past(tiny):
    entity_df = pd.DataFrame(
        {
            "customer_id": np.array([c for c, _, _ in EXPECTED], dtype="int64"),
            "event_timestamp": pd.to_datetime([t for _, t, _ in EXPECTED], utc=True),
            "label": range(len(EXPECTED)),
        }
    )
    resolved = tiny.resolve(["account:balance"], None)
    frame = tiny.training_frame(entity_df, resolved)

    assert list(frame["label"]) == list(range(len(EXPECTED)))  # every row, in the caller's order
    got = [None if pd.isna(v) else int(v) for v in frame["balance"]]
    assert got == [b for _, _, b in EXPECTED]
    assert 999 not in got[:1]
    assert got[0] == 55

    # Feast itself agrees on every row it answers (it leaves some out and reorders the rest). Asked about the same
    # row twice, Feast 0.67 may answer one copy with the value the correction replaced (50, not 55): Maestro asks
    # once per distinct row, so the reference here leaves the repeat out.
    unique = entity_df.iloc[:-1]
    direct = tiny.store.get_historical_features(entity_df=unique, features=["account:balance"]).to_df()
    assert len(direct) < len(unique) or not direct["label"].is_monotonic_increasing
    for _, row in direct.iterrows():
        assert (None if pd.isna(row["balance"]) else int(row["balance"])) == EXPECTED[row["label"]][2]


def test_a_feature_service_on_the_tiny_repo_gives_the_same_values(tiny):
    entity_df = pd.DataFrame({"customer_id": [1, 1], "event_timestamp": pd.to_datetime([day(8), day(9)], utc=True)})
    frame = tiny.training_frame(entity_df, tiny.resolve(None, "balances"))
    assert list(frame.columns) == ["customer_id", "event_timestamp", "balance"]
    assert list(frame["balance"]) == [55, 90]
