"""The sidebar's Budgets tab, in Chromium against a real ``jupyter lab``.

Usage is written straight into the server's Maestro database (its ledger); a budget is set through the tab's form
(the server's own token user is the admin), and what the tab shows is checked against the REST API: the budget's
standing and bar, the spend breakdown, the alerts the save fired, those alerts as JupyterLab notifications, and the
budget's deletion. Whatever budget a test sets is deleted at its end, whatever the outcome.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from maestro_jupyter.backends.store import MaestroStore
from tests.cost_helpers import usage_row
from tests.live_server import LabServer

from .test_jobs_deployments import api_ok, confirm_dialog, is_call, open_tab, screenshot

PROJECT = "churn"
BUDGET_ID = f"project:{PROJECT}"
MODEL = "churn-model"

#: ``localStorage`` key where the alert notifier keeps the id of the last alert shown (``LAST_ALERT_KEY``).
LAST_ALERT_KEY = "maestro:last-alert-id"

#: The notifier polls the alerts every minute (``ALERT_POLL_MS``): the page's clock jumps that far ahead.
ALERT_POLL_MS = 60_000

TOASTS = ".jp-toastContainer .Toastify__toast"


def seed_usage(maestro_home: Path) -> None:
    """Project churn: alice's $4.00 on a model, bob's $1.50 on none (both ending now, so in this month)."""
    ledger = MaestroStore(f"sqlite:///{maestro_home / 'maestro.db'}").ledger
    now = time.time()
    rows = [
        ("job-ui-budget-alice", "alice", 4_000_000, MODEL, "2"),
        ("job-ui-budget-bob", "bob", 1_500_000, "", ""),
    ]
    for source_id, user, cost_micros, model, version in rows:
        recorded = ledger.record(
            usage_row(source_id, cost_micros, end=now, user=user, project=PROJECT, model=model, version=version)
        )
        assert recorded, f"{source_id} was recorded already"


def expect_spend(part: Any, rows: list[tuple[str, str, str]], total: str) -> None:
    """The breakdown lists exactly ``rows`` (key, label, amount), in that order, and ``total``."""
    items = part.locator("li.maestro-cost-row")
    expect(items).to_have_count(len(rows))
    assert [items.nth(i).get_attribute("data-key") for i in range(len(rows))] == [key for key, _, _ in rows]
    expect(items.locator(".maestro-cost-key")).to_have_text([label for _, label, _ in rows])
    expect(items.locator(".maestro-cost-amount")).to_have_text([amount for _, _, amount in rows])
    expect(part.locator(".maestro-cost-total")).to_have_text(f"Total {total} in the last 30 days")
    expect(part.locator(".maestro-error")).to_have_count(0)


def test_budgets_tab_sets_a_budget_shows_spend_and_alerts_and_deletes_it(
    lab: LabServer, lab_home: Path, page: Any, request: pytest.FixtureRequest
) -> None:
    seed_usage(lab_home)
    # The alert notifier polls once 5 s after the start, then every minute: a fake clock (flowing in real time)
    # lets the test jump to the next poll instead of waiting for it.
    page.clock.install()
    try:
        panel = open_tab(page, lab, request, "budgets")
        budgets = panel.locator("section.maestro-budgets-list-part")
        spend = panel.locator("section.maestro-spend-part")
        alerts = panel.locator("section.maestro-alerts-part")

        # No budget yet, nor any alert; the admin sees the form.
        expect(budgets.locator(".maestro-empty[role=status]")).to_contain_text("No budgets.")
        expect(alerts.locator(".maestro-empty[role=status]")).to_have_text("No budget alerts.")
        # The notifier's first poll (it keeps the last alert id shown, none yet): from now on, new alerts only reach
        # it at the next poll, a minute later.
        page.wait_for_function("key => window.localStorage.getItem(key) === '0'", arg=LAST_ALERT_KEY)

        # Set the budget through the form: project churn, $5 a month, alerts at 50/80/100 %, hard limit.
        form = budgets.locator("form.maestro-budget-form")
        expect(form).to_have_attribute("aria-label", "Set a budget")
        form.locator("select.maestro-budget-form-scope").select_option("project")
        form.locator("input.maestro-budget-form-subject").fill(PROJECT)
        form.locator("input.maestro-budget-form-amount").fill("5")
        form.locator("select.maestro-budget-form-period").select_option("monthly")
        form.locator("input.maestro-budget-form-thresholds").fill("50, 80,100")
        form.locator("input.maestro-budget-form-hard-limit").check()
        save = form.locator("button.maestro-budget-form-save")
        expect(save).to_have_text("Save budget")
        with page.expect_response(lambda r: is_call(r, "PUT", f"budgets/project/{PROJECT}")) as answer:
            save.click()
        assert answer.value.status == 200, (answer.value.status, answer.value.text())
        sent = answer.value.request.post_data_json
        assert sent == {"amount": 5, "period": "monthly", "thresholds": [50, 80, 100], "hard_limit": True}, sent
        expect(form.locator(".maestro-error")).to_have_count(0)
        expect(form.locator("input.maestro-budget-form-subject")).to_have_value("")  # emptied after the save

        # The budget, as the API has it: $5.50 spent of $5.00, so over.
        api = api_ok(lab, "GET", "budgets")
        assert api["can_edit"] is True, api
        [budget] = api["budgets"]
        assert (budget["id"], budget["amount"], budget["spent"]) == (BUDGET_ID, 5.0, pytest.approx(5.5)), budget
        assert (budget["hard_limit"], budget["thresholds"], budget["period"]) == (True, [50, 80, 100], "monthly")

        row = budgets.locator(f'li.maestro-budget[data-budget-id="{BUDGET_ID}"]')
        expect(row).to_have_attribute("data-state", "over")
        expect(budgets.locator("li.maestro-budget")).to_have_count(1)
        expect(budgets.locator(".maestro-budget-count")).to_have_text("1 budget")
        expect(row.locator(".maestro-budget-usage")).to_have_text("$5.50 of $5.00 this month")
        expect(row.locator(".maestro-budget-hard-limit")).to_have_text("hard limit")
        expect(row.locator(".maestro-budget-pct")).to_have_text("110%")
        expect(row.locator(".maestro-budget-remaining")).to_have_text("$0.50 over")
        bar = row.locator(".maestro-budget-bar[role=progressbar]")
        expect(bar).to_have_attribute("aria-valuenow", "100")
        expect(bar).to_have_attribute("data-state", "over")
        fill = bar.locator(".maestro-budget-fill")
        expect(fill).to_have_class(re.compile(r"\bmaestro-budget-over\b"))
        expect(fill).to_have_attribute("style", re.compile(r"width:\s*100%"))
        ticks = bar.locator(".maestro-budget-tick")
        expect(ticks).to_have_count(2)  # none at 100 %: the end of the bar
        assert [ticks.nth(i).get_attribute("data-threshold") for i in range(2)] == ["50", "80"]
        expect(row.locator("button.maestro-budget-edit")).to_be_visible()
        expect(row.locator("button.maestro-budget-delete")).to_have_text("Delete")

        # The spend breakdown: by project when the tab opens, then by user and by model.
        expect_spend(spend, [(PROJECT, PROJECT, "$5.50")], "$5.50")
        by = spend.locator("select.maestro-cost-by")
        expect(spend.locator("select.maestro-cost-window")).to_have_value("30d")
        with page.expect_response(lambda r: is_call(r, "GET", "costs") and "by=user" in r.url) as costs:
            by.select_option("user")
        assert costs.value.status == 200, costs.value.text()
        expect_spend(spend, [("alice", "alice", "$4.00"), ("bob", "bob", "$1.50")], "$5.50")
        with page.expect_response(lambda r: is_call(r, "GET", "costs") and "by=model" in r.url):
            by.select_option("model")
        expect_spend(spend, [(MODEL, MODEL, "$4.00"), ("", "(no model)", "$1.50")], "$5.50")

        # The save crossed every threshold: three alerts, newest (100 %) first, as the API lists them.
        listed = api_ok(lab, "GET", "alerts")["alerts"]
        assert sorted(a["threshold"] for a in listed) == [50, 80, 100], listed
        over = next(a for a in listed if a["threshold"] == 100)
        message = over["message"]
        assert message == "project churn has spent $5.50 of its $5.00 monthly budget (100% alert)", message
        # (The alerts list does not follow a save of the budgets part: its Refresh button shows the new alerts.)
        with page.expect_response(lambda r: is_call(r, "GET", "alerts")):
            alerts.get_by_role("button", name="Refresh").click()
        items = alerts.locator("li.maestro-alert")
        expect(items).to_have_count(3)
        assert [items.nth(i).get_attribute("data-threshold") for i in range(3)] == ["100", "80", "50"]
        newest = alerts.locator(f'li.maestro-alert[data-alert-id="{over["id"]}"][data-threshold="100"]')
        expect(newest.locator(".maestro-alert-message")).to_have_text(message)
        expect(newest).to_have_class(re.compile(r"\bmaestro-alert-over\b"))
        expect(alerts.locator(".maestro-empty")).to_have_count(0)
        screenshot(page, request, "budget")

        # The notifier's next poll shows each new alert once, as a notification that stays: an error at 100 %.
        toasts = page.locator(TOASTS)
        expect(toasts).to_have_count(0)
        page.clock.fast_forward(ALERT_POLL_MS)
        toast = toasts.filter(has_text=message)
        expect(toast).to_have_count(1)
        expect(toast).to_have_class(re.compile(r"\bjp-Notification-Toast-error\b"))
        for threshold in (50, 80):
            warning = toasts.filter(has_text=f"({threshold}% alert)")
            expect(warning).to_have_count(1)
            expect(warning).to_have_class(re.compile(r"\bjp-Notification-Toast-warning\b"))
        page.wait_for_function(
            "([key, id]) => window.localStorage.getItem(key) === String(id)",
            arg=[LAST_ALERT_KEY, max(a["id"] for a in listed)],
        )
        expect(toast).to_be_in_viewport(ratio=1)  # slid in
        screenshot(page, request, "notifications")

        # Delete the budget, once JupyterLab's dialog is answered: its row goes, the list is empty again.
        row.locator("button.maestro-budget-delete").click()
        with page.expect_response(lambda r: is_call(r, "DELETE", f"budgets/project/{PROJECT}")) as deleted:
            confirm_dialog(page, "Delete budget")
        assert deleted.value.status in (200, 204), (deleted.value.status, deleted.value.text())
        expect(row).to_have_count(0)
        expect(budgets.locator(".maestro-empty[role=status]")).to_contain_text("No budgets.")
        expect(budgets.locator(".maestro-error")).to_have_count(0)
        assert api_ok(lab, "GET", "budgets")["budgets"] == []
    finally:  # best effort, through the server's shared token (the admin)
        lab.api("DELETE", f"budgets/project/{PROJECT}")
