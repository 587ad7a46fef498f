"""Deployments on the local backend, with real ``mlflow models serve`` processes: predictions match the model loaded
in-process; scale, a rolling update to another version and delete work on the real processes; the promotion gate
guards them."""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from maestro_jupyter import tagkeys as tk
from maestro_jupyter.contract.deployments import Predict
from maestro_jupyter.errors import Conflict, GateRefused, InvalidParameter, NotFound
from maestro_jupyter.sdk.deployments import scoring_request
from tests.compute_helpers import alive, poll
from tests.sdk_helpers import services_of

MODEL = "breast-cancer-classifier"


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    frame = load_breast_cancer(as_frame=True).frame.drop(columns=["target"])
    return frame.sample(40, random_state=7).reset_index(drop=True)


def in_process(ml, version: str, frame: pd.DataFrame) -> list:
    """The version's predictions, loaded in this process (MLflow's global URIs restored afterwards: later tests'
    plain ``mlflow`` calls must go where their own settings say)."""
    with services_of(ml).mlflow.mlflow_globals():
        return list(mlflow.pyfunc.load_model(f"models:/{MODEL}/{version}").predict(frame))


def test_a_deployment_serves_what_the_model_predicts_scales_updates_and_stops(ml, rows):
    dep = ml.deployments.create(MODEL, alias="champion")
    assert dep.status == "ready", dep.reason
    assert (dep.id, dep.version, dep.ready_replicas) == (f"{MODEL}-champion", "3", 1)
    assert dep.endpoint == f"maestro/api/v1/deployments/{MODEL}-champion/predict"
    answer = dep.predict(rows)
    assert answer.version == "3"
    assert answer.predictions == in_process(ml, "3", rows)
    assert dep.predict(rows.head(3).to_dict(orient="records")).predictions == answer.predictions[:3]

    dep.scale(2)
    poll(lambda: dep.refresh().ready_replicas == 2, "the second replica")
    first_two = {p.pid for p in dep.instances}
    replicas = {dep.predict(rows.head(1)).replica for _ in range(4)}
    assert replicas == {f"{MODEL}-champion-0", f"{MODEL}-champion-1"}  # round robin over both

    old = in_process(ml, "1", rows)
    assert old != answer.predictions  # v1 is a different model, so the update is visible
    dep.update(version=1)
    assert dep.status in ("updating", "ready")
    # While the new replicas start, the old ones keep answering.
    assert dep.predict(rows.head(2)).predictions in (answer.predictions[:2], old[:2])
    poll(lambda: dep.refresh().status == "ready", "the update to v1")
    assert dep.version == "1"
    poll(lambda: not any(alive(pid) for pid in first_two), "the old replicas to stop")
    assert dep.predict(rows).predictions == old

    with pytest.raises(Conflict, match="already serves"):
        ml.deployments.create(MODEL, alias="champion")
    live = [p.pid for p in dep.instances]
    assert dep.delete().status == "stopped"
    assert not any(alive(pid) for pid in live)
    with pytest.raises(Conflict, match="stopped"):
        dep.predict(rows)
    assert ml.deployments.list().deployments == []
    assert [d.id for d in ml.deployments.list(include_stopped=True)] == [f"{MODEL}-champion"]


def test_the_gate_refuses_a_failed_version_unless_overridden(ml, rows):
    registry = services_of(ml).mlflow
    registry.set_version_tag(MODEL, "2", tk.TESTS_VERDICT, "failed")
    registry.set_version_tag(MODEL, "2", tk.TESTS_FAILED, "latency_p95_ms")
    with pytest.raises(GateRefused, match="latency_p95_ms") as refused:
        ml.deployments.create(MODEL, version=2, wait=False)
    assert refused.value.failed_checks == ["latency_p95_ms"]
    assert ml.deployments.list(include_stopped=True).deployments == []  # nothing started, nothing recorded

    dep = ml.deployments.create(MODEL, version=2, name="cancer-v2-trial", override_reason="shadow traffic only")
    assert dep.status == "ready"
    assert dep.id == "cancer-v2-trial"
    overrides = ml.tests.gate(MODEL, version=2)
    assert overrides.allowed is False  # the override let this deployment through; it did not pass the tests
    recorded = services_of(ml).gate.overrides(MODEL, 2)
    assert recorded[-1].reason == "shadow traffic only"
    assert recorded[-1].action == "deploy as cancer-v2-trial"
    with pytest.raises(GateRefused):
        dep.update(version=2)  # an update is a deployment: gated too


def test_bad_requests_are_refused_before_anything_starts(ml, rows):
    with pytest.raises(NotFound):
        ml.deployments.create("no-such-model", wait=False)
    with pytest.raises(NotFound):
        ml.deployments.create(MODEL, alias="nonexistent", wait=False)
    with pytest.raises(InvalidParameter, match="DNS-1123"):
        ml.deployments.create(MODEL, name="Churn_Model!", wait=False)
    with pytest.raises(InvalidParameter, match="replicas"):
        ml.deployments.create(MODEL, replicas=0, wait=False)
    with pytest.raises(InvalidParameter, match="memory"):
        ml.deployments.create(MODEL, memory="-1Gi", wait=False)
    with pytest.raises(InvalidParameter, match="version or an alias"):
        ml.deployments.create(MODEL, version=1, alias="champion", wait=False)
    assert ml.deployments.list(include_stopped=True).deployments == []
    with pytest.raises(InvalidParameter, match="scoring format"):
        Predict.build(deployment_id="anything", rows=[])
    with pytest.raises(InvalidParameter, match="predict takes a pandas DataFrame"):
        scoring_request(42)
    with pytest.raises(NotFound):
        ml.deployments.predict("nothing-here", rows)


def test_a_bad_input_is_the_models_message_not_a_crash(ml, rows):
    dep = ml.deployments.create(MODEL, alias="champion", name="cancer-inputs")
    with pytest.raises(InvalidParameter, match="refused the input"):
        dep.predict(rows.drop(columns=["mean radius"]))
    assert dep.predict(rows.head(2)).predictions == in_process(ml, "3", rows.head(2))
    assert np.isfinite(dep.predict(rows.head(1)).latency_ms)


def test_a_health_check_that_raced_an_update_does_not_undo_it(ml, rows):
    """The watcher reads a deployment, an owner's update replaces its replicas, then the watcher writes its check
    back: the update must survive (before the fix the old handle came back, the new replicas ran unseen and the old
    ones were never retired)."""
    deployments = services_of(ml).deployments
    dep = ml.deployments.create(MODEL, alias="champion", name="cancer-race")
    old_pids = {p.pid for p in dep.instances}
    stale_record, stale_handle = deployments.store.get_deployment(dep.id)

    dep.update(version=1)
    deployments._refreshed(stale_record, stale_handle)  # the watcher's check, read before the update

    _, handle = deployments.store.get_deployment(dep.id)
    assert {r["pid"] for r in handle["retiring"]} == old_pids
    assert not {r["pid"] for r in handle["replicas"]} & old_pids
    poll(lambda: dep.refresh().status == "ready", "the update to v1")
    poll(lambda: not any(alive(pid) for pid in old_pids), "the old replica to stop")
    assert dep.predict(rows.head(3)).predictions == in_process(ml, "1", rows.head(3))


def test_a_deployment_says_where_its_alias_points_now(ml):
    """A deployment records the alias it was made through, but aliases move on: the answer carries the version the
    alias names now, so that nobody calls a deployment "champion" after champion moved or was removed."""
    dep = ml.deployments.create(MODEL, alias="champion", name="cancer-alias", wait=False)
    assert (dep.version, dep.alias, dep.alias_version) == ("3", "champion", "3")

    ml.models.set_alias(MODEL, "champion", 1, override_reason="test: champion moves while v3 is served")
    [listed] = [d for d in ml.deployments.list().deployments if d.id == dep.id]
    assert (listed.version, listed.alias, listed.alias_version) == ("3", "champion", "1")

    ml.models.delete_alias(MODEL, "champion")
    assert dep.refresh().alias_version is None
    assert dep.delete().alias_version is None
    plain = ml.deployments.create(MODEL, version=2, name="cancer-plain", wait=False)
    assert (plain.alias, plain.alias_version) == (None, None)
