"""Training jobs: validate a submission, open its MLflow run, record it in the Maestro DB and start it on the
compute backend; then report its state, output and outcome, and cancel it.

Every check runs before anything starts: an unknown script, a negative resource or a bad name is a 4xx and leaves
no record, no run and no process behind. A job's record is written before the backend is asked to start it, so a
crash in between shows as a failed job rather than vanishing.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..entities import JOB_ACTIVE, JOB_FINAL, Job, JobList, JobLogs
from ..errors import Conflict, InvalidParameter, MaestroError, PermissionDenied, first_line
from ..settings import Settings
from . import validation as v
from .data import resolve_path

if TYPE_CHECKING:
    from ..backends.compute.base import ComputeBackend, Handle, JobUpdate
    from ..backends.mlflow_registry import MlflowRegistry
    from ..backends.store import MaestroStore
    from .costs import CostService

#: A ConfigMap holds at most 1 MiB; the same bound everywhere keeps a job portable between backends.
MAX_CODE_BYTES = 1_000_000
MAX_LOG_CHUNK = 1_000_000
DEFAULT_EXPERIMENT = "maestro-training"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
#: What Maestro sets in a job's environment and a user may not replace.
_RESERVED_ENV = ("MLFLOW_", "MAESTRO_", "_MLFLOW_")
JOB_KINDS = {".py": "script", ".ipynb": "notebook"}


class _Code(NamedTuple):
    kind: str
    file_name: str
    data: bytes
    #: The folder it came from (where the local backend runs it).
    workdir: str
    #: What the job shows as its source.
    shown: str
    #: The file it was read from (``None`` for a cell).
    path: Path | None = None


class TrainingService:
    """Submit, list, describe, follow and cancel training jobs."""

    def __init__(
        self,
        settings: Settings,
        store: Callable[[], MaestroStore],
        compute: Callable[[], ComputeBackend],
        mlflow: Callable[[], MlflowRegistry],
        costs: Callable[[], CostService],
    ) -> None:
        self.settings = settings
        self._store, self._compute, self._mlflow, self._costs = store, compute, mlflow, costs

    @property
    def store(self) -> MaestroStore:
        return self._store()

    # --- submit --------------------------------------------------------------------------------------------------

    def submit(
        self,
        script: str | Path | None = None,
        *,
        source: str | None = None,
        params: Mapping[str, Any] | None = None,
        name: str | None = None,
        experiment: str | None = None,
        cpus: float | None = None,
        memory: str | None = None,
        gpus: int = 0,
        workers: int = 1,
        env: Mapping[str, str] | None = None,
        user: str | None = None,
        project: str | None = None,
        root: str | Path | None = None,
    ) -> Job:
        """Start ``script`` (a ``.py`` or ``.ipynb`` file; relative to ``root`` when given) or ``source`` (Python
        code, e.g. a ``%%maestro train`` cell) as a job inside a new MLflow run of ``experiment``."""
        from ..backends.compute.base import JobLaunch

        code = self._code(script, source, root)
        checked_params = v.job_params(dict(params) if params is not None else None)
        resources = v.resources(cpus, memory, gpus, workers)
        extra_env = _user_env(env)
        job_name = v.dns_safe(Path(code.file_name).stem, 50, "job") if name is None else v.dns_label(name, "job name")
        experiment_name = v.name(experiment, "experiment name") if experiment else DEFAULT_EXPERIMENT
        user = user or self.settings.user
        project = project or self.settings.project
        compute = self._compute()
        # The pre-flight estimate; over a hard budget limit the job is refused here, before anything exists.
        estimate = self._costs().estimate("job", resources, name=job_name, user=user, project=project)
        self._costs().enforce(estimate)

        job_id = f"job-{secrets.token_hex(4)}"
        tags = {
            "mlflow.user": user,
            "mlflow.source.name": code.shown,
            "mlflow.source.type": "JOB",
            "maestro.job.id": job_id,
            "maestro.project": project,
        }
        experiment_id, run_id = self._mlflow().create_job_run(experiment_name, job_name, tags, checked_params)
        job = Job(
            id=job_id,
            name=job_name,
            status="queued",
            user=user,
            project=project,
            backend=compute.name,
            kind=code.kind,
            source=code.shown,
            params=checked_params,
            resources=resources,
            experiment=experiment_name,
            experiment_id=experiment_id,
            run_id=run_id,
            created_at=time.time(),
        )
        self.store.insert_job(job, {})
        launch = JobLaunch(
            job_id=job_id,
            name=job_name,
            user=user,
            project=project,
            kind=code.kind,
            file_name=code.file_name,
            code=code.data,
            workdir=code.workdir,
            params=checked_params,
            resources=resources,
            env={**extra_env, **self._run_env(experiment_id, run_id, job_id, user, project)},
            code_path=self._code_path(code.path, root) if self.settings.k8s_code_pvc and code.path else None,
        )
        try:
            handle = compute.submit_job(launch)
        except Exception as exc:
            reason = exc.message if isinstance(exc, MaestroError) else f"could not start: {first_line(exc)}"
            self.store.update_job(job_id, status="failed", reason=reason, finished_at=time.time())
            self._mlflow().end_run(run_id, "FAILED")
            raise
        # The supervisor may already have recorded "running" (with a fuller handle): never step back from it.
        self.store.update_job(job_id, only_if=("queued",), status="starting", handle=handle)
        return self.get(job_id).model_copy(update={"estimate": estimate})

    def _code(self, script: str | Path | None, source: str | None, root: str | Path | None) -> _Code:
        """What to run, read and checked."""
        if (script is None) == (source is None):
            raise InvalidParameter("Give a script (a .py or .ipynb file) or the source code to run, not both")
        if source is not None:
            if not isinstance(source, str) or not source.strip():
                raise InvalidParameter("The code to run is empty")
            data = source.encode()
            _check_size(data, "The cell")
            try:
                compile(source, "<cell>", "exec")
            except SyntaxError as exc:
                raise InvalidParameter(f"The cell is not valid Python: line {exc.lineno}: {exc.msg}") from None
            workdir = str(Path(root).resolve()) if root is not None else str(Path.cwd())
            return _Code("cell", "cell.py", data, workdir, "%%maestro train cell")
        path = resolve_path(script, root)  # type: ignore[arg-type]
        kind = JOB_KINDS.get(path.suffix.lower())
        if kind is None:
            raise InvalidParameter(f"{script}: a job runs a Python script (.py) or a notebook (.ipynb)")
        data = path.read_bytes()
        _check_size(data, str(script))
        shown = str(path.relative_to(Path(root).resolve())) if root is not None else str(path)
        return _Code(kind, v.file_safe(path.name), data, str(path.parent), shown, path)

    def _code_path(self, path: Path, root: str | Path | None) -> str:
        """Where a script is on the users' volume as a job pod mounts it (MAESTRO_K8S_CODE_PVC)."""
        base = Path(root).resolve() if root is not None else Path.home()
        relative = path.relative_to(base) if path.is_relative_to(base) else Path(path.name)
        return str(Path(self.settings.k8s_code_mount) / relative)

    def _run_env(self, experiment_id: str, run_id: str, job_id: str, user: str, project: str) -> dict[str, str]:
        env = {
            "MLFLOW_TRACKING_URI": self.settings.tracking_uri,
            "MLFLOW_EXPERIMENT_ID": experiment_id,
            "MLFLOW_RUN_ID": run_id,
            "MAESTRO_JOB_ID": job_id,
            "MAESTRO_USER": user,
            "MAESTRO_PROJECT": project,
        }
        if self.settings.registry_uri != self.settings.tracking_uri:
            env["MLFLOW_REGISTRY_URI"] = self.settings.registry_uri
        if self.settings.embedded_tracking:
            # New experiments the script creates keep their artifacts in Maestro's store, not ./mlruns.
            env["_MLFLOW_SERVER_ARTIFACT_ROOT"] = self.settings.artifact_root
            env["MAESTRO_HOME"] = str(self.settings.home)
        return env

    # --- read ----------------------------------------------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        """The job as it is now (an active job's state is checked with the backend first)."""
        job, handle = self.store.get_job(_job_id(job_id))
        return self._refreshed(job, handle)

    def list(
        self,
        *,
        user: str | None = None,
        project: str | None = None,
        status: str | list[str] | None = None,
        limit: int = 100,
    ) -> JobList:
        """Jobs, newest first; ``status`` filters (``active`` and ``finished`` stand for their groups)."""
        statuses = _statuses(status)
        size = v.page_size(limit)
        rows = self.store.list_jobs(user=user, project=project, statuses=statuses, limit=size)
        return JobList(jobs=[self._refreshed(job, handle) for job, handle in rows])

    def _refreshed(self, job: Job, handle: Handle) -> Job:
        if not job.active:
            # A job whose supervisor recorded its end is settled by whoever reads it first.
            return job if job.cost is not None else self._closed(job.id)
        try:
            update = self._compute().refresh_job(job, handle)
        except MaestroError:
            return job  # the backend is unreachable: show what we know
        if update is None:
            return job
        self._apply(job.id, update)
        return self._closed(job.id)

    def _apply(self, job_id: str, update: JobUpdate) -> None:
        values = {k: val for k, val in vars(update).items() if val is not None}
        self.store.update_job(job_id, only_if=JOB_ACTIVE, **values)

    def _closed(self, job_id: str) -> Job:
        """The job as recorded; a job found over has its MLflow run closed too (a local supervisor closes its own,
        but not when it is the one that vanished; Kubernetes closes none)."""
        job, handle = self.store.get_job(job_id)
        if job.status in JOB_FINAL and job.run_id:
            status = {"succeeded": "FINISHED", "cancelled": "KILLED"}.get(job.status, "FAILED")
            # The job's own record is what counts; the tracking server may be down.
            with contextlib.suppress(MaestroError):
                self._mlflow().end_run(job.run_id, status)
        if job.status in JOB_FINAL and job.cost is None:
            # Whoever sees a job over puts its usage in the ledger (once: the ledger refuses a second copy).
            with contextlib.suppress(MaestroError):
                self._costs().settle_job(job, handle)
                job, _ = self.store.get_job(job_id)
        return job

    def logs(self, job_id: str, *, offset: int = 0, limit: int = 65536, tail: int | None = None) -> JobLogs:
        """Output from byte ``offset`` (or the last ``tail`` bytes); ``complete`` once the job is over and all read."""
        job, handle = self.store.get_job(_job_id(job_id))
        job = self._refreshed(job, handle)
        limit = min(max(int(limit), 1), MAX_LOG_CHUNK)
        if offset < 0:
            raise InvalidParameter("offset must be 0 or more (use tail for the end of the log)")
        if tail is not None:
            if not 0 < tail <= MAX_LOG_CHUNK:
                raise InvalidParameter(f"tail must be from 1 to {MAX_LOG_CHUNK} bytes")
            offset, limit = -tail, tail  # the backend counts a negative offset from the end
        text, next_offset = self._compute().job_logs(job, handle, offset, limit)
        size = len(text.encode())
        complete = not job.active and size < limit
        return JobLogs(job_id=job.id, offset=next_offset - size, next_offset=next_offset, text=text, complete=complete)

    def follow(self, job_id: str, *, poll: float = 0.5, offset: int = 0) -> Iterator[str]:
        """The job's output as it is written, until the job is over."""
        while True:
            chunk = self.logs(job_id, offset=offset)
            if chunk.text:
                yield chunk.text
            offset = chunk.next_offset
            if chunk.complete:
                return
            if not chunk.text:
                time.sleep(poll)

    def wait(self, job_id: str, *, timeout: float | None = None, poll: float = 0.5) -> Job:
        """Block until the job is over (or ``timeout`` seconds pass: then the job as it is)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.05
        while True:
            job = self.get(job_id)
            if not job.active or (deadline is not None and time.monotonic() >= deadline):
                return job
            time.sleep(delay)
            delay = min(delay * 2, poll)

    # --- cancel --------------------------------------------------------------------------------------------------

    def cancel(self, job_id: str, *, user: str | None = None) -> Job:
        """Stop a job and everything it started. Only its owner may (the server's own user on a hub is its owner)."""
        job, handle = self.store.get_job(_job_id(job_id))
        user = user or self.settings.user
        if job.user != user:
            raise PermissionDenied(f"Job {job.id} belongs to {job.user}; only they can cancel it")
        if not job.active:
            raise Conflict(f"Job {job.id} has already {_past(job.status)}")
        self.store.update_job(job.id, only_if=JOB_ACTIVE, status="cancelling", reason=f"cancelled by {user}")
        self._apply(job.id, self._compute().cancel_job(job, handle))  # a no-op where the supervisor recorded it
        return self._closed(job.id)

    def reconcile(self) -> int:
        """Check every active job with its backend (at server start: re-attach, or mark lost); returns how many."""
        rows = self.store.list_jobs(statuses=JOB_ACTIVE, limit=1000)
        for job, handle in rows:
            self._refreshed(job, handle)
        return len(rows)


def _job_id(value: str) -> str:
    if not isinstance(value, str) or not re.match(r"^job-[0-9a-f]{1,32}$", value):
        raise InvalidParameter(f"Invalid job id {value!r}: ids look like job-1a2b3c4d")
    return value


def _check_size(data: bytes, what: str) -> None:
    if len(data) > MAX_CODE_BYTES:
        raise InvalidParameter(
            f"{what} is {len(data):,} bytes; a job's code may be at most {MAX_CODE_BYTES:,} (keep data out of it)"
        )


def _user_env(env: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (env or {}).items():
        if not isinstance(key, str) or not _ENV_NAME.match(key):
            raise InvalidParameter(f"Invalid environment variable name {key!r}")
        if key.startswith(_RESERVED_ENV):
            raise InvalidParameter(f"{key} is set by Maestro for the job's MLflow run; it cannot be replaced")
        if not isinstance(value, str) or "\x00" in value:
            raise InvalidParameter(f"Environment variable {key} must be a string")
        out[key] = value
    return out


def _statuses(status: str | list[str] | None) -> list[str] | None:
    if status is None or status == [] or status == "all":
        return None
    names = status.split(",") if isinstance(status, str) else list(status)
    out: list[str] = []
    for item in (n.strip() for n in names):
        if item == "active":
            out += JOB_ACTIVE
        elif item == "finished":
            out += JOB_FINAL
        elif item in JOB_ACTIVE or item in JOB_FINAL:
            out.append(item)
        else:
            known = ", ".join(("active", "finished", *JOB_ACTIVE, *JOB_FINAL))
            raise InvalidParameter(f"Unknown job status {item!r}; use one of {known}")
    return out


def _past(status: str) -> str:
    return {"lost": "been lost"}.get(status, status)
