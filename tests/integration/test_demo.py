from __future__ import annotations

from maestro_jupyter import MaestroClient
from maestro_jupyter.demo import SEED_VERSION, seed


def test_demo_models_are_real_and_seeding_again_changes_nothing(settings):
    ml = MaestroClient(settings)
    before = ml.models.get("breast-cancer-classifier")
    assert seed(settings, log=lambda _m: None) == []
    after = ml.models.get("breast-cancer-classifier")
    assert [v.version for v in after.versions] == [v.version for v in before.versions] == ["3", "2", "1"]
    # The champion really is the most accurate version.
    accuracy = {
        v.version: ml.models.get(before.name, version=v.version).run.metrics["accuracy"] for v in after.versions
    }
    assert accuracy[after.aliases["champion"]] == max(accuracy.values())


def test_a_half_seeded_model_is_seeded_again(settings):
    ml = MaestroClient(settings)
    ml.models.delete_tag("iris-classifier", "maestro.demo")  # as if the seeding had been interrupted
    assert seed(settings, log=lambda _m: None) == ["iris-classifier"]
    assert ml.models.get("iris-classifier").tags["maestro.demo"] == SEED_VERSION
    assert [v.version for v in ml.models.get("iris-classifier").versions] == ["1"]


def test_every_demo_version_was_tested_and_champions_passed_the_gate(settings):
    ml = MaestroClient(settings)
    for name in ("breast-cancer-classifier", "diabetes-regressor", "iris-classifier"):
        model = ml.models.get(name)
        for version in model.versions:
            report = ml.tests.get(name, version=version.version)
            assert report is not None
            assert report.rows > 0
            assert report.target == "target"
        assert ml.tests.gate(name, alias="champion").allowed


def test_demo_runs_have_learning_curves_and_artifacts_to_browse(settings):
    """The run view's learning curves and artifacts browser have something real to show in `make lab`."""
    from maestro_jupyter.services import Services

    ml = MaestroClient(settings)
    client = Services(settings).mlflow.client
    versions = {v.description: v for v in ml.models.get("breast-cancer-classifier").versions}
    boosted = ml.models.get("breast-cancer-classifier", version=versions["gradient-boosting on breast_cancer"].version)
    assert boosted.run is not None
    loss = client.get_metric_history(boosted.run.run_id, "train_loss")
    assert [m.step for m in loss] == list(range(100))  # one point per boosting stage
    assert loss[-1].value < loss[0].value  # a training loss that falls, as sklearn recorded it
    held_out = client.get_metric_history(boosted.run.run_id, "staged_accuracy")
    assert held_out[-1].value == boosted.run.metrics["accuracy"]  # the last stage is the model that was scored
    files = {f.path for f in client.list_artifacts(boosted.run.run_id, "evaluation")}
    assert files == {"evaluation/feature_importances.csv", "evaluation/confusion_matrix.png"}

    forest = ml.models.get("diabetes-regressor", version="2")
    assert forest.run is not None
    assert client.get_metric_history(forest.run.run_id, "train_loss") == []  # a forest has no stages
    assert {f.path for f in client.list_artifacts(forest.run.run_id, "evaluation")} == {
        "evaluation/feature_importances.csv"
    }
