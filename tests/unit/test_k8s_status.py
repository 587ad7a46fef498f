"""Reading what Kubernetes reports: the edge cases the backend tests do not reach."""

from __future__ import annotations

from typing import Any

import pytest

from maestro_jupyter.backends.compute import k8s_status as observed
from maestro_jupyter.backends.compute.base import slice_utf8


@pytest.mark.parametrize(
    ("uri", "unreachable"),
    [
        ("sqlite:///home/jovyan/.maestro/mlflow.db", True),
        ("file:///tmp/mlruns", True),
        ("/home/jovyan/mlruns", True),
        ("mlruns", True),
        (r"C:\Users\me\mlruns", True),
        ("http://127.0.0.1:5000", True),
        ("http://LOCALHOST:5000", True),
        ("http://mlflow.mlflow.svc:5000", False),
        ("https://mlflow.example.com", False),
        ("postgresql://mlflow@db:5432/mlflow", False),
        ("databricks", True),  # a bare word is a relative path to MLflow too
        ("databricks://profile", False),
    ],
)
def test_which_tracking_uris_pods_cannot_reach(uri: str, unreachable: bool) -> None:
    assert observed.unreachable_uri(uri) is unreachable


def test_log_slices_never_split_a_character_nor_stall() -> None:
    data = "a😀b".encode()  # the emoji is 4 bytes
    assert slice_utf8(data, 0, 3) == ("a", 1)
    # A limit smaller than the character: it is taken whole rather than returning nothing forever.
    assert slice_utf8(data, 1, 2) == ("😀", 5)
    assert slice_utf8(data, 5, 10) == ("b", 6)
    # Past the end (the log is gone, or not that long yet): no text, and the offset stays.
    assert slice_utf8(data, 50, 10) == ("", 50)
    assert slice_utf8(data, 0, 0) == ("", 0)


def pod(name: str, *, ready: bool = True, waiting: str | None = None, deleting: bool = False) -> dict[str, Any]:
    state = {"waiting": {"reason": waiting, "message": "boom"}} if waiting else {"running": {}}
    meta: dict[str, Any] = {"name": name}
    if deleting:
        meta["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    return {
        "metadata": meta,
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [{"name": "model", "state": state}],
        },
    }


def deployment(wanted: int, **status: Any) -> dict[str, Any]:
    return {
        "metadata": {"generation": 2},
        "spec": {"replicas": wanted},
        "status": {"observedGeneration": 2, **status},
    }


def test_an_old_replica_being_removed_keeps_the_deployment_updating() -> None:
    dep = deployment(1, replicas=2, updatedReplicas=1, readyReplicas=1)
    update = observed.deployment_update(dep, [pod("new"), pod("old", deleting=True)], "updating", "http://x")
    assert update.status == "updating"
    assert [i["status"] for i in update.instances] == ["ready", "terminating"]


def test_a_terminating_broken_replica_is_not_a_failure() -> None:
    dep = deployment(1, replicas=1, updatedReplicas=1, readyReplicas=1)
    pods = [pod("good"), pod("bad", ready=False, waiting="CrashLoopBackOff", deleting=True)]
    update = observed.deployment_update(dep, pods, "updating", "http://x")
    assert (update.status, update.reason) == ("ready", "")


def test_a_rollout_past_its_deadline_fails() -> None:
    condition = {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "too slow"}
    dep = deployment(1, replicas=1, updatedReplicas=1, readyReplicas=0, conditions=[condition])
    update = observed.deployment_update(dep, [pod("slow", ready=False)], "starting", "http://x")
    assert (update.status, update.reason) == ("failed", "too slow")


def test_a_pending_pod_waiting_normally_gives_no_reason() -> None:
    creating = pod("p", ready=False, waiting="ContainerCreating")
    creating["status"]["phase"] = "Pending"
    update = observed.job_update("Job", {"status": {"active": 1}}, [creating], now=0)
    assert (update.status, update.reason) == ("starting", "")
