"""What Kubernetes objects say about a job or a deployment, read from their JSON (pure functions, no client).

The counterpart of :mod:`.k8s_objects`: builders make what the backend sends, these readers turn what the
controllers report back (a Job's conditions, a PyTorchJob's, a Deployment's status, the pods' container states)
into :class:`~.base.JobUpdate` and :class:`~.base.DeploymentUpdate`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .base import DeploymentUpdate, JobUpdate

Obj = dict[str, Any]

#: Container waiting reasons that waiting will not resolve: the pod is broken until someone acts.
BROKEN_WAITING = frozenset(
    {
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "ErrImagePull",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
    }
)
#: Waiting reasons of a container simply on its way.
_NORMAL_WAITING = frozenset({"ContainerCreating", "PodInitializing"})
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104


def unreachable_uri(uri: str) -> bool:
    """True for an MLflow URI that a pod cannot use: a local file or database, or this machine's loopback."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    # One letter: a Windows drive (``C:\\...``), i.e. a plain path.
    if scheme in ("", "file", "sqlite") or len(scheme) == 1:
        return True
    return (parts.hostname or "").lower() in _LOCAL_HOSTS


def timestamp(value: Any) -> float | None:
    """An API timestamp (RFC 3339 text, or a datetime from the typed client) as epoch seconds."""
    if not value:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def api_status(data: bytes) -> Obj | None:
    """The API server's own ``Status`` object, when that is what a response body is (not a model's answer)."""
    if not data.startswith(b"{"):
        return None
    try:
        body = json.loads(data)
    except ValueError:
        return None
    return body if isinstance(body, dict) and body.get("kind") == "Status" and body.get("apiVersion") == "v1" else None


# --- pods --------------------------------------------------------------------------------------------------------


def _containers(pod: Obj) -> list[Obj]:
    return [s for s in (pod.get("status") or {}).get("containerStatuses") or [] if isinstance(s, dict)]


def _state(container: Obj, key: str = "state") -> Obj:
    return container.get(key) or {}


def pod_name(pod: Obj) -> str:
    return str(pod["metadata"]["name"])


def started(pod: Obj) -> bool:
    """Whether the pod's code has started (whatever became of it since)."""
    if (pod.get("status") or {}).get("phase") in ("Running", "Succeeded", "Failed"):
        return True
    return any({"running", "terminated"} & set(_state(c)) for c in _containers(pod))


def earliest_start(pods: list[Obj]) -> float | None:
    """When the first container started (not when its pod was accepted: scheduling and image pulls come first)."""
    starts = [
        timestamp((_state(c).get("running") or _state(c).get("terminated") or {}).get("startedAt"))
        for pod in pods
        for c in _containers(pod)
    ]
    found = [s for s in starts if s is not None]
    return min(found) if found else None


def pod_failure(pods: list[Obj]) -> tuple[int | None, str]:
    """The exit code of the first container that failed, and a line saying how."""
    for pod in pods:
        for container in _containers(pod):
            ended = _state(container).get("terminated") or _state(container, "lastState").get("terminated")
            if ended and ended.get("exitCode") not in (None, 0):
                code, how = int(ended["exitCode"]), str(ended.get("reason") or "")
                if how == "OOMKilled":
                    how = "OOMKilled: it exceeded its memory limit; ask for more memory"
                text = f"pod {pod_name(pod)} exited with code {code}"
                return code, f"{text} ({how})" if how and how != "Error" else text
    return None, ""


def waiting_reason(pods: list[Obj]) -> str:
    """Why pods have not started, when worth telling: an image that cannot be pulled, no node that fits."""
    for pod in pods:
        for container in _containers(pod):
            waiting = _state(container).get("waiting") or {}
            if waiting.get("reason") and waiting["reason"] not in _NORMAL_WAITING:
                return f"{waiting['reason']}: {waiting.get('message') or ''}".strip().rstrip(":")
        for condition in (pod.get("status") or {}).get("conditions") or []:
            if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
                return f"{condition.get('reason') or 'Unschedulable'}: {condition.get('message') or ''}".strip()
    return ""


def broken(pod: Obj) -> str:
    """``pod: Reason: message`` for a pod that will not become ready by waiting, else empty."""
    if pod["metadata"].get("deletionTimestamp"):
        return ""
    for container in _containers(pod):
        waiting = _state(container).get("waiting") or {}
        if waiting.get("reason") in BROKEN_WAITING:
            detail = f": {waiting['message']}" if waiting.get("message") else ""
            return f"{pod_name(pod)}: {waiting['reason']}{detail}"
    return ""


def replica_status(pod: Obj) -> str:
    """A serving pod as a replica: ready, starting, failed or terminating."""
    if pod["metadata"].get("deletionTimestamp"):
        return "terminating"
    if broken(pod):
        return "failed"
    conditions = (pod.get("status") or {}).get("conditions") or []
    return "ready" if any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions) else "starting"


def latest_warning(events: list[Obj]) -> str:
    """``Reason: message`` of the latest Warning event (why a controller could not create pods: a quota...)."""
    warnings = [e for e in events if e.get("type") == "Warning"]
    if not warnings:
        return ""
    latest = max(warnings, key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    return f"{latest.get('reason') or 'Warning'}: {latest.get('message') or ''}".strip()


# --- jobs and deployments ----------------------------------------------------------------------------------------


def job_update(kind: str, obj: Obj, pods: list[Obj], now: float) -> JobUpdate:
    """A Job's (``Complete``/``Failed``) or a PyTorchJob's (``Succeeded``/``Failed``/``Running``) state.

    Running once a container started; starting before, with the reason pods are stuck when there is one (the
    Job controller counts pending pods as active, so the pods, not ``status.active``, tell).
    """
    status = obj.get("status") or {}
    conditions = {c.get("type"): c for c in status.get("conditions") or [] if c.get("status") == "True"}
    start = earliest_start(pods) or timestamp(status.get("startTime"))
    done = conditions.get("Complete" if kind == "Job" else "Succeeded")
    if done is not None:
        end = timestamp(status.get("completionTime")) or timestamp(done.get("lastTransitionTime")) or now
        return JobUpdate(status="succeeded", reason="", exit_code=0, started_at=start, finished_at=end)
    failed = conditions.get("Failed")
    if failed is not None:
        exit_code, how = pod_failure(pods)
        cause = ": ".join(str(p) for p in (failed.get("reason"), failed.get("message")) if p)
        return JobUpdate(
            status="failed",
            reason="; ".join(p for p in (cause, how) if p) or "failed",
            exit_code=exit_code,
            started_at=start,
            finished_at=timestamp(failed.get("lastTransitionTime")) or now,
        )
    if "Running" in conditions or any(started(pod) for pod in pods):
        return JobUpdate(status="running", reason="", started_at=start)
    return JobUpdate(status="starting", reason=waiting_reason(pods))


def deployment_update(obj: Obj, pods: list[Obj], recorded: str, url: str) -> DeploymentUpdate:
    """A Deployment's state: ready when every replica of the current template is ready and the old ones are gone;
    failed when a replica cannot start and none answers (degraded while others still do); otherwise starting (never
    ready yet) or updating (a rollout or a scale in progress)."""
    wanted = int(obj["spec"].get("replicas", 1))
    status = obj.get("status") or {}
    ready = int(status.get("readyReplicas") or 0)
    instances = [{"name": pod_name(pod), "status": replica_status(pod), "url": None, "pid": None} for pod in pods]
    problems = [p for p in map(broken, pods) if p]
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Progressing" and condition.get("reason") == "ProgressDeadlineExceeded":
            problems.append(str(condition.get("message") or "the rollout exceeded its progress deadline"))
    rolled_out = (
        int(status.get("observedGeneration") or 0) >= int(obj["metadata"].get("generation") or 1)
        and int(status.get("updatedReplicas") or 0) >= wanted
        and int(status.get("replicas") or 0) <= wanted
    )
    if problems:
        state, reason = ("failed" if ready == 0 else "degraded"), "; ".join(problems[:3])
    elif ready >= wanted and rolled_out:
        state, reason = "ready", ""
    else:
        state, reason = ("starting" if recorded in ("starting", "failed") else "updating"), ""
    return DeploymentUpdate(status=state, ready_replicas=ready, reason=reason, url=url, instances=instances)
