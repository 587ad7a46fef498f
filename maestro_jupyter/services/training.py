"""Training jobs: take a checked submission (:mod:`maestro_jupyter.contract.training`), open its MLflow run,
record it in the Maestro DB and start it on the compute backend; then report its state, output and outcome, and
cancel it.

Every check runs before anything starts (the request model's, then the budget's and the backend's): a negative
resource or a bad name is a 4xx and leaves no record, no run and no process behind. A job's record is written before
the backend is asked to start it, so a crash in between shows as a failed job rather than vanishing.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, NamedTuple

from .. import naming
from ..contract.training import CancelJob, GetJob, GetJobLogs, ListJobs, SubmitJob
from ..entities import JOB_ACTIVE, JOB_FINAL, Job, JobList, JobLogs, Resources
from ..errors import Conflict, InvalidParameter, MaestroError, PermissionDenied, first_line
from ..settings import Settings

if TYPE_CHECKING:
    from ..backends.compute.base import ComputeBackend, Handle, JobUpdate
    from ..backends.feast_store import FeastBackend
    from ..backends.mlflow_auth import MlflowAuthAdmin
    from ..backends.mlflow_registry import MlflowRegistry
    from ..backends.store import MaestroStore
    from ..contract.base import Actor
    from .costs import CostService

DEFAULT_EXPERIMENT = "maestro-training"


class _Code(NamedTuple):
    kind: str
    file_name: str
    data: bytes
    #: The folder it came from (where the local backend runs it; ``None``: the job's own folder).
    workdir: str | None
    #: What the job shows as its source.
    shown: str
    #: The file it was read from, when it is still there as sent (``None`` for a cell).
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
        mlflow_admin: Callable[[], MlflowAuthAdmin | None] = lambda: None,
        feast: Callable[[], FeastBackend] | None = None,
    ) -> None:
        self.settings = settings
        self._store, self._compute, self._mlflow, self._costs = store, compute, mlflow, costs
        self._mlflow_admin = mlflow_admin
        self._feast = feast

    @property
    def store(self) -> MaestroStore:
        return self._store()

    # --- submit --------------------------------------------------------------------------------------------------

    def submit(self, request: SubmitJob, actor: Actor) -> Job:
        """Start the request's code (a script's or notebook's content, or a cell) as a job inside a new MLflow run of
        its experiment, for ``actor``, charged to the request's project if it is one of theirs (else their default
        project)."""
        from ..backends.compute.base import JobLaunch

        project = actor.project_for(request.project)  # first: another's project is refused before anything is read
        if request.source is None:
            # The code travels in the request: a script path is read by whoever sees the file (the SDK in the
            # kernel, the REST API under the Jupyter root), never by the service.
            raise InvalidParameter("Send the script's content as source (with its file_name), not its path")
        code = _code(request)
        checked_params = {key: str(value) for key, value in request.params.items()}
        resources = Resources(cpus=request.cpus, memory=request.memory, gpus=request.gpus, workers=request.workers)
        job_name = request.name or naming.dns_safe(PurePath(code.file_name).stem, 50, "job")
        user = actor.user
        # On a team, a job runs with its member's own MLflow account (the service's admin credentials reach no
        # member code): its run goes to an experiment of theirs, by default the one their notebooks log to.
        experiment_name = request.experiment or (user if self.settings.team else DEFAULT_EXPERIMENT)
        if request.mlflow_username not in (None, user):
            raise PermissionDenied(
                f"A job of {user}'s runs with their own MLflow account, not {request.mlflow_username!r}'s"
            )
        # A feature service the store does not have is a NotFound here, before anything exists.
        features = self._feature_tags(request.features) if request.features is not None else {}
        compute = self._compute()
        compute.check_job(resources)  # GPUs or workers the backend cannot give: refused before the record and run
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
            **features,
        }
        admin = self._mlflow_admin()
        if admin is not None:
            admin.member_experiment(experiment_name, user)  # theirs to log to, or a 403 before anything starts
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
            env={
                **request.env,
                **self._run_env(experiment_id, run_id, job_id, user, project),
                **self._feature_env(request.features),
                **_account(request),
            },
            code_path=self._code_path(code.path) if self.settings.k8s_code_pvc and code.path else None,
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
        return self._get(job_id).model_copy(update={"estimate": estimate})

    def _feature_tags(self, service: str) -> dict[str, str]:
        """The run tags that record the feature service a job trains on (its views, the store's registry version and
        project); ``NotFound`` naming the services there are when the store has no such service."""
        from ..entities.feature_lineage import feature_use_tags

        if self._feast is None:
            raise InvalidParameter("This Maestro has no feature store to train from")
        feast = self._feast()
        resolved = feast.resolve(None, service)
        return feature_use_tags(
            service=resolved.service or service,
            views=list(resolved.views),
            registry_version=feast.registry_version() or None,
            project=feast.project or None,
        )

    def _feature_env(self, service: str | None) -> dict[str, str]:
        """What a job that trains on a feature service is told: the service (``ml.features.training_set(entity_df)``
        uses it by default) and, on one person's Maestro, where the store's repo is."""
        if service is None:
            return {}
        env = {"MAESTRO_FEATURE_SERVICE": service}
        if not self.settings.team:
            env["MAESTRO_FEAST_REPO"] = str(self.settings.feast_repo)
        return env

    def _code_path(self, path: Path) -> str:
        """Where a script is on the users' volume as a job pod mounts it (MAESTRO_K8S_CODE_PVC)."""
        base = Path.home()
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

    def get(self, request: GetJob, actor: Actor) -> Job:
        """The job as it is now (an active job's state is checked with the backend first)."""
        return self._get(request.job_id)

    def _get(self, job_id: str) -> Job:
        job, handle = self.store.get_job(job_id)
        return self._refreshed(job, handle)

    def list(self, request: ListJobs, actor: Actor) -> JobList:
        """Jobs, newest first; ``status`` filters (``active`` and ``finished`` stand for their groups)."""
        rows = self.store.list_jobs(
            user=request.user, project=request.project, statuses=request.status, limit=request.limit
        )
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
        if update.status in JOB_FINAL and job.run_id:
            # The run says how the job ended, as its supervisor's own outcome does (none recorded this one).
            with contextlib.suppress(MaestroError):
                self._mlflow().set_run_tags(job.run_id, {"maestro.job.status": update.status})
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

    def logs(self, request: GetJobLogs, actor: Actor) -> JobLogs:
        """Output from byte ``offset`` (or the last ``tail`` bytes); ``complete`` once the job is over and all read."""
        job, handle = self.store.get_job(request.job_id)
        job = self._refreshed(job, handle)
        offset, limit = request.offset, request.limit
        if request.tail is not None:
            offset, limit = -request.tail, request.tail  # the backend counts a negative offset from the end
        text, next_offset = self._compute().job_logs(job, handle, offset, limit)
        size = len(text.encode())
        complete = not job.active and size < limit
        return JobLogs(job_id=job.id, offset=next_offset - size, next_offset=next_offset, text=text, complete=complete)

    # --- cancel --------------------------------------------------------------------------------------------------

    def cancel(self, request: CancelJob, actor: Actor) -> Job:
        """Stop a job and everything it started. Only its owner may (the server's own user on a hub is its owner)."""
        job, handle = self.store.get_job(request.job_id)
        user = actor.user
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


def _code(request: SubmitJob) -> _Code:
    """What to run: the request's code, with its kind, file name and the folder it came from."""
    assert request.source is not None
    data = request.source.encode()
    workdir = request.workdir if request.workdir and Path(request.workdir).is_dir() else None
    if request.file_name is None:
        return _Code("cell", "cell.py", data, workdir or str(Path.cwd()), "%%maestro train cell")
    file_name = naming.file_safe(PurePath(request.file_name).name)
    path = Path(workdir, PurePath(request.file_name).name) if workdir else None
    # The file is run in place (from a mounted volume) only when it is exactly the code sent.
    with contextlib.suppress(OSError):
        path = path if path is not None and path.is_file() and path.read_bytes() == data else None
    return _Code(request.kind, file_name, data, workdir, request.file_name, path)


def _past(status: str) -> str:
    return {"lost": "been lost"}.get(status, status)


def _account(request: SubmitJob) -> dict[str, str]:
    """The job's MLflow account, when its member's client sent theirs (on a team)."""
    if not request.mlflow_username or not request.mlflow_password:
        return {}
    return {"MLFLOW_TRACKING_USERNAME": request.mlflow_username, "MLFLOW_TRACKING_PASSWORD": request.mlflow_password}
