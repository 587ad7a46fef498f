"""What the benchmarks share: percentiles, and a small real model folder for registered versions' ``source``."""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks (numpy's default); NaN for
    no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def model_folder(root: Path) -> Path:
    """``root/bench-source/model`` with an MLmodel file: a real folder for versions' ``source``."""
    src = root / "bench-source" / "model"
    src.mkdir(parents=True, exist_ok=True)
    (src / "MLmodel").write_text(
        "artifact_path: model\nflavors:\n  python_function:\n    loader_module: bench\n    python_version: "
        f"{platform.python_version()}\nmlflow_version: {metadata.version('mlflow')}\n"
    )
    return src
