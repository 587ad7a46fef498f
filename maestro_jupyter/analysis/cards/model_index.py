"""The card's evaluation results as a Hugging Face ``model-index``, which other tools read.

``huggingface_hub.ModelCard`` (and the Hub, and tools built on either) reads a card's results from the
``model-index`` in its YAML front matter, and requires every result to name its ``task`` (``type``) and its
``dataset`` (``name`` and ``type``). The registry does not say the task in so many words, so it is worked out here,
first rule that answers wins:

1. a version tag ``pipeline_tag`` or ``task`` (Hugging Face's own key first): an id such as ``tabular-regression``
   is used as it is, ``classification`` / ``regression`` become their tabular ids;
2. the estimator's class name (``...Classifier``, ``LogisticRegression``, ``SVC``; ``...Regressor``, ``Ridge``...);
3. the metric names (accuracy, F1, ROC AUC...; RMSE, MAE, R²...);
4. the signature's output type (text or boolean labels: classification; floating point: regression).

A model whose inputs are tensors is not tabular: only a tag can name its task. Without an answer the task is
``other``. The dataset is the one the source run logged for evaluation (``mlflow.log_input`` with an evaluation,
test or validation context), with its context as the split and its digest as the revision.
"""

from __future__ import annotations

import re
from typing import Any

from .schema import CardFacts, DatasetFacts, MetricValue

CLASSIFICATION, REGRESSION, OTHER = "tabular-classification", "tabular-regression", "other"
TASK_TAGS = ("pipeline_tag", "task")
_TASK_WORDS = {"classification": CLASSIFICATION, "classifier": CLASSIFICATION, "regression": REGRESSION}
#: Dataset contexts that hold evaluation data, best first.
EVALUATION_CONTEXTS = ("evaluation", "eval", "test", "testing", "validation", "valid", "val")

_CLASSIFIER_CLASS = re.compile(r"Classifier|Logistic|(?:^|[^A-Za-z])(?:Linear|Nu)?SVC$|NB$|Perceptron$")
_REGRESSOR_CLASS = re.compile(
    r"Regress|SVR$|^(?:Lasso|Ridge|ElasticNet|Lars|LassoLars|BayesianRidge|ARDRegression|KernelRidge|"
    r"OrthogonalMatchingPursuit|TheilSen|RANSAC)"
)
_CLASSIFICATION_METRICS = {"accuracy", "precision", "recall", "f1", "auc", "logloss", "brier", "mcc", "kappa"}
_REGRESSION_METRICS = {"rmse", "mse", "mae", "mape", "r2", "rmsle", "msle", "medae"}
_REGRESSION_PHRASES = ("squared_error", "absolute_error", "explained_variance", "r2_score")


def model_index(facts: CardFacts, metrics: list[MetricValue]) -> list[dict[str, Any]]:
    """The ``model-index`` front matter for these overall evaluation ``metrics`` (empty list: no results)."""
    if not metrics:
        return []
    result = {
        "task": {"type": task_type(facts)},
        "dataset": _dataset(facts),
        "metrics": [{"type": m.name, "name": m.name, "value": m.value} for m in metrics],
    }
    return [{"name": facts.model.name, "results": [result]}]


def task_type(facts: CardFacts) -> str:
    """The Hugging Face task id of the model (see the module's docstring for the rules)."""
    for key in TASK_TAGS:
        tagged = facts.model.tags.get(key, "").strip().lower()
        if tagged:
            return _TASK_WORDS.get(tagged, tagged)
    if any(c.type.startswith("tensor") for c in facts.parameters.inputs):
        return OTHER
    for guess in (_from_class(facts.model.architecture), _from_metrics(facts), _from_outputs(facts)):
        if guess:
            return guess
    return OTHER


def _from_class(architecture: str | None) -> str | None:
    name = (architecture or "").rsplit(".", 1)[-1]
    if not name:
        return None
    if _CLASSIFIER_CLASS.search(name):
        return CLASSIFICATION
    return REGRESSION if _REGRESSOR_CLASS.search(name) else None


def _from_metrics(facts: CardFacts) -> str | None:
    votes = {CLASSIFICATION: 0, REGRESSION: 0}
    for metric in facts.evaluation.metrics:
        name = metric.name.lower().replace("log_loss", "logloss").replace("roc_auc", "auc")
        words = set(re.split(r"[^a-z0-9]+", name))
        if words & _CLASSIFICATION_METRICS:
            votes[CLASSIFICATION] += 1
        if words & _REGRESSION_METRICS or any(p in name for p in _REGRESSION_PHRASES):
            votes[REGRESSION] += 1
    if votes[CLASSIFICATION] == votes[REGRESSION]:
        return None
    return CLASSIFICATION if votes[CLASSIFICATION] > votes[REGRESSION] else REGRESSION


def _from_outputs(facts: CardFacts) -> str | None:
    kinds = {c.type for c in facts.parameters.outputs}
    if kinds and kinds <= {"string", "boolean"}:
        return CLASSIFICATION
    if kinds and kinds <= {"double", "float"}:
        return REGRESSION
    return None


def _dataset(facts: CardFacts) -> dict[str, Any]:
    """The evaluation dataset in the model-index's terms (``name`` and ``type`` are required there)."""
    chosen = _evaluation_dataset(facts.training.datasets)
    if chosen is None:
        # Required by the format: say plainly that the run logged none, rather than guess a dataset.
        return {"name": "evaluation data not logged", "type": "unknown"}
    entry: dict[str, Any] = {"name": chosen.name, "type": chosen.name}
    if chosen.context:
        entry["split"] = chosen.context
    if chosen.digest:
        entry["revision"] = chosen.digest
    return entry


def _evaluation_dataset(datasets: list[DatasetFacts]) -> DatasetFacts | None:
    rank = {context: i for i, context in enumerate(EVALUATION_CONTEXTS)}
    candidates = [d for d in datasets if (d.context or "").strip().lower() in rank]
    return min(candidates, key=lambda d: rank[(d.context or "").strip().lower()], default=None)
