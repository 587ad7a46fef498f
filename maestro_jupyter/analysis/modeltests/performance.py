"""Performance: the task's metrics on the whole test set and per slice, and no regression against a reference."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import first_line
from .policy import TestPolicy
from .report import Check, Evidence, status_of

if TYPE_CHECKING:
    import pandas as pd

CLASSIFICATION_METRICS = ("accuracy", "f1", "roc_auc", "log_loss")
REGRESSION_METRICS = ("rmse", "mae", "r2")
LOWER_IS_BETTER = {"log_loss", "rmse", "mae"}
MAX_SLICE_GROUPS = 50
NUMERIC_SLICE_BINS = 4


@dataclass
class Predictions:
    """What a model said about the test rows: labels (or values), and class probabilities when it has them."""

    values: np.ndarray
    proba: np.ndarray | None = None
    classes: list[Any] | None = None


def metrics_for(
    task: str, y_true: np.ndarray, pred: Predictions, positive: Any = None
) -> tuple[dict[str, float], dict[str, str]]:
    """The task's metrics, and for each one that could not be computed, why."""
    if task == "regression":
        return _regression(y_true, pred.values), {}
    return _classification(y_true, pred, positive)


def _regression(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    from sklearn import metrics

    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    found = {
        "rmse": float(math.sqrt(metrics.mean_squared_error(y, p))),
        "mae": float(metrics.mean_absolute_error(y, p)),
    }
    if len(y) >= 2:
        found["r2"] = float(metrics.r2_score(y, p))
    return found


def _classification(y_true: np.ndarray, pred: Predictions, positive: Any) -> tuple[dict[str, float], dict[str, str]]:
    from sklearn import metrics

    found: dict[str, float] = {"accuracy": float(metrics.accuracy_score(y_true, pred.values))}
    missing: dict[str, str] = {}
    labels = sorted(set(np.unique(y_true).tolist()) | set(np.unique(pred.values).tolist()), key=str)
    binary = len(labels) <= 2 and (pred.classes is None or len(pred.classes) <= 2)
    if binary:
        pos = positive if positive is not None else positive_label(pred.classes or labels)
        found["f1"] = float(metrics.f1_score(y_true, pred.values, pos_label=pos, average="binary", zero_division=0))
    else:
        found["f1"] = float(metrics.f1_score(y_true, pred.values, average="macro", zero_division=0))
    if pred.proba is None or pred.classes is None:
        missing["roc_auc"] = missing["log_loss"] = "the model gives no class probabilities"
        return found, missing
    try:
        if len(pred.classes) == 2:
            pos = positive if positive is not None else pred.classes[1]
            column = pred.classes.index(pos)
            found["roc_auc"] = float(metrics.roc_auc_score(np.asarray(y_true) == pos, pred.proba[:, column]))
        else:
            found["roc_auc"] = float(metrics.roc_auc_score(y_true, pred.proba, multi_class="ovr", labels=pred.classes))
    except ValueError as exc:  # e.g. one class only in the test set
        missing["roc_auc"] = first_line(exc)
    try:
        found["log_loss"] = float(metrics.log_loss(y_true, pred.proba, labels=pred.classes))
    except ValueError as exc:
        missing["log_loss"] = first_line(exc)
    return found, missing


def positive_label(classes: Sequence[Any]) -> Any:
    """The positive class of a binary problem: the second of the sorted classes (1 of 0/1, True of bools)."""
    ordered = sorted(classes, key=lambda c: (str(type(c)), c)) if classes else [1]
    return ordered[-1]


def metric_checks(
    values: dict[str, float], missing: dict[str, str], policy: TestPolicy, suffix: str = ""
) -> list[Check]:
    """A check for each metric that has a threshold; metrics without one are reported, not judged."""
    checks = []
    for metric in (*CLASSIFICATION_METRICS, *REGRESSION_METRICS):
        name = f"{metric}{suffix}"
        threshold = policy.threshold(name)
        if threshold is None:
            continue
        if metric in values:
            value = values[metric]
            status = status_of(threshold.holds(value))
            checks.append(
                Check(name=name, category="performance", status=status, value=value, threshold=str(threshold))
            )
        elif metric in missing:
            checks.append(
                Check(
                    name=name,
                    category="performance",
                    status="skipped",
                    threshold=str(threshold),
                    detail=missing[metric],
                )
            )
    return checks


def slice_groups(column: pd.Series) -> pd.Series:
    """Group labels for a slice column: its values, or quartile ranges for a many-valued numeric column."""
    import pandas as pd
    from pandas.api import types as t

    if t.is_numeric_dtype(column.dtype) and not t.is_bool_dtype(column.dtype) and column.nunique() > 10:
        return pd.qcut(column, NUMERIC_SLICE_BINS, duplicates="drop").astype(str)
    return column.astype(str).where(column.notna(), "<missing>")


def slice_results(
    task: str, frame: pd.DataFrame, y_true: np.ndarray, pred: Predictions, policy: TestPolicy, positive: Any
) -> tuple[list[Check], dict[str, float]]:
    """Per-slice metrics (``accuracy/sex=female``) and the thresholded ones as checks (``accuracy[sex=female]``)."""
    checks: list[Check] = []
    found: dict[str, float] = {}
    for column in policy.slices:
        groups = slice_groups(frame[column])
        names = groups.value_counts().index[:MAX_SLICE_GROUPS]
        for group in sorted(names, key=str):
            mask = (groups == group).to_numpy()
            rows = int(mask.sum())
            part = Predictions(pred.values[mask], None if pred.proba is None else pred.proba[mask], pred.classes)
            values, missing = metrics_for(task, y_true[mask], part, positive)
            label = f"{column}={group}"
            found.update({f"{m}/{label}": v for m, v in values.items()})
            found[f"rows/{label}"] = rows
            for check in metric_checks(values, missing, policy, f"[{label}]"):
                if rows < policy.min_slice_rows:
                    check = check.model_copy(
                        update={
                            "status": "skipped",
                            "detail": f"{rows} rows; slices under {policy.min_slice_rows} are not judged",
                        }
                    )
                else:
                    check = check.model_copy(update={"detail": f"{rows} rows"})
                checks.append(check)
    return checks, found


def regression_check(
    candidate: dict[str, float], reference: dict[str, float], alias: str, version: str, tolerance: float
) -> Check:
    """No metric may be worse than the reference's by more than ``tolerance`` of the reference's value."""
    rows: list[list[Any]] = []
    worse: list[str] = []
    worst = 0.0
    for metric in (*CLASSIFICATION_METRICS, *REGRESSION_METRICS):
        if metric not in candidate or metric not in reference:
            continue
        new, old = candidate[metric], reference[metric]
        change = (old - new) if metric in LOWER_IS_BETTER else (new - old)  # > 0: better
        allowed = tolerance * max(abs(old), 1e-12)
        regressed = change < -allowed
        relative = change / max(abs(old), 1e-12)
        worst = min(worst, relative)
        rows.append([metric, old, new, change, "worse" if regressed else "ok"])
        if regressed:
            worse.append(metric)
    name = f"no_regression_vs_{alias}"
    # The value is the worst relative change (negative: worse than the reference).
    threshold = f">= {-tolerance:g}"
    if not rows:
        return Check(name=name, category="performance", status="skipped", detail="No metric in common to compare")
    evidence = Evidence(columns=["metric", f"{alias} v{version}", "this version", "improvement", ""], rows=rows)
    detail = (
        f"Worse than {alias} (v{version}) on {', '.join(worse)}"
        if worse
        else f"Not worse than {alias} (v{version}) by more than {tolerance:.0%} on any metric"
    )
    return Check(
        name=name,
        category="performance",
        status="failed" if worse else "passed",
        value=worst,
        threshold=threshold,
        detail=detail,
        evidence=evidence,
    )
