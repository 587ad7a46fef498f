"""Leakage in feature discovery is one rule for every kind of target, and `%maestro features --top N` shows N rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from maestro_jupyter.analysis.features import FeatureReport, FeatureScore, discover_features


def by_name(report: FeatureReport) -> dict[str, FeatureScore]:
    return {f.feature: f for f in report.features}


def leakage_flag(report: FeatureReport, column: str):
    return next((f for f in report.flags if f.kind == "leakage" and f.columns == [column]), None)


def assert_flagged_and_not_recommended(report: FeatureReport, column: str) -> None:
    feature = by_name(report)[column]
    assert "leakage" in feature.flags, str(report)
    assert column not in report.top_features
    assert report.features[0].feature != column
    honest = [f for f in report.features if not f.flags]
    assert all(feature.rank > f.rank for f in honest)  # ranked after every unflagged column
    flag = leakage_flag(report, column)
    assert flag is not None
    assert flag.value > 0.98
    assert "not recommended" in flag.message


@pytest.mark.parametrize(("rows", "seed"), [(200, 0), (500, 0), (3000, 1)])
def test_a_leak_of_a_multiclass_target_is_flagged(rows, seed):
    """The issue's case: leak = target * 10 + N(0, 0.01) on three classes. Its correlation ratio is 1.000; before,
    only a lookup model on quantile bins could flag it, and its bins straddling the classes kept it under 0.98."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, rows, p=[0.6, 0.3, 0.1])
    df = pd.DataFrame(
        {"a": rng.normal(size=rows) + y, "b": rng.normal(size=rows), "leak": y * 10 + rng.normal(0, 0.01, rows)}
    ).assign(target=y)
    report = discover_features(df, "target", time_budget=20)
    assert report.task == "classification"
    assert by_name(report)["leak"].correlation_ratio > 0.99
    assert_flagged_and_not_recommended(report, "leak")
    assert report.top_features[0] == "a"


def test_a_near_perfect_predictor_no_correlation_sees_is_flagged():
    """The class is a function of x over 21 alternating intervals: eta and |r| stay low, but a one-feature model
    (and the mutual information) find that x alone gives the class away."""
    rng = np.random.default_rng(3)
    rows = 3000
    x = rng.uniform(0, 3, rows)
    y = np.floor(x * 7).astype(int) % 3
    df = pd.DataFrame({"x": x, "noise": rng.normal(size=rows), "other": rng.normal(size=rows) + y}).assign(y=y)
    report = discover_features(df, "y", time_budget=20)
    assert by_name(report)["x"].correlation_ratio < 0.98
    assert_flagged_and_not_recommended(report, "x")


@pytest.mark.parametrize("kind", ["numeric", "categorical"])
def test_a_leak_of_a_numeric_target_is_flagged(kind):
    rng = np.random.default_rng(5)
    rows = 2000
    y = rng.normal(size=rows)
    leak = pd.Series(y * 3 + rng.normal(0, 0.01, rows))
    if kind == "categorical":  # the target cut in 40 bands, as text: only the correlation ratio measures it
        leak = pd.qcut(y, 40, labels=[f"band{i:02d}" for i in range(40)]).astype(str)
    df = pd.DataFrame({"x": y + rng.normal(size=rows), "noise": rng.normal(size=rows), "leak": leak}).assign(y=y)
    report = discover_features(df, "y", time_budget=20)
    assert report.task == "regression"
    assert_flagged_and_not_recommended(report, "leak")


def test_strong_honest_features_are_not_leakage():
    """Iris petal length separates the species well (eta 0.97) but not perfectly: recommended, not flagged."""
    df = load_iris(as_frame=True).frame
    report = discover_features(df, "target", time_budget=20)
    assert not [f for f in report.flags if f.kind == "leakage"], str(report)
    assert report.top_features[0] in ("petal length (cm)", "petal width (cm)")  # the other is its redundant twin


# --- %maestro features --top N ----------------------------------------------------------------------------------


@pytest.fixture
def shell(tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    import maestro_jupyter

    monkeypatch.setenv("MAESTRO_HOME", str(tmp_path / "home"))
    sh = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(sh)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(400, 12)), columns=[f"c{i}" for i in range(12)])
    sh.user_ns["df"] = frame.assign(y=frame["c0"] + frame["c1"] + rng.normal(size=400))
    return sh


def test_magic_top_limits_the_table_shown(shell):
    report = shell.run_line_magic("maestro", "features df --target y --top 3 --time-budget 20")
    assert len(report.features) == 12  # the data stays whole
    text = str(report)
    # Rows start with their rank, right-aligned like every number (so a rank under 10 starts with a space).
    shown = [line.split()[1] for line in text.splitlines() if line.lstrip()[:1].isdigit()]
    assert shown == [f.feature for f in report.features[:3]]
    assert "top 3 of 12 features shown" in text
    html = report._repr_html_()
    assert [bar["label"] for bar in report.chart().spec["data"]["values"]] == [f.feature for f in report.features[:3]]
    assert all(f">{f.feature}</td>" in html for f in report.features[:3])  # cells carry their alignment
    assert all(f">{f.feature}</td>" not in html for f in report.features[3:])
    assert len(report.to_frame()) == 12
    # Without --top, the default of 10.
    assert len([ln for ln in str(shell.run_line_magic("maestro", "features df --target y")).splitlines()
                if ln.lstrip()[:1].isdigit()]) == 10  # fmt: skip
