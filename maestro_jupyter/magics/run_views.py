"""What ``%maestro runs`` and ``%maestro run`` show: an experiment's runs as a sortable table with each metric's best
value marked, and one run as a summary line, its params, metrics, folded tags, artifacts and learning curves.

HTML for the notebook and a text fallback, with the shared formatting of :mod:`maestro_jupyter.entities.display`.
The runs table sorts on a header click through a small script where the front end runs output scripts (JupyterLab
and Notebook 7 trusted outputs, VS Code); elsewhere it stays a plain table, and ``to_frame()`` gives a DataFrame to
sort any way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..entities import display
from ..entities import formatting as fmt

if TYPE_CHECKING:
    from ..charts import Chart
    from ..entities import ArtifactList, MetricHistory, RunSummary

#: Metric names where a lower value is the better one (losses, errors, times, costs); any other: higher is better.
_LOWER_IS_BETTER = ("loss", "error", "err", "rmse", "mse", "mae", "mape", "time", "latency", "cost", "perplexity")
_LEFT = "text-align:left"
_RIGHT = "text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"
_BEST = "font-weight:600;background:var(--jp-success-color3,rgba(76,175,80,.22))"
#: Params shown as columns at most (the rest are in to_frame()).
MAX_PARAM_COLUMNS = 12


def lower_is_better(metric: str) -> bool:
    """Whether the best value of ``metric`` is its lowest, by its name (``val_loss``, ``rmse``, ``training_time_s``)."""
    words = metric.lower().replace("/", "_").replace(".", "_").replace("-", "_").split("_")
    return any(w in _LOWER_IS_BETTER for w in words)


def best_values(runs: Sequence[RunSummary], keys: Sequence[str]) -> dict[str, float]:
    """The best value of each metric among ``runs`` (lowest or highest, by :func:`lower_is_better`)."""
    best: dict[str, float] = {}
    for key in keys:
        values = [r.metrics[key] for r in runs if key in r.metrics and r.metrics[key] == r.metrics[key]]
        if len(values) > 1:  # one run has no "best"
            best[key] = min(values) if lower_is_better(key) else max(values)
    return best


def source_text(run: RunSummary) -> str:
    """``notebook train.ipynb``, ``job job-1a2b (train.py)``, ``script train.py``; empty when unknown."""
    source = run.source
    if source is None:
        return ""
    name = source.name.replace("\\", "/").rsplit("/", 1)[-1] if source.name else ""
    if source.type == "JOB":
        if source.job_id:
            return f"job {source.job_id}" + (f" ({name})" if name else "")
        return f"job {name}".strip()
    label = {"NOTEBOOK": "notebook", "SCRIPT": "script", "LOCAL": "local", "UNKNOWN": "source"}[source.type]
    return f"{label} {name}".strip()


def _sort_script(table_id: str) -> str:
    """Click a header to sort by it (again: the other way); numbers as numbers, empty cells last."""
    return (
        "<script>(function(){var t=document.getElementById('" + table_id + "');"
        "if(!t||t.getAttribute('data-sortable'))return;t.setAttribute('data-sortable','1');"
        "var hs=t.tHead.rows[0].cells;"
        "function key(c){var v=c.getAttribute('data-v');return v===null?c.textContent:v;}"
        "Array.prototype.forEach.call(hs,function(h,i){h.style.cursor='pointer';h.title='Sort by '+h.textContent;"
        "h.onclick=function(){var asc=h.getAttribute('aria-sort')!=='ascending';"
        "Array.prototype.forEach.call(hs,function(o){o.removeAttribute('aria-sort');});"
        "h.setAttribute('aria-sort',asc?'ascending':'descending');var b=t.tBodies[0];"
        "var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){var a=key(x.cells[i]),c=key(y.cells[i]);"
        "if(a===''||c==='')return a===c?0:(a===''?1:-1);var m=parseFloat(a),n=parseFloat(c);"
        "var r=(!isNaN(m)&&!isNaN(n)&&isFinite(a)&&isFinite(c))?m-n:a.localeCompare(c);return asc?r:-r;});"
        "rows.forEach(function(r){b.appendChild(r);});};});})();</script>"
    )


def _cell(text: str, *, numeric: bool, sort_value: Any = None, style: str = "") -> str:
    align = _RIGHT if numeric else _LEFT
    data = "" if sort_value is None else f' data-v="{display.esc(sort_value)}"'
    return f'<td style="{align};{style}"{data}>{display.esc(text)}</td>'


class RunsTable:
    """An experiment's runs: name, status, started, duration, then a column per metric (each one's best value
    marked) and per param. It iterates over the runs (:class:`~maestro_jupyter.entities.RunSummary`);
    ``to_frame()`` gives them all as a DataFrame."""

    def __init__(
        self,
        runs: Sequence[RunSummary],
        experiment: str,
        *,
        order_by: Sequence[str] = (),
        filter: str = "",
        more: bool = False,
    ) -> None:
        self.runs = list(runs)
        self.experiment = experiment
        self.order_by = list(order_by)
        self.filter = filter
        self.more = more
        self.metrics = sorted({k for r in self.runs for k in r.metrics})
        self.params = sorted({k for r in self.runs for k in r.params})
        self.best = best_values(self.runs, self.metrics)

    def __iter__(self) -> Iterator[RunSummary]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, index: int) -> RunSummary:
        return self.runs[index]

    def summary(self) -> str:
        """``12 runs of churn · sorted by metrics.accuracy DESC · filter: ...``."""
        parts = [f"{fmt.count(len(self.runs), 'run')} of {self.experiment}"]
        if self.order_by:
            parts.append(f"sorted by {', '.join(self.order_by)}")
        if self.filter:
            parts.append(f"filter: {self.filter}")
        if self.more:
            parts.append("more runs match: raise --max")
        return " · ".join(parts)

    def _best_line(self) -> str:
        names = {r.run_id: r.run_name or r.run_id[:8] for r in self.runs}
        parts = []
        for key, value in self.best.items():
            holder = next(r.run_id for r in self.runs if r.metrics.get(key) == value)
            direction = "lowest" if lower_is_better(key) else "highest"
            parts.append(f"{key} {fmt.number(value)} ({names[holder]}, {direction})")
        return "Best: " + " · ".join(parts) if parts else ""

    def _shown_params(self) -> list[str]:
        return self.params[:MAX_PARAM_COLUMNS]

    def _repr_html_(self) -> str:
        table_id = f"maestro-runs-{uuid.uuid4().hex[:12]}"
        params = self._shown_params()
        heads = [("name", False), ("status", False), ("started", False), ("duration", True)]
        numeric_params = {k: all(fmt.is_numeric(r.params[k]) for r in self.runs if k in r.params) for k in params}
        heads += [(k, True) for k in self.metrics] + [(k, numeric_params[k]) for k in params]
        head = "".join(
            f'<th style="{_RIGHT if numeric else _LEFT}" scope="col">{display.esc(h)}</th>' for h, numeric in heads
        )
        body = []
        for r in self.runs:
            cells = [
                _cell(r.run_name or r.run_id[:8], numeric=False),
                _cell(r.status, numeric=False),
                _cell(fmt.relative(r.start_time, ms=True), numeric=False, sort_value=r.start_time or ""),
                _cell(fmt.duration(r.duration_seconds), numeric=True, sort_value=_raw(r.duration_seconds)),
            ]
            for key in self.metrics:
                value = r.metrics.get(key)
                best = key in self.best and value == self.best[key]
                cells.append(
                    _cell(fmt.number(value), numeric=True, sort_value=_raw(value), style=_BEST if best else "")
                )
            for key in params:
                value_text = r.params.get(key, "")
                cells.append(_cell(value_text, numeric=numeric_params[key], sort_value=value_text))
            body.append(f"<tr>{''.join(cells)}</tr>")
        hidden = len(self.params) - len(params)
        notes = [self._best_line()]
        if hidden:
            notes.append(f"{hidden} more param(s) in .to_frame()")
        foot = "".join(f'<div class="maestro-muted">{display.esc(n)}</div>' for n in notes if n)
        table = (
            f'<table class="maestro-t" id="{table_id}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )
        summary = f'<div class="maestro-summary"><b>{display.esc(self.summary())}</b></div>'
        return display.wrap(summary + table + foot + _sort_script(table_id))

    def __repr__(self) -> str:
        params = self._shown_params()
        headers = ["name", "status", "started", "duration", *self.metrics, *params]
        rows = [
            [
                r.run_name or r.run_id[:8],
                r.status,
                fmt.relative(r.start_time, ms=True),
                fmt.duration(r.duration_seconds),
                *[fmt.number(r.metrics.get(k)) for k in self.metrics],
                *[r.params.get(k, "") for k in params],
            ]
            for r in self.runs
        ]
        text = display.text_table(headers, rows, title=self.summary())
        best = self._best_line()
        return f"{text}\n{best}" if best else text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": repr(self)}

    def to_frame(self) -> Any:
        """The runs as a pandas DataFrame, as ``mlflow.search_runs`` names the columns: ``run_id``, ``run_name``,
        ``status``, ``start_time`` (UTC), ``duration_s``, then ``metrics.KEY`` and ``params.KEY``."""
        import pandas as pd

        rows = [
            {
                "run_id": r.run_id,
                "run_name": r.run_name,
                "status": r.status,
                "start_time": pd.to_datetime(r.start_time, unit="ms", utc=True) if r.start_time else pd.NaT,
                "duration_s": r.duration_seconds,
                **{f"metrics.{k}": r.metrics.get(k) for k in self.metrics},
                **{f"params.{k}": r.params.get(k) for k in self.params},
            }
            for r in self.runs
        ]
        columns = ["run_id", "run_name", "status", "start_time", "duration_s"]
        columns += [f"metrics.{k}" for k in self.metrics] + [f"params.{k}" for k in self.params]
        return pd.DataFrame(rows, columns=columns)


def _raw(value: float | None) -> Any:
    return "" if value is None or value != value else repr(float(value))


class RunView:
    """One run: the summary line (name, experiment, status, duration, source), then params, metrics (with each
    learning curve's span), tags folded, artifacts listed; its learning curves follow as a chart."""

    def __init__(
        self,
        run: RunSummary,
        histories: Sequence[MetricHistory] = (),
        artifacts: ArtifactList | None = None,
        chart: Chart | None = None,
    ) -> None:
        self.run = run
        self.histories = {h.key: h for h in histories}
        self.artifacts = artifacts
        self.chart = chart

    def summary_parts(self) -> list[str]:
        r = self.run
        parts = [r.run_name or r.run_id[:8], f"in {r.experiment_name or r.experiment_id}", r.status]
        if r.duration_seconds is not None:
            parts.append(fmt.duration(r.duration_seconds))
        parts.append(source_text(r))
        if r.start_time:
            parts.append(f"started {fmt.relative(r.start_time, ms=True)}")
        return [p for p in parts if p]

    def _metric_rows(self) -> list[list[Any]]:
        rows = []
        for key, value in sorted(self.run.metrics.items()):
            h = self.histories.get(key)
            steps, low, high = "", "", ""
            if h is not None and h.total_points > 1:
                values = [p.value for p in h.points if p.value is not None]
                steps = fmt.count(h.total_points)
                low, high = (fmt.number(min(values)), fmt.number(max(values))) if values else ("", "")
            rows.append([key, fmt.number(value), steps, low, high])
        return rows

    def _artifact_rows(self) -> list[list[Any]]:
        if self.artifacts is None:
            return []
        return [
            [f.path + ("/" if f.is_dir else ""), "" if f.is_dir else fmt.size(f.file_size)]
            for f in self.artifacts.files
        ]

    def _repr_html_(self) -> str:
        r = self.run
        esc = display.esc
        summary = " · ".join(esc(p) for p in self.summary_parts())
        if r.mlflow_url:
            summary += f' · <a href="{esc(r.mlflow_url)}" target="_blank" rel="noopener noreferrer">Open in MLflow</a>'
        parts = [f'<div class="maestro-summary"><b>{summary}</b></div>']
        parts.append(f'<div class="maestro-muted">run <code>{esc(r.run_id)}</code></div>')
        if r.params:
            rows = [[k, v] for k, v in sorted(r.params.items())]
            parts.append(_section(f"Params ({len(rows)})", ["param", "value"], rows))
        if r.metrics:
            parts.append(_section("Metrics", ["metric", "last", "steps", "min", "max"], self._metric_rows()))
        if r.tags:
            rows = [[k, v] for k, v in sorted(r.tags.items())]
            parts.append(f"<details><summary>Tags ({len(rows)})</summary>{_table(['tag', 'value'], rows)}</details>")
        artifacts = self._artifact_rows()
        if artifacts:
            parts.append(_section(f"Artifacts ({len(artifacts)})", ["path", "size"], artifacts))
        if self.chart is not None:
            parts.append('<div class="maestro-muted">Learning curves below.</div>')
        return display.wrap("".join(parts))

    def __repr__(self) -> str:
        r = self.run
        lines = [" · ".join(self.summary_parts()), f"run {r.run_id}"]
        if r.mlflow_url:
            lines.append(f"MLflow: {r.mlflow_url}")
        if r.params:
            lines.append(display.text_table(["param", "value"], [[k, v] for k, v in sorted(r.params.items())]))
        if r.metrics:
            lines.append(display.text_table(["metric", "last", "steps", "min", "max"], self._metric_rows()))
        if r.tags:
            lines.append(f"tags: {len(r.tags)} (run.tags)")
        artifacts = self._artifact_rows()
        if artifacts:
            lines.append(display.text_table(["artifact", "size"], artifacts))
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": repr(self)}

    def _ipython_display_(self) -> None:
        # The summary and tables, then the learning curves as an output of their own: in one bundle the front end
        # would show only the richest type (the HTML) and never draw the chart.
        from ..charts import own_bundle, show

        show(own_bundle(self), *([self.chart] if self.chart is not None else []))


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A table inside a result (whose wrapper carries the styles): text left, numbers right."""
    numeric = [bool(cells) and all(fmt.is_numeric(c) for c in cells) for cells in _columns(headers, rows)]
    head = "".join(
        f'<th style="{_RIGHT if n else _LEFT}" scope="col">{display.esc(h)}</th>'
        for h, n in zip(headers, numeric, strict=True)
    )
    body = "".join(
        "<tr>" + "".join(_cell(str(c), numeric=n) for c, n in zip(row, numeric, strict=False)) + "</tr>" for row in rows
    )
    return f'<table class="maestro-t"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _columns(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [[r[i] for r in rows if i < len(r) and r[i] not in (None, "")] for i in range(len(headers))]


def _section(title: str, headers: list[str], rows: list[list[Any]]) -> str:
    """A titled table inside a result."""
    return f'<div style="margin-top:6px"><b>{display.esc(title)}</b></div>{_table(headers, rows)}'
