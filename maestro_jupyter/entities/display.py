"""Renderers shared by the SDK results and the magics: self-contained HTML and a plain-text fallback.

The HTML uses no scripts and no external resources, and inherits JupyterLab's theme variables where present, so it
renders the same in JupyterLab, Notebook 7, VS Code and Colab without a widget extension.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Callable, Sequence
from typing import Any

_STYLE = (
    "<style>.maestro-t{border-collapse:collapse;font-size:12px;margin:4px 0}"
    ".maestro-t th,.maestro-t td{border:1px solid var(--jp-border-color2,#ddd);padding:3px 8px;"
    "text-align:left;vertical-align:top}.maestro-t th{background:var(--jp-layout-color2,#f5f5f5)}"
    ".maestro-t tr.maestro-diff td{background:var(--jp-warn-color3,#fff3cd)}"
    ".maestro-chip{display:inline-block;border-radius:8px;padding:0 6px;margin-right:3px;"
    "background:var(--jp-brand-color3,#cfe8fc);font-size:11px}</style>"
)


def esc(value: Any) -> str:
    """HTML-escape anything, rendering ``None`` as an empty cell."""
    return "" if value is None else html.escape(str(value))


def fmt_time(ms: int | None) -> str:
    """Milliseconds since the epoch as ``YYYY-MM-DD HH:MM`` UTC."""
    if not ms:
        return ""
    return _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.UTC).strftime("%Y-%m-%d %H:%M")


def fmt_number(value: Any) -> str:
    """Metrics to four significant decimals; everything else as it is."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def fmt_money(amount: float) -> str:
    """``$1,234.56``; amounts under a cent but above zero show as ``<$0.01``."""
    if 0 < abs(amount) < 0.005:
        return "<$0.01"
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def html_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "", diff_rows: set[int] | None = None
) -> str:
    """An HTML table; cells are escaped unless they are :class:`Raw`."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = ' class="maestro-diff"' if diff_rows and i in diff_rows else ""
        cells = "".join(f"<td>{c if isinstance(c, Raw) else esc(c)}</td>" for c in row)
        body.append(f"<tr{cls}>{cells}</tr>")
    caption = f"<b>{esc(title)}</b>" if title else ""
    return f'{_STYLE}{caption}<table class="maestro-t"><tr>{head}</tr>{"".join(body)}</table>'


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "") -> str:
    """A fixed-width text table, the fallback where HTML is not rendered."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(([title] if title else []) + lines)


class Raw(str):
    """A cell already in HTML."""


def chips(values: Sequence[str]) -> Raw:
    return Raw("".join(f'<span class="maestro-chip">{esc(v)}</span>' for v in values))


# --- per-result views: (title, headers, rows) ------------------------------------------------------------------


def _model_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["name", "latest", "aliases", "tags", "updated", "description"]
    rows = [
        [
            m.name,
            m.latest_version or "",
            ", ".join(f"{a}→v{v}" for a, v in sorted(m.aliases.items())),
            ", ".join(f"{k}={v}" for k, v in sorted(m.tags.items())),
            fmt_time(m.last_updated_timestamp),
            m.description,
        ]
        for m in obj.models
    ]
    more = " (more: pass next_page_token)" if obj.next_page_token else ""
    return f"{len(rows)} model(s){more}", headers, rows


def _version_rows(versions: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    headers = ["version", "aliases", "status", "created", "run", "description"]
    rows = [
        [v.version, ", ".join(v.aliases), v.status, fmt_time(v.creation_timestamp), v.run_id or "", v.description]
        for v in versions
    ]
    return headers, rows


def _model_detail(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers, rows = _version_rows(obj.versions)
    aliases = ", ".join(f"{a}→v{v}" for a, v in sorted(obj.aliases.items())) or "none"
    return f"Model {obj.name} — {len(rows)} version(s); aliases: {aliases}", headers, rows


def _version_detail(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    rows: list[list[Any]] = [
        ["status", obj.status],
        ["aliases", ", ".join(obj.aliases)],
        ["created", fmt_time(obj.creation_timestamp)],
        ["flavors", ", ".join(obj.flavors)],
        ["run", obj.run_id or ""],
        ["description", obj.description],
    ]
    if obj.signature is not None:
        cols = [f"{c.get('name', '?')}:{c.get('type', '?')}" for c in obj.signature.inputs]
        rows.append(["inputs", ", ".join(cols)])
    if obj.run is not None:
        rows += [[f"metric {k}", fmt_number(v)] for k, v in sorted(obj.run.metrics.items())]
        rows += [[f"param {k}", v] for k, v in sorted(obj.run.params.items())]
    rows += [[f"tag {k}", v] for k, v in sorted(obj.tags.items())]
    rows.append(["load", obj.load_snippet])
    return f"{obj.name} v{obj.version} ({obj.model_uri})", ["field", "value"], rows


def _run_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    metric_keys = sorted({k for r in obj.runs for k in r.metrics})
    headers = ["run", "name", "status", "duration s", *metric_keys]
    rows = [
        [r.run_id[:8], r.run_name, r.status, fmt_number(r.duration_seconds)]
        + [fmt_number(r.metrics.get(k)) for k in metric_keys]
        for r in obj.runs
    ]
    return f"{len(rows)} run(s)", headers, rows


def _experiment_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["id", "name", "created", "artifacts"]
    rows = [[e.experiment_id, e.name, fmt_time(e.creation_time), e.artifact_location] for e in obj.experiments]
    return f"{len(rows)} experiment(s)", headers, rows


def _comparison(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["", *[r.run_name or r.run_id[:8] for r in obj.runs]]
    rows = [[f"param {k}", *vals] for k, vals in obj.params.items()]
    rows += [[f"metric {k}", *[fmt_number(v) for v in vals]] for k, vals in obj.metrics.items()]
    return f"{len(obj.runs)} runs compared", headers, rows


def _single(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    data = obj.model_dump()
    return type(obj).__name__, ["field", "value"], [[k, v] for k, v in data.items()]


def _version_comparison(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["version", "aliases", *obj.metrics]
    rows = [
        [v.version, ", ".join(v.aliases)] + [fmt_number(v.metrics.get(m)) for m in obj.metrics] for v in obj.versions
    ]
    return f"{obj.name}: {len(rows)} version(s)", headers, rows


def _job_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["id", "name", "status", "user", "duration", "experiment", "run", "resources", "reason"]
    rows = [
        [
            j.id,
            j.name,
            j.status,
            j.user,
            fmt_duration(j.duration_seconds),
            j.experiment,
            j.run_id,
            _resources(j),
            j.reason,
        ]
        for j in obj.jobs
    ]
    return f"{len(rows)} training job(s)", headers, rows


def fmt_duration(seconds: float | None) -> str:
    """``4.2s`` or ``3m07s``."""
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


def _resources(job: Any) -> str:
    r = job.resources
    parts = [f"{r.cpus:g} cpu" if r.cpus else "", r.memory or "", f"{r.gpus} gpu" if r.gpus else ""]
    parts.append(f"{r.workers} workers" if r.workers > 1 else "")
    return ", ".join(p for p in parts if p)


def _deployment_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["id", "model", "version", "alias", "status", "ready", "endpoint", "reason"]
    rows = [
        [d.id, d.model, d.version, d.alias, d.status, f"{d.ready_replicas}/{d.replicas}", d.endpoint, d.reason]
        for d in obj.deployments
    ]
    return f"{len(rows)} deployment(s)", headers, rows


def _cost_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = [obj.by, "cost", "CPU h", "memory GiB h", "GPU h", "records"]
    rows = [
        [
            g.key or "(none)",
            fmt_money(g.cost),
            f"{g.cpu_hours:.3f}",
            f"{g.memory_gb_hours:.3f}",
            f"{g.gpu_hours:.3f}",
            g.records,
        ]
        for g in obj.groups
    ]
    return f"Spend by {obj.by} over the last {obj.window}: {fmt_money(obj.total)}", headers, rows


def _budget_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["budget", "period", "spent", "amount", "used", "left", "alerts at", "hard limit"]
    rows = [
        [
            b.id,
            b.period,
            fmt_money(b.spent),
            fmt_money(b.amount),
            f"{b.used_pct:.1f}%",
            fmt_money(b.remaining),
            ", ".join(f"{t}%" for t in b.thresholds),
            "yes" if b.hard_limit else "no",
        ]
        for b in obj.budgets
    ]
    return f"{len(rows)} budget(s)", headers, rows


def _alert_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["when", "budget", "threshold", "message", "webhook"]
    rows = [[fmt_time(int(a.created_at * 1000)), a.budget, f"{a.threshold}%", a.message, a.delivery] for a in obj]
    return f"{len(rows)} alert(s)", headers, rows


def _estimate(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    return obj.message, ["basis"], [[obj.basis]]


_VIEWS: dict[str, Callable[[Any], tuple[str, list[str], list[list[Any]]]]] = {
    "CostSummary": _cost_rows,
    "BudgetList": _budget_rows,
    "AlertList": _alert_rows,
    "Estimate": _estimate,
    "ModelPage": _model_rows,
    "ModelDetail": _model_detail,
    "VersionDetail": _version_detail,
    "RunPage": _run_rows,
    "ExperimentPage": _experiment_rows,
    "RunComparison": _comparison,
    "VersionComparison": _version_comparison,
    "JobList": _job_rows,
    "DeploymentList": _deployment_rows,
}


def _view(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    return _VIEWS.get(type(obj).__name__, _single)(obj)


def to_html(obj: Any) -> str:
    """The notebook rendering of a result object."""
    title, headers, rows = _view(obj)
    if type(obj).__name__ == "VersionComparison":
        labels = [f"v{v.version}" for v in obj.versions]
        series = {m: [v.metrics.get(m) for v in obj.versions] for m in obj.metrics}
        return svg_small_multiples(labels, series) + html_table(headers, rows, title=title)
    diff: set[int] = set()
    if type(obj).__name__ == "RunComparison":
        keys = [f"param {k}" for k in obj.params] + [f"metric {k}" for k in obj.metrics]
        differing = {f"param {k}" for k in obj.differing_params} | {f"metric {k}" for k in obj.differing_metrics}
        diff = {i for i, k in enumerate(keys) if k in differing}
    return html_table(headers, rows, title=title, diff_rows=diff)


def to_text(obj: Any) -> str:
    """The plain-text rendering of a result object."""
    title, headers, rows = _view(obj)
    return text_table(headers, rows, title=title)


def comparison_csv(obj: Any) -> str:
    """A version comparison as CSV: version, aliases, then one column per metric."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["version", "aliases", *obj.metrics])
    for v in obj.versions:
        writer.writerow(
            [v.version, " ".join(v.aliases), *("" if v.metrics.get(m) is None else v.metrics[m] for m in obj.metrics)]
        )
    return out.getvalue()


def svg_small_multiples(labels: Sequence[str], series: dict[str, list[float | None]], width: int = 260) -> str:
    """One small line chart per series over the same x labels, each with its own y scale (metrics differ in
    scale: an accuracy near 1 and a training time in seconds would flatten each other on a shared axis).
    Plain inline SVG: static, self-contained, no plotting library."""
    panels = "".join(_svg_panel(name, labels, values, width) for name, values in series.items())
    return f'<div class="maestro-charts" style="display:flex;flex-wrap:wrap">{panels}</div>'


def _svg_panel(name: str, labels: Sequence[str], values: list[float | None], width: int) -> str:
    height, left, right, top, bottom = 150, 50, 10, 22, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>',
        f'<text x="{left}" y="14" font-size="12" font-weight="bold">{esc(name)}</text>',
    ]
    present = [(i, val) for i, val in enumerate(values) if val is not None]
    if not present:
        parts.append(f'<text x="{left}" y="{top + plot_h / 2}" font-size="11">no values</text>')
    else:
        data_lo, data_hi = min(val for _, val in present), max(val for _, val in present)
        margin = ((data_hi - data_lo) or abs(data_hi) or 1.0) * 0.1
        # Padding keeps points off the frame; non-negative data (times, costs) never gets a negative axis.
        lo, hi = data_lo - margin, data_hi + margin
        if data_lo >= 0:
            lo = max(lo, 0.0)
        step = plot_w / (len(labels) - 1) if len(labels) > 1 else 0.0
        xs = [left + (step * i if step else plot_w / 2) for i in range(len(labels))]
        points = [(xs[i], top + plot_h * (1 - (val - lo) / (hi - lo)), val) for i, val in present]
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1976d2" stroke-width="2"/>')
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="#1976d2"><title>{fmt_number(val)}</title></circle>'
            for px, py, val in points
        ]
        parts += [
            f'<text x="{left - 4}" y="{ty:.1f}" font-size="10" text-anchor="end">{tv:.3g}</text>'
            for ty, tv in (
                (top + plot_h * (1 - (data_hi - lo) / (hi - lo)) + 4, data_hi),
                (top + plot_h * (1 - (data_lo - lo) / (hi - lo)) + 4, data_lo),
            )
        ]
        parts += [
            f'<text x="{xs[i]:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">{esc(label)}</text>'
            for i, label in enumerate(labels)
        ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{esc(name)} by version" style="margin:4px">{"".join(parts)}</svg>'
    )


class Table:
    """A titled table that displays itself (used by magics for listings that are not SDK results)."""

    def __init__(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.title, self.headers, self.rows = title, list(headers), [list(r) for r in rows]

    def _repr_html_(self) -> str:
        return html_table(self.headers, self.rows, title=self.title)

    def __repr__(self) -> str:
        return text_table(self.headers, self.rows, title=self.title)
