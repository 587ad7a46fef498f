"""Results about one run beyond its summary: metric histories (learning curves) and artifacts (files it logged)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from . import display
from . import formatting as fmt
from .base import _Displayable


class MetricPoint(BaseModel):
    """One logged value of a metric. ``value`` is ``None`` where MLflow recorded NaN (JSON has no NaN)."""

    step: int
    #: Milliseconds since the epoch.
    timestamp: int
    value: float | None


class MetricHistory(_Displayable):
    """A metric's values over a run, in step order (then time), at most ``max_points`` of them.

    When the run logged more than that, ``downsampled`` is true and ``points`` keeps the first and last point and,
    of each bucket of consecutive points, the lowest and the highest, so that spikes and the curve's shape survive.
    """

    run_id: str
    key: str
    points: list[MetricPoint] = Field(default_factory=list)
    #: How many values the run logged for the key.
    total_points: int = 0
    downsampled: bool = False

    def to_frame(self) -> Any:
        """A pandas DataFrame: ``step``, ``timestamp`` (a UTC datetime) and ``value``, one row per point."""
        import pandas as pd

        frame = pd.DataFrame(
            [(p.step, p.timestamp, p.value) for p in self.points], columns=["step", "timestamp", "value"]
        )
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="ms", utc=True)
        frame["value"] = frame["value"].astype(float)
        return frame

    def summary(self) -> str:
        """One line: the key, how many points, the steps they span and the last value."""
        if not self.points:
            return f"{self.key}: no values in run {self.run_id[:8]}"
        shown = f" (showing {fmt.count(len(self.points))}, downsampled)" if self.downsampled else ""
        first, last_step = self.points[0].step, self.points[-1].step
        steps = (
            f"step {fmt.number(first)}"
            if first == last_step
            else f"steps {fmt.number(first)} to {fmt.number(last_step)}"
        )
        last = fmt.number(self.points[-1].value) or "NaN"
        return f"{self.key}: {fmt.count(self.total_points, 'point')}{shown} · {steps} · last {last}"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/html": display.wrap(f'<div class="maestro-summary">{display.esc(self.summary())}</div>'),
            "text/plain": self.summary(),
        }

    def __str__(self) -> str:
        return self.summary()


class MetricHistories(_Displayable):
    """Metric histories of several runs and keys, one series per (run, key) in the order asked for; a run that did not
    log a key has a series with no points."""

    series: list[MetricHistory] = Field(default_factory=list)

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        rows = [
            [h.run_id[:8], h.key, h.total_points, fmt.number(h.points[-1].value) if h.points else ""]
            for h in self.series
        ]
        return fmt.count(len(self.series), "series", "series"), ["run", "key", "points", "last"], rows

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        title, headers, rows = self._table()
        return {"text/html": display.html_table(headers, rows, title=title), "text/plain": str(self)}

    def __str__(self) -> str:
        title, headers, rows = self._table()
        return display.text_table(headers, rows, title=title)


class ArtifactFile(BaseModel):
    """A file or folder among a run's artifacts; ``path`` is relative to the run's artifact root."""

    path: str
    is_dir: bool
    #: Bytes; ``None`` for a folder (and where the artifact store does not say).
    file_size: int | None = None


class ArtifactList(_Displayable):
    """The files and folders directly under ``path`` (``""``: the root) of a run's artifacts, folders first."""

    run_id: str
    path: str
    files: list[ArtifactFile] = Field(default_factory=list)

    def _table(self) -> tuple[str, list[str], list[list[Any]]]:
        where = f"{self.path}/" if self.path else "the artifacts' root"
        title = f"{fmt.count(len(self.files), 'item')} in {where} of run {self.run_id[:8]}"
        rows = [[f.path + ("/" if f.is_dir else ""), "" if f.is_dir else fmt.size(f.file_size)] for f in self.files]
        return title, ["path", "size"], rows

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        title, headers, rows = self._table()
        return {"text/html": display.html_table(headers, rows, title=title), "text/plain": str(self)}

    def __str__(self) -> str:
        title, headers, rows = self._table()
        return display.text_table(headers, rows, title=title)


class ArtifactTable(BaseModel):
    """The first rows of a table (CSV, TSV, Parquet, JSON lines): column names, then rows of cells."""

    columns: list[str]
    rows: list[list[str | int | float | bool | None]]


#: What a preview holds: ``text`` (the first 64 KB as UTF-8), ``image`` (a ``data:`` URL of a PNG, JPEG, GIF or
#: WebP), ``table`` (the first 100 rows), ``binary`` (nothing to show: download it) or ``too_large`` (too big to
#: preview; download it).
PreviewKind = Literal["text", "image", "table", "binary", "too_large"]


class ArtifactPreview(_Displayable):
    """What a run view shows of one artifact, safe to put in a page: text, an image or a table, never markup."""

    run_id: str
    path: str
    kind: PreviewKind
    #: The file's size in bytes.
    size: int
    #: Whether ``text`` or ``table`` holds only the beginning of the file.
    truncated: bool = False
    text: str | None = None
    #: A ``data:image/...;base64,`` URL (PNG, JPEG, GIF or WebP only: an SVG could carry script).
    image: str | None = None
    table: ArtifactTable | None = None

    def summary(self) -> str:
        """One line: the file, its size, and what the preview holds."""
        what = {
            "text": "text",
            "image": "image",
            "table": f"table, {fmt.count(len(self.table.rows) if self.table else 0, 'row')}",
            "binary": "binary: download it to open",
            "too_large": "too large to preview: download it",
        }[self.kind]
        cut = " (the beginning)" if self.truncated else ""
        return f"{self.path} · {fmt.size(self.size)} · {what}{cut}"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        body = f'<div class="maestro-summary">{display.esc(self.summary())}</div>'
        if self.kind == "text" and self.text is not None:
            body += f'<pre style="text-align:left;max-height:24em;overflow:auto">{display.esc(self.text)}</pre>'
        elif self.kind == "image" and self.image and self.image.startswith("data:image/"):
            alt = display.esc(self.path)
            body += f'<img src="{display.esc(self.image)}" alt="{alt}" style="max-width:100%">'
        elif self.kind == "table" and self.table is not None:
            body += display.html_table(self.table.columns, [[fmt.number(c) for c in r] for r in self.table.rows])
        return {"text/html": display.wrap(body), "text/plain": str(self)}

    def __str__(self) -> str:
        text = self.summary()
        if self.kind == "text" and self.text is not None:
            text += "\n" + self.text[:2000]
        elif self.kind == "table" and self.table is not None:
            text += "\n" + display.text_table(
                self.table.columns, [[fmt.number(c) for c in r] for r in self.table.rows[:20]]
            )
        return text
