"""Fairness across sensitive groups, measured with fairlearn: demographic parity (difference and ratio), equalized
odds difference, and a per-group table. Multiclass problems are measured one-vs-rest, and the worst class counts."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .policy import TestPolicy
from .report import Check, Evidence, status_of

if TYPE_CHECKING:
    import pandas as pd

MEASURES = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference")
MAX_GROUPS = 100


def fairness_checks(
    task: str,
    frame: pd.DataFrame,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    policy: TestPolicy,
    positive: Any,
) -> tuple[list[Check], dict[str, float]]:
    """Checks per sensitive column, named ``MEASURE[column]``, and the values as metrics."""
    if not policy.sensitive:
        return [Check(name="fairness", category="fairness", status="skipped", detail="No sensitive columns given")], {}
    if task != "classification":
        return [
            Check(
                name=f"fairness[{column}]",
                category="fairness",
                status="skipped",
                detail="Parity and equalized odds are defined for classification",
            )
            for column in policy.sensitive
        ], {}
    checks: list[Check] = []
    found: dict[str, float] = {}
    for column in policy.sensitive:
        groups = frame[column].astype(str).where(frame[column].notna(), "<missing>").to_numpy()
        if len(set(groups)) > MAX_GROUPS:
            checks.append(
                Check(
                    name=f"fairness[{column}]",
                    category="fairness",
                    status="skipped",
                    detail=f"{len(set(groups))} groups: more than {MAX_GROUPS}; bin the column first",
                )
            )
            continue
        values, table = _measure(y_true, y_pred, groups, positive)
        for measure in MEASURES:
            name = f"{measure}[{column}]"
            value = values[measure]
            found[name.replace("[", "/").rstrip("]")] = value
            threshold = policy.threshold(name)
            if threshold is None:
                continue
            if value is None or not math.isfinite(value):
                checks.append(
                    Check(
                        name=name,
                        category="fairness",
                        status="skipped",
                        threshold=str(threshold),
                        detail="Undefined: a group has no examples of a class",
                        evidence=table,
                    )
                )
                continue
            checks.append(
                Check(
                    name=name,
                    category="fairness",
                    status=status_of(threshold.holds(value)),
                    value=value,
                    threshold=str(threshold),
                    detail=values.get(f"{measure}:detail"),  # type: ignore[arg-type]
                    evidence=table,
                )
            )
    return checks, found


def _measure(
    y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray, positive: Any
) -> tuple[dict[str, Any], Evidence]:
    from .performance import positive_label

    classes = sorted(set(np.unique(y_true).tolist()) | set(np.unique(y_pred).tolist()), key=str)
    if len(classes) <= 2:
        pos = positive if positive is not None else positive_label(classes)
        values = _binary(y_true == pos, y_pred == pos, groups)
        values.update({f"{m}:detail": f"positive class {pos!r}" for m in MEASURES})
        return values, _group_table(y_true, y_pred, groups, [pos])
    per_class = {c: _binary(y_true == c, y_pred == c, groups) for c in classes}
    worst: dict[str, Any] = {}
    for measure in MEASURES:
        scores = {c: v[measure] for c, v in per_class.items() if v[measure] is not None and math.isfinite(v[measure])}
        if not scores:
            worst[measure] = float("nan")
            continue
        pick = min if measure.endswith("ratio") else max
        cls = pick(scores, key=lambda c: scores[c])
        worst[measure] = scores[cls]
        worst[f"{measure}:detail"] = f"one-vs-rest, worst class {cls!r}"
    return worst, _group_table(y_true, y_pred, groups, classes)


def _binary(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray) -> dict[str, Any]:
    from fairlearn.metrics import (
        demographic_parity_difference,
        demographic_parity_ratio,
        equalized_odds_difference,
    )

    y_true, y_pred = y_true.astype(int), y_pred.astype(int)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")  # fairlearn warns for groups without positives; the value says it
        return {
            "demographic_parity_difference": float(
                demographic_parity_difference(y_true, y_pred, sensitive_features=groups)
            ),
            "demographic_parity_ratio": float(demographic_parity_ratio(y_true, y_pred, sensitive_features=groups)),
            "equalized_odds_difference": float(equalized_odds_difference(y_true, y_pred, sensitive_features=groups)),
        }


def _group_table(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray, classes: list[Any]) -> Evidence:
    """Per group: rows, accuracy, and per class the selection rate, true and false positive rates (fairlearn's
    MetricFrame)."""
    from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate, true_positive_rate
    from sklearn.metrics import accuracy_score

    columns = ["group", "rows", "accuracy"]
    frames = []
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        base = MetricFrame(
            metrics={"rows": count, "accuracy": accuracy_score}, y_true=y_true, y_pred=y_pred, sensitive_features=groups
        ).by_group
        for c in classes:
            suffix = "" if len(classes) == 1 else f" ({c})"
            columns += [f"selection rate{suffix}", f"TPR{suffix}", f"FPR{suffix}"]
            frames.append(
                MetricFrame(
                    metrics={"sel": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate},
                    y_true=(y_true == c).astype(int),
                    y_pred=(y_pred == c).astype(int),
                    sensitive_features=groups,
                ).by_group
            )
    rows: list[list[Any]] = []
    for group in base.index:
        row: list[Any] = [str(group), int(base.loc[group, "rows"]), _num(base.loc[group, "accuracy"])]
        for frame in frames:
            row += [_num(frame.loc[group, k]) for k in ("sel", "tpr", "fpr")]
        rows.append(row)
    return Evidence(columns=columns, rows=rows)


def _num(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None
