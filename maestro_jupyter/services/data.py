"""The data service: profile a dataset and discover useful features, from a DataFrame or a file.

It owns what the pure analysis modules must not do: reading files (confined to a root when the caller serves
others), caching reports by the data's content, and attaching a report to the active MLflow run.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from traitlets.config import LoggingConfigurable

from ..errors import InvalidParameter, NotFound, PermissionDenied, first_line
from ..settings import Settings
from ..tagkeys import PROFILE_SUMMARY_ARTIFACT

if TYPE_CHECKING:
    import pandas as pd

    from ..analysis.features import FeatureReport
    from ..analysis.profiling import ProfileResult
    from ..backends.mlflow_registry import MlflowRegistry

READERS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}
MAX_MEMORY_CACHE = 8
TASKS = ("auto", "classification", "regression")


class DataService(LoggingConfigurable):  # type: ignore[misc]
    """Profiles and feature rankings.

    Contract: a source is a pandas DataFrame or a path to a CSV/TSV/Parquet file. With ``root`` set (the REST API
    passes the Jupyter root), a path is resolved inside it and refused outside it (``PermissionDenied``). A missing
    file is ``NotFound``; an unreadable one, a bad option or a frame the analysis cannot use is
    ``InvalidParameter`` with a one-line message. Blocking.
    """

    def __init__(self, settings: Settings, backend: Callable[[], MlflowRegistry], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self._backend = backend  # called only when a report is logged, so profiling never opens MLflow
        self._cache: OrderedDict[str, ProfileResult] = OrderedDict()
        self._lock = threading.Lock()

    # --- sources ---------------------------------------------------------------------------------------------

    def load(self, source: Any, root: str | Path | None = None) -> tuple[pd.DataFrame, str]:
        """The DataFrame and a label for it (the file name, or "DataFrame")."""
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

    # --- profiling -------------------------------------------------------------------------------------------

    def profile(
        self,
        source: Any,
        *,
        minimal: bool = True,
        report: bool = True,
        sample: int | None = None,
        target: str | None = None,
        title: str | None = None,
        compare: Any = None,
        progress: bool = True,
        root: str | Path | None = None,
    ) -> ProfileResult:
        """The exact summary and (unless ``report=False``) the ydata-profiling report, cached by content."""
        from ..analysis import profiling

        if sample is not None and not 100 <= sample <= 10_000_000:
            raise InvalidParameter(f"sample must be between 100 and 10,000,000 rows, not {sample}")
        frame, label = self.load(source, root)
        other = self.load(compare, root)[0] if compare is not None else None
        title = title or f"Profile of {label}"  # part of the result, so part of the cache key
        options = {"minimal": minimal, "report": report, "sample": sample, "target": target, "title": title}
        key = _cache_key(frame, other, options)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            result = profiling.profile(
                frame,
                title=title,
                minimal=minimal,
                report=report,
                sample=sample,
                target=target,
                compare=other,
                progress=progress,
            )
        except ValueError as exc:
            raise InvalidParameter(str(exc)) from None
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > MAX_MEMORY_CACHE:
                self._cache.popitem(last=False)
        return result

    def save_report(self, result: ProfileResult, path: str | Path) -> Path:
        """Write the profile as a standalone HTML page."""
        target = Path(path).expanduser()
        if target.suffix.lower() not in (".html", ".htm"):
            raise InvalidParameter(f"--output must name an .html file, not {target.name}")
        if not target.parent.is_dir():
            raise InvalidParameter(f"Cannot write {target}: folder {target.parent} does not exist")
        try:
            return Path(result.save_html(str(target)))
        except OSError as exc:
            raise InvalidParameter(f"Cannot write {target}: {exc.strerror or exc}") from None

    def log_report(self, result: ProfileResult) -> str:
        """Attach the report (HTML) and the summary (JSON) to the active MLflow run; returns the run id."""
        files = {
            PROFILE_SUMMARY_ARTIFACT: result.summary.model_dump_json(indent=2),
            "maestro/profile/report.html": result.report_html or "",
        }
        return self._backend().log_to_active_run(files)

    # --- features --------------------------------------------------------------------------------------------

    def features(
        self,
        source: Any,
        target: str,
        *,
        task: str = "auto",
        top_k: int = 10,
        time_budget: float = 60.0,
        exclude: Sequence[str] = (),
        root: str | Path | None = None,
    ) -> FeatureReport:
        """Features ranked by usefulness for predicting ``target``, with the evidence and the warnings."""
        from ..analysis import features

        if task not in TASKS:
            raise InvalidParameter(f"task must be one of {', '.join(TASKS)}, not {task!r}")
        if not 1 <= top_k <= 1000:
            raise InvalidParameter(f"top must be between 1 and 1000, not {top_k}")
        if not 1 <= time_budget <= 3600:
            raise InvalidParameter(f"time budget must be between 1 and 3600 seconds, not {time_budget:g}")
        frame, _ = self.load(source, root)
        try:
            return features.discover_features(
                frame, target, task=task, top_k=top_k, time_budget=time_budget, exclude=list(exclude)
            )
        except ValueError as exc:
            raise InvalidParameter(str(exc)) from None


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


def _cache_key(frame: pd.DataFrame, other: pd.DataFrame | None, options: dict[str, Any]) -> str:
    """A digest of the data's content (values, index, column names and dtypes) and the options.

    Changed data never reuses a stale report: any changed cell changes the row hashes.
    """
    import pandas as pd

    digest = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode())
    for part in (frame, other):
        if part is None:
            continue
        digest.update(json.dumps([str(c) for c in part.columns] + [str(t) for t in part.dtypes]).encode())
        try:
            hashed = pd.util.hash_pandas_object(part, index=True)
        except TypeError:  # unhashable cells (lists, dicts): hash their text
            hashed = pd.util.hash_pandas_object(part.astype(str), index=True)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()
