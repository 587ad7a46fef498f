"""Metrics across a model's versions: the SDK, the REST route and %maestro compare."""

from __future__ import annotations

import csv
import io
import os

import pytest

from maestro_jupyter import InvalidParameter, MaestroClient, NotFound
from maestro_jupyter.entities import VersionComparison
from tests.sdk_helpers import services_of

MODEL = "breast-cancer-classifier"


@pytest.fixture
def ml(settings):
    return MaestroClient(settings)


def test_versions_oldest_first_with_the_runs_metrics(ml):
    cmp = ml.models.compare(MODEL)
    assert [v.version for v in cmp.versions] == ["1", "2", "3"]
    assert {"accuracy", "f1", "roc_auc", "log_loss", "training_time_s"} <= set(cmp.available_metrics)
    assert cmp.metrics == cmp.available_metrics
    for v in cmp.versions:
        run = ml.experiments.run(v.run_id)
        assert v.metrics["accuracy"] == run.metrics["accuracy"]
    assert cmp.versions[2].aliases == ["champion"]


def test_chosen_metrics_and_versions(ml):
    cmp = ml.models.compare(MODEL, ["accuracy", "training_time_s"], versions=[3, 1])
    assert cmp.metrics == ["accuracy", "training_time_s"]
    assert [v.version for v in cmp.versions] == ["1", "3"]
    assert set(cmp.versions[0].metrics) == {"accuracy", "training_time_s"}


def test_version_metric_tags_join_the_comparison(ml):
    """Later features (model tests, costs) record per-version numbers as maestro.metric.* tags."""
    ml.models.set_tag(MODEL, "maestro.metric.latency_p95_ms", "12.5", version=2)
    ml.models.set_tag(MODEL, "maestro.metric.note", "not a number", version=2)
    cmp = ml.models.compare(MODEL, ["latency_p95_ms"])
    assert [v.metrics["latency_p95_ms"] for v in cmp.versions] == [None, 12.5, None]
    assert "note" not in cmp.available_metrics


def test_training_time_falls_back_to_the_run_duration(ml, settings):
    import mlflow
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_iris(return_X_y=True, as_frame=True)
    with services_of(ml).mlflow.mlflow_globals():
        mlflow.set_experiment("no-time-metric")
        with mlflow.start_run() as run:
            mlflow.log_metric("accuracy", 0.5)
            mlflow.sklearn.log_model(
                DecisionTreeClassifier(max_depth=1).fit(x, y),
                name="model",
                pip_requirements=["scikit-learn"],
                skops_trusted_types=["sklearn.tree._tree.Tree"],
            )
    ml.models.register(run.info.run_id, "no-time-metric")
    cmp = ml.models.compare("no-time-metric", ["training_time_s"])
    duration = ml.experiments.run(run.info.run_id).duration_seconds
    assert duration is not None
    assert cmp.versions[0].metrics["training_time_s"] == duration


def test_chart_table_csv_and_frame(ml):
    cmp = ml.models.compare(MODEL, ["accuracy", "training_time_s"])
    html = cmp._repr_html_()
    assert html.count("<svg") == 2
    assert 'aria-label="accuracy by version"' in html
    assert html.count("<polyline") == 2
    assert "<table" in html
    rows = list(csv.reader(io.StringIO(cmp.to_csv())))
    assert rows[0] == ["version", "aliases", "accuracy", "training_time_s"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert float(rows[3][2]) == cmp.versions[2].metrics["accuracy"]
    frame = cmp.to_frame()
    assert list(frame.columns) == ["version", "aliases", "accuracy", "training_time_s"]
    assert frame["accuracy"].tolist() == [v.metrics["accuracy"] for v in cmp.versions]


def test_a_single_version_and_missing_values_still_chart(ml):
    ml.models.set_tag("iris-classifier", "maestro.metric.cost_usd", "0.02", version=1)
    html = ml.models.compare("iris-classifier", ["accuracy", "cost_usd"])._repr_html_()
    assert html.count("<svg") == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": "no-such-model"}, NotFound, "not found"),
        ({"name": MODEL, "metrics": ["nope"]}, InvalidParameter, "available: accuracy"),
        ({"name": MODEL, "versions": [9]}, NotFound, "no version 9"),
        ({"name": MODEL, "versions": ["x"]}, InvalidParameter, "Invalid model version"),
    ],
)
def test_bad_input(ml, kwargs, error, match):
    with pytest.raises(error, match=match):
        ml.models.compare(**kwargs)


async def test_rest_compare(api):
    status, body = await api("GET", "models", MODEL, "compare", params={"metrics": "accuracy,f1"})
    assert status == 200
    cmp = VersionComparison.model_validate(body)
    assert cmp.metrics == ["accuracy", "f1"]
    assert [v.version for v in cmp.versions] == ["1", "2", "3"]
    status, err = await api("GET", "models", MODEL, "compare", params={"metrics": "bogus"})
    assert (status, err["error"]) == (400, "INVALID_PARAMETER")
    assert "available:" in err["message"]


def test_magic_compare(maestro_home, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    import maestro_jupyter

    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    shell = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(shell)
    cmp = shell.run_line_magic("maestro", f"compare {MODEL} --metrics accuracy,training_time_s")
    assert isinstance(cmp, VersionComparison)
    assert cmp.metrics == ["accuracy", "training_time_s"]
    assert "<svg" in cmp._repr_html_()


def test_pointing_mlflow_at_the_store_leaves_the_environment_alone(ml, monkeypatch):
    """MLflow's own set_tracking_uri inserts and then deletes MLFLOW_TRACKING_URI: another thread reading the
    environment meanwhile (requests does, for proxies) failed with KeyError, the first model download of a busy
    service with it."""
    import mlflow

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    before = dict(os.environ)
    backend = services_of(ml).mlflow
    with backend.mlflow_globals():
        assert mlflow.get_tracking_uri() == backend.tracking_uri
        assert dict(os.environ) == before
    assert dict(os.environ) == before
