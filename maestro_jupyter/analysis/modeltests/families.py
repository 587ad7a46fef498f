"""What a check family sees (:class:`SuiteContext`), and the built-in families, each a thin adapter over the module
that does its measuring (:mod:`.contract`, :mod:`.performance`, :mod:`.fairness`, :mod:`.robustness`,
:mod:`.latency`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import first_line
from .fairness import fairness_checks
from .latency import latency_checks
from .performance import Predictions, metric_checks, metrics_for, regression_check, slice_results
from .registry import CheckFamily
from .report import Check, Reference
from .robustness import robustness_checks

if TYPE_CHECKING:
    import pandas as pd

    from .policy import TestPolicy
    from .suite import ModelUnderTest


@dataclass
class SuiteContext:
    """Everything the suite knows once the model has predicted the test set; every family gets the same one.

    Read-only but for :attr:`metrics` (add what you measure, keyed ``family.measure`` or a plain metric name) and
    :attr:`compared_with` (set by whoever compared the model with the reference).
    """

    #: The model under test: ``predict`` (the serving path), ``predict_proba`` and ``classes`` when it has them.
    model: ModelUnderTest
    #: The whole test frame: the model's inputs, the target, and any sensitive or slice columns.
    data: pd.DataFrame
    target: str
    #: The effective policy; a plugin's options: ``CheckFamily.options(context)``.
    policy: TestPolicy
    #: The model's inputs, as it was given them (the columns of its signature, in its order, when it has one).
    features: pd.DataFrame
    #: The true labels or values.
    y_true: np.ndarray
    #: What the model predicted for ``features``.
    predictions: Predictions
    #: ``classification`` or ``regression`` (the policy's, else inferred from the labels and the predictions).
    task: str
    #: The positive class of a binary classification (the policy's, else inferred).
    positive: Any
    #: The data contract's check, made before the model predicted (the suite stops when it fails).
    contract: Check
    #: The task's metrics on the whole test set (``accuracy``, ``rmse``...), and why some could not be computed.
    scores: dict[str, float]
    unscored: dict[str, str]
    #: (alias, version, model) of the version to compare with, if any.
    reference: tuple[str, str, ModelUnderTest] | None = None
    #: Every number measured so far, by metric key; families add theirs.
    metrics: dict[str, float] = field(default_factory=dict)
    #: The reference the model was compared with, for the report.
    compared_with: Reference | None = None


class ContractChecks(CheckFamily):
    """The data contract: the test data against the model's input signature. The suite checks it before anything
    else (nothing can be predicted on data that does not fit, so a failure stops the run); this family reports it."""

    name = "contract"
    label = "Data contract"

    def run(self, context: SuiteContext) -> list[Check]:
        return [context.contract]


class PerformanceChecks(CheckFamily):
    """The task's metrics against their thresholds, per slice, and no regression against the reference."""

    name = "performance"
    label = "Performance"

    def run(self, context: SuiteContext) -> list[Check]:
        policy = context.policy
        checks = metric_checks(context.scores, context.unscored, policy)
        if policy.slices:
            found, values = slice_results(
                context.task, context.data, context.y_true, context.predictions, policy, context.positive
            )
            checks += found
            context.metrics.update(values)
        if context.reference is not None:
            alias, ref_version, ref_model = context.reference
            context.compared_with = Reference(alias=alias, version=ref_version)
            try:
                ref_pred = predict(ref_model, context.features)
                ref_values, _ = metrics_for(context.task, context.y_true, ref_pred, context.positive)
                context.metrics.update({f"{m}/{alias}": v for m, v in ref_values.items()})
                checks.append(
                    regression_check(context.scores, ref_values, alias, ref_version, policy.regression_tolerance)
                )
            except Exception as exc:  # the reference failing on this data is reported, not raised
                checks.append(
                    Check(
                        name=f"no_regression_vs_{alias}",
                        category="performance",
                        status="skipped",
                        detail=f"{alias} (v{ref_version}) could not predict this data: {first_line(exc)}",
                    )
                )
        elif policy.reference_alias:
            checks.append(
                Check(
                    name=f"no_regression_vs_{policy.reference_alias}",
                    category="performance",
                    status="skipped",
                    detail=f"No other version holds the alias {policy.reference_alias!r}",
                )
            )
        return checks


class FairnessChecks(CheckFamily):
    """Group fairness (fairlearn) across the policy's sensitive columns."""

    name = "fairness"
    label = "Fairness"

    def run(self, context: SuiteContext) -> list[Check]:
        checks, values = fairness_checks(
            context.task, context.data, context.y_true, context.predictions.values, context.policy, context.positive
        )
        context.metrics.update(values)
        return checks


class RobustnessChecks(CheckFamily):
    """Predictions under perturbed inputs: noise, swapped categories, missing values."""

    name = "robustness"
    label = "Robustness"

    def run(self, context: SuiteContext) -> list[Check]:
        checks, values = robustness_checks(
            context.task,
            context.model.predict,
            context.features,
            context.y_true,
            context.predictions.values,
            primary_score(context.task),
            context.policy,
            context.model.inputs,
        )
        context.metrics.update(values)
        return checks


class LatencyChecks(CheckFamily):
    """Single-row latency percentiles and batch throughput."""

    name = "latency"
    label = "Latency"

    def run(self, context: SuiteContext) -> list[Check]:
        checks, values = latency_checks(context.model.predict, context.features, context.policy)
        context.metrics.update(values)
        return checks


def predict(model: ModelUnderTest, x: pd.DataFrame) -> Predictions:
    """The model's predictions for ``x``: one label (or value) per row, and the class probabilities if it has them."""
    values = np.asarray(model.predict(x))
    if values.ndim > 1:
        values = values.ravel() if values.shape[1] == 1 else values.argmax(axis=1)
    proba = None
    if model.predict_proba is not None and model.classes is not None:
        proba = np.asarray(model.predict_proba(x), dtype=float)
    return Predictions(values=values, proba=proba, classes=model.classes)


def primary_score(task: str) -> Callable[[np.ndarray, np.ndarray], float]:
    """The score robustness compares before and after a perturbation: R² for a regression, else accuracy."""
    from sklearn import metrics

    if task == "regression":
        return lambda y, p: float(metrics.r2_score(np.asarray(y, dtype=float), np.asarray(p, dtype=float)))
    return lambda y, p: float(metrics.accuracy_score(y, p))
