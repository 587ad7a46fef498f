"""Loading registered models for testing, and recording results as MLflow runs (over :class:`MlflowRegistry`)."""

from __future__ import annotations

import contextlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..entities import RunSummary
from ..errors import InvalidParameter
from .mlflow_registry import MlflowRegistry, _scratch, run_summary, sql_string, translate_errors

MAX_CACHED_MODELS = 4
_METRIC_KEY_BAD = re.compile(r"[^/\w.\- :]")


@dataclass
class LoadedModel:
    """A version loaded through ``mlflow.pyfunc`` (what serving runs) and, when it has one, its native object."""

    pyfunc: Any
    raw: Any = None

    @property
    def classes(self) -> list[Any] | None:
        classes = getattr(self.raw, "classes_", None)
        return None if classes is None else list(classes.tolist() if hasattr(classes, "tolist") else classes)

    @property
    def predict_proba(self) -> Any:
        return getattr(self.raw, "predict_proba", None) if self.classes is not None else None


class ModelLoader:
    """Loads versions, keeping the last few: a version's files never change, so a loaded one stays valid."""

    def __init__(self, backend: MlflowRegistry) -> None:
        self.backend = backend
        self._cache: OrderedDict[tuple[str, str], LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, name: str, version: str) -> LoadedModel:
        key = (name, version)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        import mlflow.pyfunc

        with translate_errors(f"Loading {name!r} version {version}"), self.backend.mlflow_globals():
            try:
                model = mlflow.pyfunc.load_model(f"models:/{name}/{version}")
            except (ImportError, OSError, ValueError, TypeError, AttributeError) as exc:
                raise InvalidParameter(f"Cannot load {name!r} version {version} as a Python model: {exc}") from None
        raw = None
        # Flavors without a native object (a plain PythonModel) are tested through pyfunc alone.
        with contextlib.suppress(Exception):
            raw = model.get_raw_model()
        loaded = LoadedModel(model, raw)
        with self._lock:
            self._cache[key] = loaded
            while len(self._cache) > MAX_CACHED_MODELS:
                self._cache.popitem(last=False)
        return loaded


def metric_key(key: str) -> str:
    """An MLflow-valid metric name: ``accuracy/sex=f`` -> ``accuracy/sex:f`` (MLflow refuses ``=``)."""
    return _METRIC_KEY_BAD.sub("_", key.replace("=", ":"))[:250]


def record_run(
    backend: MlflowRegistry,
    experiment_name: str,
    run_name: str,
    *,
    tags: Mapping[str, str],
    params: Mapping[str, str],
    metrics: Mapping[str, float],
    files: Callable[[str], Mapping[str, bytes]],
    artifact_dir: str,
) -> str:
    """A finished run in ``experiment_name`` (created if missing) holding the given tags, params, metrics, and the
    files ``files(run_id)`` makes (they may name the run they belong to)."""
    import time

    from mlflow.entities import Metric, Param

    with translate_errors(f"Recording a run in {experiment_name!r}"):
        client = backend.client
        exp = client.get_experiment_by_name(experiment_name)
        experiment_id = exp.experiment_id if exp else client.create_experiment(experiment_name)
        run = client.create_run(experiment_id, run_name=run_name, tags=dict(tags))
        run_id = run.info.run_id
        now = int(time.time() * 1000)
        metric_list = [Metric(metric_key(k), float(v), now, 0) for k, v in metrics.items()]
        param_list = [Param(metric_key(k), str(v)[:6000]) for k, v in params.items()]
        for start in range(0, max(len(metric_list), len(param_list), 1), 100):
            client.log_batch(
                run_id, metrics=metric_list[start : start + 100], params=param_list[start : start + 100], tags=[]
            )
        with _scratch() as tmp:
            for name, content in files(run_id).items():
                Path(tmp, name).write_bytes(content)
            client.log_artifacts(run_id, tmp, artifact_dir)
        client.set_terminated(run_id)
    return str(run_id)


def find_runs(
    backend: MlflowRegistry, experiment_name: str, tags: Mapping[str, str], max_results: int = 100
) -> list[RunSummary]:
    """Runs of ``experiment_name`` carrying every tag in ``tags``, newest first ([] if there is no experiment)."""
    from mlflow.entities import ViewType

    with translate_errors(f"Searching {experiment_name!r}"):
        exp = backend.client.get_experiment_by_name(experiment_name)
        if exp is None:
            return []
        clauses = " AND ".join(f"tags.`{k}` = {sql_string(v)}" for k, v in tags.items())
        runs = backend.client.search_runs(
            [exp.experiment_id],
            filter_string=clauses,
            run_view_type=ViewType.ACTIVE_ONLY,
            max_results=max_results,
            order_by=["attributes.start_time DESC"],
        )
    return [run_summary(r) for r in runs]
