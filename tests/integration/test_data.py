"""Profiling and feature discovery through the SDK, the REST API and %maestro, on real bundled data."""

from __future__ import annotations

import os
import time

import mlflow
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes

from maestro_jupyter import InvalidParameter, MaestroClient, NotFound, PermissionDenied
from maestro_jupyter.services.data import resolve_path
from tests.sdk_helpers import services_of


@pytest.fixture(scope="module")
def cancer() -> pd.DataFrame:
    return load_breast_cancer(as_frame=True).frame


@pytest.fixture
def ml(settings):
    return MaestroClient(settings)


def test_summary_is_exact_and_cached_by_content(ml, cancer):
    first = ml.data.profile(cancer, report=False, target="target")
    assert first.summary.rows == len(cancer) == 569
    assert first.summary.columns == 31
    assert first.summary.duplicate_rows == int(cancer.duplicated().sum())
    started = time.perf_counter()
    again = ml.data.profile(cancer.copy(), report=False, target="target")
    # The same content (sent again as Parquet): the cached result, down to the time the first profile took, and
    # marked as cached with when it was computed (a view says "Cached", not the first run's elapsed time).
    assert (first.cached, again.cached) == (False, True)
    assert again.computed_at == first.computed_at is not None
    assert again.model_copy(update={"cached": False}) == first
    assert time.perf_counter() - started < 1.0
    changed = cancer.copy()
    changed.iloc[0, 0] = None
    fresh = ml.data.profile(changed, report=False, target="target")
    assert fresh != first
    assert fresh.summary.missing_cells == first.summary.missing_cells + 1


def test_files_by_path_csv_tsv_and_parquet(ml, cancer, tmp_path):
    cancer.to_csv(tmp_path / "train.csv", index=False)
    cancer.to_csv(tmp_path / "train.tsv", index=False, sep="\t")
    cancer.to_parquet(tmp_path / "train.parquet")
    for name in ("train.csv", "train.tsv", "train.parquet"):
        result = ml.data.profile(str(tmp_path / name), report=False)
        assert (result.summary.rows, result.summary.columns) == (569, 31), name
        assert name in result.title


def test_report_output_and_compare(ml, cancer, tmp_path):
    half = cancer.iloc[:300]
    out = tmp_path / "report.html"
    result = ml.data.profile(cancer, compare=half, output=out, title="cancer vs first half")
    assert result.report_html
    assert "<html" in result.report_html.lower()
    assert result.compare_summary is not None
    assert result.compare_summary.rows == 300
    assert out.read_text().count("cancer vs first half") >= 1


def test_log_attaches_the_report_to_the_active_run(ml, cancer):
    with services_of(ml).mlflow.mlflow_globals():
        mlflow.set_experiment("profiles")
        with pytest.raises(InvalidParameter, match="No active MLflow run"):
            ml.data.profile(cancer.head(50), report=False, log=True)
        with mlflow.start_run() as run:
            ml.data.profile(cancer.head(50), report=False, log=True)
    names = {a.path for a in services_of(ml).mlflow.client.list_artifacts(run.info.run_id, "maestro/profile")}
    assert names == {"maestro/profile/summary.json", "maestro/profile/report.html"}


@pytest.mark.parametrize(
    ("source", "kwargs", "error", "match"),
    [
        ([1, 2, 3], {}, InvalidParameter, "Expected a pandas DataFrame"),
        (pd.DataFrame(), {}, InvalidParameter, "empty"),
        ("FRAME", {"target": "nope"}, InvalidParameter, "nope"),
        ("FRAME", {"sample": 5}, InvalidParameter, "sample must be between"),
        ("/no/such/file.csv", {}, NotFound, "No such file"),
        ("FRAME", {"output": "/no/such/dir/report.html"}, InvalidParameter, "does not exist"),
        ("FRAME", {"output": "report.txt"}, InvalidParameter, ".html"),
    ],
)
def test_profile_bad_input(ml, cancer, source, kwargs, error, match):
    frame = cancer.head(30) if isinstance(source, str) and source == "FRAME" else source
    with pytest.raises(error, match=match):
        ml.data.profile(frame, report=False, **kwargs)


def test_unreadable_and_unsupported_files(ml, tmp_path):
    (tmp_path / "broken.parquet").write_bytes(b"this is not parquet")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InvalidParameter, match=r"Cannot read broken\.parquet"):
        ml.data.profile(str(tmp_path / "broken.parquet"))
    with pytest.raises(InvalidParameter, match="not a CSV"):
        ml.data.profile(str(tmp_path / "notes.txt"))


def test_paths_are_confined_to_the_root(tmp_path):
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "data" / "ok.csv").write_text("a\n1\n")
    (tmp_path / "secret.csv").write_text("a\n1\n")
    os.symlink(tmp_path / "secret.csv", root / "data" / "link.csv")
    assert resolve_path("data/ok.csv", root) == (root / "data" / "ok.csv").resolve()
    assert resolve_path("/data/ok.csv", root) == (root / "data" / "ok.csv").resolve()  # leading / = the root
    assert resolve_path(str(root / "data" / "ok.csv"), root) == (root / "data" / "ok.csv").resolve()
    with pytest.raises(NotFound):
        resolve_path(str(tmp_path / "secret.csv"), root)  # absolute outside the root = <root>/tmp/...: not there
    for escape in ("../secret.csv", "data/../../secret.csv", "data/link.csv", "/../secret.csv"):
        with pytest.raises(PermissionDenied):
            resolve_path(escape, root)


def test_features_on_a_bundled_dataset(ml):
    diabetes = load_diabetes(as_frame=True).frame
    report = ml.data.features(diabetes, "target", time_budget=30)
    assert report.task == "regression"
    assert {"bmi", "s5"} <= set(report.top_features[:3])
    assert list(report.to_frame()["feature"])[:1] == [report.features[0].feature]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": "nope"}, "nope"),
        ({"target": "target", "task": "ranking"}, "task must be one of"),
        ({"target": "target", "top": 0}, "top must be between"),
        ({"target": "target", "time_budget": 0}, "time budget"),
    ],
)
def test_features_bad_input(ml, cancer, kwargs, match):
    with pytest.raises(InvalidParameter, match=match):
        ml.data.features(cancer, **kwargs)


# --- REST ------------------------------------------------------------------------------------------------------


@pytest.fixture
def data_files(jp_root_dir, cancer):
    (jp_root_dir / "data").mkdir()
    cancer.to_csv(jp_root_dir / "data" / "cancer.csv", index=False)
    (jp_root_dir / "data" / "broken.parquet").write_bytes(b"nope")
    return jp_root_dir


async def test_rest_profile_a_file_under_the_root(api, data_files):
    status, body = await api("POST", "data", "profile", body={"path": "data/cancer.csv", "report": False})
    assert status == 200
    assert (body["summary"]["rows"], body["summary"]["columns"]) == (569, 31)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"path": "../outside.csv"}, 403, "PERMISSION_DENIED"),
        ({"path": "/etc/passwd.csv"}, 404, "NOT_FOUND"),
        ({"path": "data/../../outside.csv"}, 403, "PERMISSION_DENIED"),
        ({"path": "data/missing.csv"}, 404, "NOT_FOUND"),
        ({"path": "data/broken.parquet"}, 400, "INVALID_PARAMETER"),
        ({"path": "data/cancer.csv", "sample": 1}, 400, "INVALID_PARAMETER"),
        ({"path": "data/cancer.csv", "target": "nope", "report": False}, 400, "INVALID_PARAMETER"),
        ({}, 400, "INVALID_PARAMETER"),
    ],
)
async def test_rest_profile_refusals(api, data_files, body, status, code):
    got, err = await api("POST", "data", "profile", body=body)
    assert (got, err["error"]) == (status, code), err


async def test_rest_features(api, data_files):
    body = {"path": "data/cancer.csv", "target": "target", "time_budget": 20, "top": 5}
    status, report = await api("POST", "data", "features", body=body)
    assert status == 200
    assert report["task"] == "classification"
    assert len(report["features"]) == 30
    status, err = await api("POST", "data", "features", body={**body, "target": "nope"})
    assert (status, err["error"]) == (400, "INVALID_PARAMETER")


# --- magics ----------------------------------------------------------------------------------------------------


@pytest.fixture
def shell(maestro_home, monkeypatch, cancer):
    from IPython.core.interactiveshell import InteractiveShell

    import maestro_jupyter

    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    sh = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(sh)
    sh.user_ns["df"] = cancer
    sh.user_ns["not_a_frame"] = [1, 2]
    return sh


def test_magic_profile_and_features(shell):
    result = shell.run_line_magic("maestro", "profile df --no-report --target target")
    assert result.summary.rows == 569
    report = shell.run_line_magic("maestro", "features df --target target --top 5 --time-budget 20")
    assert len(report.top_features) == 5


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("%maestro profile nothing_here", "No DataFrame named 'nothing_here'"),
        ("%maestro profile not_a_frame", "Expected a pandas DataFrame"),
        ("%maestro profile df --target nope --no-report", "nope"),
        ("%maestro profile missing.csv", "No such file"),
        ("%maestro features df", "the following arguments are required: --target"),
        ("%maestro features df --target nope", "nope"),
    ],
)
def test_magic_bad_input_is_one_line(shell, capsys, line, expected):
    from IPython.core.error import UsageError

    result = shell.run_cell(line)
    assert isinstance(result.error_in_exec, UsageError)
    out = capsys.readouterr()
    text = (out.out + out.err).strip()
    assert "Traceback" not in text
    assert expected in text
    assert len(text.splitlines()) == 1, text
