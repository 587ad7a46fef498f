"""The runs service: what a run view shows beyond the summary (learning curves, artifacts and their previews)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from traitlets.config import LoggingConfigurable

from ..contract.base import Actor, Document
from ..contract.runs import DownloadArtifact, GetArtifactPreview, GetMetricHistories, GetMetricHistory, ListArtifacts
from ..entities import ArtifactList, ArtifactPreview, ArtifactTable, MetricHistories, MetricHistory, MetricPoint
from ..errors import InvalidParameter, NotFound
from ..settings import Settings

if TYPE_CHECKING:
    import numpy as np

    from ..backends.mlflow_registry import MlflowRegistry
    from ..backends.mlflow_runs import MlflowRuns, Series

#: The beginning of a text file a preview shows.
TEXT_BYTES = 64 * 1024
#: Rows of a table a preview shows.
TABLE_ROWS = 100
#: Images larger than this are not inlined in a preview (download them).
IMAGE_BYTES = 5 * 1024 * 1024
#: Files larger than this are not fetched for a preview at all.
PREVIEW_BYTES = 50 * 1024 * 1024
#: Largest file a download carries (it passes through the server's memory).
DOWNLOAD_BYTES = 1024 * 1024 * 1024

#: Images by their first bytes: what a preview inlines, whatever the file is called (an SVG could carry script).
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
_TABLE_SUFFIXES = {".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson"}
#: What a download is sent as, by suffix: types a browser shows as they are or not at all. Everything else (HTML,
#: SVG, XML, JavaScript, ...) is application/octet-stream, so that nothing from a run renders in Jupyter's origin.
_DOWNLOAD_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain; charset=utf-8",
    ".log": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".json": "application/json",
    ".parquet": "application/vnd.apache.parquet",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class RunService(LoggingConfigurable):  # type: ignore[misc]
    """Metric histories and artifacts of runs.

    Contract: operations take their request model (checked when built: ``InvalidParameter``) and the actor; an
    unknown run, metric key or artifact: ``NotFound``; unreachable store: ``BackendUnavailable``. Blocking; the
    server runs it on a worker thread.
    """

    def __init__(self, backend: MlflowRegistry, settings: Settings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.settings = settings
        self._runs: MlflowRuns | None = None

    @property
    def runs(self) -> MlflowRuns:
        if self._runs is None:
            from ..backends.mlflow_runs import MlflowRuns

            self._runs = MlflowRuns(self.backend)
        return self._runs

    # --- metric histories ---------------------------------------------------------------------------------------

    def get_metric_history(self, request: GetMetricHistory, actor: Actor) -> MetricHistory:
        """Every value the run logged for ``key`` in step order, at most ``max_points`` of them (downsampled keeping
        the shape); a ``NotFound`` for an unknown run or a key the run never logged."""
        found = self.runs.metric_histories([request.run_id], [request.key])
        series = found.get((request.run_id, request.key))
        if series is None:
            self.runs.check_run(request.run_id)  # NotFound for an unknown run
            raise NotFound(f"Run {request.run_id} has no metric {request.key!r}")
        return history(request.run_id, request.key, series, request.max_points)

    def get_metric_histories(self, request: GetMetricHistories, actor: Actor) -> MetricHistories:
        """One series per (run, key), runs in the order given, then keys; a run without a key has an empty series.
        A ``NotFound`` names the runs that do not exist."""
        found = self.runs.metric_histories(request.run_ids, request.keys)
        silent = [r for r in request.run_ids if not any((r, k) in found for k in request.keys)]
        if silent:
            self.runs.runs_by_id(silent)  # NotFound naming the runs that do not exist
        return MetricHistories(
            series=[
                history(r, k, found[(r, k)], request.max_points) if (r, k) in found else MetricHistory(run_id=r, key=k)
                for r in request.run_ids
                for k in request.keys
            ]
        )

    # --- artifacts ------------------------------------------------------------------------------------------------

    def list_artifacts(self, request: ListArtifacts, actor: Actor) -> ArtifactList:
        """The files and folders directly under a path of the run's artifacts (folders first)."""
        files = self.runs.list_artifacts(request.run_id, request.artifact_path)
        if request.artifact_path and not files:
            self.runs.artifact_file(request.run_id, request.artifact_path)  # a file: "not a folder"; else NotFound
            raise NotFound(f"Run {request.run_id} has no artifact folder {request.artifact_path!r}")
        return ArtifactList(run_id=request.run_id, path=request.artifact_path, files=files)

    def get_artifact_preview(self, request: GetArtifactPreview, actor: Actor) -> ArtifactPreview:
        """Text (the first 64 KB), an image (PNG, JPEG, GIF, WebP up to 5 MB, as a ``data:`` URL), a table (the
        first 100 rows of CSV, TSV, Parquet or JSON lines), else ``binary``; ``too_large`` past 50 MB."""
        import tempfile

        run_id, path = request.run_id, request.artifact_path
        entry = self.runs.artifact_file(run_id, path)
        size = entry.file_size or 0
        if size > PREVIEW_BYTES:
            return ArtifactPreview(run_id=run_id, path=path, size=size, kind="too_large")
        with tempfile.TemporaryDirectory(prefix="maestro-preview-") as tmp:
            local = self.runs.download_artifact(run_id, path, tmp)
            return preview(local, ArtifactPreview(run_id=run_id, path=path, size=local.stat().st_size, kind="binary"))

    def download_artifact(self, request: DownloadArtifact, actor: Actor) -> Document:
        """The artifact file's bytes, with a content type no browser renders as a page."""
        import tempfile

        run_id, path = request.run_id, request.artifact_path
        entry = self.runs.artifact_file(run_id, path)
        if (entry.file_size or 0) > DOWNLOAD_BYTES:
            raise InvalidParameter(
                f"{path!r} is larger than {DOWNLOAD_BYTES // 2**20} MB: download it with MLflow "
                f"(mlflow artifacts download --run-id {run_id} --artifact-path {path})"
            )
        with tempfile.TemporaryDirectory(prefix="maestro-download-") as tmp:
            content = self.runs.download_artifact(run_id, path, tmp).read_bytes()
        return Document(content, download_type(path), file_name(path))


# --- pure helpers -------------------------------------------------------------------------------------------------


def history(run_id: str, key: str, series: Series, max_points: int) -> MetricHistory:
    """The answer for one series: downsampled to ``max_points`` when it holds more."""
    import numpy as np

    kept = downsample(series.values, max_points)
    values = series.values[kept]
    points = [
        MetricPoint(step=int(s), timestamp=int(t), value=None if np.isnan(v) else float(v))
        for s, t, v in zip(series.steps[kept].tolist(), series.timestamps[kept].tolist(), values.tolist(), strict=True)
    ]
    return MetricHistory(
        run_id=run_id, key=key, points=points, total_points=len(series), downsampled=len(kept) < len(series)
    )


def downsample(values: np.ndarray, max_points: int) -> np.ndarray:
    """The indices of the points to keep, in order, at most ``max_points`` of ``values`` (already in step order).

    All of them when they fit; else the first and the last, and of each of ``(max_points - 2) // 2`` buckets of
    consecutive points between them, the lowest and the highest (once when they are the same point): a spike, a dip
    and the curve's envelope survive, which keeping every n-th point would lose. NaN values are never chosen as a
    bucket's extreme."""
    import numpy as np

    n = len(values)
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, (max_points - 2) // 2)
    inner = values[1:-1]
    size = -(-len(inner) // buckets)  # ceil: every inner point falls in a bucket
    buckets = -(-len(inner) // size)
    padded = np.full(buckets * size, np.nan)
    padded[: len(inner)] = inner
    grid = padded.reshape(buckets, size)
    lows = np.where(np.isnan(grid), np.inf, grid).argmin(axis=1)
    highs = np.where(np.isnan(grid), -np.inf, grid).argmax(axis=1)
    offsets = np.arange(buckets) * size + 1
    chosen = np.concatenate(([0], offsets + lows, offsets + highs, [n - 1]))
    return np.unique(chosen)  # sorted: the points stay in step order


def download_type(path: str) -> str:
    """The content type a download is sent with: only types no browser renders as a document."""
    return _DOWNLOAD_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def file_name(path: str) -> str:
    """The download's file name: the artifact's last part, in characters any header and file system take."""
    name = _UNSAFE_NAME.sub("_", path.rsplit("/", 1)[-1]).strip("._") or "artifact"
    return name[:200]


def preview(local: Path, binary: ArtifactPreview) -> ArtifactPreview:
    """The preview of a downloaded artifact file; ``binary`` is its preview as bytes (run, path, size)."""
    suffix = Path(binary.path).suffix.lower()
    with open(local, "rb") as fh:
        head = fh.read(TEXT_BYTES + 1)
    if suffix in _IMAGE_SUFFIXES:
        media = _image_type(head)
        if media is None:
            return binary  # not the image its name says: never inlined as one
        if binary.size > IMAGE_BYTES:
            return binary.model_copy(update={"kind": "too_large"})
        encoded = base64.b64encode(local.read_bytes()).decode("ascii")
        return binary.model_copy(update={"kind": "image", "image": f"data:{media};base64,{encoded}"})
    if suffix in _TABLE_SUFFIXES:
        table = _table(local, suffix)
        if table is not None:
            rows, truncated = table
            return binary.model_copy(update={"kind": "table", "table": rows, "truncated": truncated})
    text = _text(head)
    if text is None:
        return binary
    return binary.model_copy(update={"kind": "text", "text": text, "truncated": binary.size > TEXT_BYTES})


def _image_type(head: bytes) -> str | None:
    for magic, media in _IMAGE_MAGIC:
        if head.startswith(magic):
            return media
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _text(head: bytes) -> str | None:
    """The first :data:`TEXT_BYTES` as UTF-8, or ``None`` when they are not text (a NUL, or not UTF-8)."""
    chunk = head[:TEXT_BYTES]
    if b"\x00" in chunk:
        return None
    try:
        return chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(chunk) - 3:  # the cut fell inside a character
            return chunk[: exc.start].decode("utf-8")
        return None


def _table(local: Path, suffix: str) -> tuple[ArtifactTable, bool] | None:
    """The first :data:`TABLE_ROWS` rows, and whether there are more; ``None`` when the file is not such a table."""
    import pandas as pd

    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(local)
            batch = next(parquet.iter_batches(batch_size=TABLE_ROWS), None)
            frame = batch.to_pandas() if batch is not None else pd.DataFrame()
            more = parquet.metadata.num_rows > len(frame)
        elif suffix in (".jsonl", ".ndjson"):
            reader = pd.read_json(local, lines=True, chunksize=TABLE_ROWS + 1)
            frame = next(iter(reader), pd.DataFrame())
            more = len(frame) > TABLE_ROWS
        else:
            frame = pd.read_csv(local, sep="\t" if suffix == ".tsv" else ",", nrows=TABLE_ROWS + 1)
            more = len(frame) > TABLE_ROWS
    except Exception:  # whatever the parser makes of the file, it is shown as text or bytes instead
        return None
    frame = frame.head(TABLE_ROWS)
    rows = json.loads(frame.to_json(orient="values", date_format="iso", default_handler=str))
    cells = [[c if c is None or isinstance(c, str | int | float | bool) else json.dumps(c) for c in r] for r in rows]
    return ArtifactTable(columns=[str(c) for c in frame.columns], rows=cells), more
