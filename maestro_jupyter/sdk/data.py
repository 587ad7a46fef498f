"""Datasets: ``ml.data`` (profiles and feature discovery)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract.data import DiscoverFeatures, ProfileData
from ..contract.sources import read_table
from ..errors import InvalidParameter, first_line

if TYPE_CHECKING:
    import pandas as pd

    from ..analysis.features import FeatureReport
    from ..analysis.profiling import ProfileResult
    from .transport import Transport


class DataAPI:
    """Datasets: ``ml.data``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

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
        output: str | Path | None = None,
        log: bool = False,
    ) -> ProfileResult:
        """Profile a DataFrame or a CSV/TSV/Parquet path.

        The summary (counts, types, missing values, duplicates, warnings) is exact on all rows. The fg-data-profiling
        report (``minimal=False`` for the full one) is computed on a random sample of ``sample`` rows (default
        100,000) when the data is larger. ``compare`` is a second frame or path to compare with, ``output`` an
        .html file to write, and ``log=True`` attaches the report to the active MLflow run. The same data profiles
        instantly the second time; changed data never reuses a report.
        """
        from .progress import Progress

        frame, label = read_frame(source)
        other = read_frame(compare)[0] if compare is not None else None
        request = ProfileData.build(
            data=frame,
            minimal=minimal,
            report=report,
            sample=sample,
            target=target,
            title=title or f"Profile of {label}",
            compare=other,
            # One progress line of ours (below) instead of the profiling library's bars, which need ipywidgets
            progress=False,
        )
        with Progress(f"Profiling {label} ({frame.shape[0]:,} rows)"):
            result: ProfileResult = self._transport.call(request)
        if output is not None:
            save_report(result, output)
        if log:
            log_report(result)
        return result

    def features(
        self,
        source: Any,
        target: str,
        *,
        task: str = "auto",
        top: int = 10,
        time_budget: float = 60.0,
        exclude: Sequence[str] = (),
    ) -> FeatureReport:
        """Rank the features of a DataFrame (or file) by how useful they are for predicting ``target``.

        It combines univariate association, mutual information and a gradient-boosted model's permutation
        importance on held-out data, within ``time_budget`` seconds, and flags leakage, redundancy, constant,
        mostly-missing and ID-like columns. ``.top_features`` and ``.to_frame()`` are there for code. On a training
        set from the feature store (``ml.features.training_set``), the findings are grouped by feature view
        (``.by_view()``).
        """
        from .progress import Progress

        frame = read_frame(source)[0]
        request = DiscoverFeatures.build(
            data=frame, target=target, task=task, top=top, time_budget=time_budget, exclude=exclude
        )
        with Progress(f"Ranking features for {target!r} (up to {time_budget:g} s)"):
            report: FeatureReport = self._transport.call(request)
        # A training set from the feature store (ml.features.training_set) says which view each column came from:
        # the report groups its findings by view, so a selection can be saved as a feature service.
        views = frame.attrs.get("maestro_feature_views")
        if isinstance(views, dict) and views:
            ranked = {f.feature for f in report.features}
            known = {str(col): str(view) for col, view in views.items() if str(col) in ranked}
            report = report.model_copy(update={"feature_views": known})
        return report


def read_frame(source: Any) -> tuple[pd.DataFrame, str]:
    """A DataFrame, or the one a CSV/TSV/Parquet file in the kernel's file system holds, and a label for it."""
    return read_table(source)


def save_report(result: ProfileResult, path: str | Path) -> Path:
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


def log_report(result: ProfileResult) -> str:
    """Attach the report (HTML) and the summary (JSON) to the kernel's active MLflow run; returns the run id."""
    import mlflow
    from mlflow.exceptions import MlflowException

    from ..tagkeys import PROFILE_SUMMARY_ARTIFACT

    run = mlflow.active_run()
    if run is None:
        raise InvalidParameter("No active MLflow run: start one with mlflow.start_run(), or drop --log")
    files = {
        PROFILE_SUMMARY_ARTIFACT: result.summary.model_dump_json(indent=2),
        "maestro/profile/report.html": result.report_html or "",
    }
    try:
        for artifact_file, text in files.items():
            mlflow.log_text(text, artifact_file)
    except (MlflowException, OSError) as exc:
        raise InvalidParameter(f"Logging to run {run.info.run_id}: {first_line(exc)}") from None
    return str(run.info.run_id)
