"""The Kubernetes backend against a real cluster: runs when ``KUBECONFIG`` points to one that answers.

Needs ``MAESTRO_JOB_IMAGE`` (an image with Python, pullable by the cluster) and ``MLFLOW_TRACKING_URI`` (a
tracking server the pods can reach); ``MAESTRO_K8S_NAMESPACE`` picks the namespace (default: the kubeconfig
context's). With ``MAESTRO_K8S_MODEL_URI`` (a model the serving image can load, e.g. ``models:/iris/1``) the
deployment test also waits for ready replicas. Everything a test creates it deletes.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from maestro_jupyter.backends.compute.base import DeploymentLaunch, JobLaunch, JobUpdate
from maestro_jupyter.entities import Deployment, Job, Resources
from maestro_jupyter.settings import Settings

pytestmark = pytest.mark.k8s

# Read at import: the suite's autouse fixture clears MLFLOW_/MAESTRO_ variables before each test runs.
KUBECONFIG = os.environ.get("KUBECONFIG")
TRACKING_URI = os.environ.get("MLFLOW_TRACKING_URI")
JOB_IMAGE = os.environ.get("MAESTRO_JOB_IMAGE")
SERVING_IMAGE = os.environ.get("MAESTRO_SERVING_IMAGE") or JOB_IMAGE
NAMESPACE = os.environ.get("MAESTRO_K8S_NAMESPACE")
MODEL_URI = os.environ.get("MAESTRO_K8S_MODEL_URI")
#: Bounds on waiting for the cluster (image pulls, scheduling): polled, never slept through.
JOB_TIMEOUT_S = 300.0
POLL_S = 2.0

T = TypeVar("T")


def _cluster_problem() -> str | None:
    """Why the suite cannot run here, or ``None``."""
    if not KUBECONFIG:
        return "KUBECONFIG is not set: no cluster to test against"
    if not JOB_IMAGE or not TRACKING_URI:
        return "set MAESTRO_JOB_IMAGE and MLFLOW_TRACKING_URI to an image and a tracking server the cluster can use"
    from maestro_jupyter.backends.compute.k8s_status import unreachable_uri

    if unreachable_uri(TRACKING_URI):
        return f"MLFLOW_TRACKING_URI={TRACKING_URI!r} is not reachable from pods"
    try:
        from kubernetes import client, config

        configuration = client.Configuration()
        config.load_kube_config(config_file=KUBECONFIG, client_configuration=configuration)
        client.VersionApi(client.ApiClient(configuration)).get_code(_request_timeout=5, _preload_content=False)
    except Exception as exc:
        return f"no cluster answers at KUBECONFIG={KUBECONFIG}: {exc}"
    return None


@pytest.fixture(scope="module")
def cluster() -> None:
    problem = _cluster_problem()
    if problem:
        pytest.skip(problem)


@pytest.fixture
def backend(cluster: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from maestro_jupyter.backends.compute.kubernetes import KubernetesCompute

    assert KUBECONFIG is not None
    monkeypatch.setenv("KUBECONFIG", KUBECONFIG)
    settings = Settings.from_env(
        {},
        home=str(tmp_path),
        tracking_uri=TRACKING_URI,
        compute="kubernetes",
        k8s_namespace=NAMESPACE,
        job_image=JOB_IMAGE,
        serving_image=SERVING_IMAGE,
        user="maestro-k8s-test",
        project="k8s-test",
    )
    return KubernetesCompute(settings)


def poll(check: Callable[[], T | None], timeout: float = JOB_TIMEOUT_S) -> T:
    """``check()`` until it returns something, within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        time.sleep(POLL_S)
    raise AssertionError(f"the cluster did not get there within {timeout:.0f} s")


def job_launch(job_id: str, code: str) -> JobLaunch:
    return JobLaunch(
        job_id=job_id,
        name="k8s test",
        user="maestro-k8s-test",
        project="k8s-test",
        kind="script",
        file_name="main.py",
        code=code.encode(),
        workdir=None,
        params={"greeting": "hi"},
        resources=Resources(cpus=0.1, memory="128Mi"),
        env={"MLFLOW_TRACKING_URI": TRACKING_URI or ""},
    )


def job_record(job_id: str) -> Job:
    return Job(
        id=job_id,
        name="k8s test",
        status="starting",
        user="maestro-k8s-test",
        project="k8s-test",
        backend="kubernetes",
        kind="script",
        source="main.py",
        created_at=time.time(),
    )


def applied(job: Job, update: JobUpdate) -> Job:
    """The record as the service would write it after ``update``."""
    changes = {k: v for k, v in vars(update).items() if v is not None}
    return job.model_copy(update=changes)


@pytest.fixture
def job_id(backend: Any) -> Iterator[str]:
    job_id = f"job-{secrets.token_hex(4)}"
    yield job_id
    from maestro_jupyter.backends.compute import k8s_objects as objects

    name = objects.job_object_name(job_id)
    handle = {"namespace": backend.namespace, "kind": "Job", "name": name, "configmap": f"{name}-code"}
    backend.cancel_job(job_record(job_id), handle)  # deletes whatever is left; gone already is fine


def test_a_job_runs_to_success_and_its_logs_are_read(backend: Any, job_id: str) -> None:
    code = "import sys\nprint('hello from maestro', *sys.argv[1:])\n"
    handle = backend.submit_job(job_launch(job_id, code))
    job = job_record(job_id)

    def finished() -> Job | None:
        nonlocal job
        update = backend.refresh_job(job, handle)
        if update is not None:
            job = applied(job, update)
        return job if not job.active else None

    done = poll(finished)
    assert done.status == "succeeded", done.reason
    assert done.exit_code == 0
    assert done.started_at is not None
    assert done.finished_at is not None
    text, end = backend.job_logs(done, handle, 0, 65536)
    assert text == "hello from maestro --greeting hi\n"
    assert backend.job_logs(done, handle, end, 65536) == ("", end)


def test_a_running_job_is_cancelled(backend: Any, job_id: str) -> None:
    code = "import time\nprint('started', flush=True)\ntime.sleep(600)\n"
    handle = backend.submit_job(job_launch(job_id, code))
    job = job_record(job_id)

    def running() -> Job | None:
        nonlocal job
        update = backend.refresh_job(job, handle)
        if update is not None:
            job = applied(job, update)
        assert job.active, job.reason
        return job if job.status == "running" else None

    poll(running)
    poll(lambda: backend.job_logs(job, handle, 0, 100)[0] or None)
    assert backend.cancel_job(job, handle).status == "cancelled"
    # The Job is gone: a record still "cancelling" reads as cancelled.
    update = backend.refresh_job(job.model_copy(update={"status": "cancelling"}), handle)
    assert update is not None
    assert update.status == "cancelled"


def test_a_deployment_is_created_scaled_and_deleted(backend: Any) -> None:
    deployment_id = f"k8s-test-{secrets.token_hex(3)}"
    launch = DeploymentLaunch(
        deployment_id=deployment_id,
        model="k8s-test",
        version="1",
        model_uri=MODEL_URI or "models:/maestro-k8s-test/1",
        replicas=1,
        user="maestro-k8s-test",
        project="k8s-test",
        resources=Resources(cpus=0.1, memory="256Mi"),
        env={"MLFLOW_TRACKING_URI": TRACKING_URI or ""},
    )
    now = time.time()
    record = Deployment(
        id=deployment_id,
        model="k8s-test",
        version="1",
        status="starting",
        user="maestro-k8s-test",
        project="k8s-test",
        backend="kubernetes",
        replicas=1,
        endpoint="",
        created_at=now,
        updated_at=now,
    )
    handle = backend.create_deployment(launch)
    try:
        update = backend.refresh_deployment(record, handle)
        assert update.url == f"http://{handle['service']}.{backend.namespace}.svc:8080"
        if MODEL_URI:  # a model the cluster can serve: its replica becomes ready
            poll(lambda: backend.refresh_deployment(record, handle).status == "ready" or None)
        backend.scale_deployment(record, handle, 2)
        scaled = backend.apps.read_namespaced_deployment(handle["name"], handle["namespace"])
        assert scaled.spec.replicas == 2
        if MODEL_URI:
            ready = record.model_copy(update={"status": "ready", "replicas": 2})
            poll(lambda: backend.refresh_deployment(ready, handle).ready_replicas == 2 or None)
    finally:
        backend.delete_deployment(record, handle)
    gone = backend.refresh_deployment(record, handle)
    assert gone.status == "failed"
    assert "no longer exists" in gone.reason
