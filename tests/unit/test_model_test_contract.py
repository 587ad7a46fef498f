"""Robustness probes and the model's data contract, on real scikit-learn models served through MLflow's pyfunc, and
the gate's refusal in plain words (on a real MLflow store)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from mlflow.models import infer_signature
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from maestro_jupyter import tagkeys as tk
from maestro_jupyter.analysis.modeltests import ModelUnderTest, merge_layers, run_suite
from maestro_jupyter.errors import GateRefused

FAST = {"latency": {"warmup": 2, "samples": 20, "batch_size": 200, "batch_repeats": 1}}
NAN_MESSAGE = "predict raised ValueError: Input X contains NaN"


@pytest.fixture(scope="module")
def cancer() -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(training rows, test rows, feature names); no missing values anywhere."""
    frame = load_breast_cancer(as_frame=True).frame.rename(columns=lambda c: c.replace(" ", "_"))
    features = [c for c in frame.columns if c != "target"]
    return frame.iloc[::2].reset_index(drop=True), frame.iloc[1::2].reset_index(drop=True), features


def served(model, signature_frame: pd.DataFrame | None, tmp_path) -> ModelUnderTest:
    """The model as the service tests it: saved with MLflow, loaded back through pyfunc (the serving path and its
    schema enforcement), with the signature inferred from ``signature_frame`` (None: no signature)."""
    signature = None if signature_frame is None else infer_signature(signature_frame)
    path = tmp_path / "model"
    mlflow.sklearn.save_model(model, str(path), signature=signature)
    loaded = mlflow.pyfunc.load_model(str(path))
    inputs = loaded.metadata.get_input_schema().to_dict() if signature is not None else None
    return ModelUnderTest(
        predict=loaded.predict, predict_proba=model.predict_proba, classes=list(model.classes_), inputs=inputs
    )


def test_a_plain_model_that_refuses_nan_it_was_never_promised_passes(cancer, tmp_path):
    """The issue's case: LogisticRegression refuses NaN; it was trained (and its signature inferred) on data with no
    missing value. The missing-values probe is outside its contract: reported, with the error, and not judged."""
    train, test, features = cancer
    model = LogisticRegression(max_iter=5000).fit(train[features], train["target"])
    report = run_suite(served(model, train[features], tmp_path), test, "target", merge_layers(FAST),
                       name="bc", version="1")  # fmt: skip
    assert report.verdict == "passed", str(report)
    assert "missing_values.metric_drop" not in [c.name for c in report.checks]
    within = report.check("missing_values")
    assert within.status == "skipped"
    assert "no column may be missing under the data contract" in within.detail
    outside = report.check("missing_values.outside_contract")
    assert outside.status == "skipped"
    assert outside.detail.startswith("Outside the data contract, not judged: missing values in 30 column(s)")
    assert "the signature marks them required" in outside.detail
    assert NAN_MESSAGE in outside.detail
    assert report.check("gaussian_noise.flip_rate").status == "passed"


def test_judging_outside_the_contract_is_a_policy_choice(cancer, tmp_path):
    train, test, features = cancer
    model = LogisticRegression(max_iter=5000).fit(train[features], train["target"])
    strict = merge_layers(FAST, {"robustness": {"judge_outside_contract": True}})
    report = run_suite(served(model, train[features], tmp_path), test, "target", strict, name="bc", version="1")
    assert report.failed_checks() == ["missing_values.metric_drop"]
    failure = report.check("missing_values.metric_drop")
    assert failure.detail.startswith(NAN_MESSAGE)
    # The failure's cause is in every rendering, not only in the detail field.
    assert NAN_MESSAGE in str(report)
    junit = ET.fromstring(report.to_junit_xml().encode())  # noqa: S314 - our own report
    (failed,) = junit.iter("failure")
    assert NAN_MESSAGE in failed.get("message")


def test_missing_values_the_contract_allows_are_judged_and_a_failure_names_the_error(cancer, tmp_path):
    """The signature comes from raw data with missing values in two columns, but the model was fit on filled-in
    data and cannot take them: inside the contract, so a failure; its message says why."""
    train, test, features = cancer
    raw = train[features].copy()
    raw.loc[::7, ["mean_radius", "mean_texture"]] = np.nan
    model = LogisticRegression(max_iter=5000).fit(raw.fillna(raw.mean()), train["target"])
    report = run_suite(served(model, raw, tmp_path), test, "target", merge_layers(FAST), name="bc", version="1")
    assert report.verdict == "failed"
    failure = report.check("missing_values.metric_drop")
    assert failure.status == "failed"
    assert failure.detail.startswith(NAN_MESSAGE)
    assert "missing values in 2 column(s): mean_radius, mean_texture" in failure.detail
    outside = report.check("missing_values.outside_contract")  # the other 28 columns: reported apart
    assert "28 column(s)" in outside.detail
    assert outside.status == "skipped"


def test_without_a_signature_the_test_data_is_the_contract(cancer):
    train, test, features = cancer
    model = LogisticRegression(max_iter=5000).fit(train[features], train["target"])
    plain = ModelUnderTest(predict=model.predict, predict_proba=model.predict_proba, classes=[0, 1])
    report = run_suite(plain, test, "target", merge_layers(FAST), name="bc", version="1")
    assert report.verdict == "passed", str(report)
    assert "the model has no signature" in report.check("missing_values.outside_contract").detail
    # A model that imputes, tested on data that has gaps in one column: that column is probed and judged.
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    robust = make_pipeline(SimpleImputer(), LogisticRegression(max_iter=5000)).fit(train[features], train["target"])
    gappy = test.copy()
    gappy.loc[::9, "worst_area"] = np.nan
    imputing = ModelUnderTest(predict=robust.predict, predict_proba=robust.predict_proba, classes=[0, 1])
    report = run_suite(imputing, gappy, "target", merge_layers(FAST), name="bc", version="1")
    judged = report.check("missing_values.metric_drop")
    assert judged.status == "passed"
    assert judged.detail == "1 column(s): worst_area"
    outside = report.check("missing_values.outside_contract")
    assert "the model still predicts" in outside.detail
    assert outside.value is not None


# --- the gate's refusal -------------------------------------------------------------------------------------------

MODEL = "breast-cancer-classifier"


def test_the_gate_refuses_in_a_plain_sentence(settings):
    from maestro_jupyter import MaestroClient
    from tests.sdk_helpers import services_of

    ml = MaestroClient(settings)
    registry = services_of(ml).mlflow
    registry.set_version_tag(MODEL, "2", tk.TESTS_VERDICT, "failed")
    registry.set_version_tag(MODEL, "2", tk.TESTS_FAILED, "missing_values.metric_drop")
    with pytest.raises(GateRefused) as refused:
        ml.deployments.create(MODEL, version=2, name="churn-candidate", wait=False)
    assert refused.value.message == (
        f"Version 2 of {MODEL} cannot be deployed as churn-candidate: its latest tests failed "
        "(missing_values.metric_drop). Fix it and test it again, or have an admin override the gate with a reason."
    )
    with pytest.raises(GateRefused) as refused:
        ml.models.set_alias(MODEL, "champion", 2)
    assert refused.value.message.startswith(f"Version 2 of {MODEL} cannot take the alias 'champion': its latest")
    assert ml.tests.gate(MODEL, version=2).message.startswith(f"Version 2 of {MODEL} cannot be promoted or deployed")
    assert "cannot take deploy" not in refused.value.message
