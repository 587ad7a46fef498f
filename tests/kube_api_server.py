"""An in-test Kubernetes API server: the subset of the REST API that Maestro's Kubernetes backend uses.

It is a real HTTP server speaking the API's JSON (objects, lists, ``Status`` errors), so that the official
``kubernetes`` client runs unchanged against it: URL building, (de)serialisation, patch content types, error
classes. It keeps objects in memory and does what the API server itself does with them (uids, resourceVersions,
creation timestamps, generations, name and label validation, 404/409/422 answers, garbage collection of dependents
on deletion). No controller runs: the tests play the Job, Deployment and kubelet controllers with the helper
methods (``set_job_status``, ``add_job_pod``, ``set_pod_log``, ``add_deployment_pods``, ``set_deployment_status``).

Supported: create, get, list (``labelSelector``, ``fieldSelector``), patch (JSON merge patch and strategic merge
patch), replace, delete (``propagationPolicy``) of configmaps, pods, services, events, jobs, deployments and
PyTorchJobs (only once their CRD is installed); CRD get; pod logs; and the service proxy, answered by a handler the
test programs. ``forbid(verb, resource)`` answers 403 as RBAC would.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

Obj = dict[str, Any]
#: (service name, port, path after ``/proxy``, request body, request headers) -> (status, body, content type).
ProxyHandler = Callable[[str, str, str, bytes, dict[str, str]], tuple[int, bytes, str]]


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """``jobs.batch``, as the API server names a resource in its messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


RESOURCES = {
    r.plural: r
    for r in (
        Resource("", "v1", "configmaps", "ConfigMap"),
        Resource("", "v1", "pods", "Pod"),
        Resource("", "v1", "services", "Service"),
        Resource("", "v1", "events", "Event"),
        Resource("batch", "v1", "jobs", "Job"),
        Resource("apps", "v1", "deployments", "Deployment"),
        Resource("kubeflow.org", "v1", "pytorchjobs", "PyTorchJob"),
        Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False),
    )
}
#: Resources whose spec changes bump ``metadata.generation``.
_GENERATION = {"jobs", "deployments", "pytorchjobs"}
#: Built-in kinds the server checks against the official schema on create, as the real one does.
_SCHEMA_CHECKED = {"configmaps", "services", "jobs", "deployments"}
SCHEMA_VERSION = "1.31"

_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
#: Strategic merge patch: lists merged item by item on these keys (the ``patchMergeKey`` of the Go types).
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
}


class ApiError(Exception):
    """An error answered as a ``Status`` object."""

    REASONS = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 409: "AlreadyExists", 415: "UnsupportedMediaType"}

    def __init__(self, code: int, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or self.REASONS.get(code, "Invalid" if code == 422 else "InternalError")

    def status(self) -> Obj:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }


def rfc3339(ts: float | None = None) -> str:
    """A timestamp as the API server writes one."""
    return datetime.fromtimestamp(time.time() if ts is None else ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: maps merged, ``null`` deletes, anything else (lists included) replaced."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """Kubernetes' strategic merge patch for the fields Maestro patches: like a merge patch, except that lists of
    containers, env vars, volumes, mounts and ports are merged item by item on their merge key."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        current = out.get(key)
        if value is None:
            out.pop(key, None)
        elif key in _MERGE_KEYS and isinstance(value, list) and isinstance(current, list):
            out[key] = _merge_list(current, value, _MERGE_KEYS[key])
        else:
            out[key] = strategic_merge_patch(current, value)
    return out


def _merge_list(current: list[Any], patch: list[Any], merge_key: str) -> list[Any]:
    merged = [copy.deepcopy(item) for item in current]
    for item in patch:
        index = next((i for i, old in enumerate(merged) if old.get(merge_key) == item.get(merge_key)), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del merged[index]
        elif index is None:
            merged.append(copy.deepcopy(item))
        else:
            merged[index] = strategic_merge_patch(merged[index], item)
    return merged


def _matches_labels(labels: dict[str, str], selector: str) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def _field(obj: Obj, path: str) -> Any:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _matches_fields(obj: Obj, selector: str) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        negate = "!=" in term
        key, value = term.split("!=" if negate else "=", 1)
        if (str(_field(obj, key.lstrip("=")) or "") == value.lstrip("=")) == negate:
            return False
    return True


@dataclass(frozen=True)
class Request:
    """A request as the server received it (``body``: parsed JSON, else bytes; header names in lowercase)."""

    method: str
    path: str
    query: dict[str, str]
    content_type: str
    body: Any
    headers: dict[str, str]


class KubeApiServer:
    """Start with :meth:`start`, point a ``kubernetes.client.Configuration(host=server.url)`` at it, stop with
    :meth:`stop`. Every request is recorded in :attr:`requests`."""

    def __init__(self, user: str = "system:serviceaccount:team-a:maestro") -> None:
        self.user = user
        self.objects: dict[tuple[str, str, str], Obj] = {}
        self.logs: dict[tuple[str, str], str] = {}
        self.requests: list[Request] = []
        self.proxy_handler: ProxyHandler | None = None
        self._forbidden: set[tuple[str, str]] = set()
        self._lock = threading.RLock()
        self._versions = itertools.count(1000)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------------------------------

    def start(self) -> KubeApiServer:
        handler = type("Handler", (_Handler,), {"api": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="kube-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- what the tests set up and inspect --------------------------------------------------------------------

    def forbid(self, verb: str, plural: str) -> None:
        """Answer 403 to ``verb`` (get, list, create, patch, update, delete) on ``plural``, as RBAC would."""
        self._forbidden.add((verb, plural))

    def install_crd(self, name: str = "pytorchjobs.kubeflow.org") -> None:
        """Install a CustomResourceDefinition (by name), which makes its custom objects servable."""
        plural, _, group = name.partition(".")
        crd = {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": name},
            "spec": {
                "group": group,
                "names": {"plural": plural, "kind": RESOURCES[plural].kind if plural in RESOURCES else plural},
                "scope": "Namespaced",
                "versions": [{"name": "v1", "served": True, "storage": True}],
            },
        }
        self._store(RESOURCES["customresourcedefinitions"], "", crd)

    def get(self, plural: str, name: str, namespace: str = "") -> Obj | None:
        """A stored object (a copy), or ``None``."""
        with self._lock:
            obj = self.objects.get((plural, namespace if RESOURCES[plural].namespaced else "", name))
            return copy.deepcopy(obj) if obj is not None else None

    def names(self, plural: str, namespace: str | None = None) -> list[str]:
        """The names of the stored objects of a resource."""
        with self._lock:
            return sorted(n for (p, ns, n) in self.objects if p == plural and namespace in (None, ns))

    def requests_to(self, method: str, fragment: str) -> list[Request]:
        """The recorded requests with this method whose path contains ``fragment``."""
        return [r for r in self.requests if r.method == method and fragment in r.path]

    def remove(self, plural: str, name: str, namespace: str) -> None:
        """Delete an object behind the client's back (someone's ``kubectl delete``), with its dependents."""
        with self._lock:
            self._delete(RESOURCES[plural], namespace, name, "Background")

    def set_status(self, plural: str, name: str, namespace: str, status: Obj) -> None:
        """Merge ``status`` into an object's status (a controller's status update)."""
        with self._lock:
            obj = self._existing(RESOURCES[plural], namespace, name)
            obj["status"] = merge_patch(obj.get("status") or {}, status)
            obj["metadata"]["resourceVersion"] = str(next(self._versions))

    def set_job_status(
        self,
        name: str,
        namespace: str,
        *,
        active: int | None = None,
        succeeded: int | None = None,
        failed: int | None = None,
        start_time: float | None = None,
        completion_time: float | None = None,
        conditions: list[tuple[str, str, str]] | None = None,
        condition_time: float | None = None,
    ) -> None:
        """Play the Job controller: counts, times and ``(type, reason, message)`` conditions (status ``True``)."""
        status: Obj = {}
        for key, value in (("active", active), ("succeeded", succeeded), ("failed", failed)):
            if value is not None:
                status[key] = value
        if start_time is not None:
            status["startTime"] = rfc3339(start_time)
        if completion_time is not None:
            status["completionTime"] = rfc3339(completion_time)
        if conditions is not None:
            status["conditions"] = [
                {
                    "type": kind,
                    "status": "True",
                    "reason": reason,
                    "message": message,
                    "lastProbeTime": rfc3339(condition_time),
                    "lastTransitionTime": rfc3339(condition_time),
                }
                for kind, reason, message in conditions
            ]
        self.set_status("jobs", name, namespace, status)

    def add_pod(
        self,
        name: str,
        namespace: str,
        labels: dict[str, str],
        *,
        container: str = "job",
        owner: Obj | None = None,
        phase: str = "Running",
        ready: bool = False,
        started_at: float | None = None,
        waiting: tuple[str, str] | None = None,
        terminated: tuple[int, str] | None = None,
        unschedulable: str | None = None,
        deleting: bool = False,
    ) -> str:
        """Play the scheduler and kubelet: a pod with one container in the state given (``waiting``: reason and
        message; ``terminated``: exit code and reason; ``unschedulable``: the scheduler's message)."""
        state: Obj
        if waiting is not None:
            state = {"waiting": {"reason": waiting[0], "message": waiting[1]}}
        elif terminated is not None:
            state = {
                "terminated": {
                    "exitCode": terminated[0],
                    "reason": terminated[1],
                    "startedAt": rfc3339(started_at),
                    "finishedAt": rfc3339(),
                }
            }
        elif phase == "Running":
            state = {"running": {"startedAt": rfc3339(started_at)}}
        else:
            state = {"waiting": {"reason": "ContainerCreating"}}
        conditions = [{"type": "Ready", "status": "True" if ready else "False"}]
        if unschedulable:
            conditions = [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": unschedulable}
            ]
        pod: Obj = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
            "spec": {"containers": [{"name": container, "image": "image"}], "restartPolicy": "Never"},
            "status": {
                "phase": phase,
                "conditions": conditions,
                "containerStatuses": [] if unschedulable else [self._container_status(container, ready, state)],
            },
        }
        if started_at is not None:
            pod["status"]["startTime"] = rfc3339(started_at)
        if owner is not None:
            pod["metadata"]["ownerReferences"] = [
                {
                    "apiVersion": owner["apiVersion"],
                    "kind": owner["kind"],
                    "name": owner["metadata"]["name"],
                    "uid": owner["metadata"]["uid"],
                    "controller": True,
                }
            ]
        if deleting:
            pod["metadata"]["deletionTimestamp"] = rfc3339()
        self._store(RESOURCES["pods"], namespace, pod)
        return name

    @staticmethod
    def _container_status(name: str, ready: bool, state: Obj) -> Obj:
        """A container's status as a kubelet reports it (an image id and container id once it has run)."""
        ran = "running" in state or "terminated" in state
        status: Obj = {
            "name": name,
            "ready": ready,
            "started": "running" in state,
            "restartCount": 0,
            "image": "registry.example/image:1",
            "imageID": "registry.example/image@sha256:" + "0" * 64 if ran else "",
            "state": state,
        }
        if ran:
            status["containerID"] = "containerd://" + uuid.uuid4().hex
        return status

    def add_job_pod(self, job: str, namespace: str, *, replica: str | None = None, index: int = 0, **state: Any) -> str:
        """Play the Job (or training operator) controller: a pod from the job's pod template, with the labels and
        owner reference the controller gives it; ``state`` as for :meth:`add_pod`."""
        if replica is None:
            owner = self._existing(RESOURCES["jobs"], namespace, job)
            template = owner["spec"]["template"]
            labels = {**template["metadata"].get("labels", {}), "batch.kubernetes.io/job-name": job, "job-name": job}
            name = f"{job}-{uuid.uuid4().hex[:5]}"
        else:
            owner = self._existing(RESOURCES["pytorchjobs"], namespace, job)
            template = owner["spec"]["pytorchReplicaSpecs"][replica]["template"]
            labels = {
                **template["metadata"].get("labels", {}),
                "training.kubeflow.org/job-name": job,
                "training.kubeflow.org/replica-type": replica.lower(),
                "training.kubeflow.org/replica-index": str(index),
            }
            name = f"{job}-{replica.lower()}-{index}"
        container = template["spec"]["containers"][0]["name"]
        return self.add_pod(name, namespace, labels, container=container, owner=owner, **state)

    def add_deployment_pods(self, deployment: str, namespace: str, count: int, **state: Any) -> list[str]:
        """Play the Deployment and ReplicaSet controllers: ``count`` pods from the current pod template."""
        owner = self._existing(RESOURCES["deployments"], namespace, deployment)
        template = owner["spec"]["template"]
        template_hash = uuid.uuid5(uuid.NAMESPACE_OID, json.dumps(template, sort_keys=True)).hex[:10]
        labels = {**template["metadata"].get("labels", {}), "pod-template-hash": template_hash}
        container = template["spec"]["containers"][0]["name"]
        return [
            self.add_pod(
                f"{deployment}-{template_hash}-{uuid.uuid4().hex[:5]}",
                namespace,
                labels,
                container=container,
                owner=owner,
                **state,
            )
            for _ in range(count)
        ]

    def set_deployment_status(
        self, name: str, namespace: str, *, ready: int, updated: int | None = None, replicas: int | None = None
    ) -> None:
        """Play the Deployment controller: ``ready`` ready replicas, the rollout observed."""
        obj = self._existing(RESOURCES["deployments"], namespace, name)
        wanted = obj["spec"].get("replicas", 1)
        self.set_status(
            "deployments",
            name,
            namespace,
            {
                "observedGeneration": obj["metadata"]["generation"],
                "replicas": wanted if replicas is None else replicas,
                "updatedReplicas": wanted if updated is None else updated,
                "readyReplicas": ready,
                "availableReplicas": ready,
            },
        )

    def set_pod_log(self, pod: str, namespace: str, text: str) -> None:
        """What the kubelet would return as the pod's log."""
        self.logs[(namespace, pod)] = text

    def add_event(self, namespace: str, kind: str, name: str, reason: str, message: str) -> None:
        """A Warning event about an object (what a controller reports when it cannot create a pod)."""
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{name}.{uuid.uuid4().hex[:16]}", "namespace": namespace},
            "involvedObject": {"kind": kind, "name": name, "namespace": namespace},
            "reason": reason,
            "message": message,
            "type": "Warning",
            "lastTimestamp": rfc3339(),
        }
        self._store(RESOURCES["events"], namespace, event)

    # --- the API ----------------------------------------------------------------------------------------------

    def _store(self, resource: Resource, namespace: str, obj: Obj) -> Obj:
        with self._lock:
            meta = obj.setdefault("metadata", {})
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            key = (resource.plural, namespace, meta.get("name", ""))
            if key in self.objects:
                raise ApiError(409, f'{resource.qualified} "{key[2]}" already exists')
            meta.update(uid=str(uuid.uuid4()), creationTimestamp=rfc3339(), resourceVersion=str(next(self._versions)))
            if resource.namespaced:
                meta["namespace"] = namespace
            if resource.plural in _GENERATION:
                meta["generation"] = 1
            obj.setdefault("apiVersion", resource.api_version)
            obj.setdefault("kind", resource.kind)
            if resource.plural == "services":
                obj["spec"].setdefault("clusterIP", f"10.96.0.{len(self.objects) % 250 + 1}")
            self.objects[key] = obj
            return copy.deepcopy(obj)

    def _existing(self, resource: Resource, namespace: str, name: str) -> Obj:
        obj = self.objects.get((resource.plural, namespace if resource.namespaced else "", name))
        if obj is None:
            raise ApiError(404, f'{resource.qualified} "{name}" not found')
        return obj

    def _check_access(self, verb: str, resource: Resource, namespace: str) -> None:
        if (verb, resource.plural) in self._forbidden:
            where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
            raise ApiError(
                403,
                f'{resource.qualified} is forbidden: User "{self.user}" cannot {verb} resource "{resource.plural}" '
                f'in API group "{resource.group}"{where}',
            )

    def _served(self, resource: Resource) -> None:
        crd = ("customresourcedefinitions", "", f"{resource.plural}.{resource.group}")
        if resource.group == "kubeflow.org" and crd not in self.objects:
            # What the API server answers for a resource type it does not know.
            raise ApiError(404, "the server could not find the requested resource")

    def _validate(self, resource: Resource, obj: Obj) -> None:
        """The checks the API server makes that a JSON schema cannot: names and labels; and the schema itself."""
        meta = obj.get("metadata") or {}
        name = meta.get("name", "")
        pattern, limit = (_DNS1035_LABEL, 63) if resource.plural == "services" else (_DNS1123_SUBDOMAIN, 253)
        problems = []
        if not pattern.match(name) or len(name) > limit:
            problems.append(f"metadata.name: Invalid value: {name!r}")
        if resource.plural in ("jobs", "pytorchjobs") and len(name) > 63:
            problems.append(f"metadata.name: Invalid value: {name!r}: must be no more than 63 characters")
        for labels in (
            meta.get("labels") or {},
            ((obj.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {},
        ):
            for key, value in labels.items():
                if not _LABEL_NAME.match(key.rpartition("/")[2]) or not isinstance(value, str):
                    problems.append(f"metadata.labels: Invalid value: {key!r}")
                elif len(value) > 63 or not _LABEL_VALUE.match(value):
                    problems.append(f"metadata.labels: Invalid value: {value!r}")
        if resource.plural in _SCHEMA_CHECKED:
            import kubernetes_validate

            try:
                kubernetes_validate.validate(obj, SCHEMA_VERSION, strict=False)
            except kubernetes_validate.ValidationError as exc:
                problems.append(str(exc).splitlines()[0])
        if problems:
            raise ApiError(422, f'{resource.kind} "{name}" is invalid: ' + "; ".join(problems))

    def handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, str]:
        """Answer one request: (status, body, content type)."""
        content_type = headers.get("content-type", "")
        parsed: Any = None
        if body and "json" in content_type:
            parsed = json.loads(body)
        self.requests.append(
            Request(method, path, query, content_type, parsed if parsed is not None else body, headers)
        )
        try:
            return self._route(method, path, query, headers, body, parsed)
        except ApiError as exc:
            return exc.code, json.dumps(exc.status()).encode(), "application/json"

    def _route(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes, parsed: Any
    ) -> tuple[int, bytes, str]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[:2] == ["api", "v1"]:
            group, rest = "", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, rest = parts[1], parts[3:]
        else:
            raise ApiError(404, "the server could not find the requested resource")
        namespace = ""
        if rest[:1] == ["namespaces"] and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        if not rest or rest[0] not in RESOURCES or RESOURCES[rest[0]].group != group:
            raise ApiError(404, "the server could not find the requested resource")
        resource = RESOURCES[rest[0]]
        self._served(resource)
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2:] if len(rest) > 2 else []
        with self._lock:
            if resource.plural == "services" and sub[:1] == ["proxy"] and name:
                self._check_access("create", RESOURCES["services"], namespace)
                return self._proxy(namespace, name, "/" + "/".join(sub[1:]), body, headers)
            if resource.plural == "pods" and sub == ["log"] and method == "GET" and name:
                self._check_access("get", resource, namespace)
                return self._log(namespace, name, query)
            if sub:
                raise ApiError(404, "the server could not find the requested resource")
            if name is None:
                if method == "GET":
                    self._check_access("list", resource, namespace)
                    return self._json(200, self._list(resource, namespace, query))
                if method == "POST":
                    self._check_access("create", resource, namespace)
                    if not isinstance(parsed, dict):
                        raise ApiError(400, "the body of the request was in an unknown format")
                    if parsed.get("metadata", {}).get("namespace", namespace) != namespace:
                        raise ApiError(400, "the namespace of the provided object does not match the namespace sent")
                    self._validate(resource, parsed)
                    return self._json(201, self._store(resource, namespace, parsed))
                raise ApiError(405, "method not allowed", "MethodNotAllowed")
            if method == "GET":
                self._check_access("get", resource, namespace)
                return self._json(200, copy.deepcopy(self._existing(resource, namespace, name)))
            if method == "PATCH":
                self._check_access("patch", resource, namespace)
                return self._json(200, self._patch(resource, namespace, name, headers.get("content-type", ""), parsed))
            if method == "PUT":
                self._check_access("update", resource, namespace)
                return self._json(200, self._replace(resource, namespace, name, parsed))
            if method == "DELETE":
                self._check_access("delete", resource, namespace)
                policy = query.get("propagationPolicy") or (parsed or {}).get("propagationPolicy")
                return self._json(200, self._delete(resource, namespace, name, policy))
        raise ApiError(405, "method not allowed", "MethodNotAllowed")

    @staticmethod
    def _json(status: int, obj: Obj) -> tuple[int, bytes, str]:
        return status, json.dumps(obj).encode(), "application/json"

    def _list(self, resource: Resource, namespace: str, query: dict[str, str]) -> Obj:
        items = [
            copy.deepcopy(obj)
            for (plural, ns, _), obj in sorted(self.objects.items(), key=lambda kv: kv[0])
            if plural == resource.plural
            and (ns == namespace or not namespace)
            and _matches_labels(obj["metadata"].get("labels") or {}, query.get("labelSelector", ""))
            and _matches_fields(obj, query.get("fieldSelector", ""))
        ]
        return {
            "kind": f"{resource.kind}List",
            "apiVersion": resource.api_version,
            "metadata": {"resourceVersion": str(next(self._versions))},
            "items": items,
        }

    def _patch(self, resource: Resource, namespace: str, name: str, content_type: str, patch: Any) -> Obj:
        obj = self._existing(resource, namespace, name)
        if content_type.startswith("application/merge-patch+json"):
            patched = merge_patch(obj, patch)
        elif content_type.startswith("application/strategic-merge-patch+json"):
            if resource.group == "kubeflow.org":
                raise ApiError(415, "strategic merge patch is not supported for custom resources")
            patched = strategic_merge_patch(obj, patch)
        else:
            raise ApiError(415, f"the patch content type {content_type!r} is not supported here")
        return self._update(resource, namespace, name, obj, patched)

    def _replace(self, resource: Resource, namespace: str, name: str, new: Any) -> Obj:
        obj = self._existing(resource, namespace, name)
        if not isinstance(new, dict):
            raise ApiError(400, "the body of the request was in an unknown format")
        sent = (new.get("metadata") or {}).get("resourceVersion")
        if sent and sent != obj["metadata"]["resourceVersion"]:
            raise ApiError(
                409,
                f'Operation cannot be fulfilled on {resource.qualified} "{name}": the object has been '
                "modified; please apply your changes to the latest version and try again",
                "Conflict",
            )
        new = {**copy.deepcopy(new), "status": copy.deepcopy(obj.get("status"))}
        return self._update(resource, namespace, name, obj, new)

    def _update(self, resource: Resource, namespace: str, name: str, old: Obj, new: Obj) -> Obj:
        # What a client cannot change: identity and server-set metadata.
        for key in ("name", "namespace", "uid", "creationTimestamp", "generation"):
            if key in old["metadata"]:
                new["metadata"][key] = old["metadata"][key]
            else:
                new["metadata"].pop(key, None)
        self._validate(resource, new)
        if resource.plural in _GENERATION and new.get("spec") != old.get("spec"):
            new["metadata"]["generation"] = old["metadata"]["generation"] + 1
        new["metadata"]["resourceVersion"] = str(next(self._versions))
        self.objects[(resource.plural, namespace if resource.namespaced else "", name)] = new
        return copy.deepcopy(new)

    def _delete(self, resource: Resource, namespace: str, name: str, policy: str | None) -> Obj:
        obj = self._existing(resource, namespace, name)
        del self.objects[(resource.plural, namespace if resource.namespaced else "", name)]
        # batch/v1 Jobs keep the legacy default: their pods are orphaned unless a propagation policy says otherwise.
        policy = policy or ("Orphan" if resource.plural == "jobs" else "Background")
        if policy != "Orphan":
            self._collect(obj["metadata"]["uid"])
        self.logs.pop((namespace, name), None)
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": name, "group": resource.group, "kind": resource.plural, "uid": obj["metadata"]["uid"]},
        }

    def _collect(self, uid: str) -> None:
        """The garbage collector: delete the dependents of a deleted owner, and theirs."""
        dependents = [
            key
            for key, obj in self.objects.items()
            if any(ref.get("uid") == uid for ref in obj["metadata"].get("ownerReferences") or [])
        ]
        for key in dependents:
            dependent = self.objects.pop(key)
            self.logs.pop((key[1], key[2]), None)
            self._collect(dependent["metadata"]["uid"])

    def _log(self, namespace: str, name: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        pod = self._existing(RESOURCES["pods"], namespace, name)
        containers = [c["name"] for c in pod["spec"]["containers"]]
        container = query.get("container") or (containers[0] if len(containers) == 1 else None)
        if container not in containers:
            raise ApiError(400, f"container {container} is not valid for pod {name}")
        if (namespace, name) not in self.logs and pod["status"].get("phase") == "Pending":
            raise ApiError(400, f'container "{container}" in pod "{name}" is waiting to start: ContainerCreating')
        return 200, self.logs.get((namespace, name), "").encode("utf-8"), "text/plain"

    def _proxy(
        self, namespace: str, target: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes, str]:
        service, _, port = target.partition(":")
        self._existing(RESOURCES["services"], namespace, service)
        if self.proxy_handler is None:
            raise ApiError(503, f'no endpoints available for service "{service}"', "ServiceUnavailable")
        return self.proxy_handler(service, port, path, body, headers)


class _Handler(BaseHTTPRequestHandler):
    api: KubeApiServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm holds the body for a delayed ACK.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, payload, content_type = self.api.handle(self.command, url.path, query, headers, body)
        except Exception as exc:  # a bug in the fake must show as a 500, not hang the client
            status, payload, content_type = (
                500,
                json.dumps(ApiError(500, repr(exc)).status()).encode(),
                "application/json",
            )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest shows failures, not access logs
        pass
