"""Learning curves: metric values against step or time, one line per run, one panel per metric."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._chart import Chart, base_spec, plural

if TYPE_CHECKING:
    import pandas

#: A line longer than this is downsampled (min and max per bucket), which keeps its shape.
MAX_POINTS_PER_LINE = 2000
#: All lines together draw at most about this many points (many runs overlaid: each line gets its share, at least
#: :data:`MIN_POINTS_PER_LINE`), so the spec a notebook saves and the browser draws stays small.
MAX_POINTS_TOTAL = 50_000
MIN_POINTS_PER_LINE = 200


def downsample_indices(values: Any, max_points: int = MAX_POINTS_PER_LINE) -> list[int]:
    """Positions to keep from ``values`` (in x order) so at most ``max_points`` remain: the first and last points,
    and the minimum and maximum of each of ``max_points // 2 - 1`` equal buckets in between, in their order.

    Keeping both extremes of every bucket keeps spikes and the curve's envelope, which plain striding loses.
    NaNs are ignored when picking extremes.
    """
    import numpy as np

    array = np.asarray(values, dtype=float)
    n = len(array)
    if n <= max_points:
        return list(range(n))
    buckets = max(1, max_points // 2 - 1)
    inner = array[1:-1]
    edges = np.linspace(0, len(inner), buckets + 1).astype(int)
    bucket = np.searchsorted(edges, np.arange(len(inner)), side="right") - 1
    present = np.flatnonzero(~np.isnan(inner))
    if not len(present):
        return [0, n - 1]
    # Sorted by bucket, then value (stably): each bucket's run starts at its minimum and ends at its maximum.
    order = np.lexsort((inner[present], bucket[present]))
    ranked = bucket[present][order]
    starts = np.flatnonzero(np.diff(ranked, prepend=-1))
    ends = np.append(starts[1:] - 1, len(ranked) - 1)
    extremes = np.concatenate((present[order[starts]], present[order[ends]])) + 1
    return [int(i) for i in np.unique(np.concatenate(([0, n - 1], extremes)))]


def history_chart(frame: pandas.DataFrame, *, x: str = "step", title: str = "") -> Chart:
    """Learning curves from a metric history.

    ``frame`` has the columns ``run`` (a label), ``key`` (the metric's name), ``step``, ``timestamp`` (ms since the
    epoch) and ``value``: one line per (run, key). ``x`` is ``"step"`` or ``"time"``. Several runs are overlaid in
    colours with a legend; several keys get a panel each, with its own y scale. Hovering shows run, step, time and
    value. A line of more than 2,000 points is downsampled (minimum and maximum per bucket; fewer points per line
    when many lines share the chart, about 50,000 in all), and the chart says so.
    """
    if x not in ("step", "time"):
        raise ValueError(f"x must be 'step' or 'time', not {x!r}")
    columns = ["run", "key", "step", "timestamp", "value"]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the history frame lacks the column(s) {', '.join(missing)}")

    rows: list[dict[str, Any]] = []
    total = 0
    reduced = 0
    data = frame[columns].sort_values(["run", "key", "step", "timestamp"], kind="stable")
    data["timestamp"] = _epoch_ms(data["timestamp"])
    lines = data.groupby(["run", "key"], sort=False)
    per_line = max(MIN_POINTS_PER_LINE, min(MAX_POINTS_PER_LINE, MAX_POINTS_TOTAL // max(1, lines.ngroups)))
    for (run, key), line in lines:
        total += len(line)
        keep = downsample_indices(line["value"].to_numpy(), per_line)
        if len(keep) < len(line):
            reduced += 1
        picked = line.iloc[keep]
        for step, timestamp, value in zip(
            picked["step"].tolist(), picked["timestamp"].tolist(), picked["value"].astype(float).tolist(), strict=True
        ):
            rows.append(
                {
                    "run": str(run),
                    "key": str(key),
                    "step": int(step),
                    "time": int(timestamp),
                    # JSON has no NaN/inf: a gap in the line instead.
                    "value": value if math.isfinite(value) else None,
                }
            )
    runs = list(dict.fromkeys(str(r) for r in data["run"].unique()))
    keys = list(dict.fromkeys(str(k) for k in data["key"].unique()))

    what = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "") if keys else "no metric"
    subtitle = ""
    if reduced:
        subtitle = (
            f"{plural(reduced, 'line')} of more than {per_line:,} points downsampled "
            f"(min and max per bucket): {len(rows):,} of {total:,} points drawn"
        )
    spec = base_spec(title or f"{what} against {x}", subtitle)
    spec["data"] = {"values": rows}

    x_encoding: dict[str, Any] = (
        {"field": "step", "type": "quantitative", "title": "Step", "axis": {"format": ",d", "tickCount": 6}}
        if x == "step"
        else {"field": "time", "type": "temporal", "title": "Time", "axis": {"tickCount": 6}}
    )
    y_encoding: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        # A curve's shape is what matters: the axis follows the data, not zero.
        "scale": {"zero": False},
        "axis": {"format": "~s" if _large(rows) else "~g", "tickCount": 5},
        "title": keys[0] if len(keys) == 1 else "Value",
    }
    color: dict[str, Any] = {
        "field": "run",
        "type": "nominal",
        "title": "Run",
        "sort": runs,
        "legend": {"orient": "bottom", "columns": 3, "labelLimit": 240} if len(runs) > 1 else None,
    }
    tooltip = [
        {"field": "run", "type": "nominal", "title": "Run"},
        {"field": "key", "type": "nominal", "title": "Metric"},
        {"field": "step", "type": "quantitative", "title": "Step", "format": ",d"},
        {"field": "time", "type": "temporal", "title": "Time", "format": "%Y-%m-%d %H:%M:%S"},
        {"field": "value", "type": "quantitative", "title": "Value", "format": ",.6~g"},
    ]
    layered: dict[str, Any] = {
        "encoding": {"x": x_encoding, "y": y_encoding, "color": color},
        "layer": [
            {"mark": {"type": "line", "strokeWidth": 1.5, "interpolate": "linear"}},
            {
                # Invisible points, the nearest one under the pointer shown and its values as a tooltip.
                "params": [
                    {
                        "name": "hover",
                        "select": {
                            "type": "point",
                            "on": "mouseover",
                            "clear": "mouseout",
                            "nearest": True,
                        },
                    }
                ],
                "mark": {"type": "point", "filled": True, "size": 40},
                "encoding": {
                    "opacity": {"condition": {"param": "hover", "empty": False, "value": 1}, "value": 0},
                    "tooltip": tooltip,
                },
            },
        ],
    }
    if len(keys) > 1:
        layered["width"] = 300
        layered["height"] = 180
        spec.update(
            {
                "facet": {"field": "key", "type": "nominal", "title": None, "sort": keys},
                "columns": 2,
                "spec": layered,
                "resolve": {"scale": {"y": "independent"}},
            }
        )
    else:
        layered["width"] = 560
        layered["height"] = 260
        spec.update(layered)

    static = {**spec}
    inner = static["spec"] if "facet" in static else static
    inner = {**inner, "layer": inner["layer"][:1]}
    if "facet" in static:
        static["spec"] = inner
    else:
        static = inner
    description = f"Line chart: {what} against {x}, {plural(len(runs), 'run')}, {plural(len(rows), 'point')}" + (
        f" (downsampled from {total:,})" if reduced else ""
    )
    return Chart(spec, description, static_spec=static)


def _epoch_ms(column: pandas.Series) -> pandas.Series:
    """Timestamps as ms since the epoch, whether given so or as datetimes (the SDK's history frames)."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(column):
        zero = pd.Timestamp(0, tz=column.dt.tz)
        return (column - zero) // pd.Timedelta(milliseconds=1)
    return column.astype("int64")


def _large(rows: list[dict[str, Any]]) -> bool:
    """Whether values are big enough that SI prefixes (12k, 3.4M) read better than plain digits."""
    return any(r["value"] is not None and abs(r["value"]) >= 1e5 for r in rows)
