"""Experiments and runs: ``ml.experiments``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract.experiments import CompareRuns, GetRun, ListExperiments, ListRuns
from ..contract.runs import (
    DEFAULT_POINTS,
    DownloadArtifact,
    GetArtifactPreview,
    GetMetricHistories,
    GetMetricHistory,
    ListArtifacts,
)
from ..entities import (
    ArtifactList,
    ArtifactPreview,
    ExperimentPage,
    MetricHistories,
    MetricHistory,
    RunComparison,
    RunPage,
    RunSummary,
)
from ..errors import InvalidParameter

if TYPE_CHECKING:
    from .transport import Transport


class ExperimentsAPI:
    """Experiments and runs: ``ml.experiments``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list(self, search: str | None = None, max_results: int = 100, page_token: str | None = None) -> ExperimentPage:
        """Active experiments, most recently updated first."""
        request = ListExperiments.build(search=search, max_results=max_results, page_token=page_token)
        result: ExperimentPage = self._transport.call(request)
        return result

    def runs(
        self,
        experiment: str,
        *,
        order_by: str | Sequence[str] | None = None,
        filter: str = "",
        max_results: int = 100,
        page_token: str | None = None,
    ) -> RunPage:
        """Runs of an experiment (name or id) with their metrics, e.g. ``order_by="metrics.accuracy DESC"``."""
        request = ListRuns.build(
            experiment=experiment,
            order_by=order_by if order_by is None or isinstance(order_by, str) else list(order_by),
            filter=filter,
            max_results=max_results,
            page_token=page_token,
        )
        result: RunPage = self._transport.call(request)
        return result

    def run(self, run_id: str) -> RunSummary:
        """One run with its metrics, params and tags."""
        result: RunSummary = self._transport.call(GetRun.build(run_id=run_id))
        return result

    def compare(self, run_ids: Sequence[str]) -> RunComparison:
        """Runs side by side; ``differing_params``/``differing_metrics`` name what changed."""
        ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
        result: RunComparison = self._transport.call(CompareRuns.build(run_ids=ids))
        return result

    def history(self, run_id: str, key: str, max_points: int = DEFAULT_POINTS) -> Any:
        """A metric's values over a run as a pandas DataFrame: ``step``, ``timestamp`` (UTC datetimes) and ``value``,
        in step order. A history longer than ``max_points`` (10-10,000) is downsampled keeping each bucket's lowest
        and highest value; ``frame.attrs`` says so (``total_points``, ``downsampled``)."""
        result: MetricHistory = self._transport.call(
            GetMetricHistory.build(run_id=run_id, key=key, max_points=max_points)
        )
        frame = result.to_frame()
        frame.attrs.update(run_id=run_id, key=key, total_points=result.total_points, downsampled=result.downsampled)
        return frame

    def histories(
        self, run_ids: str | Sequence[str], keys: str | Sequence[str], max_points: int = DEFAULT_POINTS
    ) -> Any:
        """Metric histories of up to 100 runs and 10 keys as one long pandas DataFrame: ``run`` (the run id), ``key``,
        ``step``, ``timestamp`` (UTC datetimes) and ``value``; ready for overlaid learning curves."""
        import pandas as pd

        result = self.metric_histories(run_ids, keys, max_points)
        frames = [series.to_frame().assign(run=series.run_id, key=series.key) for series in result.series]
        columns = ["run", "key", "step", "timestamp", "value"]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _HISTORY_DTYPES.items()})[columns]
        return pd.concat(frames, ignore_index=True)[columns]

    def metric_histories(
        self, run_ids: str | Sequence[str], keys: str | Sequence[str], max_points: int = DEFAULT_POINTS
    ) -> MetricHistories:
        """The same as :meth:`histories`, as the API's result: one :class:`MetricHistory` per (run, key), with
        ``total_points`` and ``downsampled``."""
        ids = [run_ids] if isinstance(run_ids, str) else list(run_ids)
        names = [keys] if isinstance(keys, str) else list(keys)
        result: MetricHistories = self._transport.call(
            GetMetricHistories.build(run_ids=ids, keys=names, max_points=max_points)
        )
        return result

    def artifacts(self, run_id: str, path: str = "") -> ArtifactList:
        """The files and folders directly under ``path`` (default: the root) of a run's artifacts."""
        result: ArtifactList = self._transport.call(ListArtifacts.build(run_id=run_id, artifact_path=path))
        return result

    def artifact_preview(self, run_id: str, path: str) -> ArtifactPreview:
        """What a run view shows of one artifact file: its first 64 KB of text, an image (PNG, JPEG, GIF, WebP), a
        table's first 100 rows (CSV, TSV, Parquet, JSON lines), or only its size."""
        result: ArtifactPreview = self._transport.call(GetArtifactPreview.build(run_id=run_id, artifact_path=path))
        return result

    def download_artifact(self, run_id: str, path: str, dest: str | Path | None = None) -> Path:
        """Save one artifact file of a run; returns where. ``dest`` is a file path or an existing folder (default:
        the current folder), where the file keeps its name."""
        request = DownloadArtifact.build(run_id=run_id, artifact_path=path)
        target = Path(dest) if dest is not None else Path.cwd()
        if not target.is_dir() and not target.parent.is_dir():
            raise InvalidParameter(f"Cannot write {target}: folder {target.parent} does not exist")
        document = self._transport.download(request)
        if target.is_dir():
            target = target / (Path(document.file_name).name or "artifact")
        try:
            target.write_bytes(document.content)
        except OSError as exc:
            raise InvalidParameter(f"Cannot write {target}: {exc.strerror or exc}") from None
        return target


#: The columns of :meth:`ExperimentsAPI.histories` when there is nothing to show.
_HISTORY_DTYPES = {
    "run": "object",
    "key": "object",
    "step": "int64",
    "timestamp": "datetime64[ns, UTC]",
    "value": "float64",
}
