"""``Frame``: a pandas DataFrame inside a request model.

In-process the frame passes through untouched. On a wire it travels as base64 Parquet, which keeps dtypes
(datetimes, categories, nullable integers) that JSON records would lose, so a profile or a model test gives the same
answer over HTTP as in the kernel. pandas and pyarrow are imported only when a frame is actually (de)serialised.
"""

from __future__ import annotations

import base64
import io
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from ..errors import InvalidParameter


def _to_frame(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, str | bytes):
        try:
            return pd.read_parquet(io.BytesIO(base64.b64decode(value, validate=True)))
        except Exception:  # any undecodable payload is the sender's mistake
            raise InvalidParameter("A data frame must be base64-encoded Parquet") from None
    raise InvalidParameter(f"Expected a pandas DataFrame, not {type(value).__name__}")


def _to_wire(frame: Any) -> str:
    buffer = io.BytesIO()
    # Column names must be strings in Parquet; a frame with other labels is sent with their text.
    frame = frame.rename(columns=str) if not all(isinstance(c, str) for c in frame.columns) else frame
    frame.to_parquet(buffer, index=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


#: A DataFrame field: in Python a ``pandas.DataFrame``, in JSON base64 Parquet.
Frame = Annotated[
    Any,
    PlainValidator(_to_frame),
    PlainSerializer(_to_wire, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "byte", "description": "A data frame as base64 Parquet"}),
]
