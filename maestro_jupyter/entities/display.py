"""Renderers shared by the SDK results and the magics: self-contained HTML and a plain-text fallback.

Every result reads the same way: a one-line summary first (what it is, its state, the numbers that matter, the
command to run next), then the details folded (``<details>``), with no empty rows and no raw epochs or dict
reprs. Numbers, money, times and sizes come from :mod:`.formatting`. Tables put text on the left and numbers on
the right (with tabular numerals), in HTML and in the text fallback.

The HTML has no external resources and takes its colours from JupyterLab's theme variables (with fallbacks that
suit a light page), so it reads in the light and dark themes, in Notebook 7, VS Code and Colab. Alignment is set
on each cell (``style=``): JupyterLab's own rule right-aligns every cell of HTML output with a more specific
selector than a stylesheet in the output could safely use, and inline styles also survive the sanitizer of
untrusted outputs. Dollar signs are written ``&#36;`` and the output is marked ``mathjax_ignore`` so no amount is
typeset as math. Code (a load snippet, a command) sits in ``<pre><code>``; a small script adds a Copy button
(``navigator.clipboard``) where the front end runs output scripts (JupyterLab and Notebook 7 trusted outputs, VS
Code); elsewhere the block stays plain, selectable text (``user-select: all``: one click selects it whole).
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import formatting as fmt

if TYPE_CHECKING:
    from ..charts import Chart

_STYLE = (
    "<style>.maestro-out{color:var(--jp-content-font-color1,inherit);font-size:var(--jp-content-font-size1,13px);"
    "line-height:1.45}"
    ".maestro-out .maestro-summary{margin:2px 0 4px}"
    ".maestro-out .maestro-muted{color:var(--jp-content-font-color2,inherit);opacity:.85}"
    ".maestro-t{border-collapse:collapse;font-size:12px;margin:4px 0}"
    ".maestro-t th,.maestro-t td{border:1px solid var(--jp-border-color2,rgba(127,127,127,.35));padding:3px 8px;"
    "vertical-align:top;white-space:normal}"
    ".maestro-t th{background:var(--jp-layout-color2,rgba(127,127,127,.12));font-weight:600}"
    ".maestro-t tr.maestro-diff td{background:var(--jp-warn-color3,rgba(255,193,7,.18))}"
    ".maestro-out details{margin:2px 0}.maestro-out summary{cursor:pointer;"
    "color:var(--jp-content-font-color2,inherit)}"
    ".maestro-kv{margin:2px 0 4px 14px}.maestro-kv div{margin:1px 0}.maestro-kv .maestro-kv{margin-left:2em}"
    ".maestro-kv .maestro-k{color:var(--jp-content-font-color2,inherit);display:inline-block;min-width:9em}"
    ".maestro-code{position:relative;margin:4px 0}"
    ".maestro-code pre{text-align:left;margin:0;padding:6px 8px;overflow-x:auto;user-select:all;"
    "background:var(--jp-cell-editor-background,rgba(127,127,127,.08));"
    "border:1px solid var(--jp-border-color2,rgba(127,127,127,.35));border-radius:3px}"
    ".maestro-copy{position:absolute;top:3px;right:3px;font-size:11px;padding:1px 6px;cursor:pointer;"
    "color:var(--jp-ui-font-color1,inherit);background:var(--jp-layout-color1,transparent);"
    "border:1px solid var(--jp-border-color1,rgba(127,127,127,.5));border-radius:3px}"
    ".maestro-out code{font-family:var(--jp-code-font-family,monospace)}"
    ".maestro-chip{display:inline-block;border-radius:8px;padding:0 6px;margin-right:3px;"
    "background:var(--jp-brand-color3,rgba(33,150,243,.2));color:var(--jp-content-font-color1,inherit);"
    "font-size:11px}</style>"
)
_LEFT = ' style="text-align:left"'
_RIGHT = ' style="text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"'


def esc(value: Any) -> str:
    """HTML-escape anything (dollar signs included, see :func:`.formatting.html_text`), ``None`` as empty."""
    return fmt.html_text(value)


def fmt_time(ms: int | None) -> str:
    """Milliseconds since the epoch as how long ago (``2 min ago``); empty for none."""
    return fmt.relative(ms, ms=True)


def fmt_number(value: Any) -> str:
    """Metrics to four significant digits (see :func:`.formatting.number`)."""
    return fmt.number(value)


def fmt_money(amount: float) -> str:
    """``$1,234.56``; amounts under a cent but above zero show as ``<$0.01``."""
    return fmt.money(amount)


def fmt_duration(seconds: float | None) -> str:
    """``4.4 s`` or ``3 min 12 s``."""
    return fmt.duration(seconds)


class Raw(str):
    """A cell already in HTML."""


class Code(str):
    """Text to show as code: ``<code>`` in a line, a copyable block on its own."""


def wrap(body: str) -> str:
    """The container every result's HTML sits in: the shared styles, and the classes that keep MathJax out."""
    return f'<div class="maestro-out tex2jax_ignore mathjax_ignore">{_STYLE}{body}</div>'


def _cell_html(value: Any) -> str:
    if isinstance(value, Raw):
        return value
    if isinstance(value, Code):
        return f"<code>{esc(value)}</code>"
    return esc(value)


def _numeric_columns(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[bool]:
    """A column is numeric when every non-empty cell in it is a number (or formatted as one)."""
    result = []
    for i in range(len(headers)):
        cells = [r[i] for r in rows if i < len(r) and r[i] not in (None, "")]
        result.append(bool(cells) and all(not isinstance(c, Raw) and fmt.is_numeric(c) for c in cells))
    return result


def _table_body(headers: Sequence[str], rows: Sequence[Sequence[Any]], diff_rows: set[int] | None) -> str:
    numeric = _numeric_columns(headers, rows)
    align = [_RIGHT if n else _LEFT for n in numeric]
    head = "".join(f"<th{a}>{esc(h)}</th>" for h, a in zip(headers, align, strict=True))
    body = []
    for i, row in enumerate(rows):
        cls = ' class="maestro-diff"' if diff_rows and i in diff_rows else ""
        cells = "".join(f"<td{a}>{_cell_html(c)}</td>" for c, a in zip(row, align, strict=False))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f'<table class="maestro-t"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def html_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "", diff_rows: set[int] | None = None
) -> str:
    """An HTML table (text cells left, numeric cells right); cells are escaped unless they are :class:`Raw`."""
    caption = f'<div class="maestro-summary"><b>{esc(title)}</b></div>' if title else ""
    return wrap(caption + _table_body(headers, rows, diff_rows))


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "") -> str:
    """A fixed-width text table, the fallback where HTML is not rendered: numbers right-aligned."""
    numeric = _numeric_columns(headers, rows)
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(r, widths, numeric, strict=True)).rstrip()

    lines = [line(r) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(([title] if title else []) + lines)


def chips(values: Sequence[str]) -> Raw:
    return Raw("".join(f'<span class="maestro-chip">{esc(v)}</span>' for v in values))


def code_block(text: str, caption: str = "") -> str:
    """A copyable code block: ``<pre><code>``, and a Copy button added by a script where scripts run."""
    # Unique across kernels and sessions: a notebook keeps old outputs, and the script finds its block by id.
    block_id = f"maestro-code-{uuid.uuid4().hex[:12]}"
    label = f'<div class="maestro-muted">{esc(caption)}</div>' if caption else ""
    # The button is made by the script, so where scripts do not run there is no dead button: just the block.
    # navigator.clipboard needs a secure context (https or localhost); elsewhere (a hub on plain http) the button
    # selects the block and uses the older copy command.
    script = (
        "<script>(function(){var p=document.getElementById('" + block_id + "');"
        "if(!p||p.parentNode.querySelector('.maestro-copy'))return;"
        "var b=document.createElement('button');b.type='button';b.className='maestro-copy';b.textContent='Copy';"
        "b.title='Copy to the clipboard';function done(){b.textContent='Copied';"
        "setTimeout(function(){b.textContent='Copy';},1500);}"
        "b.onclick=function(){var t=p.innerText;if(navigator.clipboard&&window.isSecureContext){"
        "navigator.clipboard.writeText(t).then(done);return;}"
        "var r=document.createRange();r.selectNodeContents(p);var s=window.getSelection();s.removeAllRanges();"
        "s.addRange(r);try{document.execCommand('copy');done();}catch(e){}};"
        "p.parentNode.insertBefore(b,p);})();</script>"
    )
    return f'{label}<div class="maestro-code"><pre id="{block_id}"><code>{esc(text)}</code></pre>{script}</div>'


# --- one result: a summary line, code blocks, and folded details -----------------------------------------------


@dataclass
class Card:
    """How one result reads: ``summary`` parts (joined by " · "; :class:`Code` parts show as code), code blocks
    shown open, then folded ``fields`` (label, value; empty values dropped; dicts as key: value lines) and
    folded ``tables``."""

    summary: list[Any]
    fields: list[tuple[str, Any]] = field(default_factory=list)
    code: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[Any]]]] = field(default_factory=list)
    details_label: str = "Details"


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | dict | tuple | set) and not value)


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value_text(v)}" for k, v in value.items() if not _empty(v))
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return fmt.number(value)
    return fmt.number(value) if isinstance(value, bool) else str(value)


def _value_html(value: Any) -> str:
    if isinstance(value, dict):
        lines = "".join(
            f'<div><span class="maestro-k">{esc(k)}</span> {_value_html(v)}</div>'
            for k, v in value.items()
            if not _empty(v)
        )
        return f'<div class="maestro-kv">{lines}</div>'
    if isinstance(value, Raw | Code):
        return _cell_html(value)
    return esc(_value_text(value))


def _fields(card: Card) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in card.fields if not _empty(v)]


def card_html(card: Card) -> str:
    """A card as HTML: the summary line, its code blocks, then the details folded in ``<details>``."""
    parts = [_cell_html(p) if isinstance(p, Code | Raw) else esc(p) for p in card.summary if not _empty(p)]
    head = f'<div class="maestro-summary">{" · ".join(parts)}</div>'
    code = "".join(code_block(text, caption) for caption, text in card.code if text)
    inner = ""
    fields = _fields(card)
    if fields:
        inner += (
            '<div class="maestro-kv">'
            + "".join(f'<div><span class="maestro-k">{esc(k)}</span> {_value_html(v)}</div>' for k, v in fields)
            + "</div>"
        )
    for title, headers, rows in card.tables:
        if rows:
            inner += (f"<div><b>{esc(title)}</b></div>" if title else "") + _table_body(headers, rows, None)
    details = f"<details><summary>{esc(card.details_label)}</summary>{inner}</details>" if inner else ""
    return wrap(head + code + details)


def card_text(card: Card) -> str:
    """A card as text: the summary line, code indented, then the details as aligned ``label  value`` lines."""
    lines = [" · ".join(str(p) for p in card.summary if not _empty(p))]
    for caption, text in card.code:
        if text:
            lines += [f"{caption}:" if caption else "", *("    " + t for t in text.splitlines())]
    fields = _fields(card)
    if fields:
        width = max(len(k) for k, _ in fields)
        for k, v in fields:
            if isinstance(v, dict):
                lines.append(f"  {k}:")
                lines += [f"    {dk}: {_value_text(dv)}" for dk, dv in v.items() if not _empty(dv)]
            else:
                lines.append(f"  {k.ljust(width)}  {_value_text(v)}")
    for title, headers, rows in card.tables:
        if rows:
            lines.append(text_table(headers, rows, title=title))
    return "\n".join(line for line in lines if line != "")


# --- per-result views ------------------------------------------------------------------------------------------


def _resources_text(r: Any) -> str:
    if r is None:
        return ""
    parts = [f"{r.cpus:g} CPU" if r.cpus else "", r.memory or "", f"{r.gpus} GPU" if r.gpus else ""]
    parts.append(f"{r.workers} workers" if getattr(r, "workers", 1) > 1 else "")
    return ", ".join(p for p in parts if p)


def _resources(job: Any) -> str:
    return _resources_text(job.resources)


def _estimate_fields(est: Any) -> dict[str, Any]:
    if est is None:
        return {}
    rates = est.rates or {}
    rate_text = {
        "CPU hour": fmt.money(rates.get("cpu_hour"), rate=True),
        "GiB hour": fmt.money(rates.get("gb_hour"), rate=True),
        "GPU hour": fmt.money(rates.get("gpu_hour"), rate=True) if est.kind == "job" else "",
        "GPU type": rates.get("gpu_type") or "",
    }
    return {
        "cost": f"{fmt.money(est.cost)} per {est.per}",
        "basis": est.basis,
        "time": fmt.duration(est.hours * 3600) if est.hours else "",
        "rates": rate_text,
        "budgets": "; ".join(
            f"{b.id}: {fmt.money(b.remaining)} of {fmt.money(b.amount)} left"
            + ("" if b.allowed else " (would be exceeded)")
            for b in est.budgets
        ),
    }


def _job_card(j: Any) -> Card:
    summary: list[Any] = [f"Job {j.id}" + (f" ({j.name})" if j.name and j.name != j.id else ""), j.status]
    if j.active:
        if j.duration_seconds is not None:
            summary.append(f"running for {fmt.duration(j.duration_seconds, coarse=True)}")
        if j.estimate is not None:
            summary.append(f"est. {fmt.money(j.estimate.cost)} per {j.estimate.per}")
        summary += [Raw("follow with " + _cell_html(Code(f"%maestro logs {j.id} --follow")))]
    else:
        if j.duration_seconds is not None:
            summary.append(f"took {fmt.duration(j.duration_seconds)}")
        if j.finished_at:
            summary.append(f"finished {fmt.relative(j.finished_at)}")
        if j.cost is not None:
            summary.append(f"cost {fmt.money(j.cost)}")
        if j.reason:
            summary.append(j.reason)
        if j.status in ("failed", "lost"):
            summary.append(Raw("output: " + _cell_html(Code(f"%maestro logs {j.id}"))))
    fields: list[tuple[str, Any]] = [
        ("experiment", j.experiment),
        ("run", j.run_id),
        ("params", dict(j.params)),
        ("source", f"{j.kind}: {j.source}" if j.source else j.kind),
        ("resources", _resources_text(j.resources)),
        ("user", f"{j.user} · project {j.project} · {j.backend} backend"),
        ("submitted", fmt.when(j.created_at)),
        ("started", fmt.when(j.started_at)),
        ("finished", fmt.when(j.finished_at)),
        ("exit code", j.exit_code),
        ("CPU time", fmt.duration(j.cpu_seconds)),
        ("peak memory", fmt.size(j.peak_memory_mb * 2**20) if j.peak_memory_mb is not None else ""),
        # Memory held (GiB x hours) only once it counts: a cell's few MB for seconds would read "1.368e-06 GiB h"
        ("memory held", f"{fmt.number(j.memory_gb_seconds / 3600)} GiB h" if (j.memory_gb_seconds or 0) >= 36 else ""),
        ("GPU time", fmt.duration(j.gpu_seconds) + (f" ({j.gpu_type})" if j.gpu_type else "") if j.gpu_seconds else ""),
        ("estimate", _estimate_fields(j.estimate)),
    ]
    return Card(summary, fields)


def _text_summary_of(card: Card) -> Card:
    """The same card with :class:`Raw` summary parts turned back to text (for text/plain)."""
    import re

    parts = [html.unescape(re.sub(r"<[^>]+>", "", p)) if isinstance(p, Raw) else p for p in card.summary]
    return Card(parts, card.fields, card.code, card.tables, card.details_label)


def _deployment_card(d: Any) -> Card:
    alias = d.alias
    if alias and getattr(d, "alias_version", d.version) not in (None, d.version):
        alias = None  # the alias moved on: the deployment no longer serves what it names
    what = f"{d.model} v{d.version}" + (f" ({alias})" if alias else "")
    summary: list[Any] = [f"Deployment {d.id}", d.status, what, f"{d.ready_replicas}/{d.replicas} replicas ready"]
    if d.estimate is not None:
        summary.append(f"est. {fmt.money(d.estimate.cost)} per {d.estimate.per}")
    if d.reason:
        summary.append(d.reason)
    if d.active:
        summary.append(Raw("predict with " + _cell_html(Code(f"%maestro predict {d.id} DF"))))
    fields: list[tuple[str, Any]] = [
        ("endpoint", d.endpoint),
        ("served at", d.url),
        ("resources", _resources_text(d.resources) or "backend defaults"),
        ("user", f"{d.user} · project {d.project} · {d.backend} backend"),
        ("created", fmt.when(d.created_at)),
        ("updated", fmt.when(d.updated_at) if d.updated_at != d.created_at else ""),
        ("estimate", _estimate_fields(d.estimate)),
    ]
    replicas = [[r.name, r.status, r.url or "", r.pid] for r in d.instances]
    return Card(summary, fields, tables=[("Replicas", ["replica", "status", "url", "pid"], replicas)])


def _budget_card(b: Any) -> Card:
    summary: list[Any] = [
        f"Budget {b.id} ({b.period})",
        f"{fmt.money(b.spent)} of {fmt.money(b.amount)} spent ({b.used_pct:.1f}%)",
        f"{fmt.money(b.remaining)} left",
        "hard limit: over-budget work is refused" if b.hard_limit else "soft limit: alerts only",
    ]
    fields: list[tuple[str, Any]] = [
        ("alerts at", ", ".join(f"{t}%" for t in b.thresholds)),
        ("webhook", b.webhook),
        ("this period", f"{fmt.absolute(b.period_start)[:10]} to {fmt.absolute(b.period_end)[:10]}"),
        ("updated", f"{fmt.when(b.updated_at)} by {b.updated_by}"),
    ]
    return Card(summary, fields)


def _estimate_card(e: Any) -> Card:
    fields = list(_estimate_fields(e).items())
    return Card([f"Estimated cost: {e.message}"], [(k, v) for k, v in fields if k != "cost"])


def _version_card(v: Any) -> Card:
    summary: list[Any] = [f"{v.name} v{v.version}", ", ".join(v.aliases), v.status]
    if v.creation_timestamp:
        summary.append(f"registered {fmt.relative(v.creation_timestamp, ms=True)}")
    if v.run is not None and v.run.metrics:
        shown = list(sorted(v.run.metrics.items()))[:3]
        summary.append(", ".join(f"{k} {fmt.number(val)}" for k, val in shown))
    fields: list[tuple[str, Any]] = [
        ("model URI", v.model_uri),
        ("description", v.description),
        ("flavors", ", ".join(v.flavors)),
        ("run", v.run_id),
        ("features", v.features.text() if getattr(v, "features", None) is not None else ""),
    ]
    if v.signature is not None and v.signature.inputs:
        cols = [f"{c.get('name', '?')} ({c.get('type', '?')})" for c in v.signature.inputs]
        fields.append(("inputs", ", ".join(cols)))
    tables: list[tuple[str, list[str], list[list[Any]]]] = []
    if v.run is not None:
        tables.append(("Metrics", ["metric", "value"], [[k, fmt.number(x)] for k, x in sorted(v.run.metrics.items())]))
        tables.append(("Params", ["param", "value"], [[k, x] for k, x in sorted(v.run.params.items())]))
    tables.append(("Tags", ["tag", "value"], [[k, x] for k, x in sorted(v.tags.items())]))
    code = [("Load it", v.load_snippet)] if v.load_snippet else []
    return Card(summary, fields, code, tables)


def _model_version_card(v: Any) -> Card:
    summary: list[Any] = [f"{v.name} v{v.version}", ", ".join(v.aliases), v.status]
    if v.creation_timestamp:
        summary.append(f"registered {fmt.relative(v.creation_timestamp, ms=True)}")
    fields: list[tuple[str, Any]] = [
        ("description", v.description),
        ("status message", v.status_message),
        ("run", v.run_id),
        ("source", v.source),
        ("tags", dict(v.tags)),
    ]
    return Card(summary, fields)


def _run_card(r: Any) -> Card:
    summary: list[Any] = [f"Run {r.run_name or fmt.short_id(r.run_id)}", r.status]
    if r.duration_seconds is not None:
        summary.append(f"took {fmt.duration(r.duration_seconds)}")
    if r.start_time:
        summary.append(f"started {fmt.relative(r.start_time, ms=True)}")
    experiment = getattr(r, "experiment_name", "") or f"id {r.experiment_id}"
    fields: list[tuple[str, Any]] = [
        ("run id", r.run_id),
        ("experiment", experiment),
        ("user", r.user),
        ("metrics", {k: fmt.number(v) for k, v in sorted(r.metrics.items())}),
        ("params", dict(sorted(r.params.items()))),
        ("tags", dict(sorted(r.tags.items()))),
    ]
    return Card(summary, fields)


def _prediction_card(p: Any) -> Card:
    values = p.predictions if isinstance(p.predictions, list) else None
    summary: list[Any] = [f"Prediction from {p.deployment}", f"{p.model} v{p.version}"]
    if values is not None:
        summary.append(fmt.count(len(values), "prediction"))
    if p.latency_ms is not None:
        summary.append(f"{fmt.number(float(p.latency_ms))} ms")
    shown = values[:20] if values is not None else p.predictions
    more = f" … ({fmt.count(len(values) - 20, 'more', 'more')})" if values is not None and len(values) > 20 else ""
    fields: list[tuple[str, Any]] = [("predictions", _value_text(shown) + more), ("replica", p.replica)]
    return Card(summary, fields)


#: Fields read as times: epoch seconds, or (``_MS``) epoch milliseconds.
_SECONDS = ("created_at", "updated_at", "started_at", "finished_at", "period_start", "period_end", "since", "until")
_MS = ("creation_timestamp", "last_updated_timestamp", "creation_time", "last_update_time", "start_time", "end_time")


def _generic_card(obj: Any) -> Card:
    """Any other result: its name and id first, then its fields, readable."""
    data = obj.model_dump()
    name = next((str(data[k]) for k in ("id", "name", "run_id", "deployment", "key") if data.get(k)), "")
    fields: list[tuple[str, Any]] = []
    for key, value in data.items():
        if key in _SECONDS:
            value = fmt.when(value)
        elif key in _MS:
            value = fmt.when(value, ms=True)
        elif key.endswith("_seconds") and isinstance(value, int | float):
            value = fmt.duration(value)
        elif key.endswith("_ms") and isinstance(value, int | float):
            value = f"{fmt.number(float(value))} ms"
        fields.append((key.replace("_", " "), value))
    return Card([f"{type(obj).__name__} {name}".strip()], fields)


_CARDS: dict[str, Callable[[Any], Card]] = {
    "Job": _job_card,
    "Deployment": _deployment_card,
    "Budget": _budget_card,
    "Estimate": _estimate_card,
    "VersionDetail": _version_card,
    "ModelVersion": _model_version_card,
    "RunSummary": _run_card,
    "Prediction": _prediction_card,
}


def card_of(obj: Any) -> Card:
    """How a single result (not a list) reads."""
    return _CARDS.get(type(obj).__name__, _generic_card)(obj)


# --- lists: a summary line, then the table ---------------------------------------------------------------------


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
    return f"{fmt.count(len(rows), 'model')}{more}", headers, rows


def _version_rows(versions: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    headers = ["version", "aliases", "status", "registered", "run", "description"]
    rows = [
        [
            v.version,
            ", ".join(v.aliases),
            v.status,
            fmt_time(v.creation_timestamp),
            fmt.short_id(v.run_id),
            v.description,
        ]
        for v in versions
    ]
    return headers, rows


def _model_detail(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers, rows = _version_rows(obj.versions)
    aliases = ", ".join(f"{a}→v{v}" for a, v in sorted(obj.aliases.items())) or "no aliases"
    updated = fmt_time(obj.last_updated_timestamp)
    title = f"Model {obj.name} · {fmt.count(len(rows), 'version')} · {aliases}" + (
        f" · updated {updated}" if updated else ""
    )
    return title, headers, rows


def _run_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    metric_keys = sorted({k for r in obj.runs for k in r.metrics})
    headers = ["run", "name", "status", "started", "duration", *metric_keys]
    rows = [
        [fmt.short_id(r.run_id), r.run_name, r.status, fmt_time(r.start_time), fmt.duration(r.duration_seconds)]
        + [fmt_number(r.metrics.get(k)) for k in metric_keys]
        for r in obj.runs
    ]
    return fmt.count(len(rows), "run"), headers, rows


def _experiment_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["name", "id", "created", "artifacts"]
    rows = [[e.name, e.experiment_id, fmt_time(e.creation_time), e.artifact_location] for e in obj.experiments]
    return fmt.count(len(rows), "experiment"), headers, rows


def _comparison(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["", *[r.run_name or r.run_id[:8] for r in obj.runs]]
    rows = [[f"param {k}", *vals] for k, vals in obj.params.items()]
    rows += [[f"metric {k}", *[fmt_number(v) for v in vals]] for k, vals in obj.metrics.items()]
    return f"{len(obj.runs)} runs compared", headers, rows


def _version_comparison(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["version", "aliases", *obj.metrics]
    rows = [
        [v.version, ", ".join(v.aliases)] + [fmt_number(v.metrics.get(m)) for m in obj.metrics] for v in obj.versions
    ]
    # Which feature service (or features) each version trained on, when any recorded it.
    if any(getattr(v, "features", None) is not None for v in obj.versions):
        headers += ["feature service", "feature views", "registry version"]
        for row, v in zip(rows, obj.versions, strict=True):
            f = v.features
            row += (
                ["", "", ""]
                if f is None
                else [
                    f.service or fmt.count(len(f.refs), "feature"),
                    ", ".join(f.views),
                    fmt.short_id(f.registry_version) if f.registry_version else "",
                ]
            )
    return f"{obj.name}: {fmt.count(len(rows), 'version')}", headers, rows


def _job_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["id", "name", "status", "user", "submitted", "duration", "cost", "experiment", "resources", "reason"]
    rows = [
        [
            j.id,
            j.name,
            j.status,
            j.user,
            fmt.relative(j.created_at),
            fmt_duration(j.duration_seconds),
            fmt.money(j.cost),
            j.experiment,
            _resources(j),
            j.reason,
        ]
        for j in obj.jobs
    ]
    active = sum(1 for j in obj.jobs if j.active)
    return f"{fmt.count(len(rows), 'training job')}" + (f", {active} active" if active else ""), headers, rows


def _deployment_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["id", "model", "version", "alias", "status", "ready", "updated", "endpoint", "reason"]
    rows = []
    for d in obj.deployments:
        alias = d.alias if getattr(d, "alias_version", d.version) in (None, d.version) else ""
        rows.append(
            [
                d.id,
                d.model,
                d.version,
                alias or "",
                d.status,
                f"{d.ready_replicas}/{d.replicas}",
                fmt.relative(d.updated_at),
                d.endpoint,
                d.reason,
            ]
        )
    return fmt.count(len(rows), "deployment"), headers, rows


def _cost_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = [obj.by, "cost", "CPU h", "memory GiB h", "GPU h", "records"]
    rows = [
        [
            g.key or "(none)",
            fmt_money(g.cost),
            fmt_number(float(g.cpu_hours)),
            fmt_number(float(g.memory_gb_hours)),
            fmt_number(float(g.gpu_hours)),
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
    return fmt.count(len(rows), "budget"), headers, rows


def _alert_rows(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    headers = ["when", "budget", "threshold", "message", "webhook"]
    rows = [[fmt.relative(a.created_at), a.budget, f"{a.threshold}%", a.message, a.delivery] for a in obj]
    return fmt.count(len(rows), "alert"), headers, rows


_VIEWS: dict[str, Callable[[Any], tuple[str, list[str], list[list[Any]]]]] = {
    "CostSummary": _cost_rows,
    "BudgetList": _budget_rows,
    "AlertList": _alert_rows,
    "ModelPage": _model_rows,
    "ModelDetail": _model_detail,
    "RunPage": _run_rows,
    "ExperimentPage": _experiment_rows,
    "RunComparison": _comparison,
    "VersionComparison": _version_comparison,
    "JobList": _job_rows,
    "DeploymentList": _deployment_rows,
}


def _view(obj: Any) -> tuple[str, list[str], list[list[Any]]]:
    return _VIEWS[type(obj).__name__](obj)


def to_html(obj: Any) -> str:
    """The notebook rendering of a result object."""
    if type(obj).__name__ not in _VIEWS:
        return card_html(card_of(obj))
    title, headers, rows = _view(obj)
    diff: set[int] = set()
    if type(obj).__name__ == "RunComparison":
        keys = [f"param {k}" for k in obj.params] + [f"metric {k}" for k in obj.metrics]
        differing = {f"param {k}" for k in obj.differing_params} | {f"metric {k}" for k in obj.differing_metrics}
        diff = {i for i, k in enumerate(keys) if k in differing}
    return html_table(headers, rows, title=title, diff_rows=diff)


def to_text(obj: Any) -> str:
    """The plain-text rendering of a result object."""
    if type(obj).__name__ not in _VIEWS:
        return card_text(_text_summary_of(card_of(obj)))
    title, headers, rows = _view(obj)
    return text_table(headers, rows, title=title)


def mimebundle(obj: Any) -> dict[str, Any]:
    """Every rendering of a result: HTML for JupyterLab, Notebook 7, VS Code and Colab, text elsewhere."""
    return {"text/html": to_html(obj), "text/plain": to_text(obj)}


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


def version_chart(obj: Any) -> Chart:
    """A version comparison's chart: a panel per metric, a zero-based bar per version, coloured by alias.

    Shown as its own output before the table (see ``VersionComparison._ipython_display_``): Vega-Lite, which the
    front end renders with tooltips in its light or dark theme."""
    from ..charts import comparison_chart

    labels = [f"v{v.version}" for v in obj.versions]
    series = {m: [v.metrics.get(m) for v in obj.versions] for m in obj.metrics}
    groups = [", ".join(v.aliases) or "no alias" for v in obj.versions]
    return comparison_chart(
        labels, series, item_title="Version", groups=groups, group_title="Alias", title=f"{obj.name} by version"
    )


class Table:
    """A titled table that displays itself (used by magics for listings that are not SDK results)."""

    def __init__(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.title, self.headers, self.rows = title, list(headers), [list(r) for r in rows]

    def _repr_html_(self) -> str:
        return html_table(self.headers, self.rows, title=self.title)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        return text_table(self.headers, self.rows, title=self.title)
