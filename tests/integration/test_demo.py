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
