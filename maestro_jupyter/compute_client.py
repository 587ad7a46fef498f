"""The SDK's training and deployment faces: ``ml.training`` and ``ml.deployments``.

>>> job = ml.training.submit(script="train.py", params={"alpha": 0.5}, cpus=2, memory="4Gi")
>>> for text in job.logs(follow=True): print(text, end="")
>>> job.wait().status
'succeeded'
>>> dep = ml.deployments.create("churn", alias="champion", replicas=2, wait=True)
>>> dep.predict(df).predictions
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .entities import Deployment, DeploymentList, Job, JobList, Prediction

if TYPE_CHECKING:
    from .services import Services


class TrainingJob:
    """A submitted job: its latest known state (``.status``, ``.run_id``, ...) and what you can do with it."""

    def __init__(self, services: Services, job: Job) -> None:
        self._services = services
        self.job = job

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["job"], name)

    def refresh(self) -> TrainingJob:
        """Read the job's state again."""
        self.job = self._services.training.get(self.job.id)
        return self

    def wait(self, timeout: float | None = None) -> TrainingJob:
        """Block until the job is over (or ``timeout`` seconds pass); returns itself, refreshed."""
        self.job = self._services.training.wait(self.job.id, timeout=timeout)
        return self

    def logs(self, follow: bool = False) -> str | Iterator[str]:
        """The output so far; with ``follow=True`` an iterator of output chunks as they come, until the job ends."""
        if follow:
            return self._services.training.follow(self.job.id)
        chunks, offset = [], 0
        while True:
            chunk = self._services.training.logs(self.job.id, offset=offset)
            chunks.append(chunk.text)
            if not chunk.text:
                return "".join(chunks)
            offset = chunk.next_offset

    def cancel(self) -> TrainingJob:
        """Stop the job and everything it started."""
        self.job = self._services.training.cancel(self.job.id)
        return self

    def _repr_html_(self) -> str:
        return self.job._repr_html_()

    def __repr__(self) -> str:
        return f"TrainingJob(id={self.job.id!r}, name={self.job.name!r}, status={self.job.status!r})"


class TrainingAPI:
    """Training jobs: ``ml.training``."""

    def __init__(self, services: Services) -> None:
        self._services = services

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
    ) -> TrainingJob:
        """Run ``script`` (``.py`` or ``.ipynb``) or ``source`` (Python code) as a job on the compute backend.

        The job runs inside a new MLflow run of ``experiment`` (``mlflow.start_run()`` in the script resumes it);
        ``params`` reach the script as ``--name value`` options (a notebook gets them as variables) and are logged
        as the run's params. ``cpus``, ``memory`` (``"4Gi"``), ``gpus`` and ``workers`` (more than one: a
        distributed run, on Kubernetes) are requests for the backend."""
        job = self._services.training.submit(
            script,
            source=source,
            params=params,
            name=name,
            experiment=experiment,
            cpus=cpus,
            memory=memory,
            gpus=gpus,
            workers=workers,
            env=env,
        )
        return TrainingJob(self._services, job)

    def get(self, job_id: str) -> TrainingJob:
        """A job by id."""
        return TrainingJob(self._services, self._services.training.get(job_id))

    def list(self, *, status: str | None = None, user: str | None = None, limit: int = 100) -> JobList:
        """Jobs, newest first; ``status`` is a status, a comma-separated list, ``active`` or ``finished``."""
        return self._services.training.list(status=status, user=user, limit=limit)

    def logs(self, job_id: str, follow: bool = False) -> str | Iterator[str]:
        """A job's output (see :meth:`TrainingJob.logs`)."""
        return self.get(job_id).logs(follow=follow)

    def cancel(self, job_id: str) -> TrainingJob:
        """Cancel a job."""
        return self.get(job_id).cancel()


class ModelDeployment:
    """A deployment: its latest known state and what you can do with it."""

    def __init__(self, services: Services, deployment: Deployment) -> None:
        self._services = services
        self.deployment = deployment

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["deployment"], name)

    def refresh(self) -> ModelDeployment:
        self.deployment = self._services.deployments.get(self.deployment.id)
        return self

    def wait(self, timeout: float = 120.0) -> ModelDeployment:
        """Block until ready (or failed, or ``timeout`` seconds pass)."""
        self.deployment = self._services.deployments.wait(self.deployment.id, timeout=timeout)
        return self

    def predict(self, data: Any, params: Mapping[str, Any] | None = None) -> Prediction:
        """Predictions for ``data``: a pandas DataFrame, a CSV/Parquet file, a list of records (dicts), or an MLflow
        scoring request."""
        if isinstance(data, str | Path):
            data, _ = self._services.data.load(data)
        return self._services.deployments.predict(self.deployment.id, scoring_request(data, params))

    def scale(self, replicas: int) -> ModelDeployment:
        """Run ``replicas`` replicas."""
        self.deployment = self._services.deployments.scale(self.deployment.id, replicas)
        return self

    def update(
        self, *, version: int | str | None = None, alias: str | None = None, override_reason: str | None = None
    ) -> ModelDeployment:
        """Roll over to another version of the model (the old one serves until the new one is ready)."""
        self.deployment = self._services.deployments.update(
            self.deployment.id, version=version, alias=alias, override_reason=override_reason
        )
        return self

    def delete(self) -> ModelDeployment:
        """Stop serving."""
        self.deployment = self._services.deployments.delete(self.deployment.id)
        return self

    def _repr_html_(self) -> str:
        return self.deployment._repr_html_()

    def __repr__(self) -> str:
        d = self.deployment
        return f"ModelDeployment(id={d.id!r}, model={d.model!r}, version={d.version!r}, status={d.status!r})"


class DeploymentsAPI:
    """Model deployments: ``ml.deployments``."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def create(
        self,
        model: str,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        name: str | None = None,
        replicas: int = 1,
        cpus: float | None = None,
        memory: str | None = None,
        gpus: int = 0,
        override_reason: str | None = None,
        wait: bool = True,
        timeout: float = 120.0,
    ) -> ModelDeployment:
        """Serve ``model`` at ``version`` (or the one ``alias`` names; default the newest) with ``replicas``
        replicas. The version must have passing tests (the promotion gate) unless ``override_reason`` says why not.
        By default waits until it answers (``wait=False`` returns while it starts)."""
        deployment = self._services.deployments.create(
            model,
            version=version,
            alias=alias,
            name=name,
            replicas=replicas,
            cpus=cpus,
            memory=memory,
            gpus=gpus,
            override_reason=override_reason,
            wait=wait,
            timeout=timeout,
        )
        return ModelDeployment(self._services, deployment)

    def get(self, deployment_id: str) -> ModelDeployment:
        return ModelDeployment(self._services, self._services.deployments.get(deployment_id))

    def list(self, *, include_stopped: bool = False) -> DeploymentList:
        """Active deployments (all with ``include_stopped``), newest first."""
        return self._services.deployments.list(include_stopped=include_stopped)

    def predict(self, deployment_id: str, data: Any, params: Mapping[str, Any] | None = None) -> Prediction:
        """Predictions from a deployment (see :meth:`ModelDeployment.predict`)."""
        return self.get(deployment_id).predict(data, params)

    def delete(self, deployment_id: str) -> ModelDeployment:
        return self.get(deployment_id).delete()


def scoring_request(data: Any, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """MLflow's scoring JSON for a DataFrame (``dataframe_split``), a list of records, or a request as it is."""
    import json

    from .errors import InvalidParameter

    if isinstance(data, dict):
        request = dict(data)
    elif isinstance(data, list):
        request = {"dataframe_records": data}
    elif hasattr(data, "to_json") and hasattr(data, "columns"):
        # pandas writes numpy scalars, NaN and timestamps as JSON the scoring server reads back.
        request = {"dataframe_split": json.loads(data.to_json(orient="split", index=False, date_format="iso"))}
    else:
        raise InvalidParameter("predict takes a pandas DataFrame, a list of records or an MLflow scoring request")
    if params:
        request["params"] = dict(params)
    return request
