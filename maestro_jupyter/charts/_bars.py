"""Bar charts: one value per item (a feature's score), and metrics per model version or run side by side.

Bars always start at zero: a bar's length is its value, so 0.995 and 0.992 read as nearly equal (the hand-drawn
charts these replace stretched the axis from minimum to maximum and showed a cliff). A score in [0, 1] gets the
whole [0, 1] axis; a count gets integer ticks. Exact values are in the tooltips (and the table shown with the chart).
No value labels on the bars: Vega-Lite draws text marks in black unless given a colour, and no fixed colour reads
on both the light and the dark theme's chart background.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._chart import Chart, base_spec, plural

#: Metric names that are scores in [0, 1] when their values are (a loss of 0.01 is not: its axis stays free).
_SCORE_NAME = re.compile(
    r"(acc|accuracy|auc|roc|pr_auc|average_precision|\bap\b|f1|f_?beta|precision|recall|sensitivity|specificity"
    r"|iou|jaccard|dice|score|map\b|ndcg|hit_?rate|coverage|balanced)",
    re.IGNORECASE,
)
_NUMBER_FORMAT = ",.4~g"
_TOOLTIP_FORMAT = ",.6~g"


def _finite(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def is_score(name: str, values: Sequence[float | None]) -> bool:
    """Whether a metric is a score in [0, 1]: a score's name (accuracy, roc_auc, f1, ...) and every value within."""
    present = _finite(values)
    return bool(present) and all(0.0 <= v <= 1.0 for v in present) and bool(_SCORE_NAME.search(name))


def is_count(values: Sequence[float | None]) -> bool:
    """Whether every value is a non-negative whole number (rows, errors, epochs)."""
    present = _finite(values)
    return bool(present) and all(v >= 0 and v == int(v) for v in present)


def _value_axis(name: str, values: Sequence[float | None], title: str) -> dict[str, Any]:
    """The quantitative encoding of a bar's length: zero-based, [0, 1] for a score, integer ticks for a count."""
    scale: dict[str, Any] = {"zero": True, "nice": True}
    axis: dict[str, Any] = {"format": _NUMBER_FORMAT, "tickCount": 5, "grid": True}
    if is_score(name, values):
        # The whole [0, 1] range; no tickCount, which would thin the 0.2-step ticks Vega picks for it.
        scale["domain"] = [0, 1]
        axis = {"format": ".1f", "grid": True}
    elif is_count(values):
        axis["format"] = ",d"
        axis["tickMinStep"] = 1
    return {"field": "value", "type": "quantitative", "title": title, "scale": scale, "axis": axis}


def _color(groups: Sequence[str] | None, title: str, palette: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """A colour per group, with a legend; none (the theme's one colour) when there is nothing to tell apart.

    ``palette`` fixes a group's colour (a warning orange for flagged features, say); mid-tone colours only, which
    read on light and dark backgrounds alike. Other groups take the theme's category colours.
    """
    if not groups or len(set(groups)) < 2:
        return None
    order = list(dict.fromkeys(groups))
    color: dict[str, Any] = {
        "field": "group",
        "type": "nominal",
        "title": title,
        "sort": order,
        "legend": {"orient": "bottom"},
    }
    if palette and all(g in palette for g in order):
        color["scale"] = {"domain": order, "range": [palette[g] for g in order]}
    return color


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    value_title: str = "Value",
    label_title: str = "",
    groups: Sequence[str] | None = None,
    group_title: str = "",
    notes: Sequence[str] | None = None,
    palette: Mapping[str, str] | None = None,
    title: str = "",
) -> Chart:
    """Horizontal bars, one per label, in the order given (best first, say), starting at zero.

    ``groups`` colours the bars (with a legend titled ``group_title``) when they differ, ``palette`` fixing a
    group's colour; ``notes`` adds a line per bar to its tooltip (flags, say). A ``value_title`` that names a
    score, with values in [0, 1], gives a [0, 1] axis.
    """
    if len(values) != len(labels):
        raise ValueError("bar_chart needs one value per label")
    rows = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        finite = value is not None and math.isfinite(float(value))
        row: dict[str, Any] = {"label": str(label), "value": float(value) if finite else None, "order": i}  # type: ignore[arg-type]
        if groups is not None:
            row["group"] = str(groups[i])
        if notes is not None:
            row["note"] = str(notes[i])
        rows.append(row)
    spec = base_spec(title)
    label_encoding = {
        "field": "label",
        "type": "nominal",
        # The chart's title says what the labels are; an axis title beside them would repeat it.
        "title": None,
        "sort": [str(label) for label in labels],
        "axis": {"labelLimit": 220},
    }
    tooltip: list[dict[str, Any]] = [
        {"field": "label", "type": "nominal", "title": label_title or "Item"},
        {"field": "value", "type": "quantitative", "title": value_title, "format": _TOOLTIP_FORMAT},
    ]
    if groups is not None:
        tooltip.append({"field": "group", "type": "nominal", "title": group_title or "Group"})
    if notes is not None:
        tooltip.append({"field": "note", "type": "nominal", "title": "Note"})
    encoding: dict[str, Any] = {
        "y": label_encoding,
        "x": _value_axis(value_title, values, value_title),
        "tooltip": tooltip,
    }
    color = _color(groups, group_title or "Group", palette)
    if color:
        encoding["color"] = color
    spec.update(
        {
            "data": {"values": rows},
            "mark": {"type": "bar", "cornerRadiusEnd": 2},
            "encoding": encoding,
            "width": 360,
            "height": {"step": 18},
        }
    )
    what = f"{value_title.lower()} for {plural(len(labels), label_title.lower() or 'item')}"
    return Chart(spec, f"Bar chart: {what}")


def comparison_chart(
    items: Sequence[str],
    metrics: Mapping[str, Sequence[float | None]],
    *,
    item_title: str = "Version",
    groups: Sequence[str] | None = None,
    group_title: str = "",
    title: str = "",
) -> Chart:
    """Metrics side by side: one panel per metric, a bar per item (a model version or run, in the order given).

    Each panel has its own axis from zero (an accuracy near 1 and a training time in seconds would flatten each
    other on a shared one): [0, 1] for a score, integer ticks for a count. ``groups`` colours the bars with a
    legend (a version's alias, say); hovering a bar shows the item, metric and exact value.
    """
    labels = [str(i) for i in items]
    for name, values in metrics.items():
        if len(values) != len(labels):
            raise ValueError(f"comparison_chart needs one value per item for {name!r}")
    panels = []
    for name, values in metrics.items():
        rows = []
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            finite = value is not None and math.isfinite(float(value))
            row: dict[str, Any] = {"item": label, "metric": name, "value": float(value) if finite else None}  # type: ignore[arg-type]
            if groups is not None:
                row["group"] = str(groups[i])
            rows.append(row)
        tooltip: list[dict[str, Any]] = [
            {"field": "item", "type": "nominal", "title": item_title},
            {"field": "metric", "type": "nominal", "title": "Metric"},
            {"field": "value", "type": "quantitative", "title": "Value", "format": _TOOLTIP_FORMAT},
        ]
        if groups is not None:
            tooltip.append({"field": "group", "type": "nominal", "title": group_title or "Group"})
        encoding: dict[str, Any] = {
            "x": {
                "field": "item",
                "type": "nominal",
                "title": None,
                "sort": labels,
                "axis": {"labelAngle": 0 if len(labels) <= 8 else -45, "labelLimit": 120},
            },
            "y": _value_axis(name, values, ""),
            "tooltip": tooltip,
        }
        color = _color(groups, group_title or "Group")
        if color:
            encoding["color"] = color
        panels.append(
            {
                "title": {"text": name, "anchor": "start", "fontSize": 12},
                "data": {"values": rows},
                "mark": {"type": "bar", "cornerRadiusEnd": 2},
                "encoding": encoding,
                # About 180 px for a few items, 18 px a bar for many.
                "width": {"step": max(18, min(60, 180 // max(1, len(labels))))},
                "height": 160,
            }
        )
    spec = base_spec(title)
    if not panels:
        spec.update({"data": {"values": []}, "mark": "bar"})
    else:
        # Each metric its own value axis; the colour scale stays shared, so one legend serves every panel.
        # Three panels a row while they are narrow; fewer as more items widen them (the width of a notebook).
        columns = 3 if len(labels) <= 8 else 2 if len(labels) <= 16 else 1
        spec.update({"concat": panels, "columns": columns, "resolve": {"scale": {"y": "independent"}}})
    what = ", ".join(list(metrics)[:3]) + (f" and {len(metrics) - 3} more" if len(metrics) > 3 else "")
    description = f"Bar chart: {what or 'no metric'} for {plural(len(labels), item_title.lower())}" + (
        f" ({plural(len(metrics), 'panel')})" if len(metrics) > 1 else ""
    )
    return Chart(spec, description)
