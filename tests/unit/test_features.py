"""Feature discovery (maestro_jupyter.analysis.features): known ground truth, traps, bad input and the time budget."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification, make_regression

from maestro_jupyter.analysis.features import FeatureReport, discover_features
from maestro_jupyter.charts import VEGALITE_MIME


def by_name(report: FeatureReport) -> dict[str, object]:
    return {f.feature: f for f in report.features}


def displayed(obj: object) -> list[dict[str, object]]:
    """The mime bundles IPython's ``display(obj)`` publishes, one per output."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        display(obj)
    return [output.data for output in captured.outputs]


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, FeatureReport]:
    """make_classification (informative: f0..f4, as shuffle=False puts them first) plus planted traps."""
    X, y = make_classification(
        n_samples=5000, n_features=20, n_informative=5, n_redundant=0, shuffle=False, random_state=0
    )
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(20)])
    rng = np.random.default_rng(1)
    df["leak"] = y + rng.normal(0, 0.01, len(y))
    df["f2_copy"] = df["f2"]
    df["customer_id"] = [f"c{i:06d}" for i in rng.permutation(len(y))]
    df["row_number"] = rng.permutation(len(y))
    df["const"] = 7
    df["y"] = y
    return df, discover_features(df, "y")


def test_informative_features_rank_in_the_top_five(planted):
    _, report = planted
    ranks = {f.feature: f.rank for f in report.features}
    assert sorted(ranks[f"f{i}"] for i in range(5)) == [1, 2, 3, 4, 5]
    assert set(report.top_features[:5]) == {f"f{i}" for i in range(5)}
    assert report.task == "classification"
    assert report.model == "HistGradientBoostingClassifier"
    assert report.holdout_metric == "roc_auc"
    assert report.holdout_score > 0.9
    assert [f.rank for f in report.features] == list(range(1, len(report.features) + 1))
    assert all(0.0 <= f.score <= 1.0 for f in report.features)
    informative = by_name(report)["f0"]
    assert informative.permutation_importance > 0
    assert informative.pearson is not None
    assert informative.mutual_info > 0
    assert informative.kind == "numeric"


def test_planted_traps_are_flagged(planted):
    _, report = planted
    features = by_name(report)
    assert "leakage" in features["leak"].flags
    assert "redundant" in features["f2_copy"].flags
    assert "redundant" not in features["f2"].flags
    assert features["f2_copy"].rank > features["f2"].rank
    assert "id_like" in features["customer_id"].flags
    assert "id_like" in features["row_number"].flags
    assert "constant" in features["const"].flags
    assert not {"leak", "customer_id", "row_number", "const"} & set(report.top_features)
    flags = {(f.kind, f.columns[0]): f for f in report.flags}
    assert flags[("redundant", "f2_copy")].columns == ["f2_copy", "f2"]
    assert "'f2'" in flags[("redundant", "f2_copy")].message
    assert flags[("leakage", "leak")].value > 0.98
    assert "AUC" in flags[("leakage", "leak")].message or "Pearson" in flags[("leakage", "leak")].message
    # excluded from the model: no permutation importance for the traps
    assert features["leak"].permutation_importance is None
    assert features["customer_id"].permutation_importance is None
    clean = [f for f in report.features if f.feature.startswith("f") and not f.feature.endswith("copy")]
    assert all(not f.flags for f in clean)


def test_report_renders_and_serialises(planted):
    _, report = planted
    html = report._repr_html_()
    assert "<script" not in html
    assert "maestro-diff" in html
    assert "leakage" in html
    assert "<svg" not in html  # the chart is its own output (below), Vega-Lite rather than hand-drawn SVG
    chart, table = displayed(report)
    assert set(chart) == {VEGALITE_MIME, "image/svg+xml", "text/plain"}
    bars = chart[VEGALITE_MIME]["data"]["values"]
    assert [b["label"] for b in bars] == [f.feature for f in report.features[:20]]
    assert [b["value"] for b in bars] == [f.score for f in report.features[:20]]
    assert {b["label"] for b in bars if b["group"] == "flagged"} == {f.feature for f in report.features[:20] if f.flags}
    assert chart[VEGALITE_MIME]["encoding"]["x"]["scale"]["domain"] == [0, 1]  # a score: the whole [0, 1] axis
    whole = report.chart(top=100).spec["data"]["values"]
    assert len(whole) == len(report.features)
    leak = next(b for b in whole if b["label"] == "leak")
    assert (leak["group"], leak["note"]) == ("flagged", f"#{by_name(report)['leak'].rank} · leakage")
    assert chart["text/plain"] == "Bar chart: score for 20 features"
    assert table["text/html"] == html
    assert table["text/plain"] == str(report)
    assert len(displayed(report.head(3))[0][VEGALITE_MIME]["data"]["values"]) == 3
    text = str(report)
    assert "leak" in text
    assert "redundant" in text
    assert "HistGradientBoostingClassifier" in text
    frame = report.to_frame()
    assert list(frame["feature"]) == [f.feature for f in report.features]
    for col in ("rank", "score", "permutation_importance", "permutation_std", "mutual_info", "pearson", "spearman",
                "correlation_ratio", "cramers_v", "missing_share", "flags", "parts"):  # fmt: skip
        assert col in frame.columns
    assert frame["score"].dtype == float
    again = FeatureReport.model_validate_json(report.model_dump_json())
    assert again.top_features == report.top_features
    assert json.loads(report.model_dump_json())["features"][0]["rank"] == 1


def test_regression_with_known_informative_features():
    X, y, coef = make_regression(
        n_samples=3000, n_features=10, n_informative=3, noise=10.0, shuffle=False, coef=True, random_state=0
    )
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(10)]).assign(y=y)
    report = discover_features(df, "y")
    informative = {f"x{i}" for i in np.flatnonzero(coef)}
    assert report.task == "regression"
    assert report.holdout_metric == "r2"
    assert report.holdout_score > 0.9
    assert set(report.top_features[:3]) == informative
    assert not report.flags


def test_diabetes_bmi_and_s5_rank_in_the_top_three():
    df = load_diabetes(as_frame=True).frame
    report = discover_features(df, "target")
    assert report.task == "regression"
    assert {"bmi", "s5"} <= set(report.top_features[:3])


def test_breast_cancer_sanity():
    df = load_breast_cancer(as_frame=True).frame
    report = discover_features(df, "target", top_k=5)
    assert report.task == "classification"
    assert report.holdout_score > 0.95
    assert len(report.top_features) == 5
    assert all(("worst" in f or "concave" in f or "concavity" in f) for f in report.top_features[:3])
    assert not any("leakage" in f.flags for f in report.features)
    # radius, perimeter and area measure the same thing: flagged as redundant with a named twin
    redundant = {f.columns[0]: f.columns[1] for f in report.flags if f.kind == "redundant"}
    assert {"mean radius", "mean perimeter"} & set(redundant)


def mixed_frame(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Target driven by a datetime's month, an object and a category column and a numeric column with gaps."""
    rng = np.random.default_rng(seed)
    days = pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D") + pd.to_timedelta(rng.integers(0, 24, n), unit="h")
    order_date = pd.Timestamp("2021-01-01") + days
    summer = np.isin(order_date.month, [6, 7, 8])
    color = rng.choice(["red", "green", "blue", "black"], n).astype(object)
    size = rng.choice(["S", "M", "L"], n)
    income = rng.normal(50, 10, n)
    logit = 3.0 * summer + 1.2 * (color == "red") - 1.2 * (color == "blue") + 1.0 * (size == "L")
    logit += 0.08 * (income - 50) - 1.5
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    income[rng.random(n) < 0.2] = np.nan
    color[rng.random(n) < 0.1] = None
    sparse = np.where(rng.random(n) < 0.7, np.nan, rng.normal(size=n))
    return pd.DataFrame(
        {
            "order_date": order_date,
            "color": color,
            "size": pd.Categorical(size),
            "income": income,
            "is_member": rng.random(n) < 0.5,
            "city": pd.Series(rng.integers(0, 600, n)).map(lambda i: f"city{i}"),
            "noise": rng.normal(size=n),
            "sparse": sparse,
            "signup": pd.Series(order_date - pd.to_timedelta(rng.integers(0, 900, n), unit="D")).dt.strftime(
                "%Y-%m-%d"
            ),
            "churned": np.where(y, "yes", "no"),
        }
    )


def test_mixed_types_need_no_preparation():
    df = mixed_frame()
    df["colour_code"] = df["color"].map({"red": "R", "green": "G", "blue": "B", "black": "K"})  # a relabelled twin
    report = discover_features(df, "churned")
    features = by_name(report)
    assert "redundant" in features["colour_code"].flags
    assert not features["color"].flags
    twin = next(f for f in report.flags if f.kind == "redundant")
    assert twin.columns == ["colour_code", "color"]
    assert "identical" in twin.message
    assert report.task == "classification"
    date = features["order_date"]
    assert date.kind == "datetime"
    assert date.rank == 1
    assert date.parts == [f"order_date.{p}" for p in ("year", "month", "day", "dayofweek", "hour")]
    assert features["color"].kind == "categorical"
    assert features["size"].kind == "categorical"
    assert features["is_member"].kind == "boolean"
    assert features["signup"].kind == "datetime"
    assert features["color"].cramers_v > 0.1
    assert features["size"].cramers_v > 0.1
    assert features["income"].missing_share == pytest.approx(0.2, abs=0.03)
    assert features["color"].missing_share == pytest.approx(0.1, abs=0.03)
    assert "mostly_missing" in features["sparse"].flags
    signal = {"order_date", "color", "size", "income"}
    assert set(report.top_features[:4]) == signal
    worst_signal = max(features[c].rank for c in signal)
    assert all(features[c].rank > worst_signal for c in ("noise", "city", "is_member", "sparse", "signup"))
    assert features["noise"].score < 0.05
    assert features["city"].score < 0.05


def test_categorical_vs_numeric_target_and_multiclass():
    df = mixed_frame(3000, seed=2)
    rng = np.random.default_rng(3)
    df["spend"] = df["color"].map({"red": 10.0, "green": 5.0, "blue": 0.0, "black": 2.0}).fillna(4.0)
    df["spend"] += rng.normal(0, 2, len(df)) + 3.0 * (df["size"] == "L")
    report = discover_features(df.drop(columns="churned"), "spend", task="regression")
    features = by_name(report)
    assert features["color"].correlation_ratio > 0.5
    assert features["color"].cramers_v is None
    assert report.top_features[:2] == ["color", "size"]
    # a string target with three classes: accuracy, and eta for numeric features
    noisy_income = df["income"].fillna(50) + rng.normal(0, 4, len(df))
    df["tier"] = pd.cut(noisy_income, [-np.inf, 45, 55, np.inf], labels=["low", "mid", "high"])
    multi = discover_features(df, "tier", exclude=["spend", "churned"])
    assert multi.task == "classification"
    assert multi.holdout_metric == "accuracy"
    assert multi.top_features[0] == "income"
    assert by_name(multi)["income"].correlation_ratio > 0.5


def test_integer_column_labels_and_auto_task():
    X, y = make_classification(n_samples=600, n_features=4, n_informative=2, n_redundant=0, random_state=0)
    df = pd.DataFrame(np.column_stack([X, y]))  # integer labels 0..4; the target's values are 0.0/1.0
    report = discover_features(df, "4")
    assert report.target == "4"
    assert report.task == "classification"
    assert {f.feature for f in report.features} == {"0", "1", "2", "3"}
    counts = pd.DataFrame({"x": np.arange(500) % 7, "n": (np.arange(500) * 13) % 37})
    assert discover_features(counts, "n").task == "regression"  # integer, more than 20 values


@pytest.mark.parametrize(
    ("make", "kwargs", "message"),
    [
        (lambda: [[1, 2], [3, 4]], {"target": "a"}, "needs a pandas DataFrame"),
        (lambda: pd.DataFrame(), {"target": "a"}, "empty"),
        (lambda: pd.DataFrame({"a": [], "y": []}), {"target": "y"}, "empty"),
        (lambda: pd.DataFrame({"a": range(30), "y": range(30)}), {"target": "nope"}, "unknown target column 'nope'"),
        (lambda: pd.DataFrame({"a": range(30), "y": [np.nan] * 30}), {"target": "y"}, "no values"),
        (lambda: pd.DataFrame({"a": range(30), "y": [1] * 30}), {"target": "y"}, "constant"),
        (lambda: pd.DataFrame({"y": range(30)}), {"target": "y"}, "no usable feature columns"),
        (lambda: pd.DataFrame({"a": range(30), "y": range(30)}), {"target": "y", "exclude": ["a"]}, "no usable"),
        (lambda: pd.DataFrame({"a": [1] * 30, "y": range(30)}), {"target": "y"}, "no usable feature columns"),
        (lambda: pd.DataFrame({"a": range(30), "y": range(30)}), {"target": "y", "task": "ranking"}, "unknown task"),
        (
            lambda: pd.DataFrame({"a": range(30), "y": range(30)}),
            {"target": "y", "exclude": ["b"]},
            "unknown exclude column 'b'",
        ),
        (
            lambda: pd.DataFrame({"a": range(30), "y": list("ab") * 15}),
            {"target": "y", "task": "regression"},
            "numeric",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(make, kwargs, message):
    with pytest.raises(ValueError, match=message) as info:
        discover_features(make(), **kwargs)
    assert "\n" not in str(info.value)


def test_time_budget_is_honoured_on_a_larger_frame():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400_000, 20))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    df["y"] = (X[:, 0] + X[:, 1] - X[:, 2] + rng.normal(size=len(df))) > 0
    df["segment"] = rng.choice(["a", "b", "c", "d"], len(df))
    budget = 4.0  # far short of what 400,000 rows need (the first call also imports scikit-learn inside it)
    calls: list[tuple[str, float]] = []
    start = time.perf_counter()
    report = discover_features(df, "y", time_budget=budget, progress=lambda s, f: calls.append((s, f)))
    wall = time.perf_counter() - start
    assert report.budget_exhausted
    # slack: a stage that is under way is not interrupted, and this machine may be shared
    assert report.elapsed_seconds <= budget + 1.5
    assert wall <= budget + 2.0
    assert report.time_budget_seconds == budget
    assert report.rows == 400_000
    assert report.rows_used < 200_000
    assert set(report.top_features[:3]) == {"x0", "x1", "x2"}
    fractions = [f for _, f in calls]
    assert fractions == sorted(fractions)
    assert calls[0][1] == 0.0
    assert calls[-1] == ("done", 1.0)
    assert {s for s, _ in calls} >= {"profile", "univariate", "model", "done"}


def test_a_generous_budget_is_not_exhausted_and_results_are_reproducible():
    X, y = make_classification(n_samples=1500, n_features=6, n_informative=3, n_redundant=0, random_state=4)
    df = pd.DataFrame(X, columns=list("abcdef")).assign(label=np.where(y, "pos", "neg"))
    first, second = discover_features(df, "label"), discover_features(df, "label")
    assert not first.budget_exhausted
    assert first.rows_used == 1500
    assert [f.feature for f in first.features] == [f.feature for f in second.features]
    assert [f.score for f in first.features] == [f.score for f in second.features]


def test_a_report_on_data_from_the_feature_store_groups_its_findings_by_view(planted):
    from maestro_jupyter.analysis.features import NOT_FROM_STORE

    _, plain = planted
    views = {**dict.fromkeys(["f0", "f1", "f2", "f2_copy"], "profile"), **dict.fromkeys(["f3", "f4", "leak"], "usage")}
    report = plain.model_copy(update={"feature_views": views})
    groups = report.by_view()
    assert list(groups)[-1] == NOT_FROM_STORE  # columns of one's own come last
    assert {f.feature for f in groups["usage"]} == {"f3", "f4", "leak"}
    assert {f.feature for f in groups["profile"]} == {"f0", "f1", "f2", "f2_copy"}
    for group in groups.values():
        assert [f.rank for f in group] == sorted(f.rank for f in group)
    firsts = [group[0].rank for group in groups.values()]
    assert firsts == sorted(firsts)  # views in the order of their best feature
    html = report._repr_html_()
    assert "grouped by feature view (2 views)" in html
    assert html.index("By feature view") < html.index("permutation")  # the per-view rows come before the evidence
    assert '<th style="text-align:left">feature view</th>' in html
    # The flags column still carries chips (it moved one column right)
    assert '<span class="maestro-chip">leakage</span>' in html
    text = str(report)
    assert text.splitlines()[0] == report._summary()
    assert next(line for line in text.splitlines() if line.startswith("usage ")).endswith("leakage")
    usage = next(row for row in report._view_rows() if row[0] == "usage")
    # features, best rank, best score, its best features (never a flagged leak), the flags found in the view
    assert usage[1:3] == [3, groups["usage"][0].rank]
    assert set(usage[4].split(", ")) == {"f3", "f4"}
    assert usage[5] == "leakage"
    frame = report.to_frame().set_index("feature")
    assert (frame.loc["f3", "view"], frame.loc["const", "view"]) == ("usage", NOT_FROM_STORE)
    assert FeatureReport.model_validate_json(report.model_dump_json()).by_view().keys() == groups.keys()
    shown = report.head(3)
    assert sum(len(g) for g in _grouped_rows(shown)) == 3
    assert plain.by_view() == {}
    assert "view" not in plain.to_frame().columns
    assert "By feature view" not in plain._repr_html_()


def _grouped_rows(report: FeatureReport) -> list[list[object]]:
    """The evidence table's rows, as the notebook shows them, per view."""
    rows = report._rows()
    groups: dict[object, list[object]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    return list(groups.values())
