"""Dataset profiling: an exact summary with data-quality warnings, plus fg-data-profiling's report on a sample.

:func:`summarize` is exact on every row (counts equal what pandas computes) and fast: a few vectorised passes per
column, Pearson correlations through BLAS. :func:`render_report` wraps fg-data-profiling (ydata-profiling's
continuation), which is slow on large frames, so :func:`profile` runs it on a random sample and says so on the page.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import html
import re
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from ..entities import formatting
from ..entities.display import esc, fmt_number, html_table
from . import _identifiers as ids
from ._identifiers import ID_MIN_ROWS

IMBALANCE_MAX_CLASSES = 20  # an integer target with at most this many values is a class label
TEXT_MIN_LENGTH = 30  # free text: average length at least this ...
TEXT_MIN_SPACES = 2.0  # ... and several words on average ...
TEXT_MIN_DISTINCT_SHARE = 0.5  # ... and mostly distinct values
KIND_SAMPLE = 10_000  # values inspected to infer a string column's kind (counts are always exact)
MAX_FULL_CORRELATION_COLUMNS = 200  # above this many numeric columns, report only the strongest pairs
TOP_CORRELATION_PAIRS = 100
_CHUNK_ROWS = 65_536
_ID_NAME = re.compile(r"(?i:(^|[_\W])(id|uuid|guid|key)$|^(id|uuid|guid)[_\W])|[a-z](Id|ID|Uuid|UUID)$")
_ID_KINDS = ("numeric", "categorical")  # the kinds an identifier is found among (ids.id_like decides)


class ColumnSummary(BaseModel):
    """One column: its kind, missing and distinct counts, numeric statistics or its most frequent value."""

    name: str
    dtype: str  # pandas dtype as text
    kind: str  # numeric | categorical | boolean | datetime | text | id | constant | empty
    missing: int
    missing_share: float
    distinct: int  # distinct non-missing values, exact
    mean: float | None = None  # numeric only (timedeltas in seconds)
    std: float | None = None
    min: float | None = None
    max: float | None = None
    top: str | None = None  # most frequent value (categorical, boolean, text)
    top_share: float | None = None  # its share of the non-missing values


class ProfileWarning(BaseModel):
    """A data-quality finding. ``value``: the missing share, distinct count, Pearson r, majority share or number
    of duplicate rows, depending on ``kind``."""

    kind: str  # constant | high_cardinality | high_missing | high_correlation | imbalanced_target | id_like | ...
    columns: list[str]
    message: str
    value: float | None = None


class DataSummary(BaseModel):
    """Exact figures for a whole frame, one summary per column, and the warnings."""

    rows: int
    columns: int
    memory_bytes: int  # deep memory usage, index included
    missing_cells: int
    missing_share: float
    duplicate_rows: int
    column_summaries: list[ColumnSummary]
    warnings: list[ProfileWarning]
    target: str | None = None


class ProfileResult(BaseModel):
    """What ``%maestro profile`` shows: the exact summary and, optionally, fg-data-profiling's HTML report."""

    title: str
    summary: DataSummary
    report_html: str | None = None  # full HTML document, None when not requested
    report_rows: int | None = None  # rows the report was computed on (== summary.rows unless sampled)
    minimal: bool = True
    compare_summary: DataSummary | None = None
    elapsed_seconds: float = 0.0  # how long computing it took (when it was computed, not when it was last asked for)
    #: When it was computed (seconds since the epoch).
    computed_at: float | None = None
    #: True when this answer is a stored result of an earlier, identical request (``computed_at`` says when).
    cached: bool = False

    def _header_lines(self) -> list[str]:
        s = self.summary
        lines = [
            f"{s.rows:,} rows x {s.columns:,} columns, {_fmt_bytes(s.memory_bytes)} in memory",
            f"missing cells: {s.missing_cells:,} ({s.missing_share:.1%}); duplicate rows: {s.duplicate_rows:,}",
        ]
        if s.target:
            lines.append(f"target: {s.target}")
        if self.compare_summary is not None:
            c = self.compare_summary
            lines.append(f"compared with: {c.rows:,} rows x {c.columns:,} columns")
        if self.report_rows is not None and self.report_rows < s.rows:
            lines.append(f"report on {self.report_rows:,} of {s.rows:,} rows (sampled)")
        return lines

    def _summary_html(self) -> str:
        """The header, the warnings and the per-column table (no report)."""
        s = self.summary
        parts = [f"<h3>{esc(self.title)}</h3>", "<div>" + "<br>".join(esc(line) for line in self._header_lines())]
        parts.append(f' <small class="maestro-muted">({esc(self._timing())})</small></div>')
        if s.warnings:
            items = "".join(f"<li><b>{esc(w.kind)}</b>: {esc(w.message)}</li>" for w in s.warnings)
            parts.append(f'<div><b>{len(s.warnings)} warning(s)</b><ul class="maestro-warnings">{items}</ul></div>')
        else:
            parts.append("<div>No warnings.</div>")
        headers = ["column", "dtype", "kind", "missing", "missing %", "distinct", "mean", "std", "min", "max", "top"]
        rows = [
            [c.name, c.dtype, c.kind, c.missing, f"{c.missing_share:.1%}", c.distinct]
            + [fmt_number(v) for v in (c.mean, c.std, c.min, c.max)]
            + ["" if c.top is None else f"{_clip(c.top)} ({c.top_share or 0:.1%})"]
            for c in s.column_summaries
        ]
        parts.append(html_table(headers, rows, title="Columns"))
        return "".join(parts)

    def _timing(self) -> str:
        """How long computing it took; for a stored answer, that it is one and when it was computed (its elapsed
        time is the first run's, not this request's)."""
        took = formatting.duration(self.elapsed_seconds)
        if self.cached:
            when = f" {formatting.relative(self.computed_at)}" if self.computed_at else ""
            return f"cached · computed{when} in {took}"
        return f"computed in {took}"

    def _iframe(self) -> str:
        if self.report_html is None:
            return ""
        return (
            f'<iframe title="{esc(self.title)}" srcdoc="{html.escape(self.report_html, quote=True)}" '
            'sandbox="allow-scripts" width="100%" height="800" style="width:100%;height:800px;border:1px solid '
            'var(--jp-border-color2,#ddd)"></iframe>'
        )

    def _repr_html_(self) -> str:
        # mathjax_ignore: JupyterLab typesets $...$ pairs in HTML output, and column names or values may hold them
        body = self._summary_html() + self._iframe()
        return f'<div class="maestro-profile mathjax_ignore tex2jax_ignore">{body}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": str(self)}

    def __str__(self) -> str:
        lines = [f"{self.title} ({self._timing()})", *self._header_lines()]
        lines += [f"warning {w.kind}: {w.message}" for w in self.summary.warnings] or ["no warnings"]
        return "\n".join(lines)

    def save_html(self, path: str) -> str:
        """Write a standalone HTML page (summary and embedded report) to ``path``; returns ``path``."""
        page = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(self.title)}</title></head>'
            f'<body style="font-family:sans-serif">{self._repr_html_()}</body></html>'
        )
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(page)
        return path


def _fmt_bytes(n: int) -> str:
    exp = min(int(np.log2(max(n, 1)) // 10), 3)
    return f"{n} B" if exp == 0 else f"{n / 1024**exp:.1f} {' KMG'[exp]}B"


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the summary -----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Col:
    """Intermediate per-column facts."""

    name: str
    series: pd.Series
    summary: ColumnSummary | None = None
    numeric: np.ndarray | None = None  # float64 values, for correlations


def _value_counts(s: pd.Series) -> pd.Series:
    try:
        vc = s.value_counts(dropna=True, sort=True)
    except TypeError:  # unhashable values (lists, dicts): count their text
        vc = s.dropna().astype(str).value_counts(sort=True)
    return vc[vc > 0] if isinstance(s.dtype, pd.CategoricalDtype) else vc


def _describe(col: _Col, rows: int) -> ColumnSummary:
    s = col.series
    dtype = s.dtype
    missing = int(s.isna().sum())
    present = rows - missing
    base: dict[str, Any] = {"name": col.name, "dtype": str(dtype), "missing": missing, "missing_share": missing / rows}
    is_bool = pd.api.types.is_bool_dtype(dtype)
    is_time = pd.api.types.is_datetime64_any_dtype(dtype)
    is_delta = pd.api.types.is_timedelta64_dtype(dtype)
    is_num = is_delta or (
        pd.api.types.is_numeric_dtype(dtype) and not is_bool and not pd.api.types.is_complex_dtype(dtype)
    )
    vc: pd.Series | None = None
    if is_num or is_time:
        distinct = int(s.nunique(dropna=True))  # numbers and times are hashable
    else:
        vc = _value_counts(s)
        distinct = len(vc)
    stats: dict[str, Any] = {}
    if present == 0:
        kind = "empty"
    elif distinct == 1:
        kind = "constant"
    elif is_bool:
        kind = "boolean"
    elif is_time:
        kind = "datetime"
    elif is_num:
        kind = "numeric"
    else:
        kind = _string_kind(col, distinct, present)
    if kind in _ID_KINDS and ids.id_like(s, distinct=distinct):  # the definition feature discovery uses too
        kind = "id"
    if is_num and present:
        values = s.dt.total_seconds() if is_delta else s
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(all="ignore"):  # infinities make the mean or std inf or nan, as in pandas
            stats = {"mean": float(np.nanmean(arr)), "min": float(np.nanmin(arr)), "max": float(np.nanmax(arr))}
            stats["std"] = float(np.nanstd(arr, ddof=1)) if present > 1 else None
        if kind == "numeric":
            col.numeric = arr
    if vc is not None and len(vc):
        stats["top"], stats["top_share"] = str(vc.index[0]), int(vc.iloc[0]) / present
    return ColumnSummary(kind=kind, distinct=distinct, **base, **stats)


def _string_kind(col: _Col, distinct: int, present: int) -> str:
    s = col.series
    values = s.dropna()
    sample = values.iloc[:: max(1, len(values) // KIND_SAMPLE)].iloc[:KIND_SAMPLE]
    inferred = pd.api.types.infer_dtype(
        s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else sample, skipna=True
    )
    if inferred == "boolean" and distinct <= 2:
        return "boolean"
    if distinct >= TEXT_MIN_DISTINCT_SHARE * present and distinct > ID_MIN_ROWS:
        text = sample.astype(str)
        if text.str.len().mean() >= TEXT_MIN_LENGTH and text.str.count(r"\s").mean() >= TEXT_MIN_SPACES:
            return "text"
    return "categorical"


def _duplicates(df: pd.DataFrame, cols: list[_Col]) -> pd.Series:
    """Which rows repeat an earlier row (as ``DataFrame.duplicated``)."""
    rows = len(df)
    for col in cols:  # a column without missing or repeated values rules duplicates out: skip the hashing
        c = col.summary
        if c is not None and c.missing == 0 and c.distinct == rows:
            return pd.Series(False, index=df.index)
    try:
        return df.duplicated()
    except TypeError:  # unhashable cells
        return df.astype(str).duplicated()


def _correlated_pairs(cols: list[_Col], threshold: float) -> list[tuple[float, str, str]]:
    """Pairs with |Pearson r| > threshold on pairwise-complete rows (as ``DataFrame.corr``), strongest first."""
    numeric = [c for c in cols if c.numeric is not None]
    if len(numeric) < 2:
        return []
    data = np.column_stack([c.numeric for c in numeric])  # type: ignore[misc]
    with np.errstate(all="ignore"):  # a column with infinities gets r = nan, as in pandas
        return _pearson_pairs(data, [c.name for c in numeric], threshold)


def _pearson_pairs(data: np.ndarray, names: list[str], threshold: float) -> list[tuple[float, str, str]]:
    k = len(names)
    center = np.nanmean(data, axis=0)
    n = np.zeros((k, k))
    sx = np.zeros((k, k))  # sx[i, j]: sum of x_i over rows where i and j are both present
    sxx = np.zeros((k, k))
    sxy = np.zeros((k, k))
    for start in range(0, len(data), _CHUNK_ROWS):
        x = data[start : start + _CHUNK_ROWS] - center
        mask = ~np.isnan(x)
        if mask.all():
            n += len(x)
            sx += x.sum(axis=0)[:, None]
            sxx += (x * x).sum(axis=0)[:, None]
        else:
            m = mask.astype("float64")
            x = np.where(mask, x, 0.0)
            n += m.T @ m
            sx += x.T @ m
            sxx += (x * x).T @ m
        sxy += x.T @ x
    cov = sxy - sx * sx.T / n
    var = sxx - sx * sx / n
    var[var <= 1e-12 * sxx] = np.nan  # constant over the rows both columns have: r is undefined, not +-1
    r = np.clip(cov / np.sqrt(var * var.T), -1.0, 1.0)
    i, j = np.triu_indices(k, 1)
    vals = r[i, j]
    keep = np.flatnonzero(np.isfinite(vals) & (np.abs(vals) > threshold))
    keep = keep[np.argsort(-np.abs(vals[keep]), kind="stable")]
    if k > MAX_FULL_CORRELATION_COLUMNS:
        keep = keep[:TOP_CORRELATION_PAIRS]
    return [(float(vals[p]), names[i[p]], names[j[p]]) for p in keep]


def _find_target(df: pd.DataFrame, target: str) -> int:
    names = [str(c) for c in df.columns]
    if target not in names:
        shown = ", ".join(names[:20]) + (", …" if len(names) > 20 else "")
        raise ValueError(f"Unknown target column {target!r}; the columns are: {shown}")
    return names.index(target)


def summarize(
    df: pd.DataFrame,
    target: str | None = None,
    *,
    high_missing: float = 0.5,
    high_cardinality: int = 50,
    correlation: float = 0.9,
    imbalance: float = 0.9,
) -> DataSummary:
    """Exact on the full data (no sampling): every count must equal what pandas computes.

    Raises ``ValueError`` for an empty frame, an unknown target column, or a target that is all missing or constant.
    """
    _check_frame(df, "frame")
    rows = len(df)
    target_pos = _find_target(df, target) if target is not None else None
    cols = [_Col(str(name), df.iloc[:, i]) for i, name in enumerate(df.columns)]
    for col in cols:
        col.summary = _describe(col, rows)
    dup_mask = _duplicates(df, cols)
    duplicate_rows = int(dup_mask.sum())
    for col in cols if duplicate_rows else []:  # a column unique but for exact duplicate rows is still an ID
        c = col.summary
        if c and c.kind in _ID_KINDS and ids.id_like(col.series, distinct=c.distinct, duplicate_rows=dup_mask):
            col.summary, col.numeric = c.model_copy(update={"kind": "id"}), None
    summaries = [c.summary for c in cols if c.summary is not None]
    if target_pos is not None:
        t = summaries[target_pos]
        if t.kind == "empty":
            raise ValueError(f"Target column {target!r} is all missing")
        if t.kind == "constant":
            value = _clip(str(cols[target_pos].series.dropna().iloc[0]))
            raise ValueError(f"Target column {target!r} is constant: every non-missing value is {value}")
    found: list[ProfileWarning] = []

    def warn(kind: str, columns: list[str], message: str, value: float | None = None) -> None:
        found.append(ProfileWarning(kind=kind, columns=columns, message=message, value=value))

    for col, c in zip(cols, summaries, strict=True):
        if c.kind == "empty":
            warn("all_missing", [c.name], f"{c.name} is all missing", 1.0)
        elif c.kind == "constant":
            warn("constant", [c.name], f"{c.name} has a single value: {_clip(str(col.series.dropna().iloc[0]))}", 1.0)
    for c in summaries:
        if c.kind != "empty" and c.missing_share > high_missing:
            msg = f"{c.name} is {c.missing_share:.1%} missing ({c.missing:,} of {rows:,})"
            warn("high_missing", [c.name], msg, c.missing_share)
    for c in summaries:
        if c.kind == "id":
            hint = " (its name suggests an identifier)" if _ID_NAME.search(c.name) else ""
            dup = " apart from duplicate rows" if c.distinct < rows - c.missing else ""
            warn("id_like", [c.name], f"{c.name} looks like an ID: one value per row{dup}{hint}", float(c.distinct))
    for c in summaries:
        if c.kind in ("categorical", "text") and c.distinct > high_cardinality:
            msg = f"{c.name} has high cardinality: {c.distinct:,} distinct values"
            warn("high_cardinality", [c.name], msg, float(c.distinct))
    if duplicate_rows:
        warn(
            "duplicates", [], f"{duplicate_rows:,} duplicate rows ({duplicate_rows / rows:.1%})", float(duplicate_rows)
        )
    if target_pos is not None:
        found += _imbalance(cols[target_pos], summaries[target_pos], imbalance)
    for r, a, b in _correlated_pairs(cols, correlation):
        warn("high_correlation", [a, b], f"{a} and {b} are highly correlated (Pearson r = {r:.3f})", r)
    missing_cells = sum(c.missing for c in summaries)
    return DataSummary(
        rows=rows,
        columns=len(cols),
        memory_bytes=int(df.memory_usage(deep=True).sum()),
        missing_cells=missing_cells,
        missing_share=missing_cells / (rows * len(cols)),
        duplicate_rows=duplicate_rows,
        column_summaries=summaries,
        warnings=found,
        target=target,
    )


def _imbalance(col: _Col, c: ColumnSummary, limit: float) -> list[ProfileWarning]:
    is_class = c.kind in ("categorical", "boolean") or (
        pd.api.types.is_integer_dtype(col.series.dtype) and c.distinct <= IMBALANCE_MAX_CLASSES
    )
    if not is_class:
        return []
    vc = _value_counts(col.series)
    share = int(vc.iloc[0]) / int(vc.sum())
    if share <= limit:
        return []
    msg = f"target {c.name} is imbalanced: its majority class {_clip(str(vc.index[0]))} has {share:.1%} of the labels"
    return [ProfileWarning(kind="imbalanced_target", columns=[c.name], message=msg, value=share)]


def _check_frame(df: Any, what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"Expected a pandas DataFrame as the {what}, not {type(df).__name__}")
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise ValueError(f"Cannot profile an empty {what}: {df.shape[0]:,} rows x {df.shape[1]:,} columns")


# --- the fg-data-profiling report ------------------------------------------------------------------------------

_progress: contextvars.ContextVar[bool] = contextvars.ContextVar("maestro_profile_progress", default=True)


@contextlib.contextmanager
def _quiet_profiling(progress: bool) -> Iterator[Any]:
    """Import the profiling library without its warnings, and make ``progress=False`` silence every bar: its
    per-column bar ignores ``progress_bar`` upstream, so that module's ``tqdm`` is wrapped once to consult this call's
    flag. The library is fg-data-profiling, ydata-profiling continued by its authors under the import name
    ``data_profiling`` (its ``ydata_profiling`` alias is deprecated)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import data_profiling
        from data_profiling.model.pandas import summary_pandas

        original = summary_pandas.tqdm
        if not getattr(original, "_maestro_wrapped", False):

            def tqdm(*args: Any, **kwargs: Any) -> Any:
                kwargs.setdefault("disable", not _progress.get())
                return original(*args, **kwargs)

            tqdm._maestro_wrapped = True  # type: ignore[attr-defined]
            summary_pandas.tqdm = tqdm
        token = _progress.set(progress)
        try:
            yield data_profiling.ProfileReport
        finally:
            _progress.reset(token)


def render_report(
    df: pd.DataFrame,
    *,
    title: str,
    minimal: bool = True,
    compare: pd.DataFrame | None = None,
    progress: bool = True,
    note: str | None = None,
) -> str:
    """fg-data-profiling's report as a self-contained HTML document (``to_html()``).

    ``minimal`` uses the library's minimal mode; ``compare`` its comparison report (``ProfileReport.compare``)
    of ``df`` vs ``compare``; ``note`` (e.g. "computed on a random sample of 100,000 of 1,000,000 rows") is shown
    in a banner at the top of the page.
    """
    with _quiet_profiling(progress) as ProfileReport:
        # The library inserts the title into its page unescaped: "<b>" in a title would break the layout
        report = ProfileReport(df, title=html.escape(title), minimal=minimal, progress_bar=progress)
        if compare is not None:
            other = ProfileReport(compare, title="Comparison", minimal=minimal, progress_bar=progress)
            report = report.compare(other)
        page: str = report.to_html()
    if note:
        banner = (
            '<div class="maestro-note" role="note" style="padding:8px 16px;background:#fff3cd;color:#664d03;'
            f'border-bottom:1px solid #ffe69c;font:14px sans-serif">{esc(note)}</div>'
        )
        body = re.search(r"<body[^>]*>", page, re.IGNORECASE)
        page = page[: body.end()] + banner + page[body.end() :] if body else banner + page
    return page


def _sample(df: pd.DataFrame, size: int, rng: np.random.Generator) -> pd.DataFrame:
    if len(df) <= size:
        return df
    return df.iloc[np.sort(rng.choice(len(df), size=size, replace=False))]


def profile(
    df: pd.DataFrame,
    *,
    title: str = "Dataset profile",
    minimal: bool = True,
    report: bool = True,
    sample: int | None = None,
    max_report_rows: int = 100_000,
    target: str | None = None,
    compare: pd.DataFrame | None = None,
    progress: bool = True,
    random_state: int = 0,
) -> ProfileResult:
    """The summary exactly on all rows; the heavy report on a random sample of ``min(sample or max_report_rows,
    rows)`` rows when the frame is larger (stated on the page).

    Raises ``ValueError`` with a one-line message for an empty frame (no rows or no columns), an unknown target
    column, or a target that is all missing or constant.
    """
    start = time.perf_counter()
    limit = sample if sample is not None else max_report_rows
    if limit < 1:
        raise ValueError(f"The report needs at least 1 row, not sample={limit}")
    summary = summarize(df, target)
    compare_summary = None
    if compare is not None:
        _check_frame(compare, "comparison frame")
        compare_summary = summarize(compare)
    report_html, report_rows = None, None
    if report:
        rng = np.random.default_rng(random_state)
        data, other = _sample(df, limit, rng), None if compare is None else _sample(compare, limit, rng)
        sizes = [(len(data), len(df))] + ([] if other is None or compare is None else [(len(other), len(compare))])
        note = None
        if any(n < total for n, total in sizes):
            texts = [
                f"a random sample of {n:,} of {total:,} rows" if n < total else f"all {total:,} rows"
                for n, total in sizes
            ]
            note = f"Maestro: this report was computed on {', the comparison on '.join(texts)}. "
            note += "Maestro's summary (counts, missing values, duplicates, warnings) is exact on all rows."
        report_html = render_report(data, title=title, minimal=minimal, compare=other, progress=progress, note=note)
        report_rows = len(data)
    return ProfileResult(
        title=title,
        summary=summary,
        report_html=report_html,
        report_rows=report_rows,
        minimal=minimal,
        compare_summary=compare_summary,
        elapsed_seconds=time.perf_counter() - start,
        computed_at=time.time(),
    )
