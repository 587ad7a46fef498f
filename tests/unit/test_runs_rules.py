"""The pure rules behind a run view: downsampling a history, what an artifact path may be, where a run came from,
how a download is named and typed, and what ``--sort`` means."""

from __future__ import annotations

import numpy as np
import pytest

from maestro_jupyter.backends.mlflow_runs import run_source, run_url
from maestro_jupyter.contract.runs import GetMetricHistories, GetMetricHistory, ListArtifacts, artifact_path
from maestro_jupyter.errors import InvalidParameter
from maestro_jupyter.magics.run_views import best_values, lower_is_better
from maestro_jupyter.magics.runs import sort_clause
from maestro_jupyter.services.runs import _text, download_type, downsample, file_name


@pytest.mark.parametrize("n", [3, 11, 1001, 5000, 99_999])
@pytest.mark.parametrize("cap", [10, 11, 100, 1000])
def test_downsampling_respects_the_cap_keeps_the_ends_and_the_order(n, cap):
    values = np.sin(np.arange(n) / 7.0)
    kept = downsample(values, cap)
    assert len(kept) <= cap
    assert list(kept) == sorted(set(kept.tolist()))
    if n <= cap:
        assert list(kept) == list(range(n))
    else:
        assert (kept[0], kept[-1]) == (0, n - 1)
        assert len(kept) >= min(cap - 2, n) // 2  # most of the budget is used


def test_downsampling_keeps_every_bucket_extreme():
    rng = np.random.default_rng(0)
    values = rng.normal(size=100_000)
    values[31_337], values[77_777] = 40.0, -40.0
    kept = downsample(values, 1000)
    assert {31_337, 77_777} <= set(kept.tolist())
    assert values[kept].max() == values.max()
    assert values[kept].min() == values.min()


def test_downsampling_never_picks_nan_when_a_bucket_has_a_number():
    values = np.array([1.0] + [np.nan, 5.0, np.nan, -3.0] * 50 + [2.0])
    kept = downsample(values, 10)
    inner = values[kept][1:-1]
    assert not np.isnan(inner).any()
    assert {5.0, -3.0} <= set(inner.tolist())


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, ""), ("", ""), ("/", None), ("a", "a"), ("eval/plot.png", "eval/plot.png"), ("dir/", "dir")],
)
def test_a_good_artifact_path_is_taken_without_its_trailing_slash(given, expected):
    if expected is None:
        with pytest.raises(InvalidParameter, match="absolute"):
            artifact_path(given)
    else:
        assert artifact_path(given) == expected


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../secret", "'..'"),
        ("a/../../b", "'..'"),
        ("./a", "'.'"),
        ("a//b", "empty"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("s3://bucket/key", "absolute"),
        ("a\\b", "'/'"),
        ("a\x00b", "control character"),
        ("a\nb", "control character"),
        ("x" * 1001, "longer than"),
        (5, "must be a string"),
    ],
)
def test_a_path_that_could_leave_the_run_is_refused_saying_why(path, why):
    with pytest.raises(InvalidParameter) as caught:
        ListArtifacts(run_id="a" * 32, artifact_path=path)
    assert why in caught.value.message


def test_history_requests_are_bounded():
    assert GetMetricHistory(run_id="a" * 32, key="loss").max_points == 1000
    with pytest.raises(InvalidParameter):
        GetMetricHistory.build(run_id="a" * 32, key="loss", max_points=10_001)
    with pytest.raises(InvalidParameter):
        GetMetricHistory.build(run_id="a" * 32, key="bad\nkey")
    ids = [f"{i:032x}" for i in range(101)]
    with pytest.raises(InvalidParameter, match="between 1 and 100"):
        GetMetricHistories.build(run_ids=ids, keys=["loss"])
    assert len(GetMetricHistories.build(run_ids=ids[:100] + ids[:3], keys=["loss"]).run_ids) == 100


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({}, None),
        ({"mlflow.source.type": "NOTEBOOK", "mlflow.source.name": "churn.ipynb"}, ("NOTEBOOK", "churn.ipynb", None)),
        # A Jupyter kernel without MLflow's notebook detection names its launcher: a notebook, name unknown.
        ({"mlflow.source.type": "LOCAL", "mlflow.source.name": "/v/ipykernel_launcher.py"}, ("NOTEBOOK", "", None)),
        ({"mlflow.source.type": "LOCAL", "mlflow.source.name": "train.py"}, ("SCRIPT", "train.py", None)),
        ({"mlflow.source.type": "LOCAL", "mlflow.source.name": "pytest"}, ("LOCAL", "pytest", None)),
        (
            {"mlflow.source.type": "JOB", "mlflow.source.name": "train.py", "maestro.job.id": "job-1a"},
            ("JOB", "train.py", "job-1a"),
        ),
        ({"maestro.job.id": "job-2b"}, ("JOB", "", "job-2b")),
        ({"mlflow.source.type": "RECIPE"}, ("UNKNOWN", "", None)),
    ],
)
def test_a_runs_source_comes_from_its_tags(tags, expected):
    source = run_source(tags)
    if expected is None:
        assert source is None
    else:
        assert source is not None
        assert (source.type, source.name, source.job_id) == expected


def test_the_git_commit_and_the_mlflow_link():
    source = run_source({"mlflow.source.git.commit": "abc123"})
    assert source is not None
    assert (source.type, source.git_commit) == ("UNKNOWN", "abc123")
    assert run_url("http://mlflow:5000/", "7", "r1") == "http://mlflow:5000/#/experiments/7/runs/r1"
    assert run_url(None, "7", "r1") is None
    # A tracking URI with credentials is the UI's default address: the link never shows them.
    assert (
        run_url("https://ana:s3cret@mlflow.team:8443/", "7", "r1") == "https://mlflow.team:8443/#/experiments/7/runs/r1"
    )


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("a/page.html", "application/octet-stream"),
        ("a/logo.svg", "application/octet-stream"),
        ("script.js", "application/octet-stream"),
        ("MLmodel", "application/octet-stream"),
        ("plot.PNG", "image/png"),
        ("table.csv", "text/csv; charset=utf-8"),
        ("notes.txt", "text/plain; charset=utf-8"),
    ],
)
def test_a_download_is_typed_by_its_name_and_never_as_a_page(path, media):
    assert download_type(path) == media


@pytest.mark.parametrize(
    ("path", "name"),
    [("eval/plot.png", "plot.png"), ('a/we"ird\r\nname.txt', "we_ird_name.txt"), ("dir/..x", "x"), ("é", "artifact")],
)
def test_a_download_name_is_safe_in_a_header(path, name):
    assert file_name(path) == name


def test_text_is_cut_at_64_kb_without_breaking_a_character():
    text = "é" * 40_000  # two bytes each: the 64 KB cut falls inside one
    assert _text(text.encode("utf-8")) == "é" * 32_768
    assert _text(b"\x00binary") is None
    assert _text(b"\xff\xfe not utf-8 at the start") is None


@pytest.mark.parametrize(
    ("metric", "lower"),
    [
        ("loss", True),
        ("val_loss", True),
        ("train/loss", True),
        ("rmse", True),
        ("training_time_s", True),
        ("accuracy", False),
        ("roc_auc", False),
        ("f1", False),
        ("r2", False),
    ],
)
def test_which_way_a_metric_is_better(metric, lower):
    assert lower_is_better(metric) is lower


def test_sort_puts_the_best_first_unless_told_otherwise():
    assert sort_clause("metrics.accuracy") == "metrics.accuracy DESC"
    assert sort_clause("metrics.val_loss") == "metrics.val_loss ASC"
    assert sort_clause("metrics.accuracy  asc") == "metrics.accuracy asc"
    assert sort_clause("params.C") == "params.C ASC"
    assert sort_clause("attributes.start_time DESC") == "attributes.start_time DESC"


def test_the_best_value_needs_two_runs_to_compare():
    from maestro_jupyter.entities import RunSummary

    runs = [
        RunSummary(run_id="a", experiment_id="1", status="FINISHED", metrics={"loss": 0.3, "acc": 0.8}),
        RunSummary(run_id="b", experiment_id="1", status="FINISHED", metrics={"loss": 0.2, "f1": 0.5}),
    ]
    assert best_values(runs, ["loss", "acc", "f1"]) == {"loss": 0.2}
