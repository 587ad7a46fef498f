"""The MLflow adapter's reading of runs in depth: metric histories, runs by id, artifacts, and where a run came from.

A sibling of :mod:`.mlflow_registry` (whose client, settings and error translation it shares): what a run view and a
comparison of many runs need, read with as few store calls as MLflow allows.

- Metric histories: on a database store (SQLite, PostgreSQL, MySQL) one query per request, over MLflow's own table
  model, reading the driver's rows as they come (MLflow's ``get_metric_history`` builds an ORM object and an entity
  per value: 2-3 s for 100,000 steps, against 0.07 s); any other store (an ``http(s)://`` tracking server) through
  ``MlflowClient.get_metric_history``.
- Runs by id: one ``search_runs`` with ``attributes.run_id IN (...)`` over every experiment, not one ``get_run`` each.
- Artifacts: listed and downloaded through MLflow (``list_artifacts``, ``download_artifacts`` into a scratch folder),
  never by joining a path onto a folder of this machine.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import tagkeys as tk
from ..entities import ArtifactFile, RunSource
from ..entities.registry import SourceType
from ..errors import InvalidParameter, MaestroError, NotFound
from .mlflow_registry import sql_string, translate_errors

if TYPE_CHECKING:
    import numpy as np

    from .mlflow_registry import MlflowRegistry

JOB_ID_TAG = tk.JOB_ID
_SOURCE_TYPE = "mlflow.source.type"
_SOURCE_NAME = "mlflow.source.name"
_GIT_COMMIT = "mlflow.source.git.commit"
#: What ``mlflow.source.name`` is in a Jupyter kernel: the kernel's launcher, not the notebook.
_KERNEL_LAUNCHERS = ("ipykernel_launcher.py", "ipykernel/kernelapp.py", "colab_kernel_launcher.py")
#: How long an experiment's name is remembered (a rename shows within this many seconds).
NAME_TTL = 60.0
#: Run ids one ``search_runs`` filter names at most (a filter string stays a few KB long).
IDS_PER_SEARCH = 100


def run_source(tags: Mapping[str, str]) -> RunSource | None:
    """Where a run came from, by its tags: Maestro's job tag first, then MLflow's ``mlflow.source.*`` tags; ``None``
    when the run says nothing about it."""
    kind = (tags.get(_SOURCE_TYPE) or "").upper()
    name = tags.get(_SOURCE_NAME) or ""
    job_id = tags.get(JOB_ID_TAG) or None
    commit = tags.get(_GIT_COMMIT) or None
    if not (kind or name or job_id or commit):
        return None
    source_type: SourceType
    if job_id or kind == "JOB":
        source_type = "JOB"
    elif kind == "NOTEBOOK" or name.replace("\\", "/").endswith(_KERNEL_LAUNCHERS):
        source_type = "NOTEBOOK"
        if name.replace("\\", "/").endswith(_KERNEL_LAUNCHERS):
            name = ""  # the launcher's path says nothing about which notebook
    elif kind in ("LOCAL", "PROJECT") and name.endswith(".py"):
        source_type = "SCRIPT"
    elif kind in ("LOCAL", "PROJECT"):
        source_type = "LOCAL"
    else:
        source_type = "UNKNOWN"
    return RunSource(type=source_type, name=name, job_id=job_id, git_commit=commit)


def run_url(ui_url: str | None, experiment_id: str, run_id: str) -> str | None:
    """The run's page in MLflow's UI at ``ui_url`` (``None`` without one). Credentials in the URL (a tracking URI
    such as ``https://user:secret@mlflow``, which the UI's address defaults to) are left out: the link is shown."""
    if not ui_url:
        return None
    parts = urllib.parse.urlsplit(ui_url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        port = parts.netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
        netloc += f":{port}" if port else ""
        ui_url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return f"{ui_url.rstrip('/')}/#/experiments/{experiment_id}/runs/{run_id}"


@dataclass
class Series:
    """One metric's values over a run, sorted by step then time; ``values`` holds NaN where MLflow recorded NaN."""

    steps: np.ndarray
    timestamps: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.steps)


class ExperimentNames:
    """Experiment id -> name, remembered for :data:`NAME_TTL` seconds: a run's summary names its experiment without
    one more store call per run."""

    def __init__(self, backend: MlflowRegistry) -> None:
        self.backend = backend
        self._names: dict[str, tuple[str, float]] = {}

    def get(self, experiment_id: str) -> str:
        """The experiment's name ("" when it cannot be read: a summary is still worth showing)."""
        cached = self._names.get(experiment_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < NAME_TTL:
            return cached[0]
        from mlflow.exceptions import MlflowException

        try:
            with translate_errors(f"Reading experiment {experiment_id}"):
                name = str(self.backend.client.get_experiment(experiment_id).name)
        except (NotFound, MlflowException):
            name = ""
        self.remember(experiment_id, name)
        return name

    def remember(self, experiment_id: str, name: str) -> None:
        if len(self._names) > 10_000:  # a long-lived server that saw very many experiments
            self._names.clear()
        self._names[experiment_id] = (name, time.monotonic())


class MlflowRuns:
    """Runs in depth over the store of an :class:`~.mlflow_registry.MlflowRegistry`."""

    def __init__(self, backend: MlflowRegistry) -> None:
        self.backend = backend
        self.client = backend.client

    # --- runs by id -------------------------------------------------------------------------------------------

    def runs_by_id(self, run_ids: Sequence[str]) -> list[Any]:
        """MLflow's runs for ``run_ids`` in that order, deleted ones included, in one search per 100 ids (over every
        experiment); a ``NotFound`` naming the ids no run has."""
        from mlflow.entities import ViewType

        found: dict[str, Any] = {}
        with translate_errors("Reading runs"):
            experiment_ids = self._experiment_ids()
            for start in range(0, len(run_ids), IDS_PER_SEARCH):
                chunk = list(run_ids[start : start + IDS_PER_SEARCH])
                clause = f"attributes.run_id IN ({', '.join(sql_string(r) for r in chunk)})"
                page = self.client.search_runs(
                    experiment_ids, filter_string=clause, run_view_type=ViewType.ALL, max_results=len(chunk)
                )
                found.update((r.info.run_id, r) for r in page)
        missing = [r for r in run_ids if r not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise NotFound(f"No run with id {shown}")
        return [found[r] for r in run_ids]

    def _experiment_ids(self) -> list[str]:
        from mlflow.entities import ViewType

        ids: list[str] = []
        token = None
        while True:
            page = self.client.search_experiments(view_type=ViewType.ALL, max_results=1000, page_token=token)
            ids += [str(e.experiment_id) for e in page]
            token = page.token
            if not token:
                return ids

    # --- metric histories ---------------------------------------------------------------------------------------

    def metric_histories(self, run_ids: Sequence[str], keys: Sequence[str]) -> dict[tuple[str, str], Series]:
        """Every value of each key in each run, by ``(run_id, key)``; a pair that logged nothing has no entry.
        Unknown runs are not told apart from runs without the key: the caller checks when it matters."""
        with translate_errors("Reading metric histories"):
            store = self._sql_store()
            if store is not None:
                return _sql_histories(store, run_ids, keys)
            out: dict[tuple[str, str], Series] = {}
            for run_id in run_ids:
                for key in keys:
                    history = self.client.get_metric_history(run_id, key)
                    if history:
                        out[(run_id, key)] = _series([(m.step, m.timestamp, m.value, 0) for m in history])
            return out

    def check_run(self, run_id: str) -> None:
        """A ``NotFound`` unless the run exists."""
        with translate_errors(f"Reading run {run_id}"):
            self.client.get_run(run_id)

    def _sql_store(self) -> Any:
        """MLflow's database store behind the client, or ``None`` for any other kind (a tracking server)."""
        try:
            from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

            store = self.client._tracking_client.store
        except (ImportError, AttributeError):  # a future MLflow that moved them: the client's API still works
            return None
        return store if isinstance(store, SqlAlchemyStore) else None

    def model_logging_started(self, source: str) -> int | None:
        """When MLflow began logging the model a version's ``source`` names (ms since the epoch), for a model MLflow 3
        logged (``models:/m-...``): it records the model before saving its files. ``None`` for any other source or
        a model it cannot read."""
        match = re.fullmatch(r"models:/(m-[0-9a-f]+)", source or "")
        if match is None:
            return None
        try:
            with translate_errors(f"Reading logged model {match[1]}"):
                created = self.client.get_logged_model(match[1]).creation_timestamp
        except MaestroError:
            return None
        return int(created) if created else None

    # --- artifacts ----------------------------------------------------------------------------------------------

    def list_artifacts(self, run_id: str, path: str) -> list[ArtifactFile]:
        """The files and folders directly under ``path`` of the run's artifacts, folders first, then by name."""
        with translate_errors(f"Listing the artifacts of run {run_id}"):
            listed = self.client.list_artifacts(run_id, path or None)
        files = [
            ArtifactFile(path=f.path, is_dir=bool(f.is_dir), file_size=None if f.is_dir else f.file_size)
            for f in listed
        ]
        return sorted(files, key=lambda f: (not f.is_dir, f.path.lower()))

    def artifact_file(self, run_id: str, path: str) -> ArtifactFile:
        """The listing entry of one artifact file: a ``NotFound`` if there is none, an ``InvalidParameter`` for a
        folder."""
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        for entry in self.list_artifacts(run_id, parent):
            if entry.path == path:
                if entry.is_dir:
                    raise InvalidParameter(f"{path!r} is a folder of run {run_id}'s artifacts, not a file")
                return entry
        raise NotFound(f"Run {run_id} has no artifact {path!r}")

    def download_artifact(self, run_id: str, path: str, folder: str) -> Path:
        """Download one artifact file through MLflow into ``folder`` (a scratch folder of the caller's)."""
        with translate_errors(f"Downloading {path!r} of run {run_id}"):
            local = Path(self.client.download_artifacts(run_id, path, folder))
        if not local.is_file():
            raise InvalidParameter(f"{path!r} is a folder of run {run_id}'s artifacts, not a file")
        return local


def _series(rows: Sequence[tuple[Any, ...]]) -> Series:
    """A series from ``(step, timestamp, value, is_nan)`` rows in any order (converted by numpy in one pass)."""
    import numpy as np

    table = np.array(list(rows), dtype=[("step", "i8"), ("timestamp", "i8"), ("value", "f8"), ("is_nan", "i8")])
    table = table[np.lexsort((table["timestamp"], table["step"]))]
    values = np.where(table["is_nan"] != 0, np.nan, table["value"])
    return Series(table["step"], table["timestamp"], values)


def _sql_histories(store: Any, run_ids: Sequence[str], keys: Sequence[str]) -> dict[tuple[str, str], Series]:
    """One query over MLflow's metrics table (its own SQLAlchemy model, so any database it supports), the driver's
    rows read as they are: building a SQLAlchemy row (or an MLflow entity) per value costs more than the query."""
    from mlflow.store.tracking.dbmodels.models import SqlMetric
    from sqlalchemy import select

    columns = (SqlMetric.step, SqlMetric.timestamp, SqlMetric.value, SqlMetric.is_nan)
    single = len(run_ids) == 1 and len(keys) == 1
    query: Any = select(*columns) if single else select(SqlMetric.run_uuid, SqlMetric.key, *columns)
    query = query.where(SqlMetric.run_uuid.in_(list(run_ids)), SqlMetric.key.in_(list(keys)))
    with store.ManagedSessionMaker() as session:
        result = session.connection().execute(query)
        try:
            rows = result.cursor.fetchall()
        finally:
            result.close()
    if single:  # a run view's curve: no grouping to do
        return {(run_ids[0], keys[0]): _series(rows)} if rows else {}
    grouped: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault((row[0], row[1]), []).append(row[2:])
    return {pair: _series(values) for pair, values in grouped.items()}
