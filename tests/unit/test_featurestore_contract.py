"""The feature store's request models and results, without Feast: input rules, what changes, the wire, display."""

from __future__ import annotations

import pandas as pd
import pytest

from maestro_jupyter.contract.featurestore import (
    BuildTrainingSet,
    GetFeatureView,
    GetOnlineFeatures,
    ListFeatureViews,
    SaveFeatureService,
    SearchFeatureStore,
)
from maestro_jupyter.entities.featurestore import (
    FeatureField,
    FeatureServiceInfo,
    FeatureViewList,
    FeatureViewSummary,
    OnlineFeatures,
    TrainingSet,
)
from maestro_jupyter.errors import InvalidParameter

ENTITY_DF = pd.DataFrame(
    {"customer_id": [1, 2], "event_timestamp": pd.to_datetime(["2026-01-01", "2026-01-02"], utc=True)}
)


def test_a_training_set_names_features_or_a_service_exactly_once():
    assert BuildTrainingSet.build(entity_df=ENTITY_DF, service="churn_v1").service == "churn_v1"
    refs = BuildTrainingSet.build(entity_df=ENTITY_DF, features=[" customer_profile:plan", "customer_activity"])
    assert refs.features == ["customer_profile:plan", "customer_activity"]
    for fields in ({}, {"service": "a", "features": ["b"]}):
        with pytest.raises(InvalidParameter, match="exactly one"):
            BuildTrainingSet.build(entity_df=ENTITY_DF, **fields)
    for bad in ("a:b:c", "view:", ":feature", "has space:x", "a/b"):
        with pytest.raises(InvalidParameter, match="view:feature"):
            BuildTrainingSet.build(entity_df=ENTITY_DF, features=[bad])
    with pytest.raises(InvalidParameter, match="base64-encoded Parquet"):
        BuildTrainingSet.build(entity_df="not parquet", service="a")


def test_names_searches_and_entities_are_checked():
    with pytest.raises(InvalidParameter, match="Invalid name"):
        GetFeatureView.build(name="../etc")
    with pytest.raises(InvalidParameter, match="Invalid feature service name"):
        SaveFeatureService.build(name="1st", features=["v"])
    with pytest.raises(InvalidParameter, match="at least 1"):
        SaveFeatureService.build(name="svc", features=[])
    assert ListFeatureViews.build(search="  ").search is None
    with pytest.raises(InvalidParameter, match="at most 256"):
        ListFeatureViews.build(search="x" * 257)
    with pytest.raises(InvalidParameter, match="Say what to search for"):
        SearchFeatureStore.build(query=" ")
    assert GetOnlineFeatures.build(entities=[{"customer_id": 7}], service="s").entities == [{"customer_id": 7}]
    with pytest.raises(InvalidParameter, match="entities"):
        GetOnlineFeatures.build(entities=[], service="s")
    with pytest.raises(InvalidParameter, match="entities"):
        GetOnlineFeatures.build(entities=[{"customer_id": [1, 2]}], service="s")


def test_only_saving_a_service_changes_anything():
    assert SaveFeatureService.changes
    assert not BuildTrainingSet.changes
    assert not GetOnlineFeatures.changes
    assert not SearchFeatureStore.changes


def test_a_training_set_crosses_the_wire_with_its_frame():
    frame = ENTITY_DF.assign(plan=["basic", None], tenure=[3.0, float("nan")])
    ts = TrainingSet(
        frame=frame,
        service="churn_v1",
        views=["customer_profile"],
        refs=["customer_profile:plan", "customer_profile:tenure"],
        registry_version="abc",
        project="maestro",
        rows=2,
        rows_without_features=1,
        columns_by_view={"customer_profile": ["plan", "tenure"]},
    )
    back = TrainingSet.model_validate_json(ts.model_dump_json())
    pd.testing.assert_frame_equal(back.frame, frame)
    assert back.columns_by_view == ts.columns_by_view
    assert back.rows_without_features == 1
    text = str(ts)
    assert (
        text.splitlines()[0]
        == "Training set · 2 rows, 2 features from service churn_v1 · 1 row without features · registry abc"
    )
    assert "First 2 rows" in text
    assert "basic" in ts._repr_html_()


def test_results_display_summary_first():
    view = FeatureViewSummary(
        name="customer_profile",
        kind="batch",
        entities=["customer"],
        features=[FeatureField(name="plan", dtype="String", description="The plan")],
        ttl_seconds=86400 * 45,
        online_rows=1200,
        last_materialized=None,
    )
    assert (
        str(view).splitlines()[0]
        == "Feature view customer_profile · 1 feature · never materialized · keyed by customer"
    )
    listing = FeatureViewList(items=[view], total=3)
    assert str(listing).splitlines()[0] == "1 feature view of 3"
    assert len(listing) == 1
    assert listing[0] is view
    service = FeatureServiceInfo(name="s", features=["a:x", "b:y"], views=["a", "b"])
    assert 'ml.features.training_set(entity_df, service="s")' in str(service)
    online = OnlineFeatures(rows=[{"customer_id": 1, "plan": None}], missing=["customer_id=1: a:plan"])
    assert str(online).splitlines()[0] == "Online features · 1 entity · 1 value missing"
    assert "var(--jp-" in online._repr_html_()
