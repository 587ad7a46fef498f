"""Cards of the really trained demo models, read by Hugging Face's own ``huggingface_hub.ModelCard`` (offline:
local text and local files only, nothing from the Hub)."""

from __future__ import annotations

from pathlib import Path

import pytest
from huggingface_hub import ModelCard as HubCard

from maestro_jupyter import MaestroClient

TASKS = {
    "breast-cancer-classifier": ("tabular-classification", "breast_cancer-test"),
    "iris-classifier": ("tabular-classification", "iris-test"),
    "diabetes-regressor": ("tabular-regression", "diabetes-test"),
}


@pytest.fixture
def ml(settings):
    return MaestroClient(settings)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_demo_card_loads_in_huggingface_hub_with_its_results(ml, name):
    task, dataset = TASKS[name]
    for version in ml.models.get(name).versions:
        card = ml.cards.generate(name, version=version.version, save=False)
        loaded = HubCard(card.to_markdown()).data
        expected = {
            m.name: m.value for m in card.facts.evaluation.metrics if m.stage == "evaluation" and m.slice is None
        }
        assert expected  # the demo runs log evaluation metrics
        results = loaded.eval_results
        assert {r.metric_type: r.metric_value for r in results} == expected
        assert {(r.task_type, r.dataset_name, r.dataset_split) for r in results} == {(task, dataset, "evaluation")}
        digest = next(d.digest for d in card.facts.training.datasets if d.context == "evaluation")
        assert {r.dataset_revision for r in results} == {digest}
        assert loaded.model_name == name
        assert loaded.pipeline_tag == task


def test_the_saved_card_file_loads_from_disk(ml):
    card = ml.cards.generate("diabetes-regressor")
    path = Path(card.artifact_uri.removeprefix("file://")) / "card.md"
    loaded = HubCard.load(path)  # a local file: huggingface_hub reads it without the network
    assert loaded.data.eval_results[0].task_type == "tabular-regression"
    assert {r.metric_type for r in loaded.data.eval_results} >= {"r2"}
    assert loaded.data.license is None  # nobody wrote one yet: absent, not made up
