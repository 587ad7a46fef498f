"""The Role of the hub's Kubernetes distribution (``jupyterhub/k8s/rbac.yaml``) and who holds it, checked with real
components; no cluster runs here.

Maestro's Kubernetes backend runs through the official client against the in-test API server, which authenticates
each request's token and enforces the Role and its RoleBinding as the API server would (``tests/rbac_api_server.py``):

- with the identity of the Maestro service's pod (``k8s/maestro-service.yaml``), a job's, a distributed job's and a
  deployment's whole life is allowed, and the Role grants nothing it does not use;
- with the identity of a member's pod, as the real KubeSpawner builds it from ``values.yaml`` for each profile (no
  token: anonymous), and with the namespace's default service account (what a pod would hold if a token were
  mounted), every call is refused, on the service's own jobs and deployments too.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from maestro_jupyter.backends.compute.base import DeploymentLaunch, JobLaunch
from maestro_jupyter.backends.compute.kubernetes import KubernetesCompute
from maestro_jupyter.entities import Deployment, Job, Resources
from maestro_jupyter.errors import PermissionDenied
from maestro_jupyter.settings import Settings
from tests.hub_distribution import (
    HUB_NAMESPACE,
    MANIFESTS,
    REPO,
    SINGLEUSER,
    WORKLOADS_NAMESPACE,
    build_pod,
    container_env,
    find,
    hub_config,
    hub_db,
    nowhere_kubeconfig,
    only_container,
)
from tests.kube_api_server import KubeApiServer
from tests.rbac_api_server import ANONYMOUS, RbacApiServer, role_grants, service_account_user

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


def pod_identity(namespace: str, spec: dict[str, Any]) -> str:
    """Who a pod's processes are to the API server: its service account when its token is mounted (the default,
    unless the pod or KubeSpawner says otherwise), else no one (a request without credentials is anonymous)."""
    if spec.get("automountServiceAccountToken") is False:
        return ANONYMOUS
    return service_account_user(namespace, spec.get("serviceAccountName") or "default")


def service_settings(tmp_path: Path) -> Settings:
    """The Maestro service's settings, from its Deployment's environment."""
    return Settings.from_env(container_env(only_container("Deployment", "maestro")["env"]), home=str(tmp_path))


@contextlib.contextmanager
def backend_as(kube: RbacApiServer, user: str, settings: Settings) -> Iterator[KubernetesCompute]:
    """Maestro's Kubernetes backend calling the API server as ``user``: with a token the API server issued for it
    (as a service account's mounted token), or with no credentials at all when ``user`` is anonymous."""
    configuration = kubernetes.client.Configuration(host=kube.url)
    if user != ANONYMOUS:
        token = kube.token_for(user)
        # The token, as the client sends a mounted one ("BearerToken" since client v36, "authorization" before).
        configuration.api_key = {"BearerToken": token, "authorization": token}
        configuration.api_key_prefix = {"BearerToken": "Bearer", "authorization": "Bearer"}
    with kubernetes.client.ApiClient(configuration) as client:
        yield KubernetesCompute(settings, api_client=client)


def rbac_server() -> RbacApiServer:
    role = find("Role", "maestro-compute")
    kube = RbacApiServer(role, [d for d in MANIFESTS if d["kind"] == "RoleBinding"])
    kube.start()
    return kube


NOW = time.time()


def job(job_id: str, workers: int, tracking_uri: str) -> tuple[JobLaunch, Job]:
    run_env = {"MLFLOW_TRACKING_URI": tracking_uri, "MLFLOW_RUN_ID": "0" * 32, "MLFLOW_EXPERIMENT_ID": "1"}
    launch = JobLaunch(
        job_id, "train", "alice", "default", "script", "train.py", b"print('hi')\n", "/home/jovyan", {"lr": "0.1"},
        Resources(cpus=1, memory="1Gi", workers=workers), run_env,
    )  # fmt: skip
    record = Job(
        id=job_id, name="train", status="starting", user="alice", project="default", backend="kubernetes",
        kind="script", source="train.py", created_at=NOW,
    )  # fmt: skip
    return launch, record


def served(version: str, tracking_uri: str) -> DeploymentLaunch:
    return DeploymentLaunch(
        "iris", "iris-classifier", version, f"models:/iris-classifier/{version}", 1, "alice", "default",
        Resources(cpus=0.5, memory="512Mi"), {"MLFLOW_TRACKING_URI": tracking_uri},
    )  # fmt: skip


DEPLOYMENT = Deployment(
    id="iris", model="iris-classifier", version="1", status="starting", user="alice", project="default",
    backend="kubernetes", replicas=1, endpoint="maestro/api/v1/deployments/iris/predict", created_at=NOW,
    updated_at=NOW,
)  # fmt: skip


def run_every_backend_operation(kube: KubeApiServer, backend: KubernetesCompute, tracking_uri: str) -> None:
    """Each thing Maestro does on a cluster: a job's life, a distributed job's, a deployment's."""
    ns = backend.namespace

    # A job: code ConfigMap, Job, ownership; status (no pod yet: events), logs, cancel.
    launch, record = job("job-1a2b3c4d", 1, tracking_uri)
    handle = backend.submit_job(launch)
    assert backend.refresh_job(record, handle) is None
    pod = kube.add_job_pod(handle["name"], ns, phase="Running", started_at=NOW)
    kube.set_pod_log(pod, ns, "epoch 1\n")
    assert backend.job_logs(record, handle, 0, 100) == ("epoch 1\n", 8)
    assert backend.cancel_job(record, handle).status == "cancelled"
    assert kube.names("jobs", ns) == kube.names("configmaps", ns) == []

    # A distributed job: the CRD check (cluster-scoped, not granted: the backend goes on), the PyTorchJob.
    kube.install_crd()
    launch, record = job("job-5e6f7a8b", 2, tracking_uri)
    handle = backend.submit_job(launch)
    assert handle["kind"] == "PyTorchJob"
    kube.add_job_pod(handle["name"], ns, replica="Master", phase="Running", started_at=NOW)
    kube.set_status("pytorchjobs", handle["name"], ns, {"conditions": [{"type": "Running", "status": "True"}]})
    update = backend.refresh_job(record, handle)
    assert update is not None
    assert update.status == "running"
    backend.job_logs(record, handle, 0, 100)
    backend.cancel_job(record, handle)
    assert kube.names("pytorchjobs", ns) == []

    # A deployment: Deployment and Service; status, scale, roll over, predict through the service proxy, delete.
    handle = backend.create_deployment(served("1", tracking_uri))
    kube.add_deployment_pods(handle["name"], ns, 1, ready=True)
    kube.set_deployment_status(handle["name"], ns, ready=1)
    assert backend.refresh_deployment(DEPLOYMENT, handle).ready_replicas == 1
    backend.scale_deployment(DEPLOYMENT, handle, 2)
    backend.update_deployment(DEPLOYMENT, handle, served("2", tracking_uri))
    kube.proxy_handler = lambda service, port, path, body, headers: (200, b'{"predictions": [0]}', "application/json")
    answer = backend.predict(DEPLOYMENT, handle, b'{"inputs": [[5.1, 3.5, 1.4, 0.2]]}', timeout=10)
    assert (answer.status, answer.body) == (200, b'{"predictions": [0]}')
    backend.delete_deployment(DEPLOYMENT, handle)
    assert kube.names("deployments", ns) == kube.names("services", ns) == []


def test_the_services_account_may_do_what_the_kubernetes_backend_does_and_nothing_more(tmp_path: Path) -> None:
    deployment = find("Deployment", "maestro")
    service = pod_identity(deployment["metadata"]["namespace"], deployment["spec"]["template"]["spec"])
    assert service == service_account_user(HUB_NAMESPACE, "maestro")
    settings = service_settings(tmp_path)
    role = find("Role", "maestro-compute")
    kube = rbac_server()
    try:
        with backend_as(kube, service, settings) as backend:
            called: set[str] = set()
            for name in CLIENT_APIS:
                setattr(backend, name, Recorder(getattr(backend, name), called))
            run_every_backend_operation(kube, backend, settings.tracking_uri)
    finally:
        kube.stop()

    # The scenario exercised every client method the backend's code calls, as the service's account...
    assert backend_client_methods() - called == set()
    assert {a.user for a in kube.allowed} == {service}
    # ...in the Role's namespace, the one the service sends workloads to, and the only refusal was the cluster-scoped
    # CRD read, which the backend tolerates.
    assert {a.namespace for a in kube.allowed} == {settings.k8s_namespace} == {WORKLOADS_NAMESPACE}
    assert {(a.verb, a.group, a.resource) for a in kube.denied} == {
        ("get", "apiextensions.k8s.io", "customresourcedefinitions")
    }
    # Least privilege: every permission the Role grants was used.
    used = {(a.group, a.resource, a.verb) for a in kube.allowed}
    assert role_grants(role) - used == set()
    assert ("", "services/proxy", "create") in used  # predictions, through the raw connection pool


@pytest.fixture
def member_pods(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """A member's pod for each profile, as the real KubeSpawner builds it from values.yaml. The pre-spawn hook (which
    only adds the member's MLflow credentials to the environment, see test_hub_kubernetes_values.py) is left out:
    no MLflow server runs here."""
    monkeypatch.setenv("KUBECONFIG", str(nowhere_kubeconfig(tmp_path)))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    config = hub_config()
    assert config.KubeSpawner.pre_spawn_hook is not None
    config.KubeSpawner.pre_spawn_hook = None
    pods = []
    for profile in [p["slug"] for p in SINGLEUSER["profileList"]]:
        _, pod = asyncio.run(build_pod(config, hub_db({"alice": False}), "alice", profile))
        pods.append(pod)
    return pods


def test_a_members_pod_is_refused_every_call(tmp_path: Path, member_pods: list[dict[str, Any]]) -> None:
    identities = {pod_identity(HUB_NAMESPACE, pod["spec"]) for pod in member_pods}
    assert identities == {ANONYMOUS}  # no token in any profile's pod
    # What a member's pod would be if a token were mounted: the namespace's default service account.
    members = [ANONYMOUS, service_account_user(HUB_NAMESPACE, "default")]
    settings = service_settings(tmp_path)
    tracking = settings.tracking_uri
    kube = rbac_server()
    try:
        # The service's own job and deployment, for the members to try their hands on.
        with backend_as(kube, service_account_user(HUB_NAMESPACE, "maestro"), settings) as service:
            kube.install_crd()
            job_launch, job_record = job("job-1a2b3c4d", 1, tracking)
            job_handle = service.submit_job(job_launch)
            kube.add_job_pod(job_handle["name"], WORKLOADS_NAMESPACE, phase="Running", started_at=NOW)
            deployment_handle = service.create_deployment(served("1", tracking))
        before = {plural: kube.names(plural, WORKLOADS_NAMESPACE) for plural in ("jobs", "deployments", "services")}
        service_calls = len(kube.allowed)

        for member in members:
            with backend_as(kube, member, settings) as backend:
                attempts: list[tuple[str, Callable[[], Any]]] = [
                    ("submit a job", lambda: backend.submit_job(job("job-9f9f9f9f", 1, tracking)[0])),
                    ("submit a distributed job", lambda: backend.submit_job(job("job-8e8e8e8e", 2, tracking)[0])),
                    ("read a job", lambda: backend.refresh_job(job_record, job_handle)),
                    ("read a job's logs", lambda: backend.job_logs(job_record, job_handle, 0, 100)),
                    ("cancel a job", lambda: backend.cancel_job(job_record, job_handle)),
                    ("deploy", lambda: backend.create_deployment(served("3", tracking))),
                    ("read a deployment", lambda: backend.refresh_deployment(DEPLOYMENT, deployment_handle)),
                    ("scale a deployment", lambda: backend.scale_deployment(DEPLOYMENT, deployment_handle, 3)),
                    ("roll a deployment over",
                     lambda: backend.update_deployment(DEPLOYMENT, deployment_handle, served("2", tracking))),
                    ("predict", lambda: backend.predict(DEPLOYMENT, deployment_handle, b"{}", timeout=10)),
                    ("delete a deployment", lambda: backend.delete_deployment(DEPLOYMENT, deployment_handle)),
                ]  # fmt: skip
                for what, attempt in attempts:
                    with pytest.raises(PermissionDenied):
                        attempt()
                    assert [a for a in kube.allowed if a.user == member] == [], f"{member} could {what}"
            assert {a.user for a in kube.denied} >= {member}
    finally:
        kube.stop()

    # Nothing a member did went through, and the service's workloads are as they were.
    assert len(kube.allowed) == service_calls
    after = {plural: kube.names(plural, WORKLOADS_NAMESPACE) for plural in ("jobs", "deployments", "services")}
    assert after == before
    assert all(after.values())
