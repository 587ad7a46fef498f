"""The Markdown card as other tools read it: Hugging Face's ``ModelCard`` and any Markdown table parser."""

from __future__ import annotations

import re

import pytest
from huggingface_hub import ModelCard as HubCard
from markdown_it import MarkdownIt

from maestro_jupyter.analysis.cards import ReviewState, build_card
from maestro_jupyter.analysis.cards.markdown_io import sections_from_markdown
from maestro_jupyter.analysis.cards.render import render
from maestro_jupyter.analysis.cards.schema import (
    CardFacts,
    CardSections,
    CheckResult,
    ColumnSpec,
    DatasetFacts,
    EvaluationFacts,
    MetricValue,
    ModelFacts,
    ModelTestFacts,
    ParameterFacts,
    TrainingFacts,
)

NOW = "2026-11-26T10:00:00+00:00"


def card_facts(
    *,
    architecture: str | None = None,
    metrics: list[MetricValue] | None = None,
    datasets: list[DatasetFacts] | None = None,
    tags: dict[str, str] | None = None,
    outputs: list[ColumnSpec] | None = None,
    hyperparameters: dict[str, str] | None = None,
    inputs: list[ColumnSpec] | None = None,
    tests: ModelTestFacts | None = None,
) -> CardFacts:
    return CardFacts(
        model=ModelFacts(
            name="churn",
            version="4",
            model_uri="models:/churn/4",
            architecture=architecture,
            tags=tags or {},
            flavors=["python_function", "sklearn"],
        ),
        parameters=ParameterFacts(
            hyperparameters=hyperparameters or {"max_depth": "6"},
            inputs=inputs or [ColumnSpec(name="tenure", type="long")],
            outputs=outputs or [ColumnSpec(type="long")],
            has_signature=True,
        ),
        training=TrainingFacts(datasets=datasets or []),
        evaluation=EvaluationFacts(metrics=metrics or [], tests=tests),
        load_snippet="import mlflow",
    )


def markdown(facts: CardFacts, sections: CardSections | None = None) -> str:
    return render(build_card(facts, sections or CardSections(), ReviewState(), NOW), "md").decode()


def hub_results(text: str) -> list[tuple[str, str, str, float]]:
    """(task, dataset, metric, value) of every result Hugging Face's own card class reads (local text only)."""
    loaded = HubCard(text)
    return [(r.task_type, r.dataset_name, r.metric_type, r.metric_value) for r in loaded.data.eval_results or []]


CLASSIFICATION_METRICS = [
    MetricValue(name="accuracy", value=0.9125),
    MetricValue(name="f1_score", value=0.88),
    MetricValue(name="accuracy", value=0.8731, slice="plan=basic"),
    MetricValue(name="training_accuracy", value=0.99, stage="training"),
]
REGRESSION_METRICS = [MetricValue(name="rmse", value=41.5), MetricValue(name="r2", value=0.47)]
EVAL_SET = DatasetFacts(name="churn-test", context="evaluation", digest="9f1c2e", rows=250)
TRAIN_SET = DatasetFacts(name="churn-train", context="training", digest="77aa01", rows=750)


def test_every_card_loads_in_huggingface_hub_with_its_evaluation_results():
    text = markdown(card_facts(metrics=CLASSIFICATION_METRICS, datasets=[TRAIN_SET, EVAL_SET]))
    # The overall evaluation metrics, on the evaluation set: not the training metric, not the slices.
    assert hub_results(text) == [
        ("tabular-classification", "churn-test", "accuracy", 0.9125),
        ("tabular-classification", "churn-test", "f1_score", 0.88),
    ]
    result = HubCard(text).data.eval_results[0]
    assert (result.dataset_type, result.dataset_split, result.dataset_revision) == (
        "churn-test",
        "evaluation",
        "9f1c2e",
    )
    loaded = HubCard(text).data
    assert loaded.pipeline_tag == "tabular-classification"
    assert loaded.model_name == "churn"
    assert loaded.library_name == "sklearn"


@pytest.mark.parametrize(
    ("facts", "task"),
    [
        (
            card_facts(architecture="sklearn.linear_model._ridge.Ridge", metrics=REGRESSION_METRICS),
            "tabular-regression",
        ),
        (card_facts(metrics=REGRESSION_METRICS), "tabular-regression"),  # from the metric names alone
        (
            card_facts(architecture="sklearn.linear_model.LogisticRegression", metrics=REGRESSION_METRICS[:1]),
            "tabular-classification",
        ),  # the estimator says more than an odd metric
        (
            card_facts(metrics=[MetricValue(name="score", value=1.0)], outputs=[ColumnSpec(type="double")]),
            "tabular-regression",
        ),  # from the signature's output
        (
            card_facts(metrics=REGRESSION_METRICS, tags={"pipeline_tag": "time-series-forecasting"}),
            "time-series-forecasting",
        ),  # a version tag names the task outright
        (card_facts(metrics=REGRESSION_METRICS, tags={"task": "classification"}), "tabular-classification"),
        (
            card_facts(
                metrics=[MetricValue(name="score", value=1.0)], inputs=[ColumnSpec(type="tensor float32 (-1, 28)")]
            ),
            "other",
        ),  # not tabular, nothing says what it does
    ],
)
def test_the_task_comes_from_what_the_registry_knows(facts, task):
    results = hub_results(markdown(facts))
    assert results
    assert {r[0] for r in results} == {task}


def test_a_card_without_evaluation_data_or_metrics_still_loads():
    no_dataset = hub_results(markdown(card_facts(metrics=REGRESSION_METRICS, datasets=[TRAIN_SET])))
    assert [(r[1], r[2]) for r in no_dataset] == [
        ("evaluation data not logged", "rmse"),
        ("evaluation data not logged", "r2"),
    ]
    no_metrics = HubCard(markdown(card_facts(metrics=[MetricValue(name="training_loss", value=0.1, stage="training")])))
    assert no_metrics.data.eval_results is None
    assert "model-index" not in no_metrics.data.to_dict()


def table_rows(text: str) -> list[list[list[str]]]:
    """Every table of a Markdown text: rows of cells (the cells' text), as a CommonMark + GFM-tables parser reads."""
    tables: list[list[list[str]]] = []
    in_cell = False
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.nesting == 1
        elif token.type == "inline" and in_cell:
            tables[-1][-1].append("".join(c.content for c in token.children or []))
    return tables


def test_pipes_and_newlines_in_values_do_not_break_tables():
    facts = card_facts(
        hyperparameters={"weights": "a|b", "kernel|name": "rbf\nlinear"},
        inputs=[ColumnSpec(name="plan|tier", type="string")],
        datasets=[DatasetFacts(name="d|1", context="evaluation", source="s3://b/x|y.csv", source_type="s3")],
        metrics=[MetricValue(name="acc|top1", value=0.5), MetricValue(name="acc", value=0.4, slice="plan=a|b")],
        tests=ModelTestFacts(verdict="passed", checks=[CheckResult(name="c|1", status="passed", threshold="<|5")]),
    )
    text = markdown(facts, CardSections(license="mit|apache", owners=[{"name": "A|B"}]))
    # Every row of a table has as many cell separators (unescaped pipes) as its header: an extra one would start a
    # cell that parsers drop, cutting the value.
    for block in re.split(r"\n(?!\|)", text):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) <= 1, rows
    tables = table_rows(text)
    cells = {cell for table in tables for row in table for cell in row}
    for value in (
        "a|b",
        "kernel|name",
        "rbf linear",
        "plan|tier",
        "d|1",
        "s3 s3://b/x|y.csv",
        "acc|top1",
        "plan=a|b",
        "c|1",
        "<|5",
        "mit|apache",
        "A|B",
    ):
        assert any(value in c for c in cells), value
    # The loaded-back sections are the ones written, escaping or not.
    back = CardSections.model_validate(sections_from_markdown(text, expected_model="churn"))
    assert back.license == "mit|apache"
