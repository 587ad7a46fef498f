"""Metrics across a model's versions: the SDK, the REST route and %maestro compare."""

from __future__ import annotations

import csv
import io
import os

import pytest

from maestro_jupyter import InvalidParameter, MaestroClient, NotFound
from maestro_jupyter.charts import VEGALITE_MIME
from maestro_jupyter.entities import VersionComparison
from tests.sdk_helpers import services_of

MODEL = "breast-cancer-classifier"


@pytest.fixture
def ml(settings):
    return MaestroClient(settings)


def displayed(obj: object) -> list[dict[str, object]]:
    """The mime bundles IPython's ``display(obj)`` publishes, one per output."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        display(obj)
    return [output.data for output in captured.outputs]


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


def test_training_time_falls_back_to_the_run_duration_without_a_logged_model(ml, settings):
    """A version registered from a run's artifact folder (as MLflow 2 did) has no record of when its model was logged:
    the run's duration stands in. (A logged model's start bounds it: tests/integration/test_runs_sdk_magics.py.)"""
    import mlflow
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_iris(return_X_y=True, as_frame=True)
    client = services_of(ml).mlflow.client
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
    client.create_registered_model("no-time-metric")
    client.create_model_version("no-time-metric", f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
    cmp = ml.models.compare("no-time-metric", ["training_time_s"])
    duration = ml.experiments.run(run.info.run_id).duration_seconds
    assert duration is not None
    assert cmp.versions[0].metrics["training_time_s"] == duration


def test_chart_table_csv_and_frame(ml):
    cmp = ml.models.compare(MODEL, ["accuracy", "training_time_s"])
    html = cmp._repr_html_()
    assert "<table" in html
    assert "<svg" not in html
    chart, table = displayed(cmp)  # the Vega-Lite chart, then the table, as two outputs
    assert table["text/html"] == html
    assert set(chart) == {VEGALITE_MIME, "image/svg+xml", "text/plain"}
    spec = chart[VEGALITE_MIME]
    assert [panel["title"]["text"] for panel in spec["concat"]] == ["accuracy", "training_time_s"]
    accuracy, seconds = spec["concat"]
    assert [r["item"] for r in accuracy["data"]["values"]] == ["v1", "v2", "v3"]
    assert [r["value"] for r in accuracy["data"]["values"]] == [v.metrics["accuracy"] for v in cmp.versions]
    aliases = [", ".join(v.aliases) or "no alias" for v in cmp.versions]
    assert [r["group"] for r in accuracy["data"]["values"]] == aliases
    assert accuracy["data"]["values"][2]["group"] == "champion"
    # Zero-based axes: a score on [0, 1], so 0.995 against 0.992 reads as nearly equal; a time from zero.
    assert accuracy["encoding"]["y"]["scale"] == {"zero": True, "nice": True, "domain": [0, 1]}
    assert seconds["encoding"]["y"]["scale"] == {"zero": True, "nice": True}
    assert {t["field"] for t in accuracy["encoding"]["tooltip"]} == {"item", "metric", "value", "group"}
    assert chart["text/plain"] == "Bar chart: accuracy, training_time_s for 3 versions (2 panels)"
    rows = list(csv.reader(io.StringIO(cmp.to_csv())))
    assert rows[0] == ["version", "aliases", "accuracy", "training_time_s"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert float(rows[3][2]) == cmp.versions[2].metrics["accuracy"]
    frame = cmp.to_frame()
    assert list(frame.columns) == ["version", "aliases", "accuracy", "training_time_s"]
    assert frame["accuracy"].tolist() == [v.metrics["accuracy"] for v in cmp.versions]


def test_a_single_version_and_missing_values_still_chart(ml):
    ml.models.set_tag("iris-classifier", "maestro.metric.cost_usd", "0.02", version=1)
    cmp = ml.models.compare("iris-classifier", ["accuracy", "cost_usd"])
    chart, _ = displayed(cmp)
    assert chart["image/svg+xml"].startswith("<svg")  # vl-convert drew it: the spec is sound
    values = {p["title"]["text"]: [r["value"] for r in p["data"]["values"]] for p in chart[VEGALITE_MIME]["concat"]}
    assert len(values["accuracy"]) == len(cmp.versions)
    assert values["cost_usd"].count(None) == len(cmp.versions) - 1


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
    assert VEGALITE_MIME in displayed(cmp)[0]


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
