"""Record which features a training run used: the feature service (or ``view:feature`` refs), its views, and the
Feast registry version and project, as tags of the MLflow run being trained (``tagkeys.FEATURE_*``).

``ml.features.training_set`` calls :func:`record_training_set` with every training set it builds, so that a model
logged in the same run carries its lineage: its version's details, its model card and ``%maestro compare`` show it,
and ``ml.features.lineage`` finds it from the feature service or view.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from ..entities.feature_lineage import feature_use_tags


def record_training_set(ts: Any) -> None:
    """Tag the MLflow run being trained with the features of training set ``ts`` (a
    :class:`~maestro_jupyter.entities.featurestore.TrainingSet`, or anything with its ``service``, ``views``,
    ``refs``, ``registry_version`` and ``project``).

    The run is the active one (inside ``mlflow.start_run()``), else the run of ``MLFLOW_RUN_ID`` (a Maestro training
    job's, before its script starts it); with neither there is no run to record on, and nothing is done. A tracking
    store that cannot be reached warns rather than fails: the training set itself is fine."""
    mlflow = sys.modules.get("mlflow")  # no run can be active where MLflow was never imported
    active = mlflow.active_run() if mlflow is not None else None
    run_id = active.info.run_id if active is not None else os.environ.get("MLFLOW_RUN_ID", "").strip()
    if not run_id:
        return
    tags = feature_use_tags(
        service=getattr(ts, "service", None),
        views=list(getattr(ts, "views", None) or []),
        refs=list(getattr(ts, "refs", None) or []),
        registry_version=getattr(ts, "registry_version", None) or None,
        project=getattr(ts, "project", None) or None,
    )
    try:
        if active is not None:
            import mlflow as mlflow_module  # the run's own tracking store, as the process configured it

            mlflow_module.set_tags(tags)
        else:
            from mlflow import MlflowClient
            from mlflow.entities import RunTag

            MlflowClient().log_batch(run_id, tags=[RunTag(key, value) for key, value in tags.items()])
    except Exception as exc:  # any tracking failure: the lineage is lost, the training set is not
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        warnings.warn(
            f"Could not record the training set's features on MLflow run {run_id}: {first}", RuntimeWarning, 2
        )
