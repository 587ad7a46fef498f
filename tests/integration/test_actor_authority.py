"""The services decide with the actor alone (its admin flag, its projects), whatever the settings say; and a Jupyter
server in team mode that JupyterHub does not authenticate acts for no one, however its environment names users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from maestro_jupyter import MaestroClient
from maestro_jupyter.contract.base import Actor
from maestro_jupyter.contract.budgets import ListBudgets, SetBudget
from maestro_jupyter.contract.costs import EstimateCost
from maestro_jupyter.contract.deployments import CreateDeployment, ListDeployments
from maestro_jupyter.contract.training import GetJob, ListJobs, SubmitJob
from maestro_jupyter.errors import PermissionDenied
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings
from tests.compute_helpers import poll, stop_everything
from tests.sdk_helpers import services_of

ALICE = Actor("alice", projects=("churn", "ops"), default_project="churn")


@pytest.fixture
def settings_name_others(monkeypatch):
    """Settings that would make carol the admin and charge 'default' on a laptop."""
    monkeypatch.setenv("MAESTRO_USER", "carol")
    monkeypatch.setenv("MAESTRO_ADMINS", "carol")
    monkeypatch.setenv("MAESTRO_PROJECT", "default")


@pytest.fixture
def services(settings_name_others, maestro_home) -> Iterator[Services]:
    """The services of carol's settings (read from the environment); what a test left running is stopped."""
    client = MaestroClient(Settings.from_env(home=str(maestro_home)))
    yield services_of(client)
    stop_everything(client)


def test_budgets_are_set_by_the_actors_admin_flag_not_by_maestro_admins(services):
    assert services.settings.admins == ("carol",)
    with pytest.raises(PermissionDenied, match=r"Only an admin may change budgets \(carol is not one\)"):
        services.execute(SetBudget(scope="project", subject="churn", amount=10), Actor("carol"))
    services.execute(SetBudget(scope="project", subject="churn", amount=10), Actor("bob", admin=True))
    assert services.execute(ListBudgets(), Actor("bob", admin=True)).can_edit is True
    assert services.execute(ListBudgets(), Actor("carol")).can_edit is False


def test_work_is_charged_to_the_actors_projects_only(services):
    with pytest.raises(PermissionDenied, match="You may charge work to churn or ops, not default"):
        services.execute(SubmitJob(source="print('hi')", project="default"), ALICE)
    with pytest.raises(PermissionDenied, match="not default"):
        services.execute(CreateDeployment(model="iris-classifier", project="default"), ALICE)
    with pytest.raises(PermissionDenied, match="not default"):
        services.execute(EstimateCost(cpus=1, hours=1, project="default"), ALICE)
    # Refused before anything was made.
    assert services.execute(ListJobs(), ALICE).jobs == []
    assert services.execute(ListDeployments(include_stopped=True), ALICE).deployments == []

    services.execute(SetBudget(scope="project", subject="ops", amount=10), Actor("boss", admin=True))
    estimate = services.execute(EstimateCost(cpus=1, hours=1, project="ops"), ALICE)
    assert [b.id for b in estimate.budgets] == ["project:ops"]
    assert services.execute(EstimateCost(cpus=1, hours=1), ALICE).budgets == []  # churn has none

    job = services.execute(SubmitJob(source="print('hi')", project="ops"), ALICE)
    default = services.execute(SubmitJob(source="print('hi')"), ALICE)
    assert [(job.user, job.project), (default.user, default.project)] == [("alice", "ops"), ("alice", "churn")]
    run = services.mlflow.client.get_run(job.run_id)
    assert (run.data.tags["maestro.project"], run.data.tags["mlflow.user"]) == ("ops", "alice")
    for each in (job, default):
        poll(lambda each=each: not services.execute(GetJob(job_id=each.id), ALICE).active, f"{each.id} to finish")


@pytest.fixture
def maestro_config(maestro_home):
    """A plain Jupyter server (its own token, no hub) told it is a team's service."""
    return {"home": str(maestro_home), "team": True}


async def test_a_team_server_without_the_hub_acts_for_no_one(settings_name_others, api):
    for method, parts, body in (
        ("GET", ("info",), None),
        ("GET", ("budgets",), None),
        ("PUT", ("budgets", "project", "churn"), {"amount": 5}),
        ("POST", ("training", "jobs"), {"source": "print('hi')"}),
    ):
        status, answer = await api(method, *parts, body=body)
        assert status == 403, (method, parts, answer)
        assert "team mode" in answer["message"]
        assert "JupyterHub did not authenticate the request" in answer["message"]
    status, _ = await api("GET", "openapi.json")  # what names no one is still served
    assert status == 200
