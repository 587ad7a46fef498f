"""The Kubernetes compute backend (``MAESTRO_COMPUTE=kubernetes``): Jobs / PyTorchJobs and Deployments.

Objects come from the pure builders of :mod:`.k8s_objects` and what the controllers report back is read by the
pure functions of :mod:`.k8s_status`; this module sends and fetches with the official ``kubernetes`` client. It is
imported only when the setting picks it, so the client (slow to import) is imported at its top, never by
``import maestro_jupyter``.

Every API error becomes a typed :class:`~maestro_jupyter.errors.MaestroError`: a 403 is an RBAC problem of the
service account Maestro runs as (the message says which permissions it needs), an unreachable API server a 503.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import urllib3
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException

from ...entities import JOB_FINAL, Deployment, Job, Resources
from ...errors import (
    BackendUnavailable,
    Conflict,
    InvalidParameter,
    MaestroError,
    NotFound,
    PermissionDenied,
    first_line,
)
from ...settings import Settings
from . import k8s_objects as objects
from . import k8s_status as observed
from . import k8s_usage
from .base import (
    BackendResponse,
    ComputeBackend,
    DeploymentLaunch,
    DeploymentUpdate,
    Handle,
    JobLaunch,
    JobUpdate,
    Usage,
    slice_utf8,
)
from .commands import SERVING_PORT

if TYPE_CHECKING:
    from ..store import MaestroStore

log = logging.getLogger(__name__)

Obj = dict[str, Any]

#: Where a pod finds its own namespace (the service account's projected files).
NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
PYTORCHJOB_CRD = "pytorchjobs.kubeflow.org"
#: group, version, plural of PyTorchJobs for the CustomObjectsApi.
KUBEFLOW = ("kubeflow.org", "v1", "pytorchjobs")
#: Seconds before a Kubernetes API call is abandoned: a hung API server must not hang the Jupyter server.
API_TIMEOUT = 30.0
#: What Maestro's service account must be allowed, said whenever the API server refuses.
RBAC_HINT = (
    "Maestro's service account needs RBAC permission to create, get, list, patch and delete jobs, "
    "pytorchjobs.kubeflow.org, deployments, services and configmaps, to get and list pods and pods/log, and to "
    "create services/proxy, in that namespace"
)
NO_PYTORCHJOB = (
    "Distributed training (workers > 1) runs as a Kubeflow PyTorchJob, but this cluster has no "
    f"{PYTORCHJOB_CRD} resource: install the Kubeflow Training Operator, or run with workers=1"
)


def _api_message(exc: ApiException) -> str:
    """The API server's own message (from its ``Status`` body), else the HTTP reason."""
    body = observed.api_status(exc.body.encode() if isinstance(exc.body, str) else exc.body or b"")
    return str((body or {}).get("message") or exc.reason or "no message")


def _pod_namespace() -> str | None:
    try:
        with open(NAMESPACE_FILE, encoding="utf-8") as fh:
            return fh.read().strip() or None
    except OSError:
        return None


def _load_api_client() -> tuple[Any, str | None]:
    """The API client from the pod's service account (in a cluster) or from the kubeconfig (``KUBECONFIG``), and
    the namespace of the kubeconfig's current context, if it names one."""
    configuration = k8s.Configuration()
    try:
        if os.environ.get("KUBERNETES_SERVICE_HOST"):
            k8s_config.load_incluster_config(client_configuration=configuration)
            return k8s.ApiClient(configuration), None
        # Read KUBECONFIG now: the client reads it once, when it is imported.
        kubeconfig = os.environ.get("KUBECONFIG") or None
        k8s_config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
        _, active = k8s_config.list_kube_config_contexts(config_file=kubeconfig)
    except (k8s_config.ConfigException, OSError, TypeError, ValueError) as exc:
        raise BackendUnavailable(
            "MAESTRO_COMPUTE=kubernetes, but no cluster is configured: run the server in a pod with a service "
            f"account, or point KUBECONFIG to a kubeconfig ({first_line(exc)})"
        ) from exc
    namespace = ((active or {}).get("context") or {}).get("namespace")
    return k8s.ApiClient(configuration), namespace


def _error(exc: ApiException, what: str) -> MaestroError:
    """The typed error for an API server's refusal."""
    status = int(exc.status or 0)
    message = _api_message(exc)
    if status == 404:
        return NotFound(f"Kubernetes: cannot {what}: {message}")
    if status == 401:
        return PermissionDenied(f"The Kubernetes API server rejected Maestro's credentials ({what}): {message}")
    if status == 403:
        # A quota is not an RBAC matter: its message says what ran out.
        hint = "" if "quota" in message else f". {RBAC_HINT}"
        return PermissionDenied(f"Kubernetes refused to {what}: {message}{hint}")
    if status == 409:
        return Conflict(f"Kubernetes: cannot {what}: {message}")
    if status in (400, 422):
        return InvalidParameter(f"Kubernetes rejected the request to {what}: {message}")
    if status in (0, 429) or status >= 500:
        return BackendUnavailable(f"The Kubernetes API server could not {what}: {first_line(message)}")
    return MaestroError(f"Kubernetes: cannot {what}: HTTP {status}: {message}")


class KubernetesCompute(ComputeBackend):
    """Jobs as ``batch/v1`` Jobs (Kubeflow PyTorchJobs for several workers), deployments as a Deployment and a
    ClusterIP Service, all in one namespace. Handles hold the namespace, the kind and the object names."""

    name = "kubernetes"

    def __init__(self, settings: Settings, store: MaestroStore | None = None, *, api_client: Any = None) -> None:
        # The store is not needed: the cluster is the record of what runs. ``api_client``: tests and tools hand in
        # their own; by default the in-cluster service account, else the kubeconfig.
        super().__init__(settings, store)
        context_namespace = None
        if api_client is None:
            api_client, context_namespace = _load_api_client()
        self.api_client = api_client
        self.namespace: str = settings.k8s_namespace or _pod_namespace() or context_namespace or "default"
        self.core = k8s.CoreV1Api(api_client)
        self.batch = k8s.BatchV1Api(api_client)
        self.apps = k8s.AppsV1Api(api_client)
        self.custom = k8s.CustomObjectsApi(api_client)
        self.extensions = k8s.ApiextensionsV1Api(api_client)

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, missing_ok: bool = False, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` with a timeout and typed errors: the API's JSON answer (``None`` for a 404 when
        ``missing_ok``).

        The JSON as it came, not the client's typed models: they refuse objects missing a field the client's version
        deems required (which kubelets and newer API servers do not always fill), and reading a status must never
        fail on that.
        """
        data = self._raw(what, fn, *args, missing_ok=missing_ok, **kwargs)
        if data is None:
            return None
        try:
            return json.loads(data) if data else {}
        except ValueError as exc:
            raise BackendUnavailable(f"The Kubernetes API server answered no JSON ({what})") from exc

    def _raw(
        self, what: str, fn: Callable[..., Any], *args: Any, missing_ok: bool = False, **kwargs: Any
    ) -> bytes | None:
        """The raw answer of ``fn(*args, **kwargs)`` (see :meth:`_call`)."""
        try:
            response = fn(*args, _preload_content=False, _request_timeout=API_TIMEOUT, **kwargs)
            return bytes(response.data)
        except ApiException as exc:
            if missing_ok and exc.status == 404:
                return None
            raise _error(exc, what) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise BackendUnavailable(
                f"The Kubernetes API server cannot be reached ({what}): {first_line(exc)}"
            ) from exc

    def _pods(self, ns: str, labels: dict[str, str]) -> list[Obj]:
        found = self._call("list pods", self.core.list_namespaced_pod, ns, label_selector=objects.selector(labels))
        return list(found.get("items") or [])

    # --- jobs -------------------------------------------------------------------------------------------------

    def check_job(self, resources: Resources) -> None:
        """Before anything of a job exists: its pods must reach the tracking server, and several workers need the
        Kubeflow Training Operator's PyTorchJob."""
        self._check_tracking(self.settings.tracking_uri)
        if resources.workers > 1:
            self._require_pytorchjob_crd()

    @staticmethod
    def _check_tracking(tracking: str) -> None:
        if observed.unreachable_uri(tracking):
            raise InvalidParameter(
                f"Jobs on Kubernetes log to MLflow from their pods, which cannot reach the tracking URI {tracking!r} "
                "(a local file or database): set MLFLOW_TRACKING_URI to a tracking server, e.g. http://mlflow:5000"
            )

    def submit_job(self, launch: JobLaunch) -> Handle:
        """Create the code ConfigMap (unless the code comes from the users' volume), then the Job or PyTorchJob,
        and make the Job own the ConfigMap."""
        self._check_tracking(launch.env.get("MLFLOW_TRACKING_URI") or self.settings.tracking_uri)
        ns, image = self.namespace, launch.image or self.settings.job_image
        pvc = self.settings.k8s_code_pvc if launch.code_path else None
        options: Obj = {"code_pvc": pvc, "code_mount": self.settings.k8s_code_mount}
        distributed = launch.resources.workers > 1
        if distributed:
            self._require_pytorchjob_crd()
            body = objects.make_pytorch_job(launch, ns, image, **options)
        else:
            body = objects.make_job(launch, ns, image, **options)
        name = body["metadata"]["name"]
        configmap = None
        if pvc is None:
            code = objects.make_code_configmap(launch, ns)
            self._call("create the code ConfigMap", self.core.create_namespaced_config_map, ns, code)
            configmap = code["metadata"]["name"]
        try:
            if distributed:
                created = self._create_pytorchjob(ns, body)
            else:
                created = self._call(f"create the Job {name}", self.batch.create_namespaced_job, ns, body)
        except MaestroError:
            if configmap:  # nothing will ever use it
                self._call(
                    "delete the ConfigMap", self.core.delete_namespaced_config_map, configmap, ns, missing_ok=True
                )
            raise
        if configmap:
            self._own(ns, configmap, created)
        return {"namespace": ns, "kind": body["kind"], "name": name, "configmap": configmap}

    def _require_pytorchjob_crd(self) -> None:
        read = self.extensions.read_custom_resource_definition
        try:
            found = self._call("read the PyTorchJob CRD", read, PYTORCHJOB_CRD, missing_ok=True)
        except PermissionDenied:
            # A namespaced service account often may not read CRDs: creating the PyTorchJob will tell.
            return
        if found is None:
            raise InvalidParameter(NO_PYTORCHJOB)

    def _create_pytorchjob(self, ns: str, body: Obj) -> Obj:
        create = self.custom.create_namespaced_custom_object
        try:
            return cast(Obj, self._call("create the PyTorchJob", create, *KUBEFLOW[:2], ns, KUBEFLOW[2], body))
        except NotFound as exc:  # the API server does not know the resource type
            raise InvalidParameter(NO_PYTORCHJOB) from exc

    def _own(self, ns: str, configmap: str, owner: Obj) -> None:
        """Make the Job own its ConfigMap, so that the garbage collector removes both when the Job's TTL expires."""
        meta = owner["metadata"]
        ref = {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"], "uid": meta["uid"]}
        patch = {"metadata": {"ownerReferences": [ref]}}
        try:
            self._call("set the ConfigMap's owner", self.core.patch_namespaced_config_map, configmap, ns, patch)
        except MaestroError as exc:
            # Not fatal: a cancel deletes the ConfigMap by name; only the TTL clean-up would leave it behind.
            log.warning("Could not make %s own ConfigMap %s: %s", meta["name"], configmap, exc)

    def _read_job(self, handle: Handle) -> Obj | None:
        ns, name = handle["namespace"], handle["name"]
        if handle.get("kind") == "PyTorchJob":
            get = self.custom.get_namespaced_custom_object
            found = self._call(
                f"read the PyTorchJob {name}", get, *KUBEFLOW[:2], ns, KUBEFLOW[2], name, missing_ok=True
            )
        else:
            found = self._call(f"read the Job {name}", self.batch.read_namespaced_job, name, ns, missing_ok=True)
        return cast(Obj | None, found)

    def _job_pods(self, job_id: str, handle: Handle) -> list[Obj]:
        """The job's pods, the master first, then workers by index, then by age."""

        def order(pod: Obj) -> tuple[bool, int, str, str]:
            labels = pod["metadata"].get("labels") or {}
            index = labels.get("training.kubeflow.org/replica-index", "0")
            return (
                labels.get("training.kubeflow.org/replica-type", "master") != "master",
                int(index) if index.isdigit() else 0,
                str(pod["metadata"].get("creationTimestamp") or ""),
                pod["metadata"]["name"],
            )

        return sorted(self._pods(handle["namespace"], objects.job_selector_labels(job_id)), key=order)

    def _warning_event(self, handle: Handle) -> str:
        """Why no pod was created (a quota, an admission policy), from the latest Warning event about the job."""
        ns, selector = handle["namespace"], f"involvedObject.name={handle['name']}"
        try:
            found = self._call("list events", self.core.list_namespaced_event, ns, field_selector=selector)
        except MaestroError:  # events are a nicety: reading them may not be allowed
            return ""
        return observed.latest_warning(list(found.get("items") or []))

    def refresh_job(self, job: Job, handle: Handle) -> JobUpdate | None:
        """The job's state from its Job's conditions and its pods; ``None`` when the record already says it.

        A Job gone before its outcome was recorded (deleted by someone, or its TTL expired) makes the job lost.
        """
        if job.status in JOB_FINAL:
            return None
        obj, now = self._read_job(handle), time.time()
        if obj is None:
            if job.status == "cancelling":
                return JobUpdate(status="cancelled", finished_at=now)
            where = f"{handle.get('kind', 'Job')} {handle['namespace']}/{handle['name']}"
            return JobUpdate(
                status="lost",
                reason=f"The Kubernetes {where} no longer exists: it was deleted before its outcome was recorded",
                finished_at=now,
            )
        pods = self._job_pods(job.id, handle)
        seen = observed.job_update(handle.get("kind", "Job"), obj, pods, now)
        if seen.status == "starting" and not seen.reason and not pods:
            seen.reason = self._warning_event(handle)
        update = JobUpdate(
            status=seen.status,
            reason=seen.reason if seen.reason is not None and seen.reason != job.reason else None,
            exit_code=seen.exit_code if seen.exit_code is not None and seen.exit_code != job.exit_code else None,
            started_at=seen.started_at if job.started_at is None else None,
            finished_at=seen.finished_at if job.finished_at is None else None,
        )
        unchanged = (update.reason, update.exit_code, update.started_at, update.finished_at) == (None,) * 4
        return None if seen.status == job.status and unchanged else update

    def job_logs(self, job: Job, handle: Handle, offset: int, limit: int) -> tuple[str, int]:
        """The pods' logs as one text (a ``==> pod <==`` line before each when there are several), sliced by byte.

        Kubernetes keeps a pod's log only as long as the pod: after the Job's TTL the text is gone. With several
        pods (a PyTorchJob), offsets stay meaningful only while the logs before the offset stop growing.
        """
        ns = handle["namespace"]
        container = objects.PYTORCH_CONTAINER if handle.get("kind") == "PyTorchJob" else objects.JOB_CONTAINER
        pods = self._job_pods(job.id, handle)
        parts: list[bytes] = []
        for pod in pods:
            name = pod["metadata"]["name"]
            if len(pods) > 1:
                parts.append(f"==> {name} <==\n".encode())
            parts.append(self._pod_log(ns, name, container))
        return slice_utf8(b"".join(parts), offset, limit)

    def _pod_log(self, ns: str, pod: str, container: str) -> bytes:
        read = self.core.read_namespaced_pod_log
        try:
            # Raw bytes, as the kubelet wrote them (the client would "deserialize" a log that is one JSON document).
            return self._raw(f"read the log of pod {pod}", read, pod, ns, container=container) or b""
        except (NotFound, InvalidParameter):  # gone meanwhile, or not started yet ("waiting to start")
            return b""

    def cancel_job(self, job: Job, handle: Handle) -> JobUpdate:
        """Delete the Job with its pods, and the code ConfigMap; already gone is fine."""
        ns, name = handle["namespace"], handle["name"]
        if handle.get("kind") == "PyTorchJob":
            delete = self.custom.delete_namespaced_custom_object
            args: tuple[Any, ...] = (*KUBEFLOW[:2], ns, KUBEFLOW[2], name)
        else:
            delete, args = self.batch.delete_namespaced_job, (name, ns)
        # Background: a batch/v1 Job otherwise orphans its pods, which would go on running.
        self._call(f"delete {name}", delete, *args, propagation_policy="Background", missing_ok=True)
        if handle.get("configmap"):
            delete_cm = self.core.delete_namespaced_config_map
            self._call("delete the code ConfigMap", delete_cm, handle["configmap"], ns, missing_ok=True)
        return JobUpdate(status="cancelled", finished_at=time.time())

    # --- deployments ------------------------------------------------------------------------------------------

    def _check_model_reachable(self, launch: DeploymentLaunch) -> None:
        uri = launch.model_uri
        if not uri.startswith(("models:", "runs:")):
            if observed.unreachable_uri(uri):
                raise InvalidParameter(
                    f"The model {uri!r} is on this machine's disk, which serving pods cannot read: register it with "
                    "a tracking server whose artifacts live in shared storage"
                )
            return
        for var in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
            value = launch.env.get(var) or (self.settings.tracking_uri if var == "MLFLOW_TRACKING_URI" else "")
            if value and observed.unreachable_uri(value):
                raise InvalidParameter(
                    f"Serving pods resolve {uri} through MLflow, but cannot reach {var}={value!r} (a local file or "
                    "database): set MLFLOW_TRACKING_URI to a tracking server, e.g. http://mlflow:5000"
                )

    def create_deployment(self, launch: DeploymentLaunch) -> Handle:
        """Create the Deployment, then its Service (owned by the Deployment, so that they go together)."""
        self._check_model_reachable(launch)
        ns = self.namespace
        body = objects.make_deployment(launch, ns, launch.image or self.settings.serving_image)
        name = body["metadata"]["name"]
        created = self._call(f"create the Deployment {name}", self.apps.create_namespaced_deployment, ns, body)
        service = objects.make_service(launch, ns)
        owner = {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": created["metadata"]["uid"]}
        service["metadata"]["ownerReferences"] = [owner]
        try:
            self._call(f"create the Service {name}", self.core.create_namespaced_service, ns, service)
        except MaestroError:
            self._delete_deployment(ns, name, None)
            raise
        return {"namespace": ns, "kind": "Deployment", "name": name, "service": service["metadata"]["name"]}

    def refresh_deployment(self, deployment: Deployment, handle: Handle) -> DeploymentUpdate:
        """The Deployment's replicas as its controller and the pods report them (see ``deployment_update``)."""
        ns, name = handle["namespace"], handle["name"]
        found = self._call(
            f"read the Deployment {name}", self.apps.read_namespaced_deployment, name, ns, missing_ok=True
        )
        if found is None:
            reason = f"The Kubernetes Deployment {ns}/{name} no longer exists: it was deleted outside Maestro"
            return DeploymentUpdate(status="failed", ready_replicas=0, reason=reason)
        pods = self._pods(ns, objects.deployment_selector_labels(deployment.id))
        url = objects.service_url(handle["service"], ns)
        return observed.deployment_update(found, pods, deployment.status, url)

    def scale_deployment(self, deployment: Deployment, handle: Handle, replicas: int) -> Handle:
        """Set the Deployment's replica count (the controller adds or removes pods)."""
        ns, name = handle["namespace"], handle["name"]
        patch = {"spec": {"replicas": replicas}}
        self._call(f"scale the Deployment {name}", self.apps.patch_namespaced_deployment, name, ns, patch)
        return dict(handle)

    def update_deployment(self, deployment: Deployment, handle: Handle, launch: DeploymentLaunch) -> Handle:
        """Replace the pod template with the new version's: the Deployment rolls over, a new replica ready before
        an old one stops (``maxUnavailable: 0``)."""
        self._check_model_reachable(launch)
        ns, name = handle["namespace"], handle["name"]
        desired = objects.make_deployment(launch, ns, launch.image or self.settings.serving_image)
        template = desired["spec"]["template"]
        # A JSON merge patch replaces lists (the containers) whole; null removes what the new template lacks.
        for key in ("tolerations", "volumes"):
            template["spec"].setdefault(key, None)
        meta = {"labels": desired["metadata"]["labels"], "annotations": desired["metadata"]["annotations"]}
        patch = {"metadata": meta, "spec": {"template": template}}
        merge = "application/merge-patch+json"
        self._call(
            f"update the Deployment {name}", self.apps.patch_namespaced_deployment, name, ns, patch, _content_type=merge
        )
        relabel = {"metadata": {"labels": desired["metadata"]["labels"]}}
        service = handle["service"]
        self._call(
            f"relabel the Service {service}", self.core.patch_namespaced_service, service, ns, relabel, missing_ok=True
        )
        return dict(handle)

    def _delete_deployment(self, ns: str, name: str, service: str | None) -> None:
        delete = self.apps.delete_namespaced_deployment
        self._call(f"delete the Deployment {name}", delete, name, ns, propagation_policy="Background", missing_ok=True)
        if service:
            self._call(
                f"delete the Service {service}", self.core.delete_namespaced_service, service, ns, missing_ok=True
            )

    def delete_deployment(self, deployment: Deployment, handle: Handle) -> None:
        """Delete the Deployment (its replicas with it) and the Service; already gone is fine."""
        self._delete_deployment(handle["namespace"], handle["name"], handle.get("service"))

    def predict(self, deployment: Deployment, handle: Handle, body: bytes, timeout: float) -> BackendResponse:
        """POST the body to the Service's ``/invocations`` through the API server's service proxy (the Jupyter
        server needs no route into the cluster network); the replica's answer is passed through as it came."""
        ns, service = handle["namespace"], handle["service"]
        path = f"/api/v1/namespaces/{quote(ns)}/services/{quote(service)}:{SERVING_PORT}/proxy/invocations"
        headers = {**self.api_client.default_headers, "Content-Type": "application/json", "Accept": "application/json"}
        # The typed client would re-encode the body as JSON; its connection pool sends it as the caller gave it,
        # with the same TLS settings and credentials (refreshed tokens included).
        self.api_client.update_params_for_auth(headers, [], ["BearerToken"])
        try:
            response = self.api_client.rest_client.pool_manager.request(
                "POST",
                self.api_client.configuration.host.rstrip("/") + path,
                body=body,
                headers=headers,
                timeout=urllib3.Timeout(total=timeout),
                retries=False,
            )
        except urllib3.exceptions.TimeoutError as exc:
            raise BackendUnavailable(f"Deployment {deployment.id!r} did not answer within {timeout:g} s") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise BackendUnavailable(f"The Kubernetes API server cannot be reached: {first_line(exc)}") from exc
        status, data = int(response.status), bytes(response.data)
        problem = observed.api_status(data)
        if problem is not None:  # the API server answered, not the model: RBAC, no Service, no ready endpoint
            message = str(problem.get("message") or "")
            if status in (401, 403):
                raise PermissionDenied(f"Kubernetes refused to proxy to the Service {service}: {message}. {RBAC_HINT}")
            if status == 404:
                raise NotFound(f"The Service {ns}/{service} of deployment {deployment.id!r} does not exist: {message}")
            if status in (502, 503):
                raise BackendUnavailable(f"No replica of deployment {deployment.id!r} is ready to answer: {message}")
        return BackendResponse(status=status, body=data, replica=service)

    # --- usage (from the cluster's Prometheus) ---------------------------------------------------------------------

    def job_usage(self, job: Job, handle: Handle) -> Usage | None:
        return k8s_usage.job_usage(self.settings, self.namespace, job, handle)

    def deployment_usage(
        self, deployment: Deployment, handle: Handle, since: float, until: float, meter: dict[str, Any]
    ) -> tuple[Usage | None, dict[str, Any]]:
        return k8s_usage.deployment_usage(self.settings, self.namespace, deployment, handle, since, until), meter
