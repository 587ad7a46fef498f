"""The data service: profile a dataset and discover useful features, from a frame or a file.

It owns what the pure analysis modules must not do: reading files (a request's ``path``, which the REST handler has
confined to the Jupyter root) and caching reports by the data's content. Writing a report to a file and attaching it
to an MLflow run happen where the user is (the SDK, in the kernel).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from traitlets.config import LoggingConfigurable

from ..contract.sources import READERS, read_table, resolve_path
from ..errors import InvalidParameter
from ..settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from ..analysis.features import FeatureReport
    from ..analysis.profiling import ProfileResult
    from ..contract.base import Actor
    from ..contract.data import DiscoverFeatures, ProfileData

__all__ = ["READERS", "DataService", "resolve_path"]
MAX_MEMORY_CACHE = 8


class DataService(LoggingConfigurable):  # type: ignore[misc]
    """Profiles and feature rankings.

    Contract: a request carries a frame or a path (resolved as given: the REST handler confines it to the Jupyter
    root first). A missing file is ``NotFound``; an unreadable one or a frame the analysis cannot use is
    ``InvalidParameter`` with a one-line message. Blocking.
    """

    def __init__(self, settings: Settings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self._cache: OrderedDict[str, ProfileResult] = OrderedDict()
        self._lock = threading.Lock()

    # --- sources ---------------------------------------------------------------------------------------------

    def load(self, source: Any, root: str | Path | None = None) -> tuple[pd.DataFrame, str]:
        """The DataFrame and a label for it (the file name, or "DataFrame")."""
        return read_table(source, root)

    def _frame(self, data: Any, path: str | None) -> tuple[pd.DataFrame, str]:
        return read_table(data if data is not None else path)

    # --- profiling -------------------------------------------------------------------------------------------

    def profile(self, request: ProfileData, actor: Actor) -> ProfileResult:
        """The exact summary and (unless ``report=False``) the fg-data-profiling report, cached by content."""
        from ..analysis import profiling

        frame, label = self._frame(request.data, request.path)
        other = None
        if request.compare is not None or request.compare_path is not None:
            other = self._frame(request.compare, request.compare_path)[0]
        title = request.title or f"Profile of {label}"  # part of the result, so part of the cache key
        options = {
            "minimal": request.minimal,
            "report": request.report,
            "sample": request.sample,
            "target": request.target,
            "title": title,
        }
        key = _cache_key(frame, other, options)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key].model_copy(update={"cached": True})
        try:
            result = profiling.profile(
                frame,
                title=title,
                minimal=request.minimal,
                report=request.report,
                sample=request.sample,
                target=request.target,
                compare=other,
                progress=request.progress,
            )
        except ValueError as exc:
            raise InvalidParameter(str(exc)) from None
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > MAX_MEMORY_CACHE:
                self._cache.popitem(last=False)
        return result

    # --- features --------------------------------------------------------------------------------------------

    def features(self, request: DiscoverFeatures, actor: Actor) -> FeatureReport:
        """Features ranked by usefulness for predicting ``target``, with the evidence and the warnings."""
        from ..analysis import features

        frame, _ = self._frame(request.data, request.path)
        try:
            return features.discover_features(
                frame,
                request.target,
                task=request.task,
                top_k=request.top,
                time_budget=request.time_budget,
                exclude=list(request.exclude),
            )
        except ValueError as exc:
            raise InvalidParameter(str(exc)) from None


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
