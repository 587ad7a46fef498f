"""The test suite on real, really trained scikit-learn models (no registry): each check's numbers and verdicts."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from maestro_jupyter.analysis.modeltests import ModelUnderTest, SuiteInputError, merge_layers, run_suite

FAST = {"latency": {"warmup": 2, "samples": 20, "batch_size": 200, "batch_repeats": 1}}


def under_test(model, frame: pd.DataFrame) -> ModelUnderTest:
    """The model with the signature MLflow would infer for ``frame``."""
    from mlflow.models import infer_signature

    inputs = infer_signature(frame).inputs.to_dict()
    proba = getattr(model, "predict_proba", None)
    classes = list(model.classes_) if hasattr(model, "classes_") else None
    return ModelUnderTest(predict=model.predict, predict_proba=proba, classes=classes, inputs=inputs)


def policy(**layer):
    return merge_layers(FAST, layer)


@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer(as_frame=True)
    frame = data.frame.rename(columns=lambda c: c.replace(" ", "_"))
    features = [c for c in frame.columns if c != "target"]
    model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(frame[features].iloc[::2], frame["target"].iloc[::2])
    return model, frame.iloc[1::2].reset_index(drop=True), features


def test_a_well_trained_model_passes(cancer):
    model, test, features = cancer
    report = run_suite(under_test(model, test[features]), test, "target", policy(), name="bc", version="1")
    assert report.verdict == "passed", str(report)
    expected = accuracy_score(test["target"], model.predict(test[features]))
    assert report.metrics["accuracy"] == pytest.approx(expected)
    assert report.check("accuracy").status == "passed"
    assert report.check("data_contract").status == "passed"
    assert report.check("latency_p95_ms").value == pytest.approx(report.metrics["latency_p95_ms"])
    assert {"roc_auc", "log_loss", "f1", "throughput_rows_per_s"} <= set(report.metrics)
    # No sensitive columns and no reference: reported as skipped, never as passed.
    assert report.check("fairness").status == "skipped"
    assert report.check("no_regression_vs_champion").status == "skipped"


def test_thresholds_decide(cancer):
    model, test, features = cancer
    strict = policy(thresholds={"accuracy": "> 0.999", "roc_auc": 0.5})
    report = run_suite(under_test(model, test[features]), test, "target", strict, name="bc", version="1")
    assert report.verdict == "failed"
    assert report.failed_checks() == ["accuracy"]
    assert report.check("roc_auc").status == "passed"
    assert report.check("accuracy").threshold == "> 0.999"


@pytest.fixture(scope="module")
def biased():
    """Loan approvals where the training labels favour group a: the model learns the group."""
    rng = np.random.default_rng(7)
    n = 4000
    group = rng.choice(["a", "b"], n)
    income = rng.normal(50, 10, n)
    debt = rng.normal(20, 5, n)
    fair_label = (income - debt + rng.normal(0, 5, n) > 30).astype(int)
    biased_label = np.where(group == "a", fair_label | (rng.random(n) < 0.6), fair_label & (rng.random(n) < 0.5))
    frame = pd.DataFrame({"income": income, "debt": debt, "group": group, "approved": biased_label})
    prep = make_column_transformer((OneHotEncoder(), ["group"]), remainder="passthrough")
    model = make_pipeline(prep, LogisticRegression(max_iter=1000)).fit(
        frame.iloc[:3000].drop(columns="approved"), frame["approved"].iloc[:3000]
    )
    return model, frame.iloc[3000:].reset_index(drop=True)


def test_a_biased_model_fails_fairness_with_fairlearns_numbers(biased):
    model, test = biased
    x = test.drop(columns="approved")
    report = run_suite(under_test(model, x), test, "approved", policy(sensitive=["group"]), name="loans", version="1")
    pred = model.predict(x)
    y, groups = test["approved"], test["group"]
    assert report.check("demographic_parity_difference[group]").value == pytest.approx(
        demographic_parity_difference(y, pred, sensitive_features=groups), abs=1e-12
    )
    assert report.check("demographic_parity_ratio[group]").value == pytest.approx(
        demographic_parity_ratio(y, pred, sensitive_features=groups), abs=1e-12
    )
    assert report.check("equalized_odds_difference[group]").value == pytest.approx(
        equalized_odds_difference(y, pred, sensitive_features=groups), abs=1e-12
    )
    assert report.check("demographic_parity_difference[group]").status == "failed"
    assert report.verdict == "failed"
    table = report.check("demographic_parity_difference[group]").evidence
    assert table.columns[:4] == ["group", "rows", "accuracy", "selection rate"]
    rates = {row[0]: row[3] for row in table.rows}
    assert rates["a"] == pytest.approx(pred[groups == "a"].mean())
    assert sum(row[1] for row in table.rows) == len(test)
    # The group is a model input here, so swapping it is part of robustness.
    assert report.check("category_swap.flip_rate").value > 0


def test_multiclass_fairness_is_one_vs_rest_worst_class():
    data = load_iris(as_frame=True)
    frame = data.frame.copy()
    frame["site"] = np.where(np.arange(len(frame)) % 3 == 0, "north", "south")
    features = data.feature_names
    model = LogisticRegression(max_iter=500).fit(frame[features], frame["target"])
    report = run_suite(
        under_test(model, frame[features]), frame, "target", policy(sensitive=["site"]), name="iris", version="1"
    )
    pred = model.predict(frame[features])
    per_class = [
        demographic_parity_difference(frame["target"] == c, pred == c, sensitive_features=frame["site"])
        for c in (0, 1, 2)
    ]
    check = report.check("demographic_parity_difference[site]")
    assert check.value == pytest.approx(max(per_class), abs=1e-12)
    assert "one-vs-rest" in check.detail
    assert len(check.evidence.columns) == 3 + 3 * 3  # group, rows, accuracy + three rates per class
    assert "site" not in report.policy["slices"]


class SlowModel:
    """A trained model whose predict sleeps, as a remote feature lookup would."""

    def __init__(self, model, delay: float) -> None:
        self.model, self.delay = model, delay

    def predict(self, frame):
        time.sleep(self.delay)
        return self.model.predict(frame)


def test_a_slow_model_fails_latency(cancer):
    model, test, features = cancer
    slow = SlowModel(model, 0.12)
    knobs = merge_layers({"latency": {"warmup": 1, "samples": 5, "batch_size": 50, "batch_repeats": 1}})
    report = run_suite(under_test(slow, test[features]), test, "target", knobs, name="bc", version="2")
    check = report.check("latency_p95_ms")
    assert check.status == "failed"
    assert check.value >= 120
    assert report.failed_checks() == ["latency_p95_ms"]
    assert report.metrics["latency_p50_ms"] >= 120


def test_a_mismatched_frame_fails_the_contract_cleanly(cancer):
    model, test, features = cancer
    bad = test.drop(columns=[features[0]]).assign(surprise=1)
    bad[features[1]] = bad[features[1]].astype(str)
    report = run_suite(under_test(model, test[features]), bad, "target", policy(), name="bc", version="1")
    contract = report.check("data_contract")
    assert contract.status == "failed"
    assert contract.value == 3
    problems = {row[0]: row[3] for row in contract.evidence.rows}
    assert problems == {features[0]: "missing column", features[1]: "not numeric", "surprise": "extra column"}
    assert report.verdict == "failed"
    assert {c.status for c in report.checks if c.category != "contract"} == {"skipped"}


def test_extra_columns_may_be_allowed(cancer):
    model, test, features = cancer
    extra = test.assign(note="x")
    report = run_suite(
        under_test(model, test[features]),
        extra,
        "target",
        policy(contract={"allow_extra_columns": True}),
        name="bc",
        version="1",
    )
    assert report.check("data_contract").status == "passed"
    assert "note" in report.check("data_contract").detail


def test_a_model_that_rejects_missing_values_outside_its_contract_is_reported_not_failed(cancer):
    _, test, features = cancer
    plain = LogisticRegression(max_iter=2000).fit(test[features], test["target"])
    report = run_suite(under_test(plain, test[features]), test, "target", policy(), name="bc", version="1")
    check = report.check("missing_values.outside_contract")  # the signature allows no missing value anywhere
    assert check.status == "skipped"
    assert "predict raised ValueError: Input X contains NaN" in check.detail
    assert "missing_values.metric_drop" not in report.failed_checks()
    assert report.check("gaussian_noise.flip_rate").status in ("passed", "failed")
    assert report.check("category_swap").status == "skipped"  # no categorical column


def test_regression_against_a_reference(cancer):
    model, test, features = cancer
    weak = make_pipeline(SimpleImputer(), LogisticRegression(C=1e-4, max_iter=500)).fit(
        test[features[:2]], test["target"]
    )
    weak_model = under_test(weak, test[features[:2]])
    strong = under_test(model, test[features])
    report = run_suite(
        weak_model,
        test[[*features[:2], "target"]],
        "target",
        policy(),
        name="bc",
        version="4",
        reference=(
            "champion",
            "3",
            ModelUnderTest(
                predict=lambda f: model.predict(test[features]),
                predict_proba=lambda f: model.predict_proba(test[features]),
                classes=strong.classes,
            ),
        ),
    )
    check = report.check("no_regression_vs_champion")
    assert check.status == "failed"
    assert "accuracy" in check.detail
    assert report.reference.version == "3"
    assert report.metrics["accuracy/champion"] > report.metrics["accuracy"]


def test_slices_get_their_own_metrics_and_small_ones_are_not_judged(cancer):
    model, test, features = cancer
    frame = test.assign(clinic=np.where(np.arange(len(test)) < 10, "tiny", "main"))
    report = run_suite(
        under_test(model, test[features]), frame, "target", policy(slices=["clinic"]), name="bc", version="1"
    )
    main = frame["clinic"] == "main"
    expected = accuracy_score(frame["target"][main], model.predict(frame[features][main]))
    assert report.metrics["accuracy/clinic=main"] == pytest.approx(expected)
    assert report.check("accuracy[clinic=main]").status == "passed"
    assert report.check("accuracy[clinic=tiny]").status == "skipped"
    assert report.metrics["rows/clinic=tiny"] == 10


def test_regression_models_are_measured_as_such():
    data = load_diabetes(as_frame=True)
    frame = data.frame.assign(sex=np.where(data.frame["sex"] > 0, "m", "f"))
    features = [c for c in data.feature_names if c != "sex"]
    model = Ridge().fit(frame[features], frame["target"])
    report = run_suite(
        under_test(model, frame[features]), frame, "target", policy(sensitive=["sex"]), name="diabetes", version="1"
    )
    assert report.task == "regression"
    assert {"rmse", "mae", "r2"} <= set(report.metrics)
    assert "accuracy" not in report.metrics
    assert report.check("fairness[sex]").status == "skipped"
    assert report.check("gaussian_noise.metric_drop").status in ("passed", "failed")


def test_a_run_that_checks_nothing_does_not_pass(cancer):
    model, test, features = cancer
    report = run_suite(
        under_test(model, test[features]),
        test,
        "target",
        policy(checks=["fairness"]),
        name="bc",
        version="1",
    )
    assert report.summary.passed == 0
    assert report.verdict == "failed"


@pytest.mark.parametrize(
    ("frame_change", "kwargs", "match"),
    [
        (lambda f: f.drop(columns="target"), {}, "No target column 'target'"),
        (lambda f: f.iloc[:0], {}, "no rows"),
        (lambda f: f.assign(target=np.nan), {}, "missing value"),
        (lambda f: f, {"sensitive": ["nope"]}, "No sensitive column 'nope'"),
        (lambda f: f, {"slices": ["target"]}, "cannot also be a slice"),
    ],
)
def test_unusable_inputs_raise_a_clear_error(cancer, frame_change, kwargs, match):
    model, test, features = cancer
    with pytest.raises(SuiteInputError, match=match):
        run_suite(
            under_test(model, test[features]), frame_change(test), "target", policy(**kwargs), name="bc", version="1"
        )


def test_renderings(cancer):
    model, test, features = cancer
    report = run_suite(
        under_test(model, test[features]),
        test,
        "target",
        policy(thresholds={"accuracy": 0.999}),
        name="bc",
        version="1",
    )
    root = ET.fromstring(report.to_junit_xml())  # noqa: S314 - our own report
    suite = root.find("testsuite")
    assert int(suite.get("tests")) == len(report.checks)
    assert int(suite.get("failures")) == report.summary.failed == 1
    failure = suite.find("testcase[@name='accuracy']/failure")
    assert failure is not None
    assert "0.999" in failure.get("message")
    assert len(suite.findall("testcase/skipped")) == report.summary.skipped
    html = report.to_html()
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html
    assert html.index("FAILED") < html.index("data_contract")  # the verdict comes first
    inline = report._repr_html_()
    assert "<html" not in inline
    assert "FAILED" in inline
    assert report.model_validate_json(report.to_json()) == report
