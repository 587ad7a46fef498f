"""Run the whole test suite on one model: the orchestration of the checks, pure (models and frames in, a report
out). The caller loads the models and records the report.

The suite checks the data contract, has the model predict the test set, then runs every check family the policy
names (see :mod:`.registry`), in the registry's order, on one shared :class:`~.families.SuiteContext`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import first_line
from .contract import check_contract, input_columns
from .families import SuiteContext, predict
from .performance import Predictions, metrics_for
from .policy import TestPolicy
from .registry import CheckFamily, CheckFamilyError, family_label, family_names, get_family
from .report import Check, Reference, TestReport, summarize

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
    families = _families(policy)  # before the model runs: a family that cannot load fails the run at once
    timings: dict[str, float] = {}
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

    # The contract comes first whether or not the policy reports it: a model cannot predict data that does not fit.
    clock = time.perf_counter()
    contract = check_contract(features, model.inputs, exempt, policy.contract.allow_extra_columns)
    shown = [contract] if policy.runs("contract") else []
    if contract.status == "failed":
        return finish([*shown, *_skipped(policy, "the data does not match the model's signature (see data_contract)")])
    x = features[[c for c in names if c in features.columns]] if names is not None else features
    timings["contract"] = time.perf_counter() - clock

    clock = time.perf_counter()
    try:
        pred = predict(model, x)
    except Exception as exc:  # a model that cannot predict the test set fails, it does not crash us
        failure = Check(
            name="predict",
            category="contract",
            status="failed",
            detail=f"predict raised {type(exc).__name__}: {first_line(exc)}",
        )
        return finish([*shown, failure, *_skipped(policy, "the model could not predict the test set")])
    task = _task(policy, y_true, pred)
    positive = policy.positive_label
    # The task's metrics are reported whichever families run (the version's headline figures come from them).
    values, missing = metrics_for(task, y_true, pred, positive)
    metrics.update(values)
    timings["predict"] = time.perf_counter() - clock

    context = SuiteContext(
        model=model,
        data=data,
        target=target,
        policy=policy,
        features=x,
        y_true=y_true,
        predictions=pred,
        task=task,
        positive=positive,
        contract=contract,
        scores=values,
        unscored=missing,
        reference=reference,
        metrics=metrics,
    )
    checks: list[Check] = []
    for family in families:
        clock = time.perf_counter()
        checks += _run_family(family, context)
        timings[family.name] = timings.get(family.name, 0.0) + time.perf_counter() - clock
    return finish(checks, task, context.compared_with)


def _families(policy: TestPolicy) -> list[CheckFamily]:
    """The families the policy runs, in the registry's order (not the policy's: reports keep one shape)."""
    try:
        return [get_family(n) for n in family_names() if policy.runs(n)]
    except CheckFamilyError as exc:
        raise SuiteInputError(str(exc)) from None


def _run_family(family: CheckFamily, context: SuiteContext) -> list[Check]:
    try:
        return [c if isinstance(c, Check) else Check.model_validate(c) for c in family.run(context)]
    except Exception as exc:  # a broken check is a failed check: it must neither crash the run nor pass a gate
        return [
            Check(
                name=family.name,
                category=family.name,
                status="failed",
                detail=f"The {family.label} checks raised {type(exc).__name__}: {first_line(exc)}",
            )
        ]


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
    # Every check carries its family's label, so that a report names a plugin's checks as their author meant
    # wherever it is shown (the sidebar, the HTML report) without knowing the plugin.
    checks = [c if c.label else c.model_copy(update={"label": family_label(c.category)}) for c in checks]
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
