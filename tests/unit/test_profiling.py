"""The profiling module: exact summaries checked against pandas, planted warnings found, the report on a sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes

from maestro_jupyter.analysis import profiling
from maestro_jupyter.analysis.profiling import DataSummary, ProfileResult, profile, summarize

BASE_ROWS = 400
DUPLICATES = 7


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    """A frame with known properties; the last 7 rows repeat earlier rows exactly."""
    rng = np.random.default_rng(42)
    n = BASE_ROWS
    x = rng.normal(10, 3, size=n)
    mostly_missing = rng.normal(size=n)
    mostly_missing[rng.permutation(n)[: int(0.6 * n)]] = np.nan
    label = np.array(["no"] * n, dtype=object)
    label[rng.permutation(n)[: n // 20]] = "yes"  # 5% minority
    base = pd.DataFrame(
        {
            "customer_id": np.arange(1000, 1000 + n),
            "const": 7,
            "empty": np.full(n, np.nan),
            "mostly_missing": mostly_missing,
            "x": x,
            "x_copy": x * 2.0 + rng.normal(0, 0.05, size=n),
            "noise": rng.normal(size=n),
            "city_code": [f"city_{i}" for i in rng.integers(0, 150, size=n)],
            "segment": pd.Categorical(rng.choice(["a", "b", "c"], size=n)),
            "flag": rng.random(n) < 0.3,
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**7, size=n), unit="s"),
            "label": label,
        }
    )
    repeated = base[base["label"] == "no"].iloc[:DUPLICATES]
    return pd.concat([base, repeated], ignore_index=True)


@pytest.fixture(scope="module")
def planted_summary(planted: pd.DataFrame) -> DataSummary:
    return summarize(planted, target="label")


@pytest.fixture(scope="module")
def breast_cancer() -> pd.DataFrame:
    return load_breast_cancer(as_frame=True).frame


def by_kind(summary: DataSummary, kind: str) -> list[list[str]]:
    return [w.columns for w in summary.warnings if w.kind == kind]


def assert_matches_pandas(df: pd.DataFrame, s: DataSummary) -> None:
    assert (s.rows, s.columns) == df.shape
    assert s.memory_bytes == df.memory_usage(deep=True).sum()
    assert s.missing_cells == df.isna().sum().sum()
    assert s.missing_share == pytest.approx(df.isna().sum().sum() / df.size)
    assert s.duplicate_rows == df.duplicated().sum()
    assert [c.name for c in s.column_summaries] == [str(c) for c in df.columns]
    for c in s.column_summaries:
        col = df[c.name]
        assert c.missing == col.isna().sum(), c.name
        assert c.missing_share == pytest.approx(col.isna().mean()), c.name
        assert c.distinct == col.nunique(), c.name
        assert c.dtype == str(col.dtype)
        if c.kind in ("numeric", "id") and pd.api.types.is_numeric_dtype(col):
            assert c.mean == pytest.approx(col.mean(), rel=1e-9), c.name
            assert c.std == pytest.approx(col.std(), rel=1e-9), c.name
            assert (c.min, c.max) == (col.min(), col.max()), c.name
        if c.kind in ("categorical", "boolean", "text"):
            counts = col.value_counts()
            assert counts.loc[c.top if c.kind != "boolean" else counts.index[0]] == counts.iloc[0]
            assert c.top_share == pytest.approx(counts.iloc[0] / col.notna().sum())


def assert_correlations_match_pandas(df: pd.DataFrame, s: DataSummary, threshold: float = 0.9) -> None:
    corr = df.corr()
    expected = {
        (a, b): corr.loc[a, b]
        for i, a in enumerate(corr.columns)
        for b in corr.columns[i + 1 :]
        if abs(corr.loc[a, b]) > threshold
    }
    found = {tuple(w.columns): w.value for w in s.warnings if w.kind == "high_correlation"}
    assert found.keys() == expected.keys()
    for pair, r in expected.items():
        assert found[pair] == pytest.approx(r, abs=1e-9)
    strengths = [abs(w.value or 0) for w in s.warnings if w.kind == "high_correlation"]
    assert strengths == sorted(strengths, reverse=True)


# --- exact figures -----------------------------------------------------------------------------------------------


def test_planted_frame_figures_equal_pandas(planted, planted_summary):
    assert_matches_pandas(planted, planted_summary)
    assert planted_summary.duplicate_rows == DUPLICATES
    assert planted_summary.target == "label"
    kinds = {c.name: c.kind for c in planted_summary.column_summaries}
    assert kinds == {
        "customer_id": "id",
        "const": "constant",
        "empty": "empty",
        "mostly_missing": "numeric",
        "x": "numeric",
        "x_copy": "numeric",
        "noise": "numeric",
        "city_code": "categorical",
        "segment": "categorical",
        "flag": "boolean",
        "when": "datetime",
        "label": "categorical",
    }


@pytest.mark.parametrize("loader", [load_breast_cancer, load_diabetes])
def test_bundled_datasets_figures_equal_pandas(loader):
    df = loader(as_frame=True).frame
    s = summarize(df, target="target")
    assert_matches_pandas(df, s)
    assert by_kind(s, "constant") == by_kind(s, "id_like") == by_kind(s, "all_missing") == []
    assert_correlations_match_pandas(df, s)


def test_breast_cancer_has_its_known_correlations(breast_cancer):
    s = summarize(breast_cancer)
    pairs = by_kind(s, "high_correlation")
    assert ["mean radius", "mean perimeter"] in pairs  # r = 0.998
    assert s.warnings[-1].kind == "high_correlation"  # correlations come last
    assert not by_kind(s, "imbalanced_target")  # no target given


def test_pairwise_complete_correlations_with_missing_values(breast_cancer):
    rng = np.random.default_rng(3)
    holed = breast_cancer.mask(rng.random(breast_cancer.shape) < 0.15)
    s = summarize(holed)
    assert_matches_pandas(holed, s)
    assert_correlations_match_pandas(holed, s)


# --- warnings ----------------------------------------------------------------------------------------------------


def test_each_planted_warning_is_found(planted, planted_summary):
    s = planted_summary
    assert by_kind(s, "constant") == [["const"]]
    assert by_kind(s, "all_missing") == [["empty"]]
    assert by_kind(s, "high_missing") == [["mostly_missing"]]
    assert by_kind(s, "id_like") == [["customer_id"]]
    assert by_kind(s, "high_cardinality") == [["city_code"]]
    assert by_kind(s, "high_correlation") == [["x", "x_copy"]]
    assert by_kind(s, "imbalanced_target") == [["label"]]
    assert by_kind(s, "duplicates") == [[]]
    values = {w.kind: w.value for w in s.warnings}
    assert values["high_missing"] == pytest.approx(planted["mostly_missing"].isna().mean())
    assert values["high_correlation"] > 0.99
    assert values["duplicates"] == DUPLICATES
    assert values["imbalanced_target"] == pytest.approx((BASE_ROWS * 0.95 + DUPLICATES) / len(planted))
    id_warning = next(w for w in s.warnings if w.kind == "id_like")
    assert "identifier" in id_warning.message
    assert "duplicate rows" in id_warning.message


def test_thresholds_are_honoured(planted):
    s = summarize(planted, high_missing=0.7, high_cardinality=1000, correlation=0.999999)
    assert by_kind(s, "high_missing") == by_kind(s, "high_cardinality") == by_kind(s, "high_correlation") == []
    s = summarize(planted, target="label", imbalance=0.96)
    assert by_kind(s, "imbalanced_target") == []


def test_imbalance_only_for_class_targets(planted):
    assert by_kind(summarize(planted, target="x"), "imbalanced_target") == []
    ints = planted.assign(label=(planted["label"] == "yes").astype(int))
    assert by_kind(summarize(ints, target="label"), "imbalanced_target") == [["label"]]


def test_kinds_of_awkward_columns():
    n = 200
    rng = np.random.default_rng(0)
    words = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
    df = pd.DataFrame(
        {
            "uuid": [f"{i:08x}-0000-4000-8000-{i:012x}" for i in rng.permutation(10**6)[:n]],
            "review": [" ".join(rng.choice(words, size=12)) for _ in range(n)],
            "mixed": [[1, 2], "a", 3, None, 2.5] * (n // 5),  # unhashable and mixed values
            "utc": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
            "nullable": pd.array([1, None, 3, 4] * (n // 4), dtype="Int64"),
            "yes_no": [True, False, None, True] * (n // 4),
            "wait": pd.to_timedelta(np.arange(n) % 7, unit="min"),
            "unique_floats": rng.normal(size=n),
        }
    )
    s = summarize(df)
    kinds = {c.name: c.kind for c in s.column_summaries}
    assert kinds == {
        "uuid": "id",
        "review": "text",
        "mixed": "categorical",
        "utc": "datetime",
        "nullable": "numeric",
        "yes_no": "boolean",
        "wait": "numeric",
        "unique_floats": "numeric",
    }
    cols = {c.name: c for c in s.column_summaries}
    assert cols["mixed"].distinct == 4
    assert cols["mixed"].missing == n // 5
    assert cols["wait"].max == 360.0  # timedeltas in seconds
    assert cols["nullable"].mean == pytest.approx(df["nullable"].mean())
    assert s.duplicate_rows == 0


def test_many_numeric_columns_report_only_the_strongest_pairs():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(300, 1))
    noise = rng.uniform(0.01, 0.3, size=(1, 210))
    df = pd.DataFrame(base + rng.normal(size=(300, 210)) * noise, columns=[f"c{i}" for i in range(210)])
    pairs = [w for w in summarize(df).warnings if w.kind == "high_correlation"]
    assert len(pairs) == profiling.TOP_CORRELATION_PAIRS
    corr = df.corr().to_numpy()
    strongest = np.sort(np.abs(corr[np.triu_indices(210, 1)]))[::-1][: len(pairs)]
    assert [abs(w.value or 0) for w in pairs] == pytest.approx(list(strongest), abs=1e-9)


# --- bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "target", "message"),
    [
        (pd.DataFrame(), None, "empty frame: 0 rows x 0 columns"),
        (pd.DataFrame(columns=["a", "b"]), None, "empty frame: 0 rows x 2 columns"),
        (pd.DataFrame(index=range(5)), None, "empty frame: 5 rows x 0 columns"),
        (pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "c", "Unknown target column 'c'; the columns are: a, b"),
        (pd.DataFrame({"a": [1, 2], "b": [None, None]}), "b", "Target column 'b' is all missing"),
        (pd.DataFrame({"a": [1, 2, 3], "b": ["x", "x", None]}), "b", "Target column 'b' is constant"),
    ],
)
def test_bad_input_is_a_clear_value_error(frame, target, message):
    with pytest.raises(ValueError, match=message) as info:
        summarize(frame, target=target)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match=message):
        profile(frame, target=target, report=False)


def test_bad_comparison_frame_and_sample():
    df = pd.DataFrame({"a": [1, 2, 3]})
    with pytest.raises(ValueError, match="empty comparison frame"):
        profile(df, compare=pd.DataFrame(), report=False)
    with pytest.raises(ValueError, match="at least 1 row"):
        profile(df, sample=0)


# --- the profile and its report (ydata-profiling takes seconds: few, small frames) -------------------------------


def test_summary_only_profile(planted):
    result = profile(planted, report=False, target="label")
    assert result.report_html is None
    assert result.report_rows is None
    assert result.summary == summarize(planted, target="label")
    html = result._repr_html_()
    assert "<iframe" not in html
    assert "customer_id looks like an ID" in html
    text = str(result)
    assert f"{len(planted):,} rows x 12 columns" in text
    assert "warning constant: const has a single value: 7" in text


def test_sampled_report_page_iframe_and_saved_file(planted, tmp_path, capfd):
    result = profile(planted, title="Planted data", max_report_rows=200, target="label", progress=False)
    assert isinstance(result, ProfileResult)
    assert capfd.readouterr().err == ""  # progress=False silences every progress bar
    assert result.summary.rows == len(planted)
    assert result.report_rows == 200
    page = result.report_html or ""
    assert "<html" in page
    assert "Planted data" in page
    assert f"computed on a random sample of 200 of {len(planted):,} rows" in page
    assert page.index("maestro-note") < page.index("<nav")  # the banner opens the body
    html = result._repr_html_()
    assert '<iframe title="Planted data" srcdoc="&lt;' in html
    assert 'sandbox="allow-scripts"' in html
    assert f"report on 200 of {len(planted):,} rows (sampled)" in html
    for w in result.summary.warnings:
        assert w.message.replace("'", "&#x27;") in html
    saved = result.save_html(str(tmp_path / "profile.html"))
    content = (tmp_path / "profile.html").read_text(encoding="utf-8")
    assert saved == str(tmp_path / "profile.html")
    assert content.startswith("<!DOCTYPE html>")
    assert "srcdoc=" in content
    assert "<title>Planted data</title>" in content


def test_comparison_report(breast_cancer):
    columns = ["mean radius", "mean texture", "mean smoothness", "target"]
    benign, malignant = breast_cancer[breast_cancer.target == 1], breast_cancer[breast_cancer.target == 0]
    result = profile(benign[columns], title="Benign vs malignant", compare=malignant[columns], progress=False)
    assert result.compare_summary is not None
    assert result.compare_summary.rows == len(malignant)
    assert result.report_rows == len(benign)
    page = result.report_html or ""
    assert "<html" in page
    assert "Benign vs malignant" in page
    assert "Comparison" in page
    assert "maestro-note" not in page  # nothing sampled
    assert "compared with: 212 rows x 4 columns" in str(result)


# --- identifiers: one definition, shared with feature discovery ---------------------------------------------------


@pytest.fixture(scope="module")
def id_frame() -> pd.DataFrame:
    """Columns that are identifiers and columns that only look unique; the positive class is oversampled by
    repeating its rows, as is often done before training (so the row number repeats with its row)."""
    rng = np.random.default_rng(4)
    n = 300
    y = (rng.random(n) < 0.2).astype(int)
    row_float = np.arange(n, dtype=float)
    row_float[5] = np.nan  # a row number read back with a missing value: floats
    base = pd.DataFrame(
        {
            "row": np.arange(n),
            "row_float": row_float,
            "code": [f"K-{i:05d}" for i in rng.permutation(n)],
            "signup": pd.date_range("2023-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),  # dates read from CSV
            "signup_ts": pd.date_range("2023-01-01", periods=n, freq="h").strftime("%Y-%m-%dT%H:%M:%SZ"),
            "day": pd.date_range("2023-01-01", periods=n, freq="D").strftime("%Y%m%d").astype(int),
            "when": pd.date_range("2023-01-01", periods=n, freq="D"),
            "amount": rng.normal(100, 20, n),
            "x": rng.normal(size=n) + y,
            "y": y,
        }
    )
    return pd.concat([base, base[base["y"] == 1]], ignore_index=True)


ID_COLUMNS = {"row", "row_float", "code"}


def test_identifiers_are_the_same_for_the_profile_and_for_features(id_frame):
    from maestro_jupyter.analysis.features import discover_features

    summary = summarize(id_frame)
    profiled = {w.columns[0] for w in summary.warnings if w.kind == "id_like"}
    report = discover_features(id_frame, "y", time_budget=20)
    flagged = {f.feature for f in report.features if "id_like" in f.flags}
    assert profiled == ID_COLUMNS
    assert flagged == ID_COLUMNS
    # Left out of the model and of the recommendations
    assert not ID_COLUMNS & set(report.top_features)


def test_a_date_column_is_never_an_identifier(id_frame):
    kinds = {c.name: c.kind for c in summarize(id_frame).column_summaries}
    assert kinds["signup"] == "categorical"
    assert kinds["signup_ts"] == "categorical"
    assert kinds["day"] == "numeric"
    assert kinds["when"] == "datetime"
    warned = {w.columns[0] for w in summarize(id_frame).warnings if w.kind == "id_like"}
    assert not {"signup", "signup_ts", "day", "when"} & warned
