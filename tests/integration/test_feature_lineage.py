"""Feature lineage, from a training job that names a feature service to its run, its model version, the version's
details, the model card and the comparison of versions; and back, from the service or a view to the versions.

The first tests record lineage on the seeded registry's runs exactly as ``ml.features.training_set`` does
(``record_training_set`` with the run of ``MLFLOW_RUN_ID``) and read it every way; the last runs a real training job
(local compute) on the demo feature repo: the job builds its training set from the service it was given, trains,
logs and registers a model.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest
from IPython.core.interactiveshell import InteractiveShell

import maestro_jupyter
from maestro_jupyter import MaestroClient
from maestro_jupyter import tagkeys as tk
from maestro_jupyter.backends.feast_store import FeastBackend
from maestro_jupyter.contract.feature_lineage import GetFeatureLineage
from maestro_jupyter.entities import Job
from maestro_jupyter.entities.feature_lineage import FeatureLineage
from maestro_jupyter.errors import InvalidParameter, NotFound
from maestro_jupyter.sdk.lineage import record_training_set
from tests.compute_helpers import stop_everything, write_script
from tests.feature_helpers import entity_frame
from tests.integration.test_magics import one_line_error

MODEL = "breast-cancer-classifier"
SERVICE_SET = SimpleNamespace(
    service="churn_v1",
    views=["customer_profile", "customer_activity"],
    refs=["customer_profile:tenure_months", "customer_activity:logins_7d"],
    registry_version="5f0c2d4e-1111-4a5b-9c3d-2e8f7a6b1c00",
    project="maestro",
)
REFS_SET = SimpleNamespace(
    service=None,
    views=["customer_profile"],
    refs=["customer_profile:tenure_months", "customer_profile:monthly_charges"],
    registry_version="5f0c2d4e-2222-4a5b-9c3d-2e8f7a6b1c00",
    project="maestro",
)


def lineage(ml, **query) -> FeatureLineage:
    """The lineage the SDK's transport answers (through the JSON wire these tests put around it)."""
    return ml._transport.call(GetFeatureLineage.build(**query))


@pytest.fixture
def recorded(ml, monkeypatch):
    """v2 of the seeded model trained on the feature service, v3 on a list of features of one view; v1 on neither.
    Recorded as a job's script records it: on the run ``MLFLOW_RUN_ID`` names, in the tracking store the job's
    environment names."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", ml.settings.tracking_uri)
    runs = {}
    for version, training_set in (("2", SERVICE_SET), ("3", REFS_SET)):
        run_id = ml.models.get(MODEL, version=version).run_id
        monkeypatch.setenv("MLFLOW_RUN_ID", run_id)
        record_training_set(training_set)
        runs[version] = run_id
    monkeypatch.delenv("MLFLOW_RUN_ID")
    return runs


def test_the_run_records_the_service_views_registry_version_and_project(ml, recorded):
    tags = ml.experiments.run(recorded["2"]).tags
    assert tags[tk.FEATURE_SERVICE] == "churn_v1"
    assert tags[tk.FEATURE_VIEWS] == "customer_activity,customer_profile"
    assert tags[tk.FEATURE_REGISTRY_VERSION] == SERVICE_SET.registry_version
    assert tags[tk.FEATURE_PROJECT] == "maestro"
    assert tk.FEATURE_REFS not in tags  # a service is recorded by its name
    refs = ml.experiments.run(recorded["3"]).tags
    assert tk.FEATURE_SERVICE not in refs
    assert refs[tk.FEATURE_REFS] == "customer_profile:tenure_months,customer_profile:monthly_charges"


def test_lineage_from_a_service_or_a_view_to_the_versions(ml, recorded):
    by_service = lineage(ml, service="churn_v1")
    assert [(e.model, e.version, e.run_id) for e in by_service] == [(MODEL, "2", recorded["2"])]
    entry = by_service.items[0]
    assert entry.views == ["customer_activity", "customer_profile"]
    assert entry.registry_version == SERVICE_SET.registry_version
    assert entry.trained_at is not None
    assert "1 model version trained on service churn_v1" in str(by_service)

    by_view = lineage(ml, view="customer_profile")
    assert [e.version for e in by_view] == ["3", "2"]  # newest training first
    assert by_view.items[0].service is None
    assert by_view.items[0].refs == REFS_SET.refs
    assert [e.version for e in lineage(ml, view="customer_activity")] == ["2"]
    # The views tag is searched by its text, then matched name by name: a view's prefix is no view.
    assert list(lineage(ml, view="customer")) == []
    assert list(lineage(ml, view="customer_%")) == []
    assert list(lineage(ml, service="churn_v2")) == []


def test_lineage_from_a_model_or_a_version_to_its_features(ml, recorded):
    of_model = lineage(ml, model=MODEL)
    assert [(e.version, e.service) for e in of_model] == [("3", None), ("2", "churn_v1")]  # v1 recorded nothing
    assert [e.version for e in lineage(ml, model=MODEL, version=2)] == ["2"]
    assert list(lineage(ml, model=MODEL, version=1)) == []
    assert list(lineage(ml, model="iris-classifier")) == []
    with pytest.raises(NotFound):
        lineage(ml, model="no-such-model")
    with pytest.raises(NotFound):
        lineage(ml, model=MODEL, version=99)
    with pytest.raises(InvalidParameter, match="exactly one of service, view or model"):
        lineage(ml, service="churn_v1", model=MODEL)
    with pytest.raises(InvalidParameter, match="needs its model"):
        lineage(ml, service="churn_v1", version=2)


def test_the_version_details_show_the_features(ml, recorded):
    v2 = ml.models.get(MODEL, version=2)
    assert v2.features is not None
    assert (v2.features.service, v2.features.views) == ("churn_v1", ["customer_activity", "customer_profile"])
    assert v2.features.registry_version == SERVICE_SET.registry_version
    text = str(v2)
    assert "features" in text
    assert "service churn_v1 · views customer_activity, customer_profile · registry 5f0c2d4e…" in text
    assert "service churn_v1" in v2._repr_html_()
    assert ml.models.get(MODEL, version=3).features.refs == REFS_SET.refs
    assert ml.models.get(MODEL, version=1).features is None
    assert "features" not in str(ml.models.get(MODEL, version=1)).split("Metrics")[0]


def test_compare_shows_the_feature_service_of_each_version(ml, recorded):
    cmp = ml.models.compare(MODEL, ["accuracy"])
    assert [(v.version, v.features.service if v.features else None) for v in cmp.versions] == [
        ("1", None),
        ("2", "churn_v1"),
        ("3", None),
    ]
    assert cmp.versions[2].features.refs == REFS_SET.refs
    lines = str(cmp).splitlines()
    header = lines[1]
    assert header.split()[-6:] == ["feature", "service", "feature", "views", "registry", "version"]
    assert "churn_v1" in lines[4]
    assert "customer_activity, customer_profile" in lines[4]
    assert "2 features" in lines[5]
    assert "<th" in cmp._repr_html_()
    assert "feature service" in cmp._repr_html_()
    frame = cmp.to_frame()
    assert list(frame.columns) == ["version", "aliases", "accuracy", "feature_service", "feature_views"]
    assert frame["feature_service"].tolist() == [None, "churn_v1", None]
    assert frame["feature_views"].tolist() == [None, "customer_activity,customer_profile", "customer_profile"]
    # Without any lineage the table is as before.
    plain = ml.models.compare("iris-classifier", ["accuracy"])
    assert "feature service" not in str(plain)
    assert list(plain.to_frame().columns) == ["version", "aliases", "accuracy"]


def test_the_card_training_data_section_shows_the_features(ml, recorded):
    card = ml.cards.generate(MODEL, version=2, save=False)
    features = card.facts.training.features
    assert features is not None
    assert (features.service, features.views, features.project) == (
        "churn_v1",
        ["customer_activity", "customer_profile"],
        "maestro",
    )
    item = next(i for i in card.completeness.checklist if i.field == "training_data")
    assert item.filled
    markdown = card.to_markdown()
    section = markdown.split("#### Features from the feature store", 1)[1].split("####", 1)[0]
    assert "- Feature service: churn_v1" in section
    assert "- Feature views: customer_activity, customer_profile" in section
    assert f"- Registry version: `{SERVICE_SET.registry_version}`" in section
    html = card.to_html()
    assert "<h4>Features from the feature store</h4>" in html
    assert f"<code>{SERVICE_SET.registry_version}</code>" in html
    refs_card = ml.cards.generate(MODEL, version=3, save=False)
    assert "- Features: customer_profile:tenure_months, customer_profile:monthly_charges" in refs_card.to_markdown()
    assert ml.cards.generate(MODEL, version=1, save=False).facts.training.features is None
    assert "Features from the feature store" not in ml.cards.generate(MODEL, version=1, save=False).to_markdown()


def test_recording_needs_a_run_and_warns_when_the_store_refuses(ml, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", ml.settings.tracking_uri)
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record_training_set(SERVICE_SET)  # no run to record on: nothing to do, nothing to say
    assert list(lineage(ml, service="churn_v1")) == []
    monkeypatch.setenv("MLFLOW_RUN_ID", "0" * 32)
    with pytest.warns(RuntimeWarning, match=f"Could not record the training set's features on MLflow run {'0' * 32}"):
        record_training_set(SERVICE_SET)


# --- a real training job on the demo feature repo --------------------------------------------------------------

TRAIN_FROM_THE_STORE = """
import argparse, os
import mlflow, mlflow.sklearn
import pandas as pd
from sklearn.linear_model import LogisticRegression
from maestro_jupyter import MaestroClient

parser = argparse.ArgumentParser()
parser.add_argument("--labels")
args = parser.parse_args()
print("service env", os.environ["MAESTRO_FEATURE_SERVICE"], flush=True)
entity_df = pd.read_parquet(args.labels)
with mlflow.start_run():
    # No features named: the job's own service (MAESTRO_FEATURE_SERVICE), recorded on this run.
    frame = MaestroClient().features.training_set(entity_df)
    columns = [c for c in frame.attrs["maestro_feature_views"] if c in frame.select_dtypes("number").columns]
    X = frame[columns].fillna(0.0)
    model = LogisticRegression(max_iter=500).fit(X, frame["churned"])
    mlflow.log_metric("train_accuracy", model.score(X, frame["churned"]))
    mlflow.sklearn.log_model(
        model, name="model", registered_model_name="churn-from-features", input_example=X.head(2),
        pip_requirements=["scikit-learn"],
    )
print("trained on", frame.attrs["maestro_feature_service"], len(frame), "rows", len(columns), "features", flush=True)
"""


@pytest.fixture
def feast_ml(feast_settings):
    """A client whose feature store is the shared demo repo (the job is given its path)."""
    client = MaestroClient(feast_settings)
    yield client
    stop_everything(client)


def test_a_job_trains_on_a_feature_service_and_its_version_carries_the_lineage(feast_ml, feast_repo, tmp_path):
    ml = feast_ml
    labels = tmp_path / "labels.parquet"
    entities = entity_frame(feast_repo)
    entities.to_parquet(labels)
    feast = FeastBackend(ml.settings)
    service_views = sorted(feast.resolve(None, feast_repo.service).views)
    registry_version = feast.registry_version()

    script = write_script(tmp_path, "train_churn.py", TRAIN_FROM_THE_STORE)
    job = ml.training.submit(script=str(script), params={"labels": str(labels)}, features=feast_repo.service)
    # Recorded when the job is submitted, before its script runs: the run says what it trains on from the start.
    tags = ml.experiments.run(job.run_id).tags
    assert tags[tk.FEATURE_SERVICE] == feast_repo.service
    assert tags[tk.FEATURE_VIEWS] == ",".join(service_views)
    assert tags[tk.FEATURE_REGISTRY_VERSION] == registry_version
    assert tags[tk.FEATURE_PROJECT] == feast_repo.project

    done = job.wait(timeout=180)
    assert done.status == "succeeded", done.logs()
    logs = done.logs()
    assert f"service env {feast_repo.service}" in logs
    assert f"trained on {feast_repo.service} {len(entities)} rows" in logs
    run = ml.experiments.run(done.run_id)
    assert run.metrics["train_accuracy"] > 0.5
    assert run.tags[tk.FEATURE_SERVICE] == feast_repo.service  # the script's training set said the same
    assert run.tags[tk.FEATURE_REGISTRY_VERSION] == registry_version

    version = ml.models.get("churn-from-features", version=1)
    assert version.run_id == done.run_id
    assert version.features is not None
    assert (version.features.service, version.features.views) == (feast_repo.service, service_views)
    assert version.features.registry_version == registry_version

    from_service = lineage(ml, service=feast_repo.service)
    assert [(e.model, e.version, e.run_id) for e in from_service] == [("churn-from-features", "1", done.run_id)]
    for view in service_views:
        assert ("churn-from-features", "1") in [(e.model, e.version) for e in lineage(ml, view=view)]
    (entry,) = lineage(ml, model="churn-from-features").items
    assert (entry.service, entry.views, entry.registry_version, entry.project) == (
        feast_repo.service,
        service_views,
        registry_version,
        feast_repo.project,
    )

    card = ml.cards.generate("churn-from-features", version=1, save=False)
    assert card.facts.training.features.service == feast_repo.service
    assert f"- Feature service: {feast_repo.service}" in card.to_markdown()
    cmp = ml.models.compare("churn-from-features", ["train_accuracy"])
    assert cmp.versions[0].features.service == feast_repo.service
    assert feast_repo.service in str(cmp)


def test_an_unknown_feature_service_is_refused_before_anything_starts(feast_ml, feast_repo):
    ml = feast_ml
    with pytest.raises(NotFound, match=f"No feature service 'churn_v9'.*{feast_repo.service}"):
        ml.training.submit(source="print('never runs')", features="churn_v9")
    assert list(ml.training.list()) == []
    assert "maestro-training" not in {experiment.name for experiment in ml.experiments.list()}
    with pytest.raises(InvalidParameter, match="feature service or view name"):
        ml.training.submit(source="print('never runs')", features=" churn_v1")


def test_the_train_magic_names_a_feature_service(maestro_home, feast_repo, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    monkeypatch.setenv("MAESTRO_FEAST_REPO", str(feast_repo.repo))
    monkeypatch.chdir(tmp_path)
    shell = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(shell)
    client = shell.magics_manager.registry["MaestroMagics"].client
    try:
        text = one_line_error(shell, capsys, "%%maestro train --features churn_v9\nprint('never runs')")
        assert "No feature service 'churn_v9'" in text
        assert list(client.training.list()) == []

        job = shell.run_cell_magic("maestro", f"train --features {feast_repo.service}", "import time\ntime.sleep(60)\n")
        assert isinstance(job, Job)
        tags = client.experiments.run(job.run_id).tags
        assert tags[tk.FEATURE_SERVICE] == feast_repo.service
        assert tags[tk.FEATURE_PROJECT] == feast_repo.project
        assert client.training.cancel(job.id).status == "cancelled"
    finally:
        stop_everything(client)


@pytest.fixture
def maestro_config(maestro_home, feast_repo):
    """The server's settings (``c.Maestro``): the test's home, and the demo feature repo as its store."""
    return {"home": str(maestro_home), "feast_repo": str(feast_repo.repo)}


async def test_the_rest_api_refuses_an_unknown_feature_service_with_a_404(api):
    status, body = await api("POST", "training", "jobs", body={"source": "print('never runs')", "features": "churn_v9"})
    assert status == 404, body
    assert body["error"] == "NOT_FOUND"
    assert "No feature service 'churn_v9'" in body["message"]
    assert "churn_v1" in body["message"]
    status, listed = await api("GET", "training", "jobs")
    assert (status, listed["jobs"]) == (200, [])
    status, body = await api("POST", "training", "jobs", body={"source": "print(1)", "features": ""})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")
