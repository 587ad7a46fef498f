"""Where a dataset (or a test policy) comes from: a DataFrame, or a file read by one reader on either side.

The SDK reads a file the user named in the kernel (and sends the frame); the REST API reads a file under the Jupyter
root. Both use :func:`read_table`, so a file gives the same frame, and the same errors, in a notebook and through
the API. pandas is imported only when something is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidParameter, NotFound, PermissionDenied, first_line

if TYPE_CHECKING:
    import pandas as pd

READERS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}


def read_table(source: Any, root: str | Path | None = None) -> tuple[pd.DataFrame, str]:
    """The DataFrame ``source`` is (a frame, or a CSV/TSV/Parquet path) and a label for it: the file name, or
    ``"DataFrame"``. A path is resolved as :func:`resolve_path` does."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source, "DataFrame"
    if not isinstance(source, (str, Path)):
        raise InvalidParameter(f"Expected a pandas DataFrame or a CSV/Parquet path, not {type(source).__name__}")
    path = resolve_path(source, root)
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise InvalidParameter(f"{path.name}: not a CSV, TSV or Parquet file")
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, sep="\t" if kind == "tsv" else ",", low_memory=False)
    except Exception as exc:  # pandas/pyarrow raise many types for a bad file; all mean "cannot read it"
        raise InvalidParameter(f"Cannot read {path.name}: {first_line(exc)}") from None
    return frame, path.name


def resolve_path(source: str | Path, root: str | Path | None) -> Path:
    """``source`` as an existing file. With a ``root``, paths are relative to it as Jupyter's file browser shows them
    (a leading ``/`` is the root), unless already an absolute path inside it; whatever resolves outside the root,
    through ``..`` or a symbolic link, is refused."""
    text = str(source)
    if not text or "\x00" in text:
        raise InvalidParameter("A file path is required")
    try:
        if root is None:
            path = Path(text).expanduser().resolve()
        else:
            base = Path(root).expanduser().resolve()
            given = Path(text).expanduser()
            inside = given.is_absolute() and given.resolve().is_relative_to(base)
            path = given.resolve() if inside else (base / text.lstrip("/")).resolve()
            if not path.is_relative_to(base):
                raise PermissionDenied(f"{text}: outside the Jupyter root; only files under it can be read")
        exists, is_file = path.exists(), path.is_file()  # may raise too (e.g. a name too long)
    except (OSError, RuntimeError, ValueError) as exc:
        raise InvalidParameter(f"Invalid path {text[:200]!r}: {exc}") from None
    if not exists:
        raise NotFound(f"No such file: {text}")
    if not is_file:
        raise InvalidParameter(f"{text}: not a file")
    return path


def read_policy_file(path: str | Path) -> dict[str, Any]:
    """A YAML (or JSON) policy file as a mapping; unreadable is ``InvalidParameter``, missing ``NotFound``."""
    from ..analysis.modeltests import PolicyError, parse_policy_text

    resolved = resolve_path(path, None)
    try:
        text = resolved.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidParameter(f"Cannot read the policy {resolved.name}: {getattr(exc, 'strerror', exc)}") from None
    try:
        return parse_policy_text(text, resolved.name)
    except PolicyError as exc:
        raise InvalidParameter(f"Test policy: {exc}") from None
