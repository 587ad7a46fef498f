"""What an identifier column is: the one definition the profile's ``id_like`` warning and feature discovery's
``id_like`` flag share, so that the two never disagree about a column.

A column is ID-like when its non-missing values (more than :data:`ID_MIN_ROWS` of them) differ in every row
(rows that repeat another row entirely keep their ID: the same record loaded twice) and they are

* integers (an integer dtype, or text holding integers), or
* whole numbers stored as floats (a row number read back with a missing value) that count the rows: a consecutive
  run of values, or values that only ever increase (or decrease), or
* identifier-like text: codes, keys, UUIDs, bytes; not free text (several words per value) and not dates.

A date is never an identifier, however unique: datetime and timedelta dtypes, ``date``/``datetime`` objects,
ISO 8601 date strings (``2024-01-31``, ``2024-01-31T08:00:00Z``) and ``yyyymmdd`` integers are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ID_MIN_ROWS", "duplicated_rows", "id_like", "looks_like_iso_dates"]

ID_MIN_ROWS = 20  # an ID column needs more than this many values
SAMPLE = 10_000  # values inspected to tell codes from dates and free text (uniqueness is always exact)
TEXT_MIN_LENGTH = 30  # free text: average length at least this ...
TEXT_MIN_SPACES = 2.0  # ... and several words on average
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_CODE_TYPES = {"string", "integer", "mixed-integer", "bytes"}  # pandas' infer_dtype names of identifier values


def looks_like_iso_dates(values: pd.Series[Any]) -> bool:
    """Whether every one of these (non-missing, string) values is an ISO 8601 date or date-time."""
    return len(values) > 0 and bool(values.astype(str).str.fullmatch(ISO_DATE).all())


def _sample(values: pd.Series[Any]) -> pd.Series[Any]:
    """Up to :data:`SAMPLE` values spread over the whole column."""
    return values.iloc[:: max(1, len(values) // SAMPLE)].iloc[:SAMPLE]


def _yyyymmdd(values: Any) -> bool:
    """Integers that all read as calendar dates written ``yyyymmdd`` (20240131)."""
    try:
        values = np.asarray(values, dtype=np.int64)
    except (OverflowError, TypeError, ValueError):  # integers beyond 64 bits: not dates
        return False
    if len(values) == 0 or values.min() < 1000_01_01 or values.max() > 2999_12_31:
        return False
    month, day = values // 100 % 100, values % 100
    return bool(((month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)).all())


def _may_hold_ids(s: pd.Series[Any]) -> bool:
    """A cheap look at the dtype (and a few values of a float column) before anything is counted."""
    from pandas.api import types as t

    dtype = s.dtype
    if t.is_bool_dtype(dtype) or t.is_datetime64_any_dtype(dtype) or t.is_timedelta64_dtype(dtype):
        return False
    if t.is_float_dtype(dtype):
        head = s.iloc[:1000].to_numpy(dtype=np.float64, na_value=np.nan)
        head = head[~np.isnan(head)]
        return bool((head == np.round(head)).all())
    return not t.is_complex_dtype(dtype)


def _candidate(s: pd.Series[Any], present: pd.Series[Any]) -> bool:
    """Whether the values of ``s`` (``present``: its distinct non-missing ones) can make an identifier, once
    :func:`_may_hold_ids` has let its dtype through."""
    from pandas.api import types as t

    dtype = s.dtype
    if t.is_integer_dtype(dtype):
        return not _yyyymmdd(present.to_numpy())
    if t.is_float_dtype(dtype):
        values = present.to_numpy(dtype=np.float64)
        if not np.isfinite(values).all() or not (values == np.round(values)).all():
            return False
        consecutive = values.max() - values.min() + 1 == len(values)  # uniqueness is checked by the caller
        return bool(consecutive or present.is_monotonic_increasing or present.is_monotonic_decreasing)
    if t.is_numeric_dtype(dtype):
        return False
    sample = _sample(present)
    kinds = pd.Series(s.cat.categories) if isinstance(dtype, pd.CategoricalDtype) else sample
    inferred = pd.api.types.infer_dtype(kinds, skipna=True)
    if inferred not in _CODE_TYPES:  # dates, times, floats, booleans, mixtures
        return False
    if inferred == "integer":
        return not _yyyymmdd(sample.to_numpy())
    if inferred != "string":
        return True
    text = sample.astype(str)
    if looks_like_iso_dates(text):
        return False
    return not (text.str.len().mean() >= TEXT_MIN_LENGTH and text.str.count(r"\s").mean() >= TEXT_MIN_SPACES)


def _hashable(s: pd.Series[Any]) -> pd.Series[Any]:
    if s.dtype != object or all(t.__hash__ is not None for t in {type(v) for v in s.to_numpy()}):
        return s
    return s.astype(str)


def duplicated_rows(df: pd.DataFrame) -> pd.Series[Any]:
    """Which rows repeat an earlier row entirely (``DataFrame.duplicated``; cells that cannot be hashed by text)."""
    try:
        return df.duplicated()
    except TypeError:  # unhashable cells (lists, dicts)
        return df.astype(str).duplicated()


def id_like(
    s: pd.Series[Any],
    *,
    distinct: int | None = None,
    duplicate_rows: Callable[[], pd.Series[Any]] | pd.Series[Any] | None = None,
) -> bool:
    """Whether the column ``s`` holds an identifier (see the module's docstring for the definition).

    ``distinct``: its number of distinct non-missing values when the caller has counted them already.
    ``duplicate_rows``: which rows of the frame repeat an earlier row (``DataFrame.duplicated()``), or a function
    that computes it (called only for a column that is unique but for some values); ``None``: no frame to ask.
    """
    count = int(s.count())
    if count <= ID_MIN_ROWS or not _may_hold_ids(s):
        return False
    if distinct is None:
        distinct = int(_hashable(s.dropna()).nunique())
    if distinct <= ID_MIN_ROWS or distinct < count - count // 2:  # mostly repeated values: not an ID
        return False
    present = s.dropna()
    if distinct < count:  # unique only if every repeated value belongs to a repeated row
        if duplicate_rows is None:
            return False
        repeats = duplicate_rows() if callable(duplicate_rows) else duplicate_rows
        if distinct < len(present) - int(repeats.sum()):
            return False
        if int(s[~repeats.to_numpy()].notna().sum()) != distinct:
            return False
        present = s[~repeats.to_numpy()].dropna()
    return _candidate(s, present)
