"""The data contract: does the test frame match the model's input signature?

MLflow's own schema enforcement raises on the first mismatch; this check lists every one (missing columns, extra
columns, incompatible types) so that the report says what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .report import Check, Evidence

if TYPE_CHECKING:
    import pandas as pd

NAME = "data_contract"


def input_columns(schema: Sequence[dict[str, Any]] | None) -> list[str] | None:
    """The named input columns of a signature (``None`` for no signature or a tensor signature)."""
    if not schema or any(not spec.get("name") or spec.get("type") == "tensor" for spec in schema):
        return None
    return [str(spec["name"]) for spec in schema]


def check_contract(
    frame: pd.DataFrame, schema: Sequence[dict[str, Any]] | None, exempt: Iterable[str], allow_extra: bool
) -> Check:
    """One check over the whole frame. ``exempt`` columns (target, sensitive, slice columns) may be extra."""
    names = input_columns(schema)
    if names is None:
        why = "the version has no signature" if not schema else "the signature is tensor-based"
        return Check(name=NAME, category="contract", status="skipped", detail=f"Not checked: {why}")
    assert schema is not None
    problems: list[list[Any]] = []
    for spec in schema:
        column, expected = str(spec["name"]), str(spec.get("type", "?"))
        if column not in frame.columns:
            if spec.get("required", True):
                problems.append([column, expected, "absent", "missing column"])
            continue
        found = _incompatibility(frame[column], expected)
        if found is not None:
            problems.append([column, expected, str(frame[column].dtype), found])
    extra = [str(c) for c in frame.columns if c not in set(names) and c not in set(exempt)]
    if not allow_extra:
        problems.extend([c, "not in signature", str(frame[c].dtype), "extra column"] for c in extra)
    if not problems:
        detail = f"{len(names)} columns match the signature"
        if extra:
            detail += f"; extra columns ignored: {', '.join(extra[:10])}"
        return Check(name=NAME, category="contract", status="passed", value=0, threshold="= 0", detail=detail)
    kinds = sorted({p[3] for p in problems})
    columns = ", ".join(str(p[0]) for p in problems[:8]) + ("…" if len(problems) > 8 else "")
    return Check(
        name=NAME,
        category="contract",
        status="failed",
        value=len(problems),
        threshold="= 0",
        detail=f"{len(problems)} mismatch(es) with the signature ({'; '.join(kinds)}): {columns}",
        evidence=Evidence(columns=["column", "expected", "found", "problem"], rows=problems),
    )


def _incompatibility(series: pd.Series, expected: str) -> str | None:
    """Why ``series`` cannot feed a column of MLflow type ``expected`` (``None`` when it can)."""
    import pandas as pd
    from pandas.api import types as t

    dtype = series.dtype
    if expected in ("double", "float"):
        ok = t.is_numeric_dtype(dtype) and not t.is_bool_dtype(dtype)
        return None if ok else "not numeric"
    if expected in ("long", "integer"):
        if t.is_integer_dtype(dtype):
            return None
        if t.is_float_dtype(dtype):
            return "floats where the model expects integers" + (" (missing values)" if series.isna().any() else "")
        return "not integer"
    if expected == "boolean":
        return None if t.is_bool_dtype(dtype) else "not boolean"
    if expected == "string":
        if t.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
            values = series.dropna()
            sample = values.iloc[:1000] if len(values) > 1000 else values
            return None if all(isinstance(v, str) for v in sample) else "not text"
        return "not text"
    if expected == "datetime":
        return None if t.is_datetime64_any_dtype(dtype) else "not a datetime"
    if expected == "binary":
        return None if t.is_object_dtype(dtype) else "not bytes"
    return None  # arrays, objects, maps: MLflow's enforcement is the judge
