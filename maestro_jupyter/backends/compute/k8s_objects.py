"""Kubernetes objects for jobs and deployments, as plain dicts (pure functions, no ``kubernetes`` import).

Like kubespawner's ``objects.py``: every object the Kubernetes backend creates comes from a builder here, so that
the tests validate each one against the official schemas without a cluster, and the backend only sends them.

Names are derived from Maestro's ids with a ``maestro-`` prefix: the namespace is usually shared with JupyterHub,
and a prefix keeps a user's ``proxy`` deployment from ever touching the hub's own objects.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
from typing import Any

from ...entities import Resources
from ...errors import InvalidParameter
from ...naming import dns_safe, file_safe, label_value
from . import commands
from .base import DeploymentLaunch, JobLaunch

Obj = dict[str, Any]

MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_USER = "maestro.jupyter/user"
LABEL_PROJECT = "maestro.jupyter/project"
LABEL_JOB = "maestro.jupyter/job-id"
LABEL_DEPLOYMENT = "maestro.jupyter/deployment-id"
LABEL_MODEL = "maestro.jupyter/model"
LABEL_VERSION = "maestro.jupyter/model-version"
ANNOTATION_MODEL_URI = "maestro.jupyter/model-uri"
ANNOTATION_JOB_NAME = "maestro.jupyter/job-name"

#: Where a ConfigMap's copy of the code appears inside a job's pods.
CODE_MOUNT = "/maestro/code"
#: Finished Jobs (and, through their owner reference, their ConfigMaps and pods) are garbage-collected after a week:
#: long enough to read the logs of last week's run, short enough not to pile up.
JOB_TTL_SECONDS = 7 * 24 * 3600
#: A ConfigMap holds at most 1 MiB in all; keep a margin for the metadata.
MAX_CONFIGMAP_CODE = 1_000_000
#: The container names: the Kubeflow training operator requires ``pytorch`` in a PyTorchJob.
JOB_CONTAINER = "job"
PYTORCH_CONTAINER = "pytorch"
SERVING_CONTAINER = "model"
#: A Job name also becomes a label value (``batch.kubernetes.io/job-name``) and, for a PyTorchJob, the prefix of
#: per-replica Services (``<name>-worker-12``, DNS-1035 labels of at most 63 characters): keep room for the suffix.
MAX_JOB_NAME = 52
#: A Deployment shares its name with its Service (a DNS-1035 label).
MAX_DEPLOYMENT_NAME = 63


# --- names -------------------------------------------------------------------------------------------------------


def _object_name(prefix: str, ident: str, limit: int) -> str:
    """``prefix-ident`` when ``ident`` is already a short DNS label, else a readable part plus a hash of the id, so
    that two ids that read alike once lowercased or truncated never share an object."""
    room = limit - len(prefix) - 1
    safe = dns_safe(ident, limit=room, fallback="")
    if safe == ident:
        return f"{prefix}-{safe}"
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:8]
    readable = dns_safe(ident, limit=room - 9, fallback="")
    return f"{prefix}-{readable}-{digest}" if readable else f"{prefix}-{digest}"


def job_object_name(job_id: str) -> str:
    """The Job (or PyTorchJob) name of a Maestro job (``job-1a2b3c4d`` -> ``maestro-job-1a2b3c4d``): a DNS-1035
    label of at most 52 characters."""
    return _object_name("maestro", job_id, MAX_JOB_NAME)


def code_configmap_name(job_id: str) -> str:
    """The ConfigMap holding a job's code."""
    return f"{job_object_name(job_id)}-code"


def deployment_object_name(deployment_id: str) -> str:
    """The Deployment and Service name of a Maestro deployment: a DNS-1035 label of at most 63 characters."""
    return _object_name("maestro", deployment_id, MAX_DEPLOYMENT_NAME)


def service_url(service: str, namespace: str) -> str:
    """Where a deployment's Service answers inside the cluster."""
    return f"http://{service}.{namespace}.svc:{commands.SERVING_PORT}"


def code_key(file_name: str) -> str:
    """The file name of the code inside the ConfigMap (keys allow only ``[-._a-zA-Z0-9]``)."""
    return file_safe(posixpath.basename(file_name.replace("\\", "/"))) or "main.py"


# --- labels and selectors ----------------------------------------------------------------------------------------


def job_selector_labels(job_id: str) -> dict[str, str]:
    """The labels every pod of a job carries, to find them again."""
    return {MANAGED_BY: "maestro", LABEL_JOB: label_value(job_id)}


def deployment_selector_labels(deployment_id: str) -> dict[str, str]:
    """The Deployment's (immutable) selector and the Service's: the deployment id only, never the model version,
    so that a rolling update keeps the same pods selected."""
    return {MANAGED_BY: "maestro", LABEL_DEPLOYMENT: label_value(deployment_id)}


def selector(labels: dict[str, str]) -> str:
    """A label selector string (``k=v,k2=v2``)."""
    return ",".join(f"{key}={value}" for key, value in labels.items())


def job_labels(launch: JobLaunch) -> dict[str, str]:
    """Labels of a job's objects and pods (user and project for cost reports, the id to find them)."""
    return {
        **job_selector_labels(launch.job_id),
        "app.kubernetes.io/name": "maestro-job",
        "app.kubernetes.io/component": "training",
        LABEL_USER: label_value(launch.user),
        LABEL_PROJECT: label_value(launch.project),
    }


def deployment_labels(launch: DeploymentLaunch) -> dict[str, str]:
    """Labels of a deployment's objects and pods."""
    return {
        **deployment_selector_labels(launch.deployment_id),
        "app.kubernetes.io/name": "maestro-model",
        "app.kubernetes.io/component": "serving",
        LABEL_USER: label_value(launch.user),
        LABEL_PROJECT: label_value(launch.project),
        LABEL_MODEL: label_value(launch.model),
        LABEL_VERSION: label_value(launch.version),
    }


def _meta(name: str, namespace: str, labels: dict[str, str], annotations: dict[str, str]) -> Obj:
    return {"name": name, "namespace": namespace, "labels": dict(labels), "annotations": dict(annotations)}


# --- pod parts ---------------------------------------------------------------------------------------------------


def cpu_quantity(cpus: float) -> str:
    """Cores as a Kubernetes quantity: ``2`` or ``500m``."""
    milli = max(1, round(cpus * 1000))
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def resource_requirements(resources: Resources) -> Obj:
    """Requests equal to limits (a Guaranteed-like pod: what a user asked for is what they get and are billed for);
    GPUs as ``nvidia.com/gpu``, which Kubernetes only accepts with requests equal to limits."""
    amounts: dict[str, str] = {}
    if resources.cpus:
        amounts["cpu"] = cpu_quantity(resources.cpus)
    if resources.memory:
        amounts["memory"] = resources.memory
    if resources.gpus > 0:
        amounts["nvidia.com/gpu"] = str(resources.gpus)
    return {"requests": dict(amounts), "limits": dict(amounts)} if amounts else {}


def _env(values: dict[str, str]) -> list[Obj]:
    return [{"name": key, "value": str(value)} for key, value in values.items()]


def _pod_spec(container: Obj, volumes: list[Obj], resources: Resources, restart_policy: str | None) -> Obj:
    spec: Obj = {
        "containers": [container],
        # Training code and model servers never talk to the Kubernetes API: no token for them to leak.
        "automountServiceAccountToken": False,
        # A hub's namespace holds many Services; their *_SERVICE_HOST variables are noise in a user's environment.
        "enableServiceLinks": False,
    }
    if restart_policy:
        spec["restartPolicy"] = restart_policy
    if volumes:
        spec["volumes"] = volumes
    if resources.gpus > 0:
        # GPU node pools are commonly tainted so that only GPU pods land there.
        spec["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    return spec


def pvc_script_path(code_path: str, mount: str) -> str:
    """The script's path inside the pod when the code volume is mounted at ``mount`` (``code_path`` is relative to
    the volume, or absolute and inside it)."""
    mount = posixpath.normpath(mount)
    path = posixpath.normpath(code_path if code_path.startswith("/") else posixpath.join(mount, code_path))
    if not path.startswith(mount.rstrip("/") + "/"):
        raise InvalidParameter(f"The code path {code_path!r} is outside the code volume mounted at {mount}")
    return path


def _job_container(launch: JobLaunch, image: str, name: str, code_pvc: str | None, code_mount: str) -> tuple[Obj, Obj]:
    """The container running the code, and the volume the code comes from."""
    if launch.code_path and code_pvc:
        script = pvc_script_path(launch.code_path, code_mount)
        volume: Obj = {"name": "code", "persistentVolumeClaim": {"claimName": code_pvc}}
        # Writable, and the script's folder as working directory, as when the user runs it in their home.
        mount: Obj = {"name": "code", "mountPath": posixpath.normpath(code_mount)}
        workdir: str | None = posixpath.dirname(script)
    else:
        script = f"{CODE_MOUNT}/{code_key(launch.file_name)}"
        volume = {"name": "code", "configMap": {"name": code_configmap_name(launch.job_id)}}
        mount = {"name": "code", "mountPath": CODE_MOUNT, "readOnly": True}
        workdir = None
    env = {**launch.env, "MAESTRO_USER": launch.user, "MAESTRO_PROJECT": launch.project}
    # Output reaches the pod log as it is printed, not when a buffer fills.
    env.setdefault("PYTHONUNBUFFERED", "1")
    container: Obj = {
        "name": name,
        "image": image,
        # args, not command: the image's entrypoint (e.g. tini in the Jupyter images) still wraps the process.
        "args": commands.job_argv("python", launch.kind, script, launch.params),
        "env": _env(env),
        "volumeMounts": [mount],
        "securityContext": {"allowPrivilegeEscalation": False},
    }
    if workdir:
        container["workingDir"] = workdir
    resources = resource_requirements(launch.resources)
    if resources:
        container["resources"] = resources
    return container, volume


# --- jobs --------------------------------------------------------------------------------------------------------


def make_code_configmap(launch: JobLaunch, namespace: str) -> Obj:
    """The ConfigMap that ships the job's code (``launch.code`` as file ``launch.file_name``).

    Raises ``InvalidParameter`` when the code exceeds what a ConfigMap holds (a notebook with large outputs).
    """
    key = code_key(launch.file_name)
    try:
        data: Obj = {"data": {key: launch.code.decode("utf-8")}}
        size = len(launch.code)
    except UnicodeDecodeError:
        encoded = base64.b64encode(launch.code).decode("ascii")
        data = {"binaryData": {key: encoded}}
        size = len(encoded)
    if size > MAX_CONFIGMAP_CODE:
        raise InvalidParameter(
            f"The code of {launch.file_name!r} ({size} bytes) is too large to ship in a ConfigMap (1 MB): clear the "
            "notebook's outputs, or set MAESTRO_K8S_CODE_PVC so that jobs run the file from the shared volume"
        )
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(code_configmap_name(launch.job_id), namespace, job_labels(launch), {}),
        # A snapshot of the code at submission: immutable also spares the kubelets from watching it.
        "immutable": True,
        **data,
    }


def _job_template(launch: JobLaunch, image: str, container_name: str, code_pvc: str | None, code_mount: str) -> Obj:
    container, volume = _job_container(launch, image, container_name, code_pvc, code_mount)
    return {
        "metadata": {"labels": job_labels(launch), "annotations": {ANNOTATION_JOB_NAME: launch.name}},
        "spec": _pod_spec(container, [volume], launch.resources, "Never"),
    }


def make_job(
    launch: JobLaunch,
    namespace: str,
    image: str,
    *,
    code_pvc: str | None = None,
    code_mount: str = "/home/jovyan",
    ttl_seconds: int = JOB_TTL_SECONDS,
) -> Obj:
    """A ``batch/v1`` Job running the code once (no retry: a failed training run is reported, not repeated).

    The code comes from the ConfigMap of :func:`make_code_configmap`, or from ``code_pvc`` mounted at ``code_mount``
    when ``launch.code_path`` is set.
    """
    labels = job_labels(launch)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(job_object_name(launch.job_id), namespace, labels, {ANNOTATION_JOB_NAME: launch.name}),
        "spec": {
            "backoffLimit": 0,
            "ttlSecondsAfterFinished": ttl_seconds,
            "template": _job_template(launch, image, JOB_CONTAINER, code_pvc, code_mount),
        },
    }


def make_pytorch_job(
    launch: JobLaunch,
    namespace: str,
    image: str,
    *,
    code_pvc: str | None = None,
    code_mount: str = "/home/jovyan",
    ttl_seconds: int = JOB_TTL_SECONDS,
) -> Obj:
    """A ``kubeflow.org/v1`` PyTorchJob: one Master and ``workers - 1`` Workers running the same code.

    The training operator gives each replica ``MASTER_ADDR``, ``MASTER_PORT``, ``WORLD_SIZE`` and ``RANK``, which
    ``torch.distributed.init_process_group("env://")`` reads.
    """
    if launch.resources.workers < 2:
        raise InvalidParameter("A PyTorchJob needs at least 2 workers; run a single worker as a plain Job")
    template = _job_template(launch, image, PYTORCH_CONTAINER, code_pvc, code_mount)
    labels = job_labels(launch)
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": _meta(job_object_name(launch.job_id), namespace, labels, {ANNOTATION_JOB_NAME: launch.name}),
        "spec": {
            "runPolicy": {
                "backoffLimit": 0,
                "ttlSecondsAfterFinished": ttl_seconds,
                # Keep finished pods (until the TTL) so that their logs can still be read.
                "cleanPodPolicy": "None",
            },
            "pytorchReplicaSpecs": {
                "Master": {"replicas": 1, "restartPolicy": "Never", "template": template},
                "Worker": {
                    "replicas": launch.resources.workers - 1,
                    "restartPolicy": "Never",
                    "template": _job_template(launch, image, PYTORCH_CONTAINER, code_pvc, code_mount),
                },
            },
        },
    }


# --- deployments -------------------------------------------------------------------------------------------------


def deployment_pod_template(launch: DeploymentLaunch, image: str) -> Obj:
    """The serving pod: ``mlflow models serve`` on :data:`commands.SERVING_PORT`, ready once ``/ping`` answers."""
    env = {**launch.env, "MAESTRO_USER": launch.user, "MAESTRO_PROJECT": launch.project}
    env.setdefault("PYTHONUNBUFFERED", "1")
    container: Obj = {
        "name": SERVING_CONTAINER,
        "image": image,
        "args": commands.serving_argv("python", launch.model_uri, "0.0.0.0", commands.SERVING_PORT),  # noqa: S104
        "ports": [{"name": "http", "containerPort": commands.SERVING_PORT, "protocol": "TCP"}],
        "env": _env(env),
        # Readiness only: a liveness probe would kill a replica still downloading a large model. A replica that
        # crashes is restarted by the kubelet anyway.
        "readinessProbe": {
            "httpGet": {"path": "/ping", "port": commands.SERVING_PORT},
            "initialDelaySeconds": 5,
            "periodSeconds": 5,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        },
        "securityContext": {"allowPrivilegeEscalation": False},
    }
    resources = resource_requirements(launch.resources)
    if resources:
        container["resources"] = resources
    return {
        "metadata": {"labels": deployment_labels(launch), "annotations": {ANNOTATION_MODEL_URI: launch.model_uri}},
        "spec": _pod_spec(container, [], launch.resources, None),
    }


def make_deployment(launch: DeploymentLaunch, namespace: str, image: str) -> Obj:
    """An ``apps/v1`` Deployment of ``launch.replicas`` serving replicas.

    Rolling updates start a new replica before stopping an old one (``maxUnavailable: 0``, ``maxSurge: 1``), so a
    deployment that answers keeps answering while it moves to another version.
    """
    name = deployment_object_name(launch.deployment_id)
    annotations = {ANNOTATION_MODEL_URI: launch.model_uri}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, namespace, deployment_labels(launch), annotations),
        "spec": {
            "replicas": launch.replicas,
            "selector": {"matchLabels": deployment_selector_labels(launch.deployment_id)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "revisionHistoryLimit": 3,
            "template": deployment_pod_template(launch, image),
        },
    }


def make_service(launch: DeploymentLaunch, namespace: str) -> Obj:
    """The ClusterIP Service in front of a deployment's replicas, on port 8080."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(deployment_object_name(launch.deployment_id), namespace, deployment_labels(launch), {}),
        "spec": {
            "type": "ClusterIP",
            "selector": deployment_selector_labels(launch.deployment_id),
            "ports": [{"name": "http", "port": commands.SERVING_PORT, "targetPort": "http", "protocol": "TCP"}],
        },
    }
