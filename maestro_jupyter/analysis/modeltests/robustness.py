"""Robustness: how much the metric drops and how many predictions flip when the inputs are perturbed by Gaussian
noise on numeric columns, swapped categories on categorical columns, and injected missing values.

Perturbations stay inside the model's data contract: missing values go only into the columns that may be missing.
The contract is the signature's (MLflow marks a column ``required`` when the data it was inferred from, the
training data, had no missing value in it; integer and boolean columns cannot hold one at all); a model without a
signature is held to the test data's (the columns that have missing values there). Missing values in the other
columns are a probe outside the contract: reported (``missing_values.outside_contract``, skipped, with what the
model did) and not judged, unless the policy says ``robustness: {judge_outside_contract: true}``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import first_line
from .contract import input_columns
from .policy import PERTURBATIONS, TestPolicy
from .report import Check, Evidence, status_of

if TYPE_CHECKING:
    import pandas as pd

#: MLflow column types that cannot hold a missing value (integer and boolean columns).
NO_MISSING_TYPES = {"long", "integer", "boolean"}
OUTSIDE = "missing_values.outside_contract"


def robustness_checks(
    task: str,
    predict: Callable[[pd.DataFrame], Any],
    frame: pd.DataFrame,
    y_true: np.ndarray,
    baseline: np.ndarray,
    score: Callable[[np.ndarray, np.ndarray], float],
    policy: TestPolicy,
    schema: Sequence[dict[str, Any]] | None,
) -> tuple[list[Check], dict[str, float]]:
    """``baseline``: the unperturbed predictions of ``frame``'s rows; ``score(y_true, y_pred)``: the primary metric
    (higher is better)."""
    knobs = policy.robustness
    rng = np.random.default_rng(knobs.seed)
    if len(frame) > knobs.max_rows:
        picked = np.sort(rng.choice(len(frame), knobs.max_rows, replace=False))
        frame, y_true, baseline = frame.iloc[picked], y_true[picked], baseline[picked]
    base_score = score(y_true, baseline)
    checks: list[Check] = []
    found: dict[str, float] = {}
    allowed, refused, contract = missing_contract(frame, schema, policy.robustness.judge_outside_contract)
    for kind in PERTURBATIONS:
        perturbed, touched, why_not = _perturb(kind, frame, rng, policy, allowed, contract)
        if perturbed is None:
            checks.append(Check(name=kind, category="robustness", status="skipped", detail=why_not))
            continue
        where = f"{len(touched)} column(s): {', '.join(touched[:6])}{'…' if len(touched) > 6 else ''}"
        try:
            pred = np.asarray(_flat(predict(perturbed)))
        except Exception as exc:  # the model failing on perturbed input is the finding; its message says why
            detail = f"predict raised {type(exc).__name__}: {first_line(exc)} ({_what(kind)} in {where})"
            checks.append(Check(name=f"{kind}.metric_drop", category="robustness", status="failed", detail=detail))
            continue
        drop = base_score - score(y_true, pred)
        found[f"{kind}/metric_drop"] = drop
        measured = {"metric_drop": drop}
        if task == "classification":
            measured["flip_rate"] = float(np.mean(pred != baseline))
            found[f"{kind}/flip_rate"] = measured["flip_rate"]
        evidence = Evidence(
            columns=["perturbation", "columns", "rows", "metric before", "metric after", "flip rate"],
            rows=[[kind, ", ".join(touched), len(frame), base_score, base_score - drop, measured.get("flip_rate")]],
        )
        for measure, value in measured.items():
            name = f"{kind}.{measure}"
            threshold = policy.threshold(name)
            if threshold is None:
                continue
            checks.append(
                Check(
                    name=name,
                    category="robustness",
                    status=status_of(threshold.holds(value)),
                    value=value,
                    threshold=str(threshold),
                    detail=where,
                    evidence=evidence,
                )
            )
    if refused:
        checks.append(
            _outside_contract(task, predict, frame, y_true, baseline, score, policy, refused, contract, found)
        )
    return checks, found


def missing_contract(
    frame: pd.DataFrame, schema: Sequence[dict[str, Any]] | None, judge_all: bool = False
) -> tuple[list[Any], list[Any], str]:
    """(the columns the data contract lets be missing, those it does not, what the contract says of the latter).

    Integer and boolean columns of a signature are in neither list: MLflow refuses a missing value there before the
    model sees it. ``judge_all`` (the policy's ``judge_outside_contract``): every other column counts as allowed."""
    names = input_columns(schema)
    if names is None:  # no named signature: the test data stands for the contract
        sendable = list(frame.columns)
        allowed = [c for c in sendable if frame[c].isna().any()]
        contract = "the model has no signature, and the test data has no missing values there"
    else:
        specs = {str(s.get("name")): s for s in schema or ()}
        sendable = [c for c in frame.columns if specs.get(str(c), {}).get("type") not in NO_MISSING_TYPES]
        allowed = [c for c in sendable if specs.get(str(c), {}).get("required", True) is False]
        contract = "the signature marks them required, as the training data had no missing values there"
    if judge_all:
        return sendable, [], contract
    return allowed, [c for c in sendable if c not in allowed], contract


def _what(kind: str) -> str:
    return {"gaussian_noise": "noise", "category_swap": "swapped categories"}.get(kind, "missing values")


def _outside_contract(
    task: str,
    predict: Callable[[pd.DataFrame], Any],
    frame: pd.DataFrame,
    y_true: np.ndarray,
    baseline: np.ndarray,
    score: Callable[[np.ndarray, np.ndarray], float],
    policy: TestPolicy,
    refused: list[Any],
    contract: str,
    found: dict[str, float],
) -> Check:
    """Missing values where the data contract allows none: what the model does, reported and not judged (a model
    refusing input it was never promised is keeping its contract, not failing it)."""
    rng = np.random.default_rng(policy.robustness.seed + 1)
    perturbed = _blank(frame, refused, policy.robustness.missing_rate, rng)
    names = [str(c) for c in refused]
    where = f"{len(names)} column(s): {', '.join(names[:6])}{'…' if len(names) > 6 else ''}"
    head = f"Outside the data contract, not judged: missing values in {where}, where {contract}"
    evidence = Evidence(columns=["column", "may be missing"], rows=[[c, False] for c in names])
    try:
        pred = np.asarray(_flat(predict(perturbed)))
    except Exception as exc:  # the finding: how the model refuses such input
        detail = f"{head}; predict raised {type(exc).__name__}: {first_line(exc)}"
        return Check(name=OUTSIDE, category="robustness", status="skipped", detail=detail, evidence=evidence)
    drop = score(y_true, baseline) - score(y_true, pred)
    found["missing_values_outside_contract/metric_drop"] = drop
    detail = f"{head}; the model still predicts (metric drop {drop:.4g}"
    if task == "classification":
        flips = float(np.mean(pred != baseline))
        found["missing_values_outside_contract/flip_rate"] = flips
        detail += f", flip rate {flips:.4g}"
    return Check(
        name=OUTSIDE, category="robustness", status="skipped", value=drop, detail=detail + ")", evidence=evidence
    )


def _perturb(
    kind: str,
    frame: pd.DataFrame,
    rng: np.random.Generator,
    policy: TestPolicy,
    nullable: list[Any],
    contract: str,
) -> tuple[pd.DataFrame | None, list[str], str]:
    """The perturbed copy of ``frame``, the columns touched, and why nothing could be perturbed."""
    import pandas as pd
    from pandas.api import types as t

    knobs = policy.robustness
    out = frame.copy()
    if kind == "gaussian_noise":
        numeric = [c for c in frame.columns if t.is_numeric_dtype(frame[c]) and not t.is_bool_dtype(frame[c])]
        numeric = [c for c in numeric if float(frame[c].std(skipna=True) or 0) > 0]
        if not numeric:
            return None, [], "No numeric column varies"
        for column in numeric:
            values = frame[column].to_numpy(dtype=float)
            noisy = values + rng.normal(0.0, knobs.noise_scale * float(np.nanstd(values)), len(values))
            # Integer columns stay integers: the signature says so, and the contract check has passed.
            out[column] = np.rint(noisy).astype(np.int64) if t.is_integer_dtype(frame[column]) else noisy
        return out, numeric, ""
    if kind == "category_swap":
        categorical = [
            c
            for c in frame.columns
            if not t.is_numeric_dtype(frame[c])
            or t.is_bool_dtype(frame[c])
            or isinstance(frame[c].dtype, pd.CategoricalDtype)
        ]
        categorical = [c for c in categorical if frame[c].nunique() > 1]
        if not categorical:
            return None, [], "No categorical column with two or more categories"
        # A share of the rows gets one categorical cell swapped for another category of its column.
        rows, cols = _pick_cells(len(frame), len(categorical), knobs.swap_rate, rng)
        for j, column in enumerate(categorical):
            hit = rows[cols == j]
            if not len(hit):
                continue
            values = frame[column].to_numpy(dtype=object).copy()
            categories = np.asarray(frame[column].dropna().unique(), dtype=object)
            for i in hit:
                others = categories[categories != values[i]]
                if len(others):
                    values[i] = others[rng.integers(len(others))]
            out[column] = pd.Series(values, index=frame.index).astype(frame[column].dtype)
        return out, categorical, ""
    # Missing values go only where the data contract allows them (see missing_contract).
    columns = [c for c in frame.columns if c in nullable]
    if not columns:
        return None, [], f"Not run: no column may be missing under the data contract ({contract})"
    return _blank(frame, columns, knobs.missing_rate, rng), [str(c) for c in columns], ""


def _blank(frame: pd.DataFrame, columns: list[Any], rate: float, rng: np.random.Generator) -> pd.DataFrame:
    """A copy of ``frame`` where ``rate`` of the rows get one cell of ``columns`` blanked: a field occasionally
    missing, as served data has it."""
    from pandas.api import types as t

    out = frame.copy()
    rows, cols = _pick_cells(len(frame), len(columns), rate, rng)
    for j, column in enumerate(columns):
        mask = np.zeros(len(frame), dtype=bool)
        mask[rows[cols == j]] = True
        if not mask.any():
            continue
        if t.is_numeric_dtype(frame[column]) and not t.is_bool_dtype(frame[column]):
            out[column] = frame[column].astype(float).mask(mask)
        else:
            out[column] = frame[column].astype(object).mask(mask, None)
    return out


def _pick_cells(rows: int, columns: int, rate: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``rate`` of the rows, each with one column drawn at random: (row indices, column indices)."""
    picked = np.flatnonzero(rng.random(rows) < rate)
    return picked, rng.integers(0, columns, size=len(picked))


def _flat(values: Any) -> Any:
    array = np.asarray(values)
    return array.ravel() if array.ndim > 1 and array.shape[1] == 1 else array
