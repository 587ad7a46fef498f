"""``%maestro cost / estimate / budget / alerts`` in a real IPython shell on a real Maestro DB."""

from __future__ import annotations

import pytest

from maestro_jupyter.entities import AlertList, Budget, BudgetList, CostSummary
from tests.cost_helpers import usage_row
from tests.integration.test_magics import one_line_error, run_line
from tests.integration.test_magics_compute import client, shell  # noqa: F401 - the shell fixture
from tests.sdk_helpers import services_of


@pytest.fixture
def spent(shell):  # noqa: F811 - the fixture above
    ledger = services_of(client(shell)).store.ledger
    ledger.record(usage_row("job-0", 3_000_000, model="churn-model", version="1"))
    ledger.record(usage_row("job-1", 1_250_000, user="bob"))
    return shell


def test_cost_groups_spend(spent):
    summary = run_line(spent, "cost --by user --window 7d")
    assert isinstance(summary, CostSummary)
    assert [(g.key, g.cost) for g in summary.groups] == [("alice", 3.0), ("bob", 1.25)]
    by_model = run_line(spent, "cost --by model")
    assert {g.key: g.cost for g in by_model.groups} == {"churn-model": 3.0, "": 1.25}
    assert "Spend by model over the last 30d: $4.25" in str(by_model)


def test_budget_set_list_alerts_and_delete(spent, capsys):
    budget = run_line(spent, "budget set project:churn 5 --weekly --thresholds 50,80 --hard")
    assert isinstance(budget, Budget)
    assert (budget.amount, budget.period, budget.thresholds, budget.hard_limit) == (5.0, "weekly", [50, 80], True)
    assert budget.spent == 4.25
    assert str(budget).splitlines()[0] == (
        "Budget project:churn (weekly) · $4.25 of $5.00 spent (85.0%) · $0.75 left · "
        "hard limit: over-budget work is refused"
    )
    assert "1.79" not in str(budget)
    assert "period_start" not in str(budget)
    listing = run_line(spent, "budget")
    assert isinstance(listing, BudgetList)
    assert "project:churn  weekly  $4.25" in str(listing)
    alerts = run_line(spent, "alerts")
    assert isinstance(alerts, AlertList)
    assert [a.threshold for a in alerts] == [80, 50]
    run_line(spent, "estimate job --cpus 2 --hours 1")
    # 2 CPU-hours at $0.05 and the default 1 GiB for an hour at $0.005; the shell works in the "default" project.
    assert "Estimated cost: about $0.10 per run; no budget applies" in capsys.readouterr().out
    run_line(spent, "budget delete project:churn")
    assert len(run_line(spent, "budget")) == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("cost --window forever", "window"),
        ("budget set churn 5", "scope:name"),
        ("budget set project:churn", "needs an amount"),
        ("budget set project:churn 5 --thresholds a,b", "whole percentages"),
        ("budget delete project:nobody", "No budget"),
        ('budget set "project:churn team!" 5', "Invalid project name 'churn team!'"),
    ],
)
def test_bad_input_is_one_line(spent, capsys, line, message):
    assert message in one_line_error(spent, capsys, f"%maestro {line}")
