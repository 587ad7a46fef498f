"""The Role of the hub's Kubernetes distribution (``jupyterhub/k8s/rbac.yaml``), checked with real components; no
cluster runs here.

The Role lets Maestro's Kubernetes backend do everything it does, and grants nothing it does not use: the backend runs
through the official client against the in-test API server, which enforces the Role as RBAC would
(``tests/rbac_api_server.py``), through a job's, a distributed job's and a deployment's life.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path
from typing import Any

import kubernetes

from maestro_jupyter.backends.compute.base import DeploymentLaunch, JobLaunch
from maestro_jupyter.backends.compute.kubernetes import KubernetesCompute
from maestro_jupyter.entities import Deployment, Job, Resources
from maestro_jupyter.settings import Settings
from tests.hub_distribution import REPO, SINGLEUSER, find
from tests.kube_api_server import KubeApiServer
from tests.rbac_api_server import RbacApiServer, role_grants

#: The client APIs the backend holds (``self.core`` ...).
CLIENT_APIS = ("core", "batch", "apps", "custom", "extensions")


class Recorder:
    """Passes calls through to a client API and records which of its methods were called."""

    def __init__(self, api: Any, called: set[str]) -> None:
        self._api, self._called = api, called

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._api, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self._called.add(name)
            return method(*args, **kwargs)

        return call


def backend_client_methods() -> set[str]:
    """Every client method the backend's source calls (``self.core.create_namespaced_config_map``...)."""
    tree = ast.parse((REPO / "maestro_jupyter/backends/compute/kubernetes.py").read_text())
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr in CLIENT_APIS
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id == "self"
    }


def run_every_backend_operation(kube: KubeApiServer, backend: KubernetesCompute, tracking_uri: str) -> None:
    """Each thing Maestro does on a cluster: a job's life, a distributed job's, a deployment's."""
    ns = backend.namespace
    run_env = {"MLFLOW_TRACKING_URI": tracking_uri, "MLFLOW_RUN_ID": "0" * 32, "MLFLOW_EXPERIMENT_ID": "1"}
    now = time.time()

    def job(job_id: str, workers: int) -> tuple[JobLaunch, Job]:
        launch = JobLaunch(
            job_id, "train", "alice", "default", "script", "train.py", b"print('hi')\n", "/home/jovyan", {"lr": "0.1"},
            Resources(cpus=1, memory="1Gi", workers=workers), run_env,
        )  # fmt: skip
        record = Job(
            id=job_id, name="train", status="starting", user="alice", project="default", backend="kubernetes",
            kind="script", source="train.py", created_at=now,
        )  # fmt: skip
        return launch, record

    # A job: code ConfigMap, Job, ownership; status (no pod yet: events), logs, cancel.
    launch, record = job("job-1a2b3c4d", 1)
    handle = backend.submit_job(launch)
    assert backend.refresh_job(record, handle) is None
    pod = kube.add_job_pod(handle["name"], ns, phase="Running", started_at=now)
    kube.set_pod_log(pod, ns, "epoch 1\n")
    assert backend.job_logs(record, handle, 0, 100) == ("epoch 1\n", 8)
    assert backend.cancel_job(record, handle).status == "cancelled"
    assert kube.names("jobs", ns) == kube.names("configmaps", ns) == []

    # A distributed job: the CRD check (cluster-scoped, not granted: the backend goes on), the PyTorchJob.
    kube.install_crd()
    launch, record = job("job-5e6f7a8b", 2)
    handle = backend.submit_job(launch)
    assert handle["kind"] == "PyTorchJob"
    kube.add_job_pod(handle["name"], ns, replica="Master", phase="Running", started_at=now)
    kube.set_status("pytorchjobs", handle["name"], ns, {"conditions": [{"type": "Running", "status": "True"}]})
    update = backend.refresh_job(record, handle)
    assert update is not None
    assert update.status == "running"
    backend.job_logs(record, handle, 0, 100)
    backend.cancel_job(record, handle)
    assert kube.names("pytorchjobs", ns) == []

    # A deployment: Deployment and Service; status, scale, roll over, predict through the service proxy, delete.
    def served(version: str) -> DeploymentLaunch:
        return DeploymentLaunch(
            "iris", "iris-classifier", version, f"models:/iris-classifier/{version}", 1, "alice", "default",
            Resources(cpus=0.5, memory="512Mi"), {"MLFLOW_TRACKING_URI": tracking_uri},
        )  # fmt: skip

    deployment = Deployment(
        id="iris", model="iris-classifier", version="1", status="starting", user="alice", project="default",
        backend="kubernetes", replicas=1, endpoint="maestro/api/v1/deployments/iris/predict", created_at=now,
        updated_at=now,
    )  # fmt: skip
    handle = backend.create_deployment(served("1"))
    kube.add_deployment_pods(handle["name"], ns, 1, ready=True)
    kube.set_deployment_status(handle["name"], ns, ready=1)
    assert backend.refresh_deployment(deployment, handle).ready_replicas == 1
    backend.scale_deployment(deployment, handle, 2)
    backend.update_deployment(deployment, handle, served("2"))
    kube.proxy_handler = lambda service, port, path, body, headers: (200, b'{"predictions": [0]}', "application/json")
    answer = backend.predict(deployment, handle, b'{"inputs": [[5.1, 3.5, 1.4, 0.2]]}', timeout=10)
    assert (answer.status, answer.body) == (200, b'{"predictions": [0]}')
    backend.delete_deployment(deployment, handle)
    assert kube.names("deployments", ns) == kube.names("services", ns) == []


def test_the_role_grants_what_the_kubernetes_backend_does_and_nothing_more(tmp_path: Path) -> None:
    role = find("Role", "maestro-compute")
    kube = RbacApiServer(role).start()
    try:
        configuration = kubernetes.client.Configuration(host=kube.url)
        # The service account's token ("BearerToken" since client v36, "authorization" before).
        configuration.api_key = {"BearerToken": "sa-token", "authorization": "sa-token"}
        configuration.api_key_prefix = {"BearerToken": "Bearer", "authorization": "Bearer"}
        env = SINGLEUSER["extraEnv"]
        settings = Settings.from_env(
            {k: v for k, v in env.items() if isinstance(v, str)}, home=str(tmp_path), user="alice"
        )
        with kubernetes.client.ApiClient(configuration) as client:
            backend = KubernetesCompute(settings, api_client=client)
            called: set[str] = set()
            for name in CLIENT_APIS:
                setattr(backend, name, Recorder(getattr(backend, name), called))
            run_every_backend_operation(kube, backend, settings.tracking_uri)
    finally:
        kube.stop()

    # The scenario exercised every client method the backend's code calls...
    assert backend_client_methods() - called == set()
    # ...in the Role's namespace, and the only refusal was the cluster-scoped CRD read, which the backend tolerates.
    assert {a.namespace for a in kube.allowed} == {env["MAESTRO_K8S_NAMESPACE"]}
    assert {(a.verb, a.group, a.resource) for a in kube.denied} == {
        ("get", "apiextensions.k8s.io", "customresourcedefinitions")
    }
    # Least privilege: every permission the Role grants was used.
    used = {(a.group, a.resource, a.verb) for a in kube.allowed}
    assert role_grants(role) - used == set()
    assert ("", "services/proxy", "create") in used  # predictions, through the raw connection pool
