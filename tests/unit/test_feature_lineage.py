"""Feature lineage, pure: the run tags a training set is recorded with and read back from, the lineage request's
rules, a job's ``features`` field, and what the model card makes of recorded features."""

from __future__ import annotations

import hashlib
import json

import pytest

from maestro_jupyter import tagkeys as tk
from maestro_jupyter.analysis.cards import ReviewState, build_card, fingerprint
from maestro_jupyter.analysis.cards.schema import CardFacts, CardSections, FeatureFacts, ModelFacts, TrainingFacts
from maestro_jupyter.contract.feature_lineage import GetFeatureLineage
from maestro_jupyter.contract.training import SubmitJob
from maestro_jupyter.entities.feature_lineage import (
    MAX_TAG_VALUE,
    FeatureLineage,
    FeatureUse,
    LineageEntry,
    feature_use,
    feature_use_tags,
)
from maestro_jupyter.errors import InvalidParameter

NOW = "2026-11-26T10:00:00+00:00"


def test_a_service_is_recorded_by_its_name_and_read_back():
    tags = feature_use_tags(
        service="churn_v1",
        views=["customer_profile", "customer_activity", "customer_profile"],
        refs=["customer_profile:tenure_months"],
        registry_version="abc-123",
        project="maestro",
    )
    assert tags == {
        tk.FEATURE_SERVICE: "churn_v1",
        tk.FEATURE_VIEWS: "customer_activity,customer_profile",
        tk.FEATURE_REGISTRY_VERSION: "abc-123",
        tk.FEATURE_PROJECT: "maestro",
    }
    assert feature_use(tags) == FeatureUse(
        service="churn_v1",
        views=["customer_activity", "customer_profile"],
        registry_version="abc-123",
        project="maestro",
    )


def test_features_named_without_a_service_are_recorded_as_refs():
    tags = feature_use_tags(service=None, views=["a"], refs=["a:x", "a:y"])
    assert tags == {tk.FEATURE_VIEWS: "a", tk.FEATURE_REFS: "a:x,a:y"}
    use = feature_use({**tags, "other": "tag"})
    assert use is not None
    assert (use.service, use.refs, use.registry_version) == (None, ["a:x", "a:y"], None)
    assert use.text() == "2 features · view a"
    assert feature_use({"mlflow.user": "ana"}) is None
    assert feature_use({tk.FEATURE_VIEWS: "a", tk.FEATURE_SERVICE: "  "}) is None


def test_a_long_list_of_refs_is_cut_at_a_name_to_fit_a_tag():
    refs = [f"view_{i:04d}:feature_{i:04d}" for i in range(1000)]
    value = feature_use_tags(service=None, views=["v"], refs=refs)[tk.FEATURE_REFS]
    assert len(value) <= MAX_TAG_VALUE
    assert value.endswith(",…")
    kept = value.removesuffix(",…").split(",")
    assert kept == refs[: len(kept)]


def test_the_lineage_request_takes_exactly_one_way_in():
    assert GetFeatureLineage.build(service="churn_v1").service == "churn_v1"
    assert GetFeatureLineage.build(model="churn", version=3).version == "3"
    for bad, message in [
        ({}, "exactly one of service, view or model"),
        ({"service": "a", "view": "b"}, "not service and view"),
        ({"view": "a", "version": 2}, "needs its model"),
        ({"service": " padded"}, "feature service or view name"),
        ({"model": "churn", "version": 0}, "version"),
    ]:
        with pytest.raises(InvalidParameter, match=message):
            GetFeatureLineage.build(**bad)
    assert not GetFeatureLineage.changes


def test_a_job_names_a_feature_service_by_name():
    assert SubmitJob.build(source="print(1)", features="churn_v1").features == "churn_v1"
    assert SubmitJob.build(source="print(1)").features is None
    with pytest.raises(InvalidParameter, match="feature service or view name"):
        SubmitJob.build(source="print(1)", features="")


def test_lineage_reads_as_a_table_summary_first():
    lineage = FeatureLineage(
        items=[
            LineageEntry(
                model="churn",
                version="3",
                run_id="r" * 32,
                service="churn_v1",
                views=["customer_activity", "customer_profile"],
                registry_version="5f0c2d4e-1111-4a5b",
                project="maestro",
            )
        ],
        query="service churn_v1",
    )
    text = str(lineage).splitlines()
    assert text[0] == "1 model version trained on service churn_v1"
    assert text[1].split() == ["model", "version", "service", "views", "registry", "version", "project", "trained"]
    assert text[3].split()[:4] == ["churn", "v3", "churn_v1", "customer_activity,"]
    assert "5f0c2d4e…" in text[3]
    assert "1 model version trained on service churn_v1" in lineage._repr_html_()
    assert len(lineage) == 1
    assert str(FeatureLineage(query="churn v2")).splitlines()[0] == (
        "Features churn v2 was trained on: 0 model versions with feature lineage"
    )


def _facts(features: FeatureFacts | None) -> CardFacts:
    return CardFacts(
        model=ModelFacts(name="churn", version="4", model_uri="models:/churn/4"),
        training=TrainingFacts(features=features),
        load_snippet="",
    )


def test_recorded_features_fill_the_cards_training_data():
    with_features = build_card(
        _facts(FeatureFacts(service="churn_v1", views=["a"])), CardSections(), ReviewState(), NOW
    )
    without = build_card(_facts(None), CardSections(), ReviewState(), NOW)
    item = {i.field: i for i in with_features.completeness.checklist}["training_data"]
    assert (item.filled, item.origin) == (True, "registry")
    assert not {i.field: i for i in without.completeness.checklist}["training_data"].filled


def test_a_card_approved_before_features_were_recorded_keeps_its_fingerprint():
    facts = _facts(None)
    before = hashlib.sha256(
        json.dumps(facts.training.model_dump(include={"datasets", "profile"}), sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    assert fingerprint(facts)["training data"] == before
    changed = fingerprint(_facts(FeatureFacts(service="churn_v1", registry_version="2")))
    assert {group for group, digest in changed.items() if fingerprint(facts)[group] != digest} == {"training data"}
    # A new registry version is a change of the training data an approval saw.
    assert (
        changed["training data"]
        != fingerprint(_facts(FeatureFacts(service="churn_v1", registry_version="3")))["training data"]
    )
