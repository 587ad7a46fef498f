"""The kernel's charts (maestro_jupyter.charts): valid Vega-Lite that JupyterLab renders, honest axes, tooltips,
legends, downsampling, no fixed black or white, a static fallback drawn offline, and a light import."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from maestro_jupyter.charts import (
    MAX_POINTS_PER_LINE,
    MAX_POINTS_TOTAL,
    SCHEMA_URL,
    VEGALITE_MIME,
    Chart,
    bar_chart,
    comparison_chart,
    downsample_indices,
    history_chart,
    is_count,
    is_score,
    own_bundle,
    show,
)
from maestro_jupyter.charts._chart import STATIC_CONFIG, VL_CONVERT_VERSION

START = 1_780_000_000_000


def history(runs: dict[str, int], keys: tuple[str, ...] = ("loss",), spike: int | None = None) -> pd.DataFrame:
    """A long history frame: per run and key, ``n`` steps of a decaying noisy curve (one spike if asked)."""
    rng = np.random.default_rng(0)
    parts = []
    for run, n in runs.items():
        for key in keys:
            steps = np.arange(n)
            values = np.exp(-steps / max(n, 1) * 3) + rng.normal(0, 0.01, n)
            if spike is not None and spike < n:
                values[spike] = 9.0
            parts.append(
                pd.DataFrame(
                    {"run": run, "key": key, "step": steps, "timestamp": START + steps * 1000, "value": values}
                )
            )
    if not parts:
        return pd.DataFrame({c: [] for c in ("run", "key", "step", "timestamp", "value")})
    return pd.concat(parts, ignore_index=True)


def charts() -> dict[str, Chart]:
    """One of every kind of chart the package makes."""
    return {
        "history, one run": history_chart(history({"run-a": 50})),
        "history, runs by time": history_chart(history({"run-a": 300, "run-b": 200}), x="time", title="Loss"),
        "history, two keys": history_chart(history({"run-a": 100, "run-b": 80}, ("loss", "accuracy"))),
        "history, long": history_chart(history({"run-a": 12_000}, spike=4321)),
        "history, empty": history_chart(history({})),
        "versions": comparison_chart(
            ["v1", "v2", "v3"],
            {"roc_auc": [0.995, 0.992, None], "training_time_s": [4.42, 0.5, 0.7], "rows": [100, 200, 300]},
            groups=["champion", "no alias", "challenger"],
            group_title="Alias",
            title="churn by version",
        ),
        "no metric": comparison_chart(["v1"], {}),
        "features": bar_chart(
            ["leak", "f1", "f2"],
            [0.99, 0.4, 0.1],
            value_title="Score",
            label_title="Feature",
            groups=["flagged", "not flagged", "not flagged"],
            group_title="Flags",
            palette={"flagged": "#f58518", "not flagged": "#4c78a8"},
            notes=["#3 · leakage", "#1", "#2"],
        ),
    }


CHARTS = charts()


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a nested spec."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def encodings(spec: dict[str, Any], channel: str) -> list[Any]:
    return [value[channel] for key, value in walk(spec) if key == "encoding" and channel in value]


@pytest.fixture(scope="module")
def schema_validator() -> Any:
    """The Vega-Lite JSON schema shipped with Altair (no network)."""
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    schema = load_schema()
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("name", list(CHARTS))
def test_specs_validate_against_the_vega_lite_schema(name, schema_validator):
    spec = CHARTS[name].spec
    errors = sorted(schema_validator.iter_errors(spec), key=str)
    assert errors == [], [e.message for e in errors][:3]
    assert spec["$schema"] == SCHEMA_URL


@pytest.mark.parametrize("name", list(CHARTS))
def test_vl_convert_draws_every_spec_offline_with_the_vega_lite_5_jupyterlab_bundles(name):
    """The static fallback works without a network, compiled by Vega-Lite 5 (JupyterLab 4.6 bundles 5.6)."""
    import vl_convert

    chart = CHARTS[name]
    vega = vl_convert.vegalite_to_vega(chart.spec, vl_version=VL_CONVERT_VERSION)
    assert vega["$schema"].startswith("https://vega.github.io/schema/vega/v5")
    svg = Chart(chart.spec, chart.description).to_svg()
    assert svg.startswith("<svg")
    assert "</svg>" in svg


def test_the_mime_type_is_one_the_installed_jupyterlab_renders():
    """JupyterLab's vega5 extension registers Vega-Lite v3 to v5 mime types; pinning v5 must stay among them."""
    static = Path(sys.prefix) / "share" / "jupyter" / "lab" / "static"
    if not static.is_dir():
        pytest.skip("JupyterLab's static files are not installed here")
    registered: set[str] = set()
    for path in static.glob("*.js"):
        registered |= set(re.findall(r"application/vnd\.vegalite\.v\d\+json", path.read_text(errors="ignore")))
    assert VEGALITE_MIME in registered, registered
    assert VEGALITE_MIME == "application/vnd.vegalite.v5+json"
    assert SCHEMA_URL.endswith("/v5.json")


def test_the_bundle_has_vega_lite_a_static_fallback_and_a_text_line():
    chart = history_chart(history({"a": 1000, "b": 1000, "c": 1000}))
    bundle = chart._repr_mimebundle_()
    assert set(bundle) == {VEGALITE_MIME, "image/svg+xml", "text/plain"}
    assert bundle[VEGALITE_MIME] is chart.spec
    json.dumps(bundle[VEGALITE_MIME], allow_nan=False)  # valid JSON for the front end: no NaN
    assert bundle["image/svg+xml"].startswith("<svg")
    assert bundle["text/plain"] == "Line chart: loss against step, 3 runs, 3,000 points"
    assert repr(chart) == bundle["text/plain"]
    # No HTML: front ends pick the richest type, and HTML outranks Vega-Lite in JupyterLab, so it would hide the chart.
    assert not hasattr(chart, "_repr_html_")
    # The fallback is made when asked, not before, and left out when excluded.
    fresh = history_chart(history({"a": 10}))
    assert fresh._svg is None
    assert set(fresh._repr_mimebundle_(exclude={"image/svg+xml"})) == {VEGALITE_MIME, "text/plain"}
    assert fresh._svg is None


def test_a_chart_without_vl_convert_still_displays(monkeypatch):
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # import fails
    chart = bar_chart(["a"], [0.5], value_title="Score")
    assert set(chart._repr_mimebundle_()) == {VEGALITE_MIME, "text/plain"}
    assert chart.to_html() == ""


BLACK_OR_WHITE = re.compile(r"^(#0{3}|#0{6}|#f{3}|#f{6}|black|white|rgb\(0, ?0, ?0\)|rgb\(255, ?255, ?255\))$", re.I)


@pytest.mark.parametrize("name", list(CHARTS))
def test_no_fixed_black_or_white_in_a_spec_or_its_static_drawing(name):
    chart = CHARTS[name]
    colours = [v for _, v in walk(chart.spec) if isinstance(v, str) and BLACK_OR_WHITE.match(v.strip())]
    assert colours == []
    # The interactive spec leaves text and axis colours to the front end's light or dark theme.
    assert not {k for k, _ in walk(chart.spec)} & {"config", "background", "labelColor", "titleColor"}
    static = [v for _, v in walk(STATIC_CONFIG) if isinstance(v, str) and BLACK_OR_WHITE.match(v)]
    assert static == []
    svg = Chart(chart.spec, chart.description).to_svg()
    drawn = re.findall(r'(?:fill|stroke)="(#0{3}|#0{6}|#f{3}|#f{6}|black|white)"', svg, flags=re.I)
    assert drawn == []


def test_to_html_is_a_static_svg_that_takes_the_page_colour():
    chart = CHARTS["versions"]
    html = chart.to_html()
    assert html.startswith('<div class="maestro-chart" role="img"')
    assert "<svg" in html
    assert "<script" not in html
    assert 'fill="currentColor"' in html  # labels follow the surrounding text colour, light or dark
    assert 'aria-label="Bar chart: roc_auc, training_time_s, rows for 3 versions (3 panels)"' in html


def drawn_labels(chart: Chart) -> list[list[str]]:
    """The tick labels of each axis, as drawn."""
    svg = Chart(chart.spec, chart.description).to_svg()
    blocks = re.split(r'class="mark-text role-axis-label"', svg)[1:]
    return [re.findall(r">([^<]*)</text>", block.split("</g>")[0]) for block in blocks]


def test_a_score_axis_runs_from_zero_to_one_so_close_scores_look_close():
    chart = comparison_chart(["v1", "v2"], {"roc_auc": [0.995, 0.992]})
    (y,) = encodings(chart.spec, "y")
    assert y["scale"]["zero"] is True
    assert y["scale"]["domain"] == [0, 1]
    value_ticks = [labels for labels in drawn_labels(chart) if "v1" not in labels]
    assert value_ticks == [["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]]


def test_counts_and_other_metrics_start_at_zero():
    chart = comparison_chart(["v1", "v2"], {"rows": [1200, 1300], "training_time_s": [4.42, 4.5]})
    rows, time_s = encodings(chart.spec, "y")
    assert rows["axis"]["format"] == ",d"
    assert "domain" not in rows["scale"]
    assert "domain" not in time_s["scale"]
    value_ticks = [labels for labels in drawn_labels(chart) if "v1" not in labels]
    assert [ticks[0] for ticks in value_ticks] == ["0", "0"]
    assert "1,000" in value_ticks[0]  # integer ticks with separators
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", tick) for tick in value_ticks[0])


def test_score_and_count_detection():
    assert is_score("roc_auc", [0.995, 0.992])
    assert is_score("val_accuracy", [0.5, None])
    assert not is_score("loss", [0.2, 0.1])
    assert not is_score("accuracy", [0.9, 95.0])  # a percentage is not a [0, 1] score
    assert is_count([3, 10.0, None])
    assert not is_count([3, 0.5])
    assert not is_count([-1, 2])


def test_downsampling_keeps_each_buckets_extremes_and_caps_the_points():
    rng = np.random.default_rng(3)
    values = rng.normal(0, 1, 100_000)
    values[43_210] = 50.0
    values[77_777] = -50.0
    keep = downsample_indices(values)
    assert len(keep) <= MAX_POINTS_PER_LINE
    assert keep == sorted(set(keep))
    assert keep[0] == 0
    assert keep[-1] == len(values) - 1
    assert 43_210 in keep
    assert 77_777 in keep
    # every bucket's min and max survive: the kept points span the same range, bucket by bucket
    kept = values[keep]
    assert kept.max() == values.max()
    assert kept.min() == values.min()
    inner = values[1:-1]
    edges = np.linspace(0, len(inner), MAX_POINTS_PER_LINE // 2).astype(int)
    for start, stop in zip(edges[:-1:97], edges[1::97], strict=True):
        assert start + 1 + int(np.argmax(inner[start:stop])) in keep
        assert start + 1 + int(np.argmin(inner[start:stop])) in keep
    assert downsample_indices(values[:500]) == list(range(500))


def test_a_long_history_is_downsampled_and_says_so():
    chart = CHARTS["history, long"]
    rows = chart.spec["data"]["values"]
    assert len(rows) <= MAX_POINTS_PER_LINE
    assert max(r["value"] for r in rows) == 9.0  # the spike at step 4321 is kept
    assert 4321 in {r["step"] for r in rows}
    assert [r["step"] for r in rows] == sorted(r["step"] for r in rows)
    assert "downsampled" in chart.spec["title"]["subtitle"]
    assert f"of {12_000:,} points drawn" in chart.spec["title"]["subtitle"]
    assert chart.description.endswith(f"(downsampled from {12_000:,})")
    short = CHARTS["history, one run"]
    assert "subtitle" not in short.spec.get("title", {})
    assert len(short.spec["data"]["values"]) == 50


def test_tooltips_everywhere():
    for name, chart in CHARTS.items():
        if name == "no metric":
            continue
        tooltips = encodings(chart.spec, "tooltip")
        assert tooltips, name
        fields = {t["field"] for tip in tooltips for t in tip}
        assert "value" in fields, name
    (tip,) = encodings(CHARTS["history, runs by time"].spec, "tooltip")
    assert [t["field"] for t in tip] == ["run", "key", "step", "time", "value"]


def test_several_runs_get_a_legend_and_one_run_none():
    def legend_drawn(chart: Chart) -> bool:
        return "role-legend" in Chart(chart.spec, chart.description).to_svg()

    (several,) = encodings(CHARTS["history, runs by time"].spec, "color")
    assert several["legend"] is not None
    assert legend_drawn(CHARTS["history, runs by time"])
    (single,) = encodings(CHARTS["history, one run"].spec, "color")
    assert single["legend"] is None
    assert not legend_drawn(CHARTS["history, one run"])
    assert legend_drawn(CHARTS["versions"])  # colour is the alias


def test_history_by_time_and_one_panel_per_key():
    by_time = CHARTS["history, runs by time"].spec
    assert by_time["encoding"]["x"] == {"field": "time", "type": "temporal", "title": "Time", "axis": {"tickCount": 6}}
    assert by_time["title"]["text"] == "Loss"
    two_keys = CHARTS["history, two keys"].spec
    assert two_keys["facet"]["field"] == "key"
    assert two_keys["resolve"] == {"scale": {"y": "independent"}}
    assert {r["key"] for r in two_keys["data"]["values"]} == {"loss", "accuracy"}
    with pytest.raises(ValueError, match="x must be"):
        history_chart(history({"a": 3}), x="epoch")
    with pytest.raises(ValueError, match="lacks the column"):
        history_chart(pd.DataFrame({"run": ["a"], "value": [1.0]}))


def test_missing_values_become_gaps_not_nan():
    frame = history({"a": 5})
    frame.loc[2, "value"] = float("nan")
    chart = history_chart(frame)
    json.dumps(chart.spec, allow_nan=False)
    assert [r["value"] is None for r in chart.spec["data"]["values"]] == [False, False, True, False, False]


def test_show_displays_a_chart_and_a_bundle_as_two_outputs():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()

    class Table:
        def _repr_html_(self) -> str:
            return "<table></table>"

        def __str__(self) -> str:
            return "a table"

    with capture_output() as captured:
        show(CHARTS["features"], own_bundle(Table()))
    first, second = captured.outputs
    assert set(first.data) == {VEGALITE_MIME, "image/svg+xml", "text/plain"}
    assert second.data == {"text/html": "<table></table>", "text/plain": "a table"}


LIGHT_IMPORT = """
import json, sys
import maestro_jupyter.charts
print(json.dumps([m for m in ("altair", "vl_convert", "pandas", "numpy", "IPython") if m in sys.modules]))
"""


def test_importing_the_charts_imports_nothing_heavy():
    out = subprocess.run([sys.executable, "-c", LIGHT_IMPORT], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_datetime_timestamps_are_read_as_epoch_milliseconds():
    """The SDK's history frames carry datetimes; the chart takes those as well as ms since the epoch."""
    frame = history({"a": 3})
    as_datetimes = frame.assign(timestamp=pd.to_datetime(frame["timestamp"], unit="ms", utc=True))
    times = [r["time"] for r in history_chart(as_datetimes, x="time").spec["data"]["values"]]
    assert times == [START, START + 1000, START + 2000]
    naive = frame.assign(timestamp=pd.to_datetime(frame["timestamp"], unit="ms"))
    assert [r["time"] for r in history_chart(naive).spec["data"]["values"]] == times


def test_many_runs_share_a_total_point_budget():
    """100 runs of 1,000 steps: each line gets its share of about 50,000 points, keeping its extremes."""
    frame = history({f"run-{i:03d}": 1000 for i in range(100)}, spike=321)
    chart = history_chart(frame)
    rows = chart.spec["data"]["values"]
    assert len(rows) <= MAX_POINTS_TOTAL
    per_run = pd.DataFrame(rows).groupby("run")["value"].agg(["size", "max"])
    assert len(per_run) == 100
    assert (per_run["size"] <= MAX_POINTS_TOTAL // 100).all()
    assert (per_run["max"] == 9.0).all()  # every run's spike survives
    assert chart.description == "Line chart: loss against step, 100 runs, 50,000 points (downsampled from 100,000)"


def test_many_versions_take_fewer_panels_a_row():
    few = comparison_chart([f"v{i}" for i in range(5)], {"a": [1] * 5, "b": [2] * 5})
    many = comparison_chart([f"v{i}" for i in range(40)], {"a": [1] * 40, "b": [2] * 40})
    assert (few.spec["columns"], many.spec["columns"]) == (3, 1)
    assert many.spec["concat"][0]["encoding"]["x"]["axis"]["labelAngle"] == -45
    with pytest.raises(ValueError, match="one value per item"):
        comparison_chart(["v1", "v2"], {"a": [1.0]})
