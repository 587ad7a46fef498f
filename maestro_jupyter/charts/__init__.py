"""Charts for notebook results, as Vega-Lite specs that the frontend renders (JupyterLab, Notebook 7, VS Code).

A leaf package: it imports nothing else of ``maestro_jupyter`` so every layer may use it, and nothing heavy at import
time (pandas, numpy and vl-convert are imported inside the functions that need them).
"""

from __future__ import annotations

from ._bars import bar_chart, comparison_chart, is_count, is_score
from ._chart import SCHEMA_URL, VEGALITE_MIME, Chart, own_bundle, show
from ._history import MAX_POINTS_PER_LINE, MAX_POINTS_TOTAL, downsample_indices, history_chart

__all__ = [
    "MAX_POINTS_PER_LINE",
    "MAX_POINTS_TOTAL",
    "SCHEMA_URL",
    "VEGALITE_MIME",
    "Chart",
    "bar_chart",
    "comparison_chart",
    "downsample_indices",
    "history_chart",
    "is_count",
    "is_score",
    "own_bundle",
    "show",
]
