"""The Kubernetes backend through the official ``kubernetes`` client, against the in-test API server.

The tests play the controllers (Job, Deployment, kubelet) with the server's helpers and check what the backend
sends and what it makes of what comes back.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from maestro_jupyter.backends.compute import k8s_objects as objects
from maestro_jupyter.backends.compute.base import DeploymentLaunch, JobLaunch
from maestro_jupyter.backends.compute.kubernetes import KubernetesCompute
from maestro_jupyter.entities import Deployment, Job, Resources
from maestro_jupyter.errors import BackendUnavailable, Conflict, InvalidParameter, NotFound, PermissionDenied
from maestro_jupyter.settings import Settings
from tests.kube_api_server import KubeApiServer

NS = "team-a"
JOB_ID = "job-1a2b3c4d"
JOB = "maestro-job-1a2b3c4d"
TOKEN = "test-token"
RUN_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def kube() -> Iterator[KubeApiServer]:
    server = KubeApiServer().start()
    yield server
    server.stop()


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "home": str(tmp_path),
        "tracking_uri": "http://mlflow.example:5000",
        "compute": "kubernetes",
        "k8s_namespace": NS,
        "user": "alice",
        "project": "vision",
        "job_image": "registry.example/maestro-job:1",
        "serving_image": "registry.example/maestro-serve:1",
        **overrides,
    }
    return Settings.from_env({}, **values)


def api_client(url: str) -> Any:
    configuration = kubernetes.client.Configuration(host=url)
    # "BearerToken" since client v36, "authorization" before.
    configuration.api_key = {"BearerToken": TOKEN, "authorization": TOKEN}
    configuration.api_key_prefix = {"BearerToken": "Bearer", "authorization": "Bearer"}
    return kubernetes.client.ApiClient(configuration)


@pytest.fixture
def backend(kube: KubeApiServer, tmp_path: Path) -> Iterator[KubernetesCompute]:
    client = api_client(kube.url)
    yield KubernetesCompute(make_settings(tmp_path), api_client=client)
    client.close()


def job_launch(**changes: Any) -> JobLaunch:
    launch = JobLaunch(
        job_id=JOB_ID,
        name="train iris",
        user="alice",
        project="vision",
        kind="script",
        file_name="train.py",
        code=b"import mlflow\nprint('training')\n",
        workdir="/home/jovyan",
        params={"lr": "0.1"},
        resources=Resources(cpus=1, memory="1Gi"),
        env={"MLFLOW_TRACKING_URI": "http://mlflow.example:5000", "MLFLOW_RUN_ID": RUN_ID, "MLFLOW_EXPERIMENT_ID": "1"},
    )
    return replace(launch, **changes)


def job_record(status: str = "starting", **fields: Any) -> Job:
    values: dict[str, Any] = {
        "id": JOB_ID,
        "name": "train iris",
        "status": status,
        "user": "alice",
        "project": "vision",
        "backend": "kubernetes",
        "kind": "script",
        "source": "train.py",
        "created_at": time.time() - 60,
        **fields,
    }
    return Job(**values)


def deployment_launch(version: str = "3", **changes: Any) -> DeploymentLaunch:
    launch = DeploymentLaunch(
        deployment_id="iris",
        model="iris-classifier",
        version=version,
        model_uri=f"models:/iris-classifier/{version}",
        replicas=2,
        user="alice",
        project="vision",
        resources=Resources(cpus=0.5, memory="512Mi"),
        env={"MLFLOW_TRACKING_URI": "http://mlflow.example:5000"},
    )
    return replace(launch, **changes)


def deployment_record(status: str = "starting", replicas: int = 2) -> Deployment:
    now = time.time()
    return Deployment(
        id="iris",
        model="iris-classifier",
        version="3",
        status=status,
        user="alice",
        project="vision",
        backend="kubernetes",
        replicas=replicas,
        endpoint="maestro/api/v1/deployments/iris/predict",
        created_at=now,
        updated_at=now,
    )


def container(obj: dict[str, Any]) -> dict[str, Any]:
    (only,) = obj["spec"]["template"]["spec"]["containers"]
    assert isinstance(only, dict)
    return only


# --- submit ------------------------------------------------------------------------------------------------------


def test_submit_creates_the_code_configmap_and_a_job_owning_it(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.submit_job(job_launch())
    assert handle == {"namespace": NS, "kind": "Job", "name": JOB, "configmap": f"{JOB}-code"}
    job = kube.get("jobs", JOB, NS)
    cm = kube.get("configmaps", f"{JOB}-code", NS)
    assert job is not None
    assert cm is not None
    assert cm["data"] == {"train.py": "import mlflow\nprint('training')\n"}
    c = container(job)
    assert c["image"] == "registry.example/maestro-job:1"
    assert c["args"] == ["python", "/maestro/code/train.py", "--lr", "0.1"]
    env = {e["name"]: e["value"] for e in c["env"]}
    assert env["MLFLOW_RUN_ID"] == RUN_ID
    assert env["MAESTRO_USER"] == "alice"
    assert job["spec"]["backoffLimit"] == 0
    # The Job owns its ConfigMap: the garbage collector removes both once the Job's TTL expires.
    assert cm["metadata"]["ownerReferences"] == [
        {"apiVersion": "batch/v1", "kind": "Job", "name": JOB, "uid": job["metadata"]["uid"]}
    ]
    # Every call carried the configured credentials.
    assert {r.headers.get("authorization") for r in kube.requests} == {f"Bearer {TOKEN}"}


def test_submit_uses_the_launch_image_and_the_code_volume(kube: KubeApiServer, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, k8s_code_pvc="claim-alice", k8s_code_mount="/home/jovyan")
    backend = KubernetesCompute(settings, api_client=api_client(kube.url))
    launch = job_launch(image="my/own:image", code_path="/home/jovyan/work/train.py")
    handle = backend.submit_job(launch)
    assert handle["configmap"] is None
    assert kube.names("configmaps") == []
    job = kube.get("jobs", JOB, NS)
    assert job is not None
    assert container(job)["image"] == "my/own:image"
    assert container(job)["args"][:2] == ["python", "/home/jovyan/work/train.py"]
    assert job["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"] == {"claimName": "claim-alice"}


@pytest.mark.parametrize(
    "uri",
    ["sqlite:////home/jovyan/.maestro/mlflow.db", "file:///tmp/mlruns", "/home/jovyan/mlruns", "http://localhost:5000"],
)
def test_a_tracking_uri_pods_cannot_reach_is_refused(kube: KubeApiServer, backend: KubernetesCompute, uri: str) -> None:
    launch = job_launch(env={"MLFLOW_TRACKING_URI": uri, "MLFLOW_RUN_ID": RUN_ID})
    with pytest.raises(InvalidParameter, match="set MLFLOW_TRACKING_URI to a tracking server") as caught:
        backend.submit_job(launch)
    assert caught.value.status == 400
    assert kube.requests == []  # refused before anything was created


def test_the_same_job_twice_is_a_conflict(backend: KubernetesCompute) -> None:
    backend.submit_job(job_launch())
    with pytest.raises(Conflict, match="already exists"):
        backend.submit_job(job_launch())


# --- status ------------------------------------------------------------------------------------------------------


def test_job_status_follows_pods_and_conditions(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.submit_job(job_launch())
    # Accepted, no pod yet: nothing new to record.
    assert backend.refresh_job(job_record("starting"), handle) is None

    pod = kube.add_job_pod(JOB, NS, phase="Pending", waiting=("ImagePullBackOff", 'Back-off pulling image "x"'))
    update = backend.refresh_job(job_record("starting"), handle)
    assert update is not None
    assert update.status == "starting"
    assert update.reason == 'ImagePullBackOff: Back-off pulling image "x"'

    kube.remove("pods", pod, NS)
    started = 1_700_000_000.0
    kube.add_job_pod(JOB, NS, phase="Running", started_at=started)
    kube.set_job_status(JOB, NS, active=1, start_time=started - 30)
    update = backend.refresh_job(job_record("starting", reason=update.reason), handle)
    assert update is not None
    assert (update.status, update.reason, update.started_at) == ("running", "", started)
    running = job_record("running", started_at=started)
    assert backend.refresh_job(running, handle) is None

    kube.set_job_status(JOB, NS, active=0, succeeded=1, completion_time=started + 90, conditions=[("Complete", "", "")])
    update = backend.refresh_job(running, handle)
    assert update is not None
    assert (update.status, update.exit_code, update.finished_at) == ("succeeded", 0, started + 90)
    assert update.started_at is None  # the record already has it


def test_status_reads_do_not_depend_on_fields_the_client_models_require(
    kube: KubeApiServer, backend: KubernetesCompute
) -> None:
    """A container status without ``image``/``imageID`` (an older or newer kubelet): the client's typed models would
    raise ValueError on it; the backend reads the API's JSON and carries on."""
    handle = backend.submit_job(job_launch())
    pod = kube.add_job_pod(JOB, NS, phase="Running", started_at=1_700_000_000)
    state = {"running": {"startedAt": "2023-11-14T22:13:20Z"}}
    kube.set_status("pods", pod, NS, {"containerStatuses": [{"name": "job", "ready": True, "state": state}]})
    update = backend.refresh_job(job_record("starting"), handle)
    assert update is not None
    assert (update.status, update.started_at) == ("running", 1_700_000_000)


@pytest.mark.parametrize(
    ("terminated", "expected"),
    [
        ((1, "Error"), "exited with code 1"),
        ((137, "OOMKilled"), "exceeded its memory limit"),
    ],
)
def test_failed_job_reports_the_condition_and_the_exit_code(
    kube: KubeApiServer, backend: KubernetesCompute, terminated: tuple[int, str], expected: str
) -> None:
    handle = backend.submit_job(job_launch())
    kube.add_job_pod(JOB, NS, phase="Failed", terminated=terminated, started_at=time.time() - 10)
    kube.set_job_status(
        JOB,
        NS,
        failed=1,
        conditions=[("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")],
    )
    update = backend.refresh_job(job_record("running", started_at=time.time() - 10), handle)
    assert update is not None
    assert update.status == "failed"
    assert update.exit_code == terminated[0]
    assert update.reason is not None
    assert update.reason.startswith("BackoffLimitExceeded: Job has reached the specified backoff limit")
    assert expected in update.reason
    assert update.finished_at is not None


def test_a_job_deleted_behind_our_back_is_lost(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.submit_job(job_launch())
    kube.add_job_pod(JOB, NS, phase="Running")
    kube.remove("jobs", JOB, NS)
    update = backend.refresh_job(job_record("running", started_at=time.time()), handle)
    assert update is not None
    assert update.status == "lost"
    assert update.reason is not None
    assert JOB in update.reason
    assert update.finished_at is not None
    # While being cancelled, gone means cancelled; once final, nothing changes any more.
    cancelling = backend.refresh_job(job_record("cancelling"), handle)
    assert cancelling is not None
    assert cancelling.status == "cancelled"
    assert backend.refresh_job(job_record("lost", reason=update.reason), handle) is None


def test_why_a_job_does_not_start_is_reported(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.submit_job(job_launch())
    kube.add_event(NS, "Job", JOB, "FailedCreate", 'pods "x" is forbidden: exceeded quota: compute, requested: cpu=1')
    update = backend.refresh_job(job_record("starting"), handle)
    assert update is not None
    assert update.status == "starting"
    assert update.reason == 'FailedCreate: pods "x" is forbidden: exceeded quota: compute, requested: cpu=1'

    kube.add_job_pod(JOB, NS, phase="Pending", unschedulable="0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
    update = backend.refresh_job(job_record("starting"), handle)
    assert update is not None
    assert update.reason == "Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu."


# --- logs --------------------------------------------------------------------------------------------------------


def test_logs_are_read_by_byte_offset(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.submit_job(job_launch())
    job = job_record("running")
    pod = kube.add_job_pod(JOB, NS, phase="Pending")
    assert backend.job_logs(job, handle, 0, 100) == ("", 0)  # the container has not started

    kube.remove("pods", pod, NS)
    pod = kube.add_job_pod(JOB, NS, phase="Running")
    kube.set_pod_log(pod, NS, "epoch 1\nloss é\n")
    assert backend.job_logs(job, handle, 0, 8) == ("epoch 1\n", 8)
    # "é" is two bytes: a limit that ends inside it stops before it rather than splitting it.
    assert backend.job_logs(job, handle, 8, 6) == ("loss ", 13)
    assert backend.job_logs(job, handle, 13, 100) == ("é\n", 16)
    assert backend.job_logs(job, handle, 16, 100) == ("", 16)

    # A log that is one JSON document comes back as written, not as the client's idea of it.
    kube.set_pod_log(pod, NS, '{"metric": 1}')
    assert backend.job_logs(job, handle, 0, 100) == ('{"metric": 1}', 13)
    # Logs are fetched from the job's own container.
    assert kube.requests_to("GET", f"/pods/{pod}/log")[-1].query["container"] == "job"


def test_a_distributed_job_is_a_pytorchjob_with_every_pods_log(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    kube.install_crd("pytorchjobs.kubeflow.org")
    launch = job_launch(resources=Resources(cpus=2, workers=3))
    handle = backend.submit_job(launch)
    assert handle["kind"] == "PyTorchJob"
    assert kube.names("jobs") == []
    pj = kube.get("pytorchjobs", JOB, NS)
    assert pj is not None
    replicas = pj["spec"]["pytorchReplicaSpecs"]
    assert (replicas["Master"]["replicas"], replicas["Worker"]["replicas"]) == (1, 2)
    cm = kube.get("configmaps", f"{JOB}-code", NS)
    assert cm is not None
    assert cm["metadata"]["ownerReferences"][0]["kind"] == "PyTorchJob"

    pods = [
        kube.add_job_pod(JOB, NS, replica="Worker", index=1, phase="Running"),
        kube.add_job_pod(JOB, NS, replica="Master", index=0, phase="Running"),
        kube.add_job_pod(JOB, NS, replica="Worker", index=0, phase="Running"),
    ]
    for pod in pods:
        kube.set_pod_log(pod, NS, f"hello from {pod}\n")
    text, end = backend.job_logs(job_record("running"), handle, 0, 10_000)
    master, worker0, worker1 = f"{JOB}-master-0", f"{JOB}-worker-0", f"{JOB}-worker-1"
    assert text == "".join(f"==> {p} <==\nhello from {p}\n" for p in (master, worker0, worker1))
    assert end == len(text.encode())
    assert kube.requests_to("GET", f"/pods/{master}/log")[-1].query["container"] == "pytorch"

    kube.set_status("pytorchjobs", JOB, NS, {"conditions": [{"type": "Running", "status": "True"}]})
    update = backend.refresh_job(job_record("starting"), handle)
    assert update is not None
    assert update.status == "running"
    kube.set_status("pytorchjobs", JOB, NS, {"conditions": [{"type": "Succeeded", "status": "True"}]})
    update = backend.refresh_job(job_record("running"), handle)
    assert update is not None
    assert (update.status, update.exit_code) == ("succeeded", 0)

    backend.cancel_job(job_record("running"), handle)
    assert kube.names("pytorchjobs") == []
    assert kube.names("pods") == []
    assert kube.names("configmaps") == []


def test_a_distributed_job_without_the_training_operator_is_refused(
    kube: KubeApiServer, backend: KubernetesCompute
) -> None:
    with pytest.raises(InvalidParameter, match="Kubeflow Training Operator") as caught:
        backend.submit_job(job_launch(resources=Resources(workers=2)))
    assert caught.value.status == 400
    assert kube.names("configmaps") == []
    assert kube.names("pytorchjobs") == []


def test_a_refused_distributed_job_leaves_nothing_behind(kube: KubeApiServer, tmp_path: Path) -> None:
    """Through the training service: the Training Operator is missing, so the job is refused before its record, its
    MLflow run (the tracking server's name resolves nowhere: reaching it would be a 503, not this 400) or any
    object."""
    from maestro_jupyter.contract.base import Actor
    from maestro_jupyter.contract.training import SubmitJob
    from maestro_jupyter.services import Services

    settings = make_settings(tmp_path)
    services = Services(settings)
    client = api_client(kube.url)
    try:
        services.__dict__["compute"] = KubernetesCompute(settings, api_client=client)
        request = SubmitJob.build(source="print('never')", file_name="train.py", workers=2)
        with pytest.raises(InvalidParameter, match="Kubeflow Training Operator"):
            services.training.submit(request, Actor("alice", projects=("vision",), default_project="vision"))
    finally:
        client.close()
    assert services.store.list_jobs() == []
    assert kube.names("configmaps") == []
    assert kube.names("pytorchjobs") == []


def test_a_crd_the_service_account_may_not_read_does_not_block_submission(
    kube: KubeApiServer, backend: KubernetesCompute
) -> None:
    kube.install_crd("pytorchjobs.kubeflow.org")
    kube.forbid("get", "customresourcedefinitions")
    assert backend.submit_job(job_launch(resources=Resources(workers=2)))["kind"] == "PyTorchJob"


# --- cancel ------------------------------------------------------------------------------------------------------


def test_cancel_deletes_the_job_its_pods_and_the_configmap(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.submit_job(job_launch())
    kube.add_job_pod(JOB, NS, phase="Running")
    before = time.time()
    update = backend.cancel_job(job_record("cancelling"), handle)
    assert update.status == "cancelled"
    assert update.finished_at is not None
    assert update.finished_at >= before
    assert kube.names("jobs") == []
    assert kube.names("configmaps") == []
    # Background propagation: without it a deleted batch/v1 Job leaves its pods running.
    assert kube.names("pods") == []
    (delete,) = kube.requests_to("DELETE", f"/jobs/{JOB}")
    assert delete.query.get("propagationPolicy") == "Background"
    # Cancelling what is already gone is no error.
    assert backend.cancel_job(job_record("cancelling"), handle).status == "cancelled"


# --- deployments -------------------------------------------------------------------------------------------------


def test_deployment_life_cycle(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.create_deployment(deployment_launch())
    name = "maestro-iris"
    assert handle == {"namespace": NS, "kind": "Deployment", "name": name, "service": name}
    dep, svc = kube.get("deployments", name, NS), kube.get("services", name, NS)
    assert dep is not None
    assert svc is not None
    assert container(dep)["image"] == "registry.example/maestro-serve:1"
    assert "models:/iris-classifier/3" in container(dep)["args"]
    assert svc["metadata"]["ownerReferences"][0]["uid"] == dep["metadata"]["uid"]

    update = backend.refresh_deployment(deployment_record("starting"), handle)
    assert (update.status, update.ready_replicas, update.instances) == ("starting", 0, [])
    assert update.url == f"http://{name}.{NS}.svc:8080"

    pods = kube.add_deployment_pods(name, NS, 2, phase="Running", ready=True)
    kube.set_deployment_status(name, NS, ready=2)
    update = backend.refresh_deployment(deployment_record("starting"), handle)
    assert (update.status, update.ready_replicas, update.reason) == ("ready", 2, "")
    assert update.instances == [{"name": p, "status": "ready", "url": None, "pid": None} for p in sorted(pods)]

    assert backend.scale_deployment(deployment_record("ready"), handle, 3) == handle
    scaled = kube.get("deployments", name, NS)
    assert scaled is not None
    assert scaled["spec"]["replicas"] == 3
    update = backend.refresh_deployment(deployment_record("ready", replicas=3), handle)
    assert (update.status, update.ready_replicas) == ("updating", 2)
    kube.add_deployment_pods(name, NS, 1, phase="Running", ready=True)
    kube.set_deployment_status(name, NS, ready=3)
    assert backend.refresh_deployment(deployment_record("updating", replicas=3), handle).status == "ready"

    # A rolling update: the pod template now runs version 4; the selector, and so the pods selected, stay.
    backend.update_deployment(deployment_record("ready", replicas=3), handle, deployment_launch("4"))
    rolled = kube.get("deployments", name, NS)
    assert rolled is not None
    assert scaled is not None
    args = container(rolled)["args"]
    assert args[args.index("--model-uri") + 1] == "models:/iris-classifier/4"
    assert rolled["spec"]["template"]["metadata"]["labels"][objects.LABEL_VERSION] == "4"
    assert rolled["metadata"]["labels"][objects.LABEL_VERSION] == "4"
    assert rolled["spec"]["selector"] == scaled["spec"]["selector"]
    assert rolled["spec"]["replicas"] == 3
    assert rolled["metadata"]["generation"] == scaled["metadata"]["generation"] + 1
    assert len(rolled["spec"]["template"]["spec"]["containers"]) == 1
    assert kube.requests_to("PATCH", f"/deployments/{name}")[-1].content_type == "application/merge-patch+json"
    relabelled = kube.get("services", name, NS)
    assert relabelled is not None
    assert relabelled["metadata"]["labels"][objects.LABEL_VERSION] == "4"
    # Until the controller has rolled out the new template, the deployment is updating.
    assert backend.refresh_deployment(deployment_record("updating", replicas=3), handle).status == "updating"
    kube.set_deployment_status(name, NS, ready=3)
    assert backend.refresh_deployment(deployment_record("updating", replicas=3), handle).status == "ready"

    backend.delete_deployment(deployment_record("ready"), handle)
    assert kube.names("deployments") == []
    assert kube.names("services") == []
    assert kube.names("pods") == []
    backend.delete_deployment(deployment_record("stopped"), handle)  # already gone: fine


def test_replicas_that_cannot_start_fail_the_deployment(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.create_deployment(deployment_launch())
    crash = ("CrashLoopBackOff", "back-off 5m0s restarting failed container=model")
    (bad,) = kube.add_deployment_pods("maestro-iris", NS, 1, phase="Running", waiting=crash)
    kube.set_deployment_status("maestro-iris", NS, ready=0)
    update = backend.refresh_deployment(deployment_record("starting"), handle)
    assert update.status == "failed"
    assert update.reason == f"{bad}: CrashLoopBackOff: back-off 5m0s restarting failed container=model"
    assert update.instances[0]["status"] == "failed"
    # While another replica still answers, the deployment is degraded, not failed.
    kube.add_deployment_pods("maestro-iris", NS, 1, phase="Running", ready=True)
    kube.set_deployment_status("maestro-iris", NS, ready=1)
    update = backend.refresh_deployment(deployment_record("ready"), handle)
    assert (update.status, update.ready_replicas) == ("degraded", 1)
    assert "CrashLoopBackOff" in update.reason


def test_a_deployment_deleted_behind_our_back_has_failed(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.create_deployment(deployment_launch())
    kube.remove("deployments", "maestro-iris", NS)
    update = backend.refresh_deployment(deployment_record("ready"), handle)
    assert (update.status, update.ready_replicas) == ("failed", 0)
    assert "no longer exists" in update.reason
    with pytest.raises(NotFound):
        backend.scale_deployment(deployment_record("ready"), handle, 1)


def test_a_model_on_local_disk_or_a_local_registry_is_refused(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    with pytest.raises(InvalidParameter, match="MLFLOW_TRACKING_URI"):
        backend.create_deployment(deployment_launch(env={"MLFLOW_TRACKING_URI": "sqlite:////tmp/mlflow.db"}))
    with pytest.raises(InvalidParameter, match="disk"):
        backend.create_deployment(deployment_launch(model_uri="file:///home/jovyan/model"))
    assert kube.requests == []


def test_predict_goes_through_the_service_proxy(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.create_deployment(deployment_launch())
    seen: list[tuple[str, str, str, bytes, dict[str, str]]] = []

    def model(service: str, port: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        seen.append((service, port, path, body, headers))
        if b"bad" in body:
            return 400, b'{"error_code": "BAD_REQUEST", "message": "no such column"}', "application/json"
        return 200, json.dumps({"predictions": [0, 2]}).encode(), "application/json"

    kube.proxy_handler = model
    body = b'{"dataframe_split": {"columns": ["a"], "data": [[1], [2]]}}'
    answer = backend.predict(deployment_record("ready"), handle, body, timeout=5)
    assert (answer.status, json.loads(answer.body), answer.replica) == (200, {"predictions": [0, 2]}, "maestro-iris")
    service, port, path, sent, headers = seen[0]
    assert (service, port, path, sent) == ("maestro-iris", "8080", "/invocations", body)  # the body as sent
    assert headers["content-type"] == "application/json"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    # The model's own errors are passed through, not raised.
    refused = backend.predict(deployment_record("ready"), handle, b'{"bad": 1}', timeout=5)
    assert (refused.status, json.loads(refused.body)["error_code"]) == (400, "BAD_REQUEST")


def test_predict_reports_what_the_api_server_says(kube: KubeApiServer, backend: KubernetesCompute) -> None:
    handle = backend.create_deployment(deployment_launch())
    with pytest.raises(BackendUnavailable, match="no endpoints available"):  # no ready replica behind the Service
        backend.predict(deployment_record("starting"), handle, b"{}", timeout=5)
    kube.forbid("create", "services")
    with pytest.raises(PermissionDenied, match="services/proxy"):
        backend.predict(deployment_record("ready"), handle, b"{}", timeout=5)


# --- errors ------------------------------------------------------------------------------------------------------


def test_rbac_refusal_is_permission_denied_and_leaves_nothing_behind(
    kube: KubeApiServer, backend: KubernetesCompute
) -> None:
    kube.forbid("create", "jobs")
    with pytest.raises(PermissionDenied) as caught:
        backend.submit_job(job_launch())
    assert caught.value.status == 403
    assert 'cannot create resource "jobs"' in caught.value.message
    assert "RBAC" in caught.value.message
    assert kube.names("configmaps") == []  # the ConfigMap made for the Job was removed again


def test_an_unreachable_api_server_is_backend_unavailable(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    configuration = kubernetes.client.Configuration(host=f"http://127.0.0.1:{port}")
    configuration.retries = False
    backend = KubernetesCompute(make_settings(tmp_path), api_client=kubernetes.client.ApiClient(configuration))
    with pytest.raises(BackendUnavailable, match="cannot be reached") as caught:
        backend.submit_job(job_launch())
    assert caught.value.status == 503


# --- configuration -----------------------------------------------------------------------------------------------


def test_kubeconfig_gives_the_cluster_credentials_and_namespace(
    kube: KubeApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "test", "cluster": {"server": kube.url}}],
                "users": [{"name": "alice", "user": {"token": "kubeconfig-token"}}],
                "contexts": [{"name": "test", "context": {"cluster": "test", "user": "alice", "namespace": "ml"}}],
                "current-context": "test",
            }
        )
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    backend = KubernetesCompute(make_settings(tmp_path, k8s_namespace=None))
    assert backend.namespace == "ml"
    assert backend.submit_job(job_launch())["namespace"] == "ml"
    assert kube.names("jobs", "ml") == [JOB]
    assert kube.requests[-1].headers["authorization"] == "Bearer kubeconfig-token"
    # The setting wins over the context.
    assert KubernetesCompute(make_settings(tmp_path, k8s_namespace="other")).namespace == "other"


def test_no_cluster_configured_is_backend_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(BackendUnavailable, match="KUBECONFIG"):
        KubernetesCompute(make_settings(tmp_path))
