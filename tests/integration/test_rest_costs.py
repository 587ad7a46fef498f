"""The REST faces of costs on a real Jupyter server: spend, estimates, budgets (admin only), alerts and the
Prometheus exposition; bad requests are 4xx with ``{"error", "message"}``."""

from __future__ import annotations

import pytest

from tests.cost_helpers import spend


async def test_spend_budgets_and_alerts(api, maestro_home):
    spend(maestro_home, "job-1", 4_000_000, model="churn-model", version="2")
    spend(maestro_home, "job-2", 1_500_000, user="bob")

    status, summary = await api("GET", "costs", params={"by": "user", "window": "7d"})
    assert status == 200
    assert summary["total"] == 5.5
    assert [(g["key"], g["cost"], g["records"]) for g in summary["groups"]] == [("alice", 4.0, 1), ("bob", 1.5, 1)]
    _, by_version = await api("GET", "costs", params={"by": "version"})
    assert {g["key"] for g in by_version["groups"]} == {"churn-model/2", ""}

    status, budget = await api(
        "PUT", "budgets", "project", "churn", body={"amount": 10, "thresholds": [50, 100], "hard_limit": True}
    )
    assert status == 200, budget
    assert (budget["id"], budget["spent"], budget["remaining"], budget["used_pct"]) == ("project:churn", 5.5, 4.5, 55.0)
    status, listing = await api("GET", "budgets")
    assert listing["can_edit"] is True
    assert [b["id"] for b in listing["budgets"]] == ["project:churn"]

    status, alerts = await api("GET", "alerts")
    assert [a["threshold"] for a in alerts["alerts"]] == [50]
    newest = alerts["alerts"][0]["id"]
    _, none_newer = await api("GET", "alerts", params={"after": str(newest)})
    assert none_newer["alerts"] == []

    status, estimate = await api(
        "POST", "costs", "estimate", body={"cpus": 2, "memory": "4Gi", "hours": 3, "project": "churn"}
    )
    assert status == 200, estimate
    assert estimate["cost"] == 0.36  # 6 CPU-hours x $0.05 + 12 GiB-hours x $0.005
    assert estimate["message"] == "about $0.36 per run; $4.50 left this month in project:churn"
    status, refused = await api("POST", "costs", "estimate", body={"cpus": 64, "hours": 2, "project": "churn"})
    assert refused["allowed"] is False

    status, _ = await api("DELETE", "budgets", "project", "churn")
    assert status == 204
    status, missing = await api("GET", "budgets", "project", "churn")
    assert (status, missing["error"]) == (404, "NOT_FOUND")


@pytest.fixture
def maestro_config(maestro_home):
    """The server's own project is churn: its work counts against churn's budget."""
    return {"home": str(maestro_home), "project": "churn"}


async def test_over_the_hard_limit_a_submission_is_a_403_with_the_reason(api, maestro_home, jp_root_dir):
    spend(maestro_home, "job-4", 9_990_000)
    await api("PUT", "budgets", "project", "churn", body={"amount": 10, "hard_limit": True})
    (jp_root_dir / "train.py").write_text("print('never')\n")
    status, body = await api("POST", "training", "jobs", body={"script": "train.py"})
    assert status == 403
    assert body["error"] == "BUDGET_EXCEEDED"
    assert body["message"].startswith("Refused: project:churn has $0.01 left of its $10.00 monthly hard limit")
    _, jobs = await api("GET", "training", "jobs")
    assert jobs["jobs"] == []


@pytest.mark.parametrize(
    ("method", "parts", "kwargs", "code"),
    [
        ("GET", ("costs",), {"params": {"window": "forever"}}, "INVALID_PARAMETER"),
        ("GET", ("costs",), {"params": {"by": "colour"}}, "INVALID_PARAMETER"),
        ("PUT", ("budgets", "team", "x"), {"body": {"amount": 5}}, "INVALID_PARAMETER"),
        ("PUT", ("budgets", "project", "x"), {"body": {"amount": -5}}, "INVALID_PARAMETER"),
        ("PUT", ("budgets", "project", "churn team!"), {"body": {"amount": 5}}, "INVALID_PARAMETER"),
        ("PUT", ("budgets", "project", "x"), {"body": {"amount": 5, "webhook": "ftp://x"}}, "INVALID_PARAMETER"),
        ("PUT", ("budgets", "project", "x"), {"body": {"amount": 5, "colour": 1}}, "INVALID_PARAMETER"),
        ("GET", ("alerts",), {"params": {"after": "x"}}, "INVALID_PARAMETER"),
        ("POST", ("costs", "estimate"), {"body": {"kind": "cluster"}}, "INVALID_PARAMETER"),
        ("DELETE", ("budgets", "project", "nobody"), {}, "NOT_FOUND"),
    ],
)
async def test_bad_requests_are_4xx(api, method, parts, kwargs, code):
    status, body = await api(method, *parts, **kwargs)
    assert 400 <= status < 500
    assert body["error"] == code
    assert body["message"]


async def test_a_project_budget_needs_a_project_name(api):
    status, body = await api("PUT", "budgets", "project", "churn team!", body={"amount": 5})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")
    assert body["message"].startswith("Invalid project name 'churn team!': use 1-63 letters, digits")
    status, _ = await api("PUT", "budgets", "user", "alice", body={"amount": 5})
    assert status == 200  # users are named by the hub, not by this rule


@pytest.fixture
def admins_elsewhere(maestro_config):
    maestro_config["admins"] = "carol"


async def test_changing_a_budget_needs_the_admin_role(admins_elsewhere, api):
    status, body = await api("PUT", "budgets", "project", "churn", body={"amount": 5})
    assert status == 403
    assert "Only an admin may change budgets" in body["message"]
    _, listing = await api("GET", "budgets")
    assert listing["can_edit"] is False


async def test_the_metrics_exposition_is_authenticated_text(api, jp_fetch, maestro_home):
    spend(maestro_home, "job-5", 2_500_000, model="churn-model", version="2")
    await api("PUT", "budgets", "project", "churn", body={"amount": 10})
    status, text = await api("GET", "metrics")
    assert status == 200
    lines = text.decode().splitlines()
    assert (
        'maestro_cost_dollars_total{user="alice",project="churn",model="churn-model",version="2",kind="job"} 2.5'
        in lines
    )
    assert (
        'maestro_budget_used_ratio{budget="project:churn",scope="project",subject="churn",period="monthly"} 0.25'
        in lines
    )
    assert any(line.startswith('maestro_model_metric{model="iris-classifier",version="1"') for line in lines)
    response = await jp_fetch(
        "maestro", "api", "v1", "metrics", headers={"Authorization": "token wrong"}, raise_error=False
    )
    assert response.code in (401, 403)
