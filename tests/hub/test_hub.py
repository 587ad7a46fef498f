"""The team hub of ``jupyterhub/jupyterhub_config.py``, for real: its proxy, its MLflow service, two members and an
admin logged in through the login form, each with a JupyterLab of their own wired to the shared registry and DB."""

from __future__ import annotations

import time

import requests

from tests.hub.conftest import PROMETHEUS_TOKEN
from tests.hub.hub_server import Hub

#: A job that trains and registers a model into whatever registry its user's Maestro points at.
TRAIN_AND_REGISTER = """
import mlflow, mlflow.sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
total = sum(i * i for i in range(2_000_000))
X, y = load_iris(return_X_y=True)
with mlflow.start_run():
    model = LogisticRegression(max_iter=300).fit(X, y)
    mlflow.sklearn.log_model(
        model, name="model", registered_model_name="hub-shared-iris", pip_requirements=["scikit-learn"]
    )
"""
JOB_TIMEOUT_S = 180.0


def test_each_member_gets_a_lab_with_maestro_wired_to_the_team_services(hub: Hub, team):
    for member in (team.alice, team.bob):
        response = hub.api(member, "GET", member.name, "info")
        assert response.status_code == 200
        info = response.json()
        assert info["user"] == member.name  # MAESTRO_USER from the hub user, not the hub's own "intruder"
        assert info["tracking_uri"] == hub.mlflow_url  # the hub's managed MLflow service
        assert info["compute"] == "local"
        # The lab page itself is served through the proxy with the member's token.
        lab = requests.get(f"{hub.url}user/{member.name}/lab", headers=member.auth(), timeout=30)
        assert lab.status_code == 200
        assert "maestro-jupyter" in lab.text  # the Maestro lab extension is among the page's federated extensions
    # Each member found the example notebooks in their home.
    for name in ("alice", "bob"):
        assert sorted(p.name for p in (hub.home / "users" / name / "maestro-notebooks").glob("*.ipynb"))


def test_a_member_is_refused_on_another_members_server(hub: Hub, team):
    refused = hub.api(team.alice, "GET", "bob", "models")
    assert refused.status_code == 403
    assert refused.json()["error"] == "PERMISSION_DENIED"
    # With her hub cookie (a browser), the hub does not let her into bob's lab either.
    page = team.alice.session.get(f"{hub.url}user/bob/lab", timeout=30)
    assert page.status_code == 403
    assert "bob" not in page.url.split("?")[0].removeprefix(hub.url)  # stopped at the hub, not on bob's server
    # No credentials at all: nothing but a redirect to the login.
    anonymous = requests.get(hub.maestro("bob", "models"), allow_redirects=False, timeout=30)
    assert anonymous.status_code in (302, 403)


def test_prometheus_scrapes_every_members_metrics_with_the_hubs_service_token(hub: Hub, team):
    bearer = {"Authorization": f"Bearer {PROMETHEUS_TOKEN}"}
    for name in ("alice", "bob"):
        response = requests.get(hub.maestro(name, "metrics"), headers=bearer, allow_redirects=False, timeout=30)
        assert response.status_code == 200, response.text[:300]
        assert "# TYPE maestro_" in response.text
    # A wrong token gets nothing.
    wrong = requests.get(
        hub.maestro("alice", "metrics"), headers={"Authorization": "Bearer nope"}, allow_redirects=False, timeout=30
    )
    assert wrong.status_code in (302, 403)


def test_maestro_admins_are_the_hub_admins(hub: Hub, team):
    assert hub.api(team.boss, "GET", "boss", "budgets").json()["can_edit"] is True
    assert hub.api(team.alice, "GET", "alice", "budgets").json()["can_edit"] is False
    budget = {"amount": 100, "period": "monthly"}
    refused = hub.api(team.alice, "PUT", "alice", "budgets/project/hub-team", budget)
    assert refused.status_code == 403
    created = hub.api(team.boss, "PUT", "boss", "budgets/project/hub-team", budget)
    assert created.status_code == 200, created.text
    # One Maestro DB for the team: the budget the admin set is the one alice sees.
    listed = hub.api(team.alice, "GET", "alice", "budgets").json()["budgets"]
    assert [(b["scope"], b["subject"]) for b in listed] == [("project", "hub-team")]
    assert hub.api(team.boss, "DELETE", "boss", "budgets/project/hub-team").status_code in (200, 204)


def test_alices_job_registers_a_model_bob_sees_and_its_cost_is_alices(hub: Hub, team):
    job_body = {"source": TRAIN_AND_REGISTER, "name": "hub-iris"}
    submitted = hub.api(team.alice, "POST", "alice", "training/jobs", job_body)
    assert submitted.status_code in (200, 201), submitted.text
    job = submitted.json()
    assert job["user"] == "alice"
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while job["status"] not in ("succeeded", "failed", "cancelled", "lost"):
        assert time.monotonic() < deadline, f"job still {job['status']} after {JOB_TIMEOUT_S:.0f} s"
        time.sleep(0.5)  # polling a running job
        job = hub.api(team.alice, "GET", "alice", f"training/jobs/{job['id']}").json()
    logs = hub.api(team.alice, "GET", "alice", f"training/jobs/{job['id']}/logs", None).json()
    assert job["status"] == "succeeded", logs

    # Bob's Maestro reads the same registry: alice's model is there, with the run she made.
    models = hub.api(team.bob, "GET", "bob", "models?search=hub-shared-iris").json()["models"]
    assert [m["name"] for m in models] == ["hub-shared-iris"]
    version = hub.api(team.bob, "GET", "bob", "models/hub-shared-iris/versions/1").json()
    assert version["run_id"] == job["run_id"]

    # Bob's Maestro reads the same ledger: the job's spend is alice's, not bob's.
    summary = hub.api(team.bob, "GET", "bob", "costs?by=user&window=1d").json()
    spend = {group["key"]: group["cost"] for group in summary["groups"]}
    assert spend.get("alice", 0) > 0, summary
    assert "bob" not in spend
    assert "intruder" not in spend  # the MAESTRO_USER given to the hub named no one
    jobs = hub.api(team.bob, "GET", "bob", "training/jobs").json()["jobs"]
    assert [(j["id"], j["user"]) for j in jobs if j["id"] == job["id"]] == [(job["id"], "alice")]
