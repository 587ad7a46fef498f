"""Run the whole test suite on one model: the orchestration of the checks, pure (models and frames in, a report
out). The caller loads the models and records the report."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import first_line
from .contract import check_contract, input_columns
from .fairness import fairness_checks
from .latency import latency_checks
from .performance import Predictions, metric_checks, metrics_for, regression_check, slice_results
from .policy import TestPolicy
from .report import Check, Reference, TestReport, summarize
from .robustness import robustness_checks

if TYPE_CHECKING:
    import pandas as pd

MAX_CLASSES = 1000


class SuiteInputError(ValueError):
    """The inputs cannot be tested at all (no such target column, an empty frame); the message says why."""


@dataclass
class ModelUnderTest:
    """A model as the suite sees it: the serving path, and the class probabilities when the model has them."""

    predict: Callable[[pd.DataFrame], Any]
    predict_proba: Callable[[pd.DataFrame], Any] | None = None
    classes: list[Any] | None = None
    #: The input signature, MLflow's ``ColSpec`` dicts (``None``: no signature).
    inputs: Sequence[dict[str, Any]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def run_suite(
    model: ModelUnderTest,
    data: pd.DataFrame,
    target: str,
    policy: TestPolicy,
    *,
    name: str,
    version: str,
    reference: tuple[str, str, ModelUnderTest] | None = None,
    ran_by: str | None = None,
) -> TestReport:
    """Test ``model`` on ``data`` (features plus the ``target`` column); ``reference`` is (alias, version, model)."""
    started = time.perf_counter()
    _validate(data, target, policy)
    timings: dict[str, float] = {}
    checks: list[Check] = []
    metrics: dict[str, float] = {}
    y_true = data[target].to_numpy()
    exempt = {target, *policy.sensitive, *policy.slices}
    names = input_columns(model.inputs)
    features = data.drop(columns=[target])
    if names is not None:  # columns only there for fairness or slicing are not the model's inputs
        features = features.drop(columns=[c for c in features.columns if c in exempt and c not in names])

    def finish(found: list[Check], task: str | None = None, reference: Reference | None = None) -> TestReport:
        # Before the predictions, the task is the policy's (or classification, the common case).
        task = task or ("classification" if policy.task == "auto" else policy.task)
        return _finish(found, metrics, timings, started, name, version, task, data, target, policy, reference, ran_by)

    clock = time.perf_counter()
    contract = check_contract(features, model.inputs, exempt, policy.contract.allow_extra_columns)
    if policy.runs("contract"):
        checks.append(contract)
    if contract.status == "failed":
        return finish([*checks, *_skipped(policy, "the data does not match the model's signature (see data_contract)")])
    x = features[[c for c in names if c in features.columns]] if names is not None else features
    timings["contract"] = time.perf_counter() - clock

    clock = time.perf_counter()
    try:
        pred = _predict(model, x)
    except Exception as exc:  # a model that cannot predict the test set fails, it does not crash us
        failure = Check(
            name="predict",
            category="contract",
            status="failed",
            detail=f"predict raised {type(exc).__name__}: {first_line(exc)}",
        )
        return finish([*checks, failure, *_skipped(policy, "the model could not predict the test set")])
    task = _task(policy, y_true, pred)
    positive = policy.positive_label
    timings["predict"] = time.perf_counter() - clock

    clock = time.perf_counter()
    values, missing = metrics_for(task, y_true, pred, positive)
    metrics.update(values)
    ref_label: Reference | None = None
    if policy.runs("performance"):
        checks += metric_checks(values, missing, policy)
        if policy.slices:
            slice_checks, slice_values = slice_results(task, data, y_true, pred, policy, positive)
            checks += slice_checks
            metrics.update(slice_values)
        if reference is not None:
            alias, ref_version, ref_model = reference
            ref_label = Reference(alias=alias, version=ref_version)
            try:
                ref_values, _ = metrics_for(task, y_true, _predict(ref_model, x), positive)
                metrics.update({f"{m}/{alias}": v for m, v in ref_values.items()})
                checks.append(regression_check(values, ref_values, alias, ref_version, policy.regression_tolerance))
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
    timings["performance"] = time.perf_counter() - clock

    if policy.runs("fairness"):
        clock = time.perf_counter()
        fair, fair_values = fairness_checks(task, data, y_true, pred.values, policy, positive)
        checks += fair
        metrics.update(fair_values)
        timings["fairness"] = time.perf_counter() - clock

    if policy.runs("robustness"):
        clock = time.perf_counter()
        score = _primary_score(task)
        robust, robust_values = robustness_checks(
            task, model.predict, x, y_true, pred.values, score, policy, model.inputs
        )
        checks += robust
        metrics.update(robust_values)
        timings["robustness"] = time.perf_counter() - clock

    if policy.runs("latency"):
        clock = time.perf_counter()
        lat, lat_values = latency_checks(model.predict, x, policy)
        checks += lat
        metrics.update(lat_values)
        timings["latency"] = time.perf_counter() - clock

    return finish(checks, task, ref_label)


def _validate(data: pd.DataFrame, target: str, policy: TestPolicy) -> None:
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise SuiteInputError(f"Expected a pandas DataFrame, not {type(data).__name__}")
    if data.empty:
        raise SuiteInputError("The test data has no rows")
    if target not in data.columns:
        raise SuiteInputError(f"No target column {target!r} in the data; columns: {_columns(data)}")
    if data[target].isna().any():
        raise SuiteInputError(f"The target column {target!r} has {int(data[target].isna().sum())} missing value(s)")
    for role, columns in (("sensitive", policy.sensitive), ("slice", policy.slices)):
        absent = [c for c in columns if c not in data.columns]
        if absent:
            raise SuiteInputError(
                f"No {role} column {', '.join(map(repr, absent))} in the data; columns: {_columns(data)}"
            )
        if target in columns:
            raise SuiteInputError(f"The target {target!r} cannot also be a {role} column")


def _predict(model: ModelUnderTest, x: pd.DataFrame) -> Predictions:
    values = np.asarray(model.predict(x))
    if values.ndim > 1:
        values = values.ravel() if values.shape[1] == 1 else values.argmax(axis=1)
    proba = None
    if model.predict_proba is not None and model.classes is not None:
        proba = np.asarray(model.predict_proba(x), dtype=float)
    return Predictions(values=values, proba=proba, classes=model.classes)


def _task(policy: TestPolicy, y_true: np.ndarray, pred: Predictions) -> str:
    if policy.task != "auto":
        return policy.task
    if pred.classes is not None:
        return "classification"
    kind = np.asarray(y_true).dtype.kind
    if kind in "OUSbB":
        return "classification"
    if kind in "iu" and len(np.unique(y_true)) <= 20 and np.array_equal(pred.values, np.round(pred.values)):
        return "classification"
    return "regression"


def _primary_score(task: str) -> Callable[[np.ndarray, np.ndarray], float]:
    from sklearn import metrics

    if task == "regression":
        return lambda y, p: float(metrics.r2_score(np.asarray(y, dtype=float), np.asarray(p, dtype=float)))
    return lambda y, p: float(metrics.accuracy_score(y, p))


def _skipped(policy: TestPolicy, why: str) -> list[Check]:
    return [
        Check(name=category, category=category, status="skipped", detail=f"Not run: {why}")
        for category in policy.checks
        if category != "contract"
    ]


def _finish(
    checks: list[Check],
    metrics: dict[str, float],
    timings: dict[str, float],
    started: float,
    name: str,
    version: str,
    task: str,
    data: pd.DataFrame,
    target: str,
    policy: TestPolicy,
    reference: Reference | None,
    ran_by: str | None,
) -> TestReport:
    verdict, summary = summarize(checks)
    clean = {k: float(v) for k, v in metrics.items() if v is not None and np.isfinite(v)}
    return TestReport(
        name=name,
        version=version,
        verdict=verdict,
        ran_at=datetime.now(UTC).isoformat(timespec="seconds"),
        ran_by=ran_by,
        duration_seconds=time.perf_counter() - started,
        task=task,  # type: ignore[arg-type]
        rows=len(data),
        target=target,
        sensitive=list(policy.sensitive),
        slices=list(policy.slices),
        reference=reference,
        summary=summary,
        checks=checks,
        metrics=clean,
        policy=policy.model_dump(mode="json"),
        timings={k: round(v, 4) for k, v in timings.items()},
    )


def _columns(data: pd.DataFrame) -> str:
    names = [str(c) for c in data.columns[:20]]
    return ", ".join(names) + ("…" if len(data.columns) > 20 else "")
