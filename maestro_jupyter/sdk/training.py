"""Training jobs: ``ml.training``.

>>> job = ml.training.submit(script="train.py", params={"alpha": 0.5}, cpus=2, memory="4Gi")
>>> for text in job.logs(follow=True): print(text, end="")
>>> job.wait().status
'succeeded'
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract.sources import resolve_path
from ..contract.training import CancelJob, GetJob, GetJobLogs, ListJobs, SubmitJob, script_fields
from ..entities import Job, JobList

if TYPE_CHECKING:
    from .transport import Transport


class TrainingJob:
    """A submitted job: its latest known state (``.status``, ``.run_id``, ...) and what you can do with it."""

    def __init__(self, transport: Transport, job: Job) -> None:
        self._transport = transport
        self.job = job

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["job"], name)

    def refresh(self) -> TrainingJob:
        """Read the job's state again."""
        self.job = self._transport.call(GetJob(job_id=self.job.id))
        return self

    def wait(self, timeout: float | None = None, poll: float = 0.5) -> TrainingJob:
        """Block until the job is over (or ``timeout`` seconds pass); returns itself, refreshed. Shows progress
        (the job's status and time so far) after a second."""
        from .progress import Progress

        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.05
        with Progress(f"Waiting for {self.job.id} ({self.job.name})") as progress:
            while True:
                self.refresh()
                progress.update(note=self.job.status)
                if not self.job.active or (deadline is not None and time.monotonic() >= deadline):
                    return self
                time.sleep(delay)
                delay = min(delay * 2, poll)

    def logs(self, follow: bool = False) -> str | Iterator[str]:
        """The output so far; with ``follow=True`` an iterator of output chunks as they come, until the job ends."""
        if follow:
            return self._follow()
        chunks, offset = [], 0
        while True:
            chunk = self._transport.call(GetJobLogs(job_id=self.job.id, offset=offset))
            chunks.append(chunk.text)
            if not chunk.text:
                return "".join(chunks)
            offset = chunk.next_offset

    def _follow(self) -> Iterator[str]:
        for chunk in self._transport.follow_logs(self.job.id):
            if chunk.text:
                yield chunk.text

    def cancel(self) -> TrainingJob:
        """Stop the job and everything it started."""
        self.job = self._transport.call(CancelJob(job_id=self.job.id))
        return self

    def _repr_html_(self) -> str:
        return self.job._repr_html_()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.job._repr_mimebundle_(include, exclude)

    def __repr__(self) -> str:
        return f"TrainingJob(id={self.job.id!r}, name={self.job.name!r}, status={self.job.status!r})"


class TrainingAPI:
    """Training jobs: ``ml.training``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

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
        project: str | None = None,
        features: str | None = None,
    ) -> TrainingJob:
        """Run ``script`` (``.py`` or ``.ipynb``) or ``source`` (Python code) as a job on the compute backend.

        The job runs inside a new MLflow run of ``experiment`` (``mlflow.start_run()`` in the script resumes it);
        ``params`` reach the script as ``--name value`` options (a notebook gets them as variables) and are logged
        as the run's params. ``cpus``, ``memory`` (``"4Gi"``), ``gpus`` and ``workers`` (more than one: a
        distributed run, on Kubernetes) are requests for the backend. ``project`` is the project it is charged to,
        one of yours (default: your default project; on a laptop, ``MAESTRO_PROJECT``).

        ``features`` names a feature service of the feature store to train on (``"churn_v1"``): an unknown one is
        refused before the job starts; the job's run records the service, its feature views and the store's registry
        version, and inside the job ``ml.features.training_set(entity_df)`` builds the training set from it.

        The script is read here, in the kernel, and its code sent; on the local backend it runs in its own folder
        (a cell in the kernel's working folder), so that sibling modules and relative paths work."""
        code: dict[str, Any]
        if script is not None and source is None:
            code = script_fields(resolve_path(script, None), str(script))
        elif script is None and source is not None:
            code = {"source": source, "workdir": str(Path.cwd())}
        else:
            code = {"script": None if script is None else str(script), "source": source}  # refused: both or none
        request = SubmitJob.build(
            **code,
            params=dict(params) if params is not None else {},
            name=name,
            experiment=experiment,
            cpus=cpus,
            memory=memory,
            gpus=gpus,
            workers=workers,
            env=dict(env) if env is not None else {},
            project=project,
            features=features,
        )
        return TrainingJob(self._transport, self._transport.call(request))

    def get(self, job_id: str) -> TrainingJob:
        """A job by id."""
        return TrainingJob(self._transport, self._transport.call(GetJob.build(job_id=job_id)))

    def list(self, *, status: str | None = None, user: str | None = None, limit: int = 100) -> JobList:
        """Jobs, newest first; ``status`` is a status, a comma-separated list, ``active`` or ``finished``."""
        result: JobList = self._transport.call(ListJobs.build(status=status, user=user, limit=limit))
        return result

    def logs(self, job_id: str, follow: bool = False) -> str | Iterator[str]:
        """A job's output (see :meth:`TrainingJob.logs`)."""
        return self.get(job_id).logs(follow=follow)

    def cancel(self, job_id: str) -> TrainingJob:
        """Cancel a job."""
        return self.get(job_id).cancel()
