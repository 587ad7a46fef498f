"""Model test verdicts, the test report view and the promotion gate, in Chromium against a real ``jupyter lab``.

What the UI shows is checked against the REST API. The lab is shared by the module: the first test only reads
(breast-cancer-classifier v3, tested by the demo seed); the second fails v1's verdict and promotes it with an
override.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.live_server import LabServer

from .test_models_browser import (
    BREAST,
    answer_dialog,
    api_ok,
    expand,
    model_aliases,
    set_alias_through_form,
    version_item,
)
from .test_sidebar import open_lab, open_sidebar


def overview(lab: LabServer, name: str, version: str) -> dict[str, Any]:
    body = api_ok(lab, "GET", f"models/{name}/versions/{version}/tests")
    assert isinstance(body, dict), body
    return body


def test_each_version_shows_its_verdict_and_opens_its_report(
    lab: LabServer, page: Any, request: pytest.FixtureRequest
) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, BREAST, ["3", "2", "1"])
    for version in ("3", "2", "1"):
        verdict = overview(lab, BREAST, version)["latest"]["verdict"]
        badge = version_item(item, version).locator(".maestro-version-verdict")
        expect(badge).to_have_attribute("data-verdict", verdict)
        expect(badge).to_have_text(f"tests {verdict}")

    api = overview(lab, BREAST, "3")
    latest = api["latest"]
    version_item(item, "3").locator("button.maestro-version-verdict").click()
    widget = page.locator(f'.maestro-tests[data-name="{BREAST}"][data-version="3"]')
    view = widget.locator(".maestro-tests-view")
    expect(view).to_have_attribute("data-state", "done")
    expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=f"Tests: {BREAST} v3")).to_have_count(1)
    # The summary first: the verdict and its counts, as the API has them.
    expect(view.locator(".maestro-tests-verdict")).to_have_attribute("data-verdict", latest["verdict"])
    for kind in ("passed", "failed", "skipped"):
        expect(view.locator(f'.maestro-tests-count[data-count="{kind}"]')).to_contain_text(str(latest["summary"][kind]))
    expect(view.locator('.maestro-tests-fact[data-stat="rows"] dd')).to_contain_text(str(latest["rows"]))
    # Then every check, with its status, grouped by category in the suite's order.
    rows = view.locator("tr.maestro-tests-check")
    expect(rows).to_have_count(len(latest["checks"]))
    for check in latest["checks"]:
        row = view.locator(f'tr.maestro-tests-check[data-check="{check["name"]}"]')
        expect(row).to_have_attribute("data-status", check["status"])
    categories = view.locator(".maestro-tests-category").evaluate_all(
        "els => els.map(e => e.getAttribute('data-category'))"
    )
    order = ["contract", "performance", "latency", "fairness", "robustness"]
    assert categories == [c for c in order if any(k["category"] == c for k in latest["checks"])]
    # Evidence opens in place.
    latency = view.locator('tr.maestro-tests-check[data-check="latency_p95_ms"]')
    latency.locator("details.maestro-tests-evidence summary").click()
    expect(latency.locator("details.maestro-tests-evidence table")).to_contain_text("throughput")
    # The history lists the version's runs; the downloads point at the stored report.
    expect(view.locator("tr.maestro-tests-run")).to_have_count(len(api["history"]))
    html = view.locator('a.maestro-tests-download[data-format="html"]')
    href = html.get_attribute("href") or ""
    assert "format=html" in href
    assert "download=1" in href
    status, body = lab.api("GET", f"models/{BREAST}/versions/3/tests?format=junit")
    assert status == 200
    assert b"<testsuite" in body


def test_a_refused_promotion_names_the_failed_checks_and_can_be_overridden(
    lab: LabServer, page: Any, request: pytest.FixtureRequest
) -> None:
    for key, value in (("maestro.tests.verdict", "failed"), ("maestro.tests.failed", "accuracy,latency_p95_ms")):
        api_ok(lab, "PUT", f"models/{BREAST}/versions/1/tags/{key}", {"value": value})
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, BREAST, ["3", "2", "1"])
    row = version_item(item, "1")
    expect(row.locator(".maestro-version-verdict")).to_have_attribute("data-verdict", "failed")

    form = set_alias_through_form(row, "champion", confirm="Move alias")  # champion names v3: a move
    alert = form.locator('.maestro-alias-error[role="alert"]')
    expect(alert).to_contain_text("its latest tests failed (accuracy, latency_p95_ms)")
    expect(form.locator("ul.maestro-gate-failed-checks li")).to_have_text(["accuracy", "latency_p95_ms"])
    assert model_aliases(lab, BREAST)["champion"] == "3"  # refused: nothing moved

    override = form.locator("button.maestro-gate-override")
    expect(override).to_be_disabled()
    form.locator('textarea.maestro-gate-reason[aria-label="Reason for the override"]').fill(
        "Rollback while v3 is investigated"
    )
    expect(override).to_be_enabled()
    override.click()
    asked = answer_dialog(page, "Override and set alias")
    assert "failed the checks accuracy and latency_p95_ms" in asked, asked
    expect(row.locator('.maestro-version-alias[data-alias="champion"]')).to_be_visible()
    assert model_aliases(lab, BREAST)["champion"] == "1"
    (recorded,) = overview(lab, BREAST, "1")["overrides"]
    assert recorded["reason"] == "Rollback while v3 is investigated"
    assert recorded["failed_checks"] == ["accuracy", "latency_p95_ms"]
    assert recorded["action"] == "alias 'champion'"
