"""Setting up an IPython kernel for Maestro (``%load_ext maestro_jupyter`` calls :func:`prepare_kernel`)."""

from __future__ import annotations

import os

from ..settings import Settings


def prepare_kernel() -> None:
    """Point plain ``mlflow`` calls in this kernel at Maestro's tracking store, so that ``mlflow.start_run()`` in a
    notebook logs where the sidebar and the SDK look. The embedded store's folder is created first (MLflow's SQLite
    store needs it)."""
    settings = Settings.from_env()
    if settings.embedded_tracking:
        settings.ensure_home()
        settings.export_artifact_root()
    os.environ.setdefault("MLFLOW_TRACKING_URI", settings.tracking_uri)
