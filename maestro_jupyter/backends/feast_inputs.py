"""Checks of what a caller hands the feature store, before Feast sees it: an entity frame for a training set (its
rows, timestamp column, join keys and their types) and entity rows for an online lookup. Each problem is an
``InvalidParameter`` that says what is wrong and how to put it right, where Feast would raise a ``KeyError`` or a
``ValueError`` deep inside its own code."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ..errors import InvalidParameter

if TYPE_CHECKING:
    import pandas as pd

    from .feast_store import ResolvedFeatures


def check_entity_frame(frame: pd.DataFrame, resolved: ResolvedFeatures, timestamp_column: str) -> Any:
    """The entity frame's timestamps (UTC where they carry a zone, as Feast reads them), after checking that the
    frame has rows, its timestamp column and the join keys, with values of the keys' types."""
    import pandas as pd

    listed = ", ".join(map(str, list(frame.columns)[:20])) or "none"
    if len(frame) == 0:
        raise InvalidParameter("The entity frame has no rows")
    if timestamp_column not in frame.columns:
        raise InvalidParameter(
            f"The entity frame has no {timestamp_column!r} column (its columns: {listed}): it must say when each "
            "row's label was observed, so that no later feature value leaks in. Name the column that does with "
            "timestamp_column"
        )
    stamps = frame[timestamp_column]
    if not pd.api.types.is_datetime64_any_dtype(stamps):
        try:
            with warnings.catch_warnings():  # "could not infer format": each value parsed alone is fine here
                warnings.simplefilter("ignore", UserWarning)
                stamps = pd.to_datetime(stamps, utc=True)
        except (ValueError, TypeError, OverflowError):
            raise InvalidParameter(
                f"The entity frame's {timestamp_column!r} column holds {stamps.dtype} values that are not times"
            ) from None
    if stamps.isna().any():
        raise InvalidParameter(
            f"The entity frame's {timestamp_column!r} column has {int(stamps.isna().sum()):,} missing times"
        )
    for key in resolved.join_keys:
        if key not in frame.columns:
            raise InvalidParameter(
                f"The entity frame has no {key!r} column, which {_views_keyed(resolved)} keyed by (its columns: "
                f"{listed})"
            )
        _check_key_column(frame[key], key, resolved.key_types.get(key, ""))
    for name in resolved.request_fields:
        if name not in frame.columns:
            raise InvalidParameter(
                f"The entity frame has no {name!r} column, which an on-demand view of "
                f"{', '.join(resolved.views)} needs as an input"
            )
    return stamps.reset_index(drop=True)


def _views_keyed(resolved: ResolvedFeatures) -> str:
    return f"feature view {resolved.views[0]} is" if len(resolved.views) == 1 else "the feature views are"


#: The pandas dtype kinds a Feast key type accepts (integer keys must be whole numbers; strings are objects).
_KINDS = {"INT32": "iu", "INT64": "iu", "FLOAT32": "fiu", "FLOAT64": "fiu", "STRING": "OUS", "BOOL": "b", "BYTES": "OS"}


def _check_key_column(column: pd.Series, key: str, feast_type: str) -> None:
    import pandas as pd

    if column.isna().any():
        raise InvalidParameter(f"The entity frame's {key!r} column has {int(column.isna().sum()):,} missing values")
    kinds = _KINDS.get(feast_type)
    if kinds is None:
        return
    kind = column.dtype.kind
    if isinstance(column.dtype, pd.StringDtype):
        kind = "O"
    ok = kind in kinds
    if ok and kind == "O" and feast_type == "STRING":
        ok = bool(column.map(lambda v: isinstance(v, str)).all())
    if not ok:
        raise InvalidParameter(
            f"The entity frame's {key!r} column holds {column.dtype} values, but the entity key is "
            f"{feast_type.lower()}: convert it (e.g. frame[{key!r}].astype("
            f"{'int' if 'i' in kinds and 'f' not in kinds else 'str'}))"
        )


def check_entity_rows(entity_rows: list[dict[str, Any]], resolved: ResolvedFeatures) -> list[dict[str, Any]]:
    if not entity_rows:
        raise InvalidParameter("Give at least one entity, e.g. [{'customer_id': 7}]")
    allowed = list(resolved.join_keys) + list(resolved.request_fields)
    checked = []
    for i, row in enumerate(entity_rows):
        if not isinstance(row, dict):
            raise InvalidParameter(f"Entity {i} must be an object of entity keys, e.g. {{'customer_id': 7}}")
        absent = [k for k in allowed if k not in row]
        if absent:
            raise InvalidParameter(
                f"Entity {i} has no {absent[0]!r}: {', '.join(resolved.views)} need "
                f"{', '.join(allowed)} (it has {', '.join(map(str, row)) or 'nothing'})"
            )
        extra = [k for k in row if k not in allowed]
        if extra:
            raise InvalidParameter(
                f"Entity {i} has {extra[0]!r}, which no chosen view is keyed by; expected {', '.join(allowed)}"
            )
        checked.append({k: _key_value(row[k], k, resolved.key_types.get(k, ""), i) for k in allowed})
    return checked


def _key_value(value: Any, key: str, feast_type: str, row: int) -> Any:
    if feast_type in ("INT32", "INT64"):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
            raise InvalidParameter(f"Entity {row}: {key} must be a whole number, not {value!r}")
        return value
    if feast_type == "STRING" and not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise InvalidParameter(f"Entity {row}: {key} must be a string, not {value!r}")
    if feast_type in ("FLOAT32", "FLOAT64") and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise InvalidParameter(f"Entity {row}: {key} must be a number, not {value!r}")
    return value


def row_numbers(frame: pd.DataFrame) -> tuple[Any, Any]:
    """A number for each row, shared by rows with the same values (0, 1, ... in order of first appearance), and
    which rows to send (the first of each; ``None`` when every row is distinct). Vectorised: each column is factorised
    and the codes combined (and re-factorised, so they stay small) column by column."""
    import numpy as np
    import pandas as pd

    codes = np.zeros(len(frame), dtype="int64")
    for column in frame.columns:
        column_codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + column_codes)
    if len(codes) == 0 or codes.max() + 1 == len(codes):
        return np.arange(len(frame), dtype="int64"), None
    first = np.zeros(len(codes), dtype=bool)
    first[np.unique(codes, return_index=True)[1]] = True
    return codes.astype("int64"), first
