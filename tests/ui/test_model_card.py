"""The model card of a version, from the sidebar, in Chromium against a real ``jupyter lab``.

The card tab: the rendered card (a sandboxed iframe), the status and completeness header, the downloads, the
checklist, the edit form and the approval. What the UI shows is checked against the REST API's card JSON.

The lab (and its registry) is shared by the module, so each test works on a version of its own: reading on
breast-cancer-classifier v3, editing on v2, approving on v1.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from tests.live_server import LabServer

from .conftest import ARTIFACTS
from .test_models_browser import BREAST, api_ok, expand, expect_number, version_item
from .test_sidebar import open_lab, open_sidebar

CARD_API = "maestro/api/v1/models/{name}/versions/{version}/card"
CURRENT = re.compile(r"\blm-mod-current\b")
FILLED = re.compile(r"\bmaestro-mod-filled\b")
MISSING = re.compile(r"\bmaestro-mod-missing\b")

#: The sections a card needs before it can be approved, with their checklist labels.
REQUIRED_FOR_APPROVAL = {
    "owners": "Owners",
    "license": "License",
    "intended_use": "Intended use",
    "out_of_scope_use": "Out-of-scope use",
    "limitations": "Limitations",
    "ethical_considerations": "Ethical considerations",
}

#: What the edit form is filled with (owners one "Name <contact>" per line), and what the API then stores.
FORM = {
    "owners": "Ana Ruiz <ana@example.org>\nRisk team",
    "license": "Apache-2.0",
    "intended_use": "Second opinion for **screening** reviews.",
    "out_of_scope_use": "Diagnosis without a clinician.",
    "limitations": "Trained on 569 Wisconsin cases.",
    "ethical_considerations": "Errors fall on patients; keep a human in the loop.",
}
OWNERS = [{"name": "Ana Ruiz", "contact": "ana@example.org"}, {"name": "Risk team", "contact": None}]


# --------------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------------


def card_api(lab: LabServer, name: str, version: str | int) -> dict[str, Any]:
    """The REST API's card JSON."""
    card = api_ok(lab, "GET", f"models/{name}/versions/{version}/card?format=json")
    assert isinstance(card, dict), card
    return card


def completeness_text(completeness: dict[str, Any]) -> str:
    """The header's text, from the API's completeness (a half percent rounds up, as JavaScript's Math.round)."""
    percent = math.floor(completeness["score"] * 100 + 0.5)
    return f"Completeness {percent}% ({completeness['filled']} of {completeness['required']})"


def is_card_request(response: Any, name: str, version: str | int, method: str = "GET") -> bool:
    """A response of the card endpoint of that version (any format)."""
    path = "/" + CARD_API.format(name=name, version=version)
    return bool(urlsplit(response.url).path.endswith(path) and response.request.method == method)


def open_card(page: Any, lab: LabServer, request: pytest.FixtureRequest, name: str, version: str) -> Any:
    """Open the version's card from the sidebar; returns its content root, once the card and its HTML are loaded."""
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    item = expand(sidebar, name, ["3", "2", "1"])
    button = version_item(item, version).locator("button.maestro-version-card")
    expect(button).to_have_attribute("aria-label", f"Model card of {name} version {version}")
    button.click()

    card = page.locator(f'.maestro-card[data-name="{name}"][data-version="{version}"]')
    expect(card).to_be_visible()
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=f"Card: {name} v{version}")
    expect(tab).to_have_count(1)
    expect(tab).to_have_class(CURRENT)
    view = card.locator(".maestro-card-view")
    expect(view).to_have_attribute("data-state", "done")
    expect(view).to_have_attribute("data-editing", "false")
    expect(card.locator("iframe.maestro-card-frame")).to_be_visible()
    expect(view).to_have_attribute("aria-busy", "false")
    return card


def frame(card: Any) -> Any:
    """The rendered card in its iframe."""
    return card.frame_locator("iframe.maestro-card-frame")


def expect_header(card: Any, api: dict[str, Any]) -> None:
    """The status chip, completeness meter and missing list show the API's card."""
    header = card.locator(".maestro-card-header")
    approval, completeness = api["approval"], api["completeness"]
    status = header.locator(".maestro-card-status")
    expect(status).to_have_attribute("data-status", approval["status"])
    expect(status).to_have_text("Approved" if approval["status"] == "approved" else "Draft")
    expect(header.locator(".maestro-card-stale")).to_have_count(1 if approval["stale"] else 0)
    text = completeness_text(completeness)
    expect(header.locator(".maestro-card-completeness-text")).to_have_text(text)
    meter = header.locator("meter.maestro-card-meter")
    expect(meter).to_have_attribute("aria-label", text)
    assert float(meter.evaluate("el => el.value")) == pytest.approx(completeness["score"])
    missing = header.locator("ul.maestro-card-missing li")
    if completeness["missing"]:
        expect(missing).to_have_text(completeness["missing"])
    else:
        expect(missing).to_have_count(0)


def expect_checklist(card: Any, api: dict[str, Any]) -> None:
    """The checklist shows every item of the API's, filled or missing, with its origin."""
    items = card.locator("section.maestro-card-checklist li.maestro-card-check")
    checklist = api["completeness"]["checklist"]
    expect(items).to_have_count(len(checklist))
    for entry in checklist:
        item = card.locator(f'li.maestro-card-check[data-field="{entry["field"]}"]')
        expect(item).to_have_attribute("data-origin", entry["origin"])
        expect(item).to_have_attribute("data-required", "true" if entry["required"] else "false")
        expect(item).to_have_class(FILLED if entry["filled"] else MISSING)
        expect(item.locator(".maestro-card-check-label")).to_have_text(entry["label"])


def metric(api: dict[str, Any], name: str) -> float:
    """An overall evaluation metric of the card's facts."""
    values = [
        m["value"]
        for m in api["facts"]["evaluation"]["metrics"]
        if m["name"] == name and m["slice"] is None and m["stage"] == "evaluation"
    ]
    assert len(values) == 1, api["facts"]["evaluation"]["metrics"]
    return float(values[0])


# --------------------------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------------------------


def test_open_the_card_of_a_version_from_the_sidebar(
    lab: LabServer, page: Any, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    api = card_api(lab, BREAST, 3)
    assert api["facts"]["model"]["name"] == BREAST
    assert api["facts"]["model"]["version"] == "3"
    assert api["approval"]["status"] == "draft"
    # Nobody wrote this version's card: the sections people write are missing.
    assert set(REQUIRED_FOR_APPROVAL.values()) <= set(api["completeness"]["missing"])

    card = open_card(page, lab, request, BREAST, "3")
    expect_header(card, api)
    expect(card.locator(".maestro-card-status")).to_have_text("Draft")
    expect_checklist(card, api)
    # A missing section people write has a Fill button; a fact of the registry has none.
    expect(card.locator('li.maestro-card-check[data-field="intended_use"] button.maestro-card-fill')).to_have_count(1)
    for entry in api["completeness"]["checklist"]:
        if entry["origin"] == "registry":
            fill = card.locator(f'li.maestro-card-check[data-field="{entry["field"]}"] button.maestro-card-fill')
            expect(fill).to_have_count(0)

    # The rendered card, in an iframe that may run nothing.
    iframe = card.locator("iframe.maestro-card-frame")
    expect(iframe).to_have_attribute("sandbox", "allow-same-origin")  # no scripts: the view only reads it, to fit it
    rendered = frame(card)
    expect(rendered.locator("h1")).to_contain_text(f"Model card: {BREAST}")
    expect(rendered.locator("h1")).to_contain_text("v3")
    expect(rendered.locator(".badges")).to_contain_text(completeness_text(api["completeness"]))
    accuracy = rendered.locator("xpath=//tr[count(td)=2][td[1]='accuracy']/td[2]")
    expect(accuracy).to_have_count(1)
    expect_number(accuracy.inner_text(), metric(api, "accuracy"), "card accuracy")
    expect(rendered.locator('section[data-section="intended_use"] .missing')).to_have_text("Not written yet.")

    # Downloads: one link per format, each a download of the card endpoint.
    links = card.locator("a.maestro-card-download")
    expect(links).to_have_count(4)
    for fmt in ("md", "html", "pdf", "json"):
        href = card.locator(f'a.maestro-card-download[data-format="{fmt}"]').get_attribute("href")
        assert href is not None
        url = urlsplit(href)
        assert url.path.endswith("/" + CARD_API.format(name=BREAST, version=3)), href
        assert parse_qs(url.query) == {"format": [fmt], "download": ["1"]}, href

    pdf = card.locator('a.maestro-card-download[data-format="pdf"]')
    with page.expect_download() as info:
        pdf.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{BREAST}-v3-card.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    # The JSON link (with the page's cookies) gives the API's card.
    response = page.request.get(urljoin(page.url, card.locator('a[data-format="json"]').get_attribute("href")))
    assert response.status == 200
    assert "attachment" in response.headers["content-disposition"]
    downloaded = response.json()
    assert downloaded["facts"]["model"] == api["facts"]["model"]
    assert downloaded["completeness"] == api["completeness"]

    # Opening the card again activates the same tab.
    version_item(page.locator(f'li.maestro-model-item[data-model-name="{BREAST}"]'), 3).locator(
        "button.maestro-version-card"
    ).click()
    expect(page.locator(".maestro-card")).to_have_count(1)
    expect(card).to_be_visible()


def test_edit_the_sections_of_a_card(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    version = "2"
    before = card_api(lab, BREAST, version)
    assert set(REQUIRED_FOR_APPROVAL.values()) <= set(before["completeness"]["missing"])

    card = open_card(page, lab, request, BREAST, version)
    view = card.locator(".maestro-card-view")
    expect_header(card, before)

    # "Fill" on a missing section opens the form on that field.
    card.locator('li.maestro-card-check[data-field="limitations"] button.maestro-card-fill').click()
    expect(view).to_have_attribute("data-editing", "true")
    form = card.locator("form.maestro-card-form")
    expect(form).to_be_visible()
    expect(form.locator('textarea[name="limitations"]')).to_be_focused()
    expect(card.locator("iframe.maestro-card-frame")).to_have_count(0)
    expect(card.locator("button.maestro-card-edit")).to_have_attribute("aria-pressed", "true")

    for field, value in FORM.items():
        tag = "input" if field == "license" else "textarea"
        control = form.locator(f'{tag}[name="{field}"]')
        expect(control).to_have_value("")
        control.fill(value)

    with page.expect_response(lambda r: is_card_request(r, BREAST, version, "PUT")) as response:
        form.locator("button.maestro-card-save").click()
    assert response.value.status == 200
    # Only the changed sections are sent, owners parsed from their lines.
    sent = response.value.request.post_data_json
    assert sent == {"sections": {**FORM, "owners": OWNERS}}, sent

    expect(view).to_have_attribute("data-editing", "false")
    expect(form).to_have_count(0)
    expect(view).to_have_attribute("aria-busy", "false")

    after = card_api(lab, BREAST, version)
    sections = after["sections"]
    assert sections["owners"] == OWNERS
    for field, value in FORM.items():
        if field != "owners":
            assert sections[field] == value, (field, sections[field])
    assert after["completeness"]["filled"] == before["completeness"]["filled"] + len(FORM)
    assert not set(REQUIRED_FOR_APPROVAL.values()) & set(after["completeness"]["missing"])
    assert after["approval"]["status"] == "draft"

    # The header and the checklist show the saved card.
    expect_header(card, after)
    expect_checklist(card, after)
    for field in FORM:
        item = card.locator(f'li.maestro-card-check[data-field="{field}"]')
        expect(item).to_have_class(FILLED)
        expect(item).to_have_attribute("data-origin", "people")
        expect(item.locator("button.maestro-card-fill")).to_have_count(0)

    # The card is rendered again with the sections (Markdown rendered).
    rendered = frame(card)
    intended = rendered.locator('section[data-section="intended_use"]')
    expect(intended).to_contain_text("Second opinion for screening reviews.")
    expect(intended.locator("strong")).to_have_text("screening")
    expect(rendered.locator('section[data-section="limitations"]')).to_contain_text("Trained on 569 Wisconsin cases.")
    expect(rendered.locator("xpath=//tr[th='Owners']/td")).to_have_text("Ana Ruiz (ana@example.org), Risk team")
    expect(rendered.locator("xpath=//tr[th='License']/td")).to_have_text("Apache-2.0")
    expect(rendered.locator(".badges")).to_contain_text(completeness_text(after["completeness"]))

    # The sections are saved as tags of the model version.
    tags = api_ok(lab, "GET", f"models/{BREAST}/versions/{version}")["tags"]
    assert tags["maestro.card.section.intended_use"] == FORM["intended_use"]
    assert tags["maestro.card.section.license"] == FORM["license"]

    # The form opens again with the saved values; Cancel leaves the card as it is.
    card.locator("button.maestro-card-edit").click()
    expect(form.locator('textarea[name="owners"]')).to_be_focused()
    expect(form.locator('textarea[name="owners"]')).to_have_value(FORM["owners"])
    expect(form.locator('input[name="license"]')).to_have_value(FORM["license"])
    expect(form.locator('textarea[name="intended_use"]')).to_have_value(FORM["intended_use"])
    form.locator("button.maestro-card-cancel").click()
    expect(view).to_have_attribute("data-editing", "false")
    expect(frame(card).locator('section[data-section="intended_use"]')).to_contain_text("Second opinion")
    card.locator(".maestro-card-header").scroll_into_view_if_needed()  # the header in the screenshot


def test_approve_a_card(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    version = "1"
    before = card_api(lab, BREAST, version)
    assert before["approval"]["status"] == "draft"
    unwritten = [label for label in REQUIRED_FOR_APPROVAL.values() if label in before["completeness"]["missing"]]
    assert unwritten == list(REQUIRED_FOR_APPROVAL.values())

    card = open_card(page, lab, request, BREAST, version)
    header = card.locator(".maestro-card-header")
    approve = header.locator("button.maestro-card-approve")
    expect(approve).to_be_enabled()
    expect(approve).to_have_attribute("aria-expanded", "false")

    # Approving a card whose required sections are missing: the server's message.
    approve.click()
    form = card.locator("form.maestro-card-approve-form")
    expect(form).to_be_visible()
    expect(approve).to_have_attribute("aria-expanded", "true")
    expect(form.locator('input[name="comment"]')).to_be_focused()
    with page.expect_response(lambda r: is_card_request(r, BREAST, version, "PUT")) as response:
        form.locator("button.maestro-card-approve-confirm").click()
    assert response.value.status == 400
    message = response.value.json()["message"]
    assert message == (
        f"Cannot approve the card of {BREAST!r} version {version}: write {', '.join(unwritten)} first"
    ), message
    error = card.locator('.maestro-error[role="alert"]')
    expect(error).to_have_count(1)
    expect(error).to_have_text(message)
    expect(form).to_be_visible()  # still open, to try again
    expect(header.locator(".maestro-card-status")).to_have_text("Draft")
    assert card_api(lab, BREAST, version)["approval"]["status"] == "draft"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-error.png"))

    # Cancel closes the form and the error.
    form.locator("button.maestro-card-approve-cancel").click()
    expect(form).to_have_count(0)
    expect(error).to_have_count(0)

    # Write the sections through the REST API; Refresh shows them.
    sections = {**FORM, "owners": OWNERS}
    status, body = lab.api("PUT", f"models/{BREAST}/versions/{version}/card", {"sections": sections})
    assert status == 200, body
    written = card_api(lab, BREAST, version)
    assert not set(REQUIRED_FOR_APPROVAL.values()) & set(written["completeness"]["missing"])
    expect(header.locator(".maestro-card-completeness-text")).to_have_text(completeness_text(before["completeness"]))
    with page.expect_response(lambda r: is_card_request(r, BREAST, version) and "format=json" in r.url):
        header.locator("button.maestro-card-refresh").click()
    expect_header(card, written)
    expect_checklist(card, written)
    expect(frame(card).locator('section[data-section="intended_use"]')).to_contain_text("Second opinion")

    # Approve with a comment.
    comment = "Reviewed with the risk team"
    approve.click()
    form.locator('input[name="comment"]').fill(comment)
    with page.expect_response(lambda r: is_card_request(r, BREAST, version, "PUT")) as response:
        form.locator("button.maestro-card-approve-confirm").click()
    assert response.value.status == 200, response.value.text()
    assert response.value.request.post_data_json == {"status": "approved", "comment": comment}

    status_chip = header.locator(".maestro-card-status")
    expect(status_chip).to_have_text("Approved")
    expect(status_chip).to_have_attribute("data-status", "approved")
    expect(form).to_have_count(0)
    expect(card.locator(".maestro-error")).to_have_count(0)
    expect(header.locator(".maestro-card-stale")).to_have_count(0)
    # An approved (not stale) card cannot be approved again.
    expect(approve).to_be_disabled()
    expect(approve).to_have_attribute("title", "The card is approved")

    approved = card_api(lab, BREAST, version)
    approval = approved["approval"]
    assert approval["status"] == "approved", approval
    assert approval["comment"] == comment, approval
    assert approval["stale"] is False, approval
    assert approval["approved_by"], approval
    assert approval["approved_at"], approval
    expect_header(card, approved)
    title = status_chip.get_attribute("title")
    assert title == f"Approved by {approval['approved_by']} on {approval['approved_at']}: {comment}", title

    # The rendered card says so too.
    rendered = frame(card)
    expect(rendered.locator(".badges .badge.approved")).to_have_text("Approved")
    expect(rendered.locator("header p.muted")).to_contain_text(f"Approved by {approval['approved_by']}")
    expect(rendered.locator("header p.muted")).to_contain_text(f"“{comment}”")
