"""A run in depth from a notebook: ``ml.experiments.history``/``histories``/``artifacts``/``artifact_preview``/
``download_artifact`` (in-process behind a JSON wire, and over HTTP), ``%maestro runs`` and ``%maestro run`` in a real
IPython shell, and ``training_time_s`` measuring training, not model logging."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from maestro_jupyter import InvalidParameter, MaestroClient, NotFound
from maestro_jupyter.magics.run_views import RunsTable, RunView
from maestro_jupyter.sdk.http import HttpTransport
from maestro_jupyter.settings import Settings
from tests.integration.test_magics import one_line_error, run_line, shell  # noqa: F401 - the shell fixture
from tests.live_server import LabServer, start_lab, stop
from tests.runs_helpers import DIP, EXPERIMENT, SPIKE, STEPS, LoggedRun, log_run, png
from tests.sdk_helpers import services_of


@pytest.fixture
def logged(ml: MaestroClient, tmp_path: Path) -> LoggedRun:
    return log_run(services_of(ml).mlflow.client, tmp_path / "artifacts")


# --- the SDK -----------------------------------------------------------------------------------------------------


def test_history_is_a_frame_in_step_order_with_datetimes(ml, logged):
    frame = ml.experiments.history(logged.run_id, "loss", max_points=200)
    assert list(frame.columns) == ["step", "timestamp", "value"]
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert frame["step"].is_monotonic_increasing
    assert 100 <= len(frame) <= 200
    assert frame.attrs["total_points"] == STEPS
    assert frame.attrs["downsampled"] is True
    assert {SPIKE, DIP} <= set(frame["value"])  # the extremes survive the downsampling
    whole = ml.experiments.history(logged.run_id, "loss", max_points=10_000)
    assert len(whole) == STEPS
    assert whole.attrs["downsampled"] is False


def test_histories_is_one_long_frame_with_a_run_column(ml, logged):
    frame = ml.experiments.histories([logged.run_id, logged.other_run_id], ["loss", "accuracy"], max_points=50)
    assert list(frame.columns) == ["run", "key", "step", "timestamp", "value"]
    assert set(zip(frame["run"], frame["key"], strict=True)) == {
        (logged.run_id, "loss"),
        (logged.run_id, "accuracy"),
        (logged.other_run_id, "accuracy"),
    }
    assert (frame["key"] == "loss").sum() <= 50
    empty = ml.experiments.histories(logged.other_run_id, "loss")
    assert list(empty.columns) == ["run", "key", "step", "timestamp", "value"]
    assert empty.empty


def test_artifacts_previews_and_downloads(ml, logged, tmp_path):
    listing = ml.experiments.artifacts(logged.run_id)
    assert [f.path for f in listing.files if f.is_dir] == ["eval"]
    assert "eval/" in str(listing)
    assert [f.path for f in ml.experiments.artifacts(logged.run_id, "eval").files] == [
        "eval/plot.png",
        "eval/table.csv",
    ]
    preview = ml.experiments.artifact_preview(logged.run_id, "eval/table.csv")
    assert preview.kind == "table"
    assert "<table" in preview._repr_mimebundle_()["text/html"]
    image = ml.experiments.artifact_preview(logged.run_id, "eval/plot.png")
    assert '<img src="data:image/png;base64,' in image._repr_mimebundle_()["text/html"]

    saved = ml.experiments.download_artifact(logged.run_id, "eval/plot.png", tmp_path)
    assert saved == tmp_path / "plot.png"
    assert saved.read_bytes() == png()
    named = ml.experiments.download_artifact(logged.run_id, "notes.txt", tmp_path / "copy.txt")
    assert named.read_text() == "first line\nsecond line\n"


def test_errors_are_typed(ml, logged):
    with pytest.raises(NotFound, match="no metric 'ghost'"):
        ml.experiments.history(logged.run_id, "ghost")
    with pytest.raises(NotFound):
        ml.experiments.artifacts("f" * 32)
    with pytest.raises(InvalidParameter, match=re.escape("'..'")):
        ml.experiments.artifact_preview(logged.run_id, "../etc/passwd")
    with pytest.raises(InvalidParameter, match="max_points"):
        ml.experiments.history(logged.run_id, "loss", max_points=10**6)


@pytest.fixture(scope="module")
def live(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabServer, LoggedRun]]:
    home = tmp_path_factory.mktemp("runs-http-home")
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    local = MaestroClient(Settings.from_env({}, home=str(home)))
    logged = log_run(services_of(local).mlflow.client, tmp_path_factory.mktemp("runs-http-artifacts"))
    server = start_lab(tmp_path_factory.mktemp("runs-http-lab"), home, {"MAESTRO_RATE_LIMIT": "100000"})
    try:
        yield server, logged
    finally:
        stop(server.process)


def test_the_same_over_http(live, tmp_path):
    server, logged = live
    ml = MaestroClient(transport=HttpTransport(Settings.from_env({}, url=server.url), server.token))
    frame = ml.experiments.history(logged.run_id, "loss", max_points=100)
    assert len(frame) <= 100
    assert SPIKE in set(frame["value"])
    assert ml.experiments.artifact_preview(logged.run_id, "notes.txt").text == "first line\nsecond line\n"
    saved = ml.experiments.download_artifact(logged.run_id, "blob.bin", tmp_path)
    assert saved.read_bytes() == bytes(range(256)) * 4  # the binary route: bytes, not JSON
    assert ml.experiments.run(logged.run_id).experiment_name == EXPERIMENT
    with pytest.raises(NotFound):
        ml.experiments.history(logged.run_id, "ghost")


# --- the magics --------------------------------------------------------------------------------------------------


@pytest.fixture
def shell_run(shell, maestro_home: Path, tmp_path: Path) -> LoggedRun:  # noqa: F811 - the imported fixture
    client = MaestroClient(Settings.from_env({}, home=str(maestro_home)))
    return log_run(services_of(client).mlflow.client, tmp_path / "artifacts")


def test_runs_shows_a_table_with_the_best_values_marked(shell, shell_run):  # noqa: F811
    table = run_line(shell, f"runs {EXPERIMENT}")
    assert isinstance(table, RunsTable)
    assert {r.run_name for r in table} == {"long-curve", "short"}
    assert table.metrics == ["accuracy", "loss"]
    assert table.best == {"accuracy": 0.95}  # one run logged a loss: no best among one
    html = table._repr_html_()
    best_cell = re.search(r'<td style="[^"]*success-color3[^"]*"[^>]*>([^<]*)</td>', html)
    assert best_cell is not None
    assert best_cell.group(1) == "0.9500"
    assert html.index(">name<") < html.index(">status<") < html.index(">started<") < html.index(">duration<")
    text = repr(table)
    assert text.splitlines()[0] == f"2 runs of {EXPERIMENT}"
    assert "Best: accuracy 0.9500 (short, highest)" in text
    frame = table.to_frame()
    assert {"run_id", "run_name", "metrics.accuracy", "params.lr"} <= set(frame.columns)


def test_runs_sorts_filters_and_defaults_to_the_latest_experiment(shell, shell_run, monkeypatch):  # noqa: F811
    high_first = run_line(shell, f"runs {EXPERIMENT} --sort metrics.accuracy")
    assert [r.metrics["accuracy"] for r in high_first] == [0.95, 0.91]
    assert high_first.order_by == ["metrics.accuracy DESC"]
    low_first = run_line(shell, f"runs {EXPERIMENT} --sort 'metrics.accuracy ASC'")
    assert [r.metrics["accuracy"] for r in low_first] == [0.91, 0.95]
    filtered = run_line(shell, f"runs {EXPERIMENT} --filter 'metrics.accuracy > 0.92'")
    assert [r.run_name for r in filtered] == ["short"]
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    assert run_line(shell, "runs").experiment == EXPERIMENT  # the one just written to
    assert len(run_line(shell, f"runs {EXPERIMENT} --max 1")) == 1


def test_run_shows_the_summary_first_then_details_and_learning_curves(shell, shell_run):  # noqa: F811
    view = run_line(shell, f"run {shell_run.run_id}")
    assert isinstance(view, RunView)
    first = repr(view).splitlines()[0]
    assert first.startswith(f"long-curve · in {EXPERIMENT} · FINISHED · ")
    assert first.split(" · ")[4] == "script train.py"
    html = view._repr_html_()
    assert html.index("long-curve") < html.index("Params") < html.index("Metrics") < html.index("Artifacts")
    assert "<details><summary>Tags (1)</summary>" in html  # folded: the user's tag, not MLflow's own
    assert "eval/" in html
    assert "notes.txt" in html
    assert view.chart is not None
    spec = view.chart.spec
    assert "loss" in str(spec)
    assert "accuracy" not in str(spec)  # one step: no curve to draw
    metric_rows = {row[0]: row for row in view._metric_rows()}
    assert metric_rows["loss"][2] == f"{STEPS:,}"  # the steps logged
    assert metric_rows["accuracy"][2] == ""


def test_run_errors_are_one_line(shell, shell_run, capsys):  # noqa: F811
    text = one_line_error(shell, capsys, f"%maestro run {'f' * 32}")
    assert "not found" in text
    text = one_line_error(shell, capsys, "%maestro runs no-such-experiment")
    assert "No experiment" in text


def test_help_lists_runs_and_run(shell):  # noqa: F811
    commands = {row[0] for row in run_line(shell, "help").rows}
    assert {"%maestro runs", "%maestro run"} <= commands


# --- training_time_s -------------------------------------------------------------------------------------------------


def test_training_time_without_a_logged_metric_stops_where_model_logging_starts(ml):
    import mlflow
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_iris(return_X_y=True, as_frame=True)
    with services_of(ml).mlflow.mlflow_globals():
        mlflow.set_experiment("fit-then-log")
        with mlflow.start_run() as run:
            model = DecisionTreeClassifier(max_depth=2).fit(x, y)
            mlflow.log_metric("accuracy", float(model.score(x, y)))
            logging_starts = time.time()
            mlflow.sklearn.log_model(
                model, name="model", pip_requirements=["scikit-learn"], skops_trusted_types=["sklearn.tree._tree.Tree"]
            )
    ml.models.register(run.info.run_id, "fit-then-log")
    measured = ml.models.compare("fit-then-log", ["training_time_s"]).versions[0].metrics["training_time_s"]
    summary = ml.experiments.run(run.info.run_id)
    assert summary.start_time is not None
    assert summary.duration_seconds is not None
    until_logging = logging_starts - summary.start_time / 1000
    assert measured is not None
    assert 0 <= measured <= until_logging + 0.05  # the fit (and the metric), not the model's saving and upload
    assert measured < summary.duration_seconds


def test_a_logged_training_time_is_what_compare_shows(ml):
    cmp = ml.models.compare("breast-cancer-classifier", ["training_time_s"])
    run_ids = [v.run_id for v in cmp.versions]
    logged = [ml.experiments.run(r).metrics["training_time_s"] for r in run_ids if r]
    assert [v.metrics["training_time_s"] for v in cmp.versions] == logged
