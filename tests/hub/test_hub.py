"""The team hub of ``jupyterhub/jupyterhub_config.py``, for real: its proxy, its MLflow and Maestro services, two
members and an admin logged in through the login form, each with a JupyterLab of their own that holds no key and
sends every Maestro operation to the team's service as its owner."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import requests

from maestro_jupyter.backends.model_index import CATCH_UP_S
from tests.hub.conftest import PROJECT, PROMETHEUS_TOKEN
from tests.hub.hub_server import Hub

#: A job that trains and registers a model into whatever registry its user's Maestro points at.
TRAIN_AND_REGISTER = """
import json, os
import mlflow, mlflow.sklearn
keys = ("MAESTRO_DB_URL", "JUPYTERHUB_API_TOKEN", "MLFLOW_TRACKING_PASSWORD")
seen = {"account": os.environ.get("MLFLOW_TRACKING_USERNAME"), "keys": sorted(k for k in keys if k in os.environ)}
print("JOB-ENV", json.dumps({**seen, "values": sorted(os.environ.values())}))
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
#: Beyond the model index's catch-up period: a catch-up under way and its MLflow request.
INDEX_SLACK_S = 3.0

#: What a member's kernel does, run with exactly their server's environment: plain mlflow logging, then the SDK
#: (over HTTP to the service, with the server's hub token), then what it must not do.
IN_A_MEMBERS_KERNEL = """
import json, sys
import mlflow
from mlflow.exceptions import MlflowException
from maestro_jupyter import MaestroClient
from maestro_jupyter.errors import PermissionDenied

out = {}
with mlflow.start_run() as run:  # MLFLOW_EXPERIMENT_NAME: the member's own experiment, made on first use
    mlflow.log_metric("hub_metric", 0.5)
out["experiment"] = mlflow.get_experiment(run.info.experiment_id).name
out["run_user"] = run.info.user_id
out["metric"] = mlflow.get_run(run.info.run_id).data.metrics["hub_metric"]
ml = MaestroClient()
out["client"] = repr(ml)
out["budgets_can_edit"] = ml.budgets.list().can_edit
try:
    ml.budgets.set("project:hub-team", 1_000_000)
    out["set_budget"] = "allowed"
except PermissionDenied as exc:
    out["set_budget"] = str(exc)
other = sys.argv[1]
if other:
    try:
        mlflow.set_experiment(other)
        with mlflow.start_run():
            pass
        out["other_experiment"] = "allowed"
    except MlflowException as exc:
        out["other_experiment"] = exc.error_code
print(json.dumps(out))
"""


def test_each_member_gets_a_lab_with_maestro_answering_for_them(hub: Hub, team):
    for member in (team.alice, team.bob):
        response = hub.api(member, "GET", member.name, "info")
        assert response.status_code == 200
        info = response.json()
        # Who the service takes them for: the hub user and their hub groups, not the hub's MAESTRO_USER/_ADMINS.
        assert (info["user"], info["admin"], info["projects"], info["project"]) == (
            member.name,
            False,
            [PROJECT],
            PROJECT,
        )
        assert info["tracking_uri"] == hub.mlflow_url  # the hub's managed MLflow service
        assert info["compute"] == "local"
        # The lab page itself is served through the proxy with the member's token.
        lab = requests.get(f"{hub.url}user/{member.name}/lab", headers=member.auth(), timeout=30)
        assert lab.status_code == 200
        assert "maestro-jupyter" in lab.text  # the Maestro lab extension is among the page's federated extensions
    boss = hub.api(team.boss, "GET", "boss", "info").json()
    assert (boss["user"], boss["admin"], boss["projects"]) == ("boss", True, [PROJECT])
    # The OpenAPI document is the member's server's own (it is not an operation).
    assert hub.api(team.alice, "GET", "alice", "openapi.json").json()["openapi"].startswith("3.")
    # Each member found the example notebooks in their home.
    for name in ("alice", "bob"):
        assert sorted(p.name for p in (hub.home / "users" / name / "maestro-notebooks").glob("*.ipynb"))


def test_members_mlflow_accounts_come_from_the_service_as_the_member(hub: Hub, team):
    """The hub's pre-spawn hook asks the service (``ProvisionMlflowAccount``) with the member's own server token:
    the account it gets is the token's user's, and asking again gives a new password that MLflow accepts."""
    operation = f"{hub.service_url}/maestro/api/v1/operations/ProvisionMlflowAccount"
    token = {"Authorization": f"token {team.boss.token}"}  # boss: no later test uses his server's MLflow account
    answer = requests.post(operation, json={}, headers=token, timeout=60)
    assert answer.status_code == 200, answer.text
    account = answer.json()
    assert (account["username"], account["tracking_uri"]) == ("boss", hub.mlflow_url)
    assert account["password"] != hub.server_env("boss")["MLFLOW_TRACKING_PASSWORD"]  # a new one
    search = f"{hub.mlflow_url}/api/2.0/mlflow/experiments/search"
    auth = (account["username"], account["password"])
    assert requests.get(search, params={"max_results": 1}, auth=auth, timeout=30).status_code == 200
    # Naming someone else is a 400 (the request names no one); no token is a 401/403, never an account.
    refused = requests.post(operation, json={"username": "alice"}, headers=token, timeout=60)
    assert refused.status_code == 400
    assert "password" not in refused.json()
    assert requests.post(operation, json={}, timeout=60).status_code in (401, 403)


def test_members_servers_hold_no_key_but_their_own_and_the_service_holds_the_teams(hub: Hub, team):
    admin_user, admin_password = hub.mlflow_admin()
    passwords = {}
    for name in ("alice", "bob"):
        env = hub.server_env(name)
        assert env["MAESTRO_URL"] == hub.service_url
        assert env["JUPYTERHUB_API_TOKEN"]  # the member's server token: what the SDK and the server forward with
        assert env["MLFLOW_TRACKING_URI"] == hub.mlflow_url
        assert (env["MLFLOW_TRACKING_USERNAME"], env["MLFLOW_EXPERIMENT_NAME"]) == (name, name)
        passwords[name] = env["MLFLOW_TRACKING_PASSWORD"]
        # No key, no setting that would name someone, no team rule: those are the service's.
        held = {"MAESTRO_DB_URL", "MAESTRO_ADMINS", "MAESTRO_USER", "MAESTRO_PROJECT", "MAESTRO_TEAM", "MAESTRO_TOKEN"}
        assert not held & env.keys()
        assert "MAESTRO_PRICE_CPU_HOUR" not in env
        values = "\n".join(env.values())
        assert admin_password not in values
        assert admin_user not in values
        assert "maestro.db" not in values
    assert len(set(passwords.values())) == 2
    assert all(len(p) >= 32 for p in passwords.values())

    service = hub.service_env()
    assert service["MAESTRO_DB_URL"].startswith("postgresql+psycopg://")  # the team's PostgreSQL, with its password
    for name in ("alice", "bob"):
        assert service["MAESTRO_DB_URL"] not in hub.server_env(name).values()
    # The team's feature store: its repo and its database's password are the service's too.
    feast_password = service["MAESTRO_FEAST_DB_PASSWORD"]
    assert Path(service["MAESTRO_FEAST_REPO"], "feature_store.yaml").is_file()
    for name in ("alice", "bob"):
        env = hub.server_env(name)
        assert not {"MAESTRO_FEAST_REPO", "MAESTRO_FEAST_DB_PASSWORD"} & env.keys()
        assert feast_password not in "\n".join(env.values())
    assert (service["MLFLOW_TRACKING_USERNAME"], service["MLFLOW_TRACKING_PASSWORD"]) == (admin_user, admin_password)
    assert (service["MAESTRO_TEAM"], service["MAESTRO_COMPUTE"], service["MAESTRO_PRICE_CPU_HOUR"]) == (
        "1",
        "local",
        "36",
    )
    assert not {"MAESTRO_USER", "MAESTRO_ADMINS", "MAESTRO_URL"} & service.keys()


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
    assert anonymous.status_code in (302, 401)
    # The hub lets an admin into alice's server, but her server does not act for anyone but her: it would do so
    # with her token.
    for path in ("budgets", "info"):
        borrowed = hub.api(team.boss, "GET", "alice", path)
        assert borrowed.status_code == 403, borrowed.text
        assert borrowed.json()["message"].endswith("boss must use their own server")


def test_prometheus_scrapes_every_members_metrics_with_the_hubs_service_token(hub: Hub, team):
    bearer = {"Authorization": f"Bearer {PROMETHEUS_TOKEN}"}
    for name in ("alice", "bob"):
        response = requests.get(hub.maestro(name, "metrics"), headers=bearer, allow_redirects=False, timeout=30)
        assert response.status_code == 200, response.text[:300]
        assert "# TYPE maestro_" in response.text
    # ... or the team's figures once, from the service itself.
    service = requests.get(
        f"{hub.url}services/maestro/maestro/api/v1/metrics", headers=bearer, allow_redirects=False, timeout=30
    )
    assert service.status_code == 200, service.text[:300]
    assert "# TYPE maestro_cost_dollars_total counter" in service.text
    # A wrong token gets nothing.
    wrong = requests.get(
        hub.maestro("alice", "metrics"), headers={"Authorization": "Bearer nope"}, allow_redirects=False, timeout=30
    )
    assert wrong.status_code in (302, 403)


def test_maestro_admins_are_the_hub_admins(hub: Hub, team):
    assert hub.api(team.boss, "GET", "boss", "budgets").json()["can_edit"] is True
    assert hub.api(team.alice, "GET", "alice", "budgets").json()["can_edit"] is False  # MAESTRO_ADMINS named her
    budget = {"amount": 100, "period": "monthly"}
    refused = hub.api(team.alice, "PUT", "alice", f"budgets/project/{PROJECT}", budget)
    assert refused.status_code == 403
    assert refused.json()["message"] == "Only an admin may change budgets (alice is not one)"
    created = hub.api(team.boss, "PUT", "boss", f"budgets/project/{PROJECT}", budget)
    assert created.status_code == 200, created.text
    try:
        # One Maestro DB for the team, behind the service: the budget the admin set is the one alice sees.
        listed = hub.api(team.alice, "GET", "alice", "budgets").json()["budgets"]
        assert [(b["scope"], b["subject"]) for b in listed] == [("project", PROJECT)]
    finally:
        assert hub.api(team.boss, "DELETE", "boss", f"budgets/project/{PROJECT}").status_code in (200, 204)


def test_alices_job_registers_a_model_bob_sees_and_its_cost_is_alices(hub: Hub, team):
    job_body = {"source": TRAIN_AND_REGISTER, "name": "hub-iris"}
    submitted = hub.api(team.alice, "POST", "alice", "training/jobs", job_body)
    assert submitted.status_code in (200, 201), submitted.text
    job = submitted.json()
    assert (job["user"], job["project"]) == ("alice", PROJECT)
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while job["status"] not in ("succeeded", "failed", "cancelled", "lost"):
        assert time.monotonic() < deadline, f"job still {job['status']} after {JOB_TIMEOUT_S:.0f} s"
        time.sleep(0.5)  # polling a running job
        job = hub.api(team.alice, "GET", "alice", f"training/jobs/{job['id']}").json()
    logs = hub.api(team.alice, "GET", "alice", f"training/jobs/{job['id']}/logs", None).json()
    assert job["status"] == "succeeded", logs
    # It ran as alice in MLflow, with her account alone: none of the service's keys reached her code.
    seen = json.loads(logs["text"].split("JOB-ENV ", 1)[1].splitlines()[0])
    assert seen["account"] == "alice"
    assert seen["keys"] == ["MLFLOW_TRACKING_PASSWORD"]
    service = hub.service_env()
    for key in ("MAESTRO_DB_URL", "MLFLOW_TRACKING_PASSWORD", "JUPYTERHUB_API_TOKEN", "MAESTRO_FEAST_DB_PASSWORD"):
        assert service[key] not in seen["values"], f"the service's {key} reached alice's job"
    run = hub.mlflow_get("alice", "runs/get", run_id=job["run_id"])["run"]["info"]
    assert (run["user_id"], run["status"]) == ("alice", "FINISHED")
    # Bob's server asks the service as bob, whatever the job: he may not cancel alice's.
    stolen = hub.api(team.bob, "POST", "bob", f"training/jobs/{job['id']}/cancel")
    assert stolen.status_code == 403, stolen.text
    assert stolen.json()["message"] == f"Job {job['id']} belongs to alice; only they can cancel it"

    # Bob's Maestro reads the same registry: alice's model is there, with the run she made. Her job registered it in
    # MLflow itself, not through the service: the service's model index lists it within its catch-up bound.
    deadline = time.monotonic() + CATCH_UP_S + INDEX_SLACK_S
    while True:
        models = hub.api(team.bob, "GET", "bob", "models?search=hub-shared-iris").json()["models"]
        if models or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # polling the index's catch-up
    assert [m["name"] for m in models] == ["hub-shared-iris"]
    version = hub.api(team.bob, "GET", "bob", "models/hub-shared-iris/versions/1").json()
    assert version["run_id"] == job["run_id"]

    # Bob's Maestro reads the same ledger: the job's spend is alice's, on her project, not bob's.
    summary = hub.api(team.bob, "GET", "bob", "costs?by=user&window=1d").json()
    spend = {group["key"]: group["cost"] for group in summary["groups"]}
    assert spend.get("alice", 0) > 0, summary
    assert "bob" not in spend
    assert "intruder" not in spend  # the MAESTRO_USER given to the hub named no one
    by_project = hub.api(team.bob, "GET", "bob", "costs?by=project&window=1d").json()
    assert {g["key"] for g in by_project["groups"]} == {PROJECT}
    jobs = hub.api(team.bob, "GET", "bob", "training/jobs").json()["jobs"]
    assert [(j["id"], j["user"]) for j in jobs if j["id"] == job["id"]] == [(job["id"], "alice")]


def test_a_deployment_serves_a_copy_of_the_model_with_none_of_the_services_keys(hub: Hub, team):
    """A replica runs the model's code, a member's: on the hub it serves files the service copied, with no MLflow
    account and none of the service's keys in its environment."""
    # The version was never tested: the gate lets it through only on an admin's override, so boss deploys it.
    body = {"model": "hub-shared-iris", "version": 1, "name": "hub-iris-serving", "override_reason": "hub test"}
    refused = hub.api(team.alice, "POST", "alice", "deployments", body)
    assert refused.status_code == 403, refused.text
    assert "Only an admin may override the gate (alice is not one)" in refused.json()["message"]
    created = hub.api(team.boss, "POST", "boss", "deployments", body)
    assert created.status_code in (200, 201), created.text
    try:
        deadline = time.monotonic() + JOB_TIMEOUT_S
        dep = created.json()
        while dep["status"] != "ready":
            assert dep["status"] in ("starting", "updating"), dep
            assert time.monotonic() < deadline, f"deployment still {dep['status']} after {JOB_TIMEOUT_S:.0f} s"
            time.sleep(0.5)  # polling a starting deployment
            dep = hub.api(team.boss, "GET", "boss", "deployments/hub-iris-serving").json()
        rows = {"dataframe_split": {"columns": [0, 1, 2, 3], "data": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}}
        answer = hub.api(team.alice, "POST", "alice", "deployments/hub-iris-serving/predict", rows)  # anyone may ask
        assert answer.status_code == 200, answer.text
        assert answer.json()["predictions"] == [0, 2]

        replica = Path(f"/proc/{dep['instances'][0]['pid']}")
        env = dict(item.partition("=")[::2] for item in (replica / "environ").read_text().split("\0") if item)
        assert not {k for k in env if k.startswith(("MLFLOW_TRACKING_", "MAESTRO_DB", "JUPYTERHUB_"))}, sorted(env)
        service = hub.service_env()
        keys = ("MAESTRO_DB_URL", "MLFLOW_TRACKING_PASSWORD", "MAESTRO_FEAST_DB_PASSWORD")
        assert not {service[k] for k in keys} & set(env.values())
        served = (replica / "cmdline").read_bytes().split(b"\0")
        assert not any(arg.startswith(b"models:/") for arg in served), served  # a folder of files, not MLflow's URI
    finally:
        hub.api(team.boss, "DELETE", "boss", "deployments/hub-iris-serving")


def test_a_members_kernel_logs_with_plain_mlflow_and_reaches_maestro_as_the_member(hub: Hub, team, tmp_path: Path):
    def kernel(name: str, other_experiment: str = "") -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-c", IN_A_MEMBERS_KERNEL, other_experiment],
            env=hub.server_env(name),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    bob = kernel("bob")
    alice = kernel("alice", other_experiment="bob")
    for name, seen in (("alice", alice), ("bob", bob)):
        assert (seen["experiment"], seen["run_user"], seen["metric"]) == (name, name, 0.5)
        assert seen["client"] == f"MaestroClient(url={hub.service_url!r})"
        assert seen["budgets_can_edit"] is False
        assert seen["set_budget"] == f"Only an admin may change budgets ({name} is not one)"
    # MLflow itself keeps members out of each other's experiments.
    assert alice["other_experiment"] == "PERMISSION_DENIED"


#: A member's kernel and the team's feature store: through the service (MAESTRO_URL) only; the repo's folder,
#: opened directly, gives nothing without the service's password.
FEATURES_IN_A_MEMBERS_KERNEL = """
import json, sys
from maestro_jupyter import MaestroClient

action, repo, customer = sys.argv[1], sys.argv[2], int(sys.argv[3])
ml = MaestroClient()
out = {"views": sorted(v.name for v in ml.features.views().items)}
if action == "save":
    chosen = ["customer_activity:logins_7d", "customer_profile:tenure_months"]
    out["saved"] = ml.features.save_service("hub_churn_slim", chosen, description="alice's choice").features
else:
    out["services"] = sorted(s.name for s in ml.features.services().items)
out["online"] = ml.features.online([{"customer_id": customer}], service="churn_v1").rows
try:
    from feast import FeatureStore
    FeatureStore(repo_path=repo).list_feature_views()
    out["direct"] = "opened"
except Exception as exc:
    text = f"{type(exc).__name__}: {exc}"
    if "password authentication failed" in text:
        out["direct"] = "no password"
    elif isinstance(exc, PermissionError) or "Permission denied" in text:
        out["direct"] = "no access"
    else:
        out["direct"] = text[:300]
print(json.dumps(out, default=str))
"""


def test_the_teams_feature_store_is_shared_through_the_service_alone(hub: Hub, team, tmp_path: Path):
    """The service's feature store is the team's PostgreSQL one (MAESTRO_HUB_FEAST_DB_URL): seeded once with the demo,
    alice reads it and saves a feature service from her kernel, bob sees that service, and neither can open the
    store's database without the service."""
    import os

    import pandas as pd

    from maestro_jupyter.feature_demo import seed_feature_repo

    service = hub.service_env()
    repo = Path(service["MAESTRO_FEAST_REPO"])
    saved_env = os.environ.get("MAESTRO_FEAST_DB_PASSWORD")
    os.environ["MAESTRO_FEAST_DB_PASSWORD"] = service["MAESTRO_FEAST_DB_PASSWORD"]  # an admin applying definitions
    try:
        demo = seed_feature_repo(repo, customers=20, days=10)
    finally:
        if saved_env is None:
            del os.environ["MAESTRO_FEAST_DB_PASSWORD"]
        else:
            os.environ["MAESTRO_FEAST_DB_PASSWORD"] = saved_env
    customer = int(pd.read_parquet(demo.labels)["customer_id"].iloc[0])

    def kernel(name: str, action: str) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-c", FEATURES_IN_A_MEMBERS_KERNEL, action, str(repo), str(customer)],
            env=hub.server_env(name),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    alice = kernel("alice", "save")
    assert alice["views"] == ["customer_activity", "customer_profile", "customer_ratios"]
    assert sorted(alice["saved"]) == ["customer_activity:logins_7d", "customer_profile:tenure_months"]
    (row,) = alice["online"]
    assert row["customer_id"] == customer
    assert row["logins_7d"] is not None  # materialized into the team's PostgreSQL, read by the service
    bob = kernel("bob", "list")
    assert {"churn_v1", "hub_churn_slim"} <= set(bob["services"])
    assert bob["online"] == alice["online"]
    # Opened from a member's kernel, the repo gives nothing: with OS accounts its folder is closed to members, and
    # under one account its file names no password (the service's environment has it).
    for seen in (alice, bob):
        assert seen["direct"] in ("no access", "no password"), seen
