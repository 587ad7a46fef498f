"""On a team (``MAESTRO_TEAM``), the services keep members to their own: a model changes by its owner's hand (who
registered it through Maestro) or an admin's; Maestro's own records are not tags anyone may write; only an admin
overrides the gate; and a budget's webhook, a credential, is an admin's to see."""

from __future__ import annotations

import pytest

from maestro_jupyter import tagkeys as tk
from maestro_jupyter.contract.base import Actor
from maestro_jupyter.contract.budgets import GetBudget, ListBudgets, SetBudget
from maestro_jupyter.contract.registry import (
    DeleteAlias,
    GetVersion,
    RegisterModel,
    SetAlias,
    SetTag,
    UpdateDescription,
)
from maestro_jupyter.errors import GateRefused, NotFound, PermissionDenied
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings

ALICE = Actor("alice", projects=("churn",), default_project="churn")
BOB = Actor("bob", projects=("fraud",), default_project="fraud")
BOSS = Actor("boss", admin=True, projects=("churn",), default_project="churn")
HOOK = "https://hooks.example.invalid/T000/secret-token"


@pytest.fixture
def team(maestro_home) -> Services:
    return Services(Settings.from_env({"MAESTRO_TEAM": "1"}, home=str(maestro_home)))


@pytest.fixture
def alices_model(team: Services) -> str:
    """A model alice registered through Maestro (from the run of a seeded version, untested)."""
    seeded = team.execute(GetVersion(name="iris-classifier", version="1"), BOSS)
    team.execute(RegisterModel(run_id=seeded.run_id, name="alices-model"), ALICE)
    return "alices-model"


def test_a_model_is_changed_by_its_owner_or_an_admin(team: Services, alices_model: str):
    assert team.registry.backend.get_model_summary(alices_model).tags[tk.MODEL_OWNER] == "alice"
    for request in (
        SetAlias(name=alices_model, alias="staging", version="1"),
        DeleteAlias(name=alices_model, alias="staging"),
        SetTag(name=alices_model, key="team", value="fraud"),
        UpdateDescription(name=alices_model, description="bob's now"),
    ):
        with pytest.raises(PermissionDenied, match="Model 'alices-model' is alice's: only they or an admin may"):
            team.execute(request, BOB)
    team.execute(SetAlias(name=alices_model, alias="staging", version="1"), ALICE)
    team.execute(SetTag(name=alices_model, key="team", value="churn"), ALICE)
    team.execute(DeleteAlias(name=alices_model, alias="staging"), BOSS)
    # Another version of it is a change too; a model no one registered through Maestro is MLflow's to decide.
    seeded = team.execute(GetVersion(name="iris-classifier", version="1"), BOSS)
    with pytest.raises(PermissionDenied, match="only they or an admin may add a version"):
        team.execute(RegisterModel(run_id=seeded.run_id, name=alices_model), BOB)
    with pytest.raises(PermissionDenied, match="MLflow does not let bob change model 'iris-classifier'"):
        team.execute(SetAlias(name="iris-classifier", alias="bobs", version="1"), BOB)


def test_maestros_records_are_not_tags_a_member_writes(team: Services, alices_model: str):
    for key in (tk.TESTS_VERDICT, tk.TESTS_RAN_AT, tk.GATE_OVERRIDES, tk.CARD_STATUS, tk.COST_TRAIN, tk.MODEL_OWNER):
        with pytest.raises(PermissionDenied, match="is Maestro's own record"):
            team.execute(SetTag(name=alices_model, version="1", key=key, value="passed"), ALICE)
    with pytest.raises(GateRefused):
        team.execute(SetAlias(name=alices_model, alias="champion", version="1"), ALICE)


def test_only_an_admin_overrides_the_gate(team: Services, alices_model: str):
    with pytest.raises(PermissionDenied, match=r"Only an admin may override the gate \(alice is not one\)") as refused:
        team.execute(SetAlias(name=alices_model, alias="champion", version="1", override_reason="trust me"), ALICE)
    assert ".." not in str(refused.value)  # one sentence ends, the next begins
    assert "champion" not in team.execute(GetVersion(name=alices_model, version="1"), ALICE).aliases
    team.execute(SetAlias(name=alices_model, alias="champion", version="1", override_reason="demo day"), BOSS)
    assert [o.by for o in team.gate.overrides(alices_model, "1")] == ["boss"]


def test_a_budgets_webhook_is_the_admins_and_a_members_budget_their_own(team: Services):
    team.execute(SetBudget(scope="project", subject="churn", amount=100, webhook=HOOK), BOSS)
    team.execute(SetBudget(scope="user", subject="bob", amount=50, webhook=HOOK), BOSS)
    assert [b.webhook for b in team.execute(ListBudgets(), BOSS).budgets] == [HOOK, HOOK]
    seen = team.execute(ListBudgets(), ALICE).budgets
    assert [(b.id, b.webhook) for b in seen] == [("project:churn", None)]
    assert team.execute(GetBudget(scope="project", subject="churn"), ALICE).webhook is None
    with pytest.raises(NotFound, match="No budget for user bob"):
        team.execute(GetBudget(scope="user", subject="bob"), ALICE)
    assert team.execute(GetBudget(scope="user", subject="bob"), BOB).amount == 50
