"""The Maestro sidebar in a real JupyterLab, in Chromium: listing, server-side search, errors, palette, refresh."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, LabServer

SEEDED = ["breast-cancer-classifier", "diabetes-regressor", "iris-classifier"]

SIDEBAR_TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="maestro-sidebar"]'
SIDEBAR = "#maestro-sidebar"
MODEL_ITEMS = "li.maestro-model-item"
MODEL_NAMES = "li.maestro-model-item .maestro-model-name"
CURRENT = re.compile(r"\blm-mod-current\b")
APP_START_TIMEOUT_MS = 60_000

PLUGIN_SETTINGS = "lab/api/settings/maestro-jupyter:plugin"


def is_models_request(response: Any, search: str | None = None) -> bool:
    """A response of the sidebar's ``GET maestro/api/v1/models`` (with that search text, if given)."""
    if "/maestro/api/v1/models" not in response.url or response.request.method != "GET":
        return False
    if search is None:
        return True
    return parse_qs(urlsplit(response.url).query).get("search") == [search]


#: The Models tab sorted by name, remembered for the session as the sort select does: the tests that list the seeded
#: models expect them alphabetically (the default order, last updated first, depends on when the seed touched each
#: model; ``test_models_browser.test_sort_the_models`` checks it and the other orders).
SORT_BY_NAME = "window.sessionStorage.setItem('maestro:models-sort', JSON.stringify({key: 'name', metric: ''}))"


def open_lab(page: Any, lab: LabServer, request: pytest.FixtureRequest, *, sort_by_name: bool = True) -> None:
    """Load JupyterLab in a workspace of the test's own (so no layout is restored from another test), and wait for
    the end of its start-up: about a second after the splash screen goes, JupyterLab opens a Launcher in the empty
    main area and gives it the focus, which would otherwise close a command palette or steal the focus mid-test.
    With ``sort_by_name`` (the default) the Models tab lists models by name; without, in its default order."""
    if sort_by_name:
        page.add_init_script(SORT_BY_NAME)
    # A parametrized test's name has brackets, which JupyterLab refuses in a workspace's name.
    page.goto(lab.lab_url(workspace=re.sub(r"[^A-Za-z0-9_-]", "-", request.node.name)))
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=APP_START_TIMEOUT_MS)
    expect(page.locator("#jp-main-dock-panel")).to_be_visible(timeout=APP_START_TIMEOUT_MS)
    expect(page.locator(SIDEBAR_TAB)).to_be_visible(timeout=APP_START_TIMEOUT_MS)
    expect(page.locator("#jp-main-dock-panel .jp-Launcher")).to_be_focused(timeout=APP_START_TIMEOUT_MS)


def open_sidebar(page: Any) -> Any:
    """Click the Maestro icon in the left bar; returns the sidebar, once it lists the seeded models."""
    tab = page.locator(SIDEBAR_TAB)
    sidebar = page.locator(SIDEBAR)
    expect(tab).not_to_have_class(CURRENT)
    expect(sidebar).to_be_hidden()
    tab.click()
    expect(tab).to_have_class(CURRENT)
    expect(sidebar).to_be_visible()
    expect_models(sidebar, SEEDED)
    return sidebar


def expect_models(sidebar: Any, names: list[str]) -> None:
    """The sidebar lists exactly ``names``, in that order, and is not loading any more."""
    expect(sidebar.locator(MODEL_NAMES)).to_have_text(names)
    for name in names:
        expect(sidebar.locator(f'{MODEL_ITEMS}[data-model-name="{name}"]')).to_have_count(1)
    expect(sidebar.locator(".maestro-loading")).to_have_count(0)
    expect(sidebar.locator(".maestro-error")).to_have_count(0)


def expect_aliases(item: Any, chips: list[str]) -> None:
    """The item's alias chips are exactly ``chips`` (in any order)."""
    locator = item.locator(".maestro-alias")
    expect(locator).to_have_count(len(chips))
    for chip in chips:
        expect(locator.filter(has_text=re.compile(rf"^{re.escape(chip)}$"))).to_have_count(1)


def search_box(sidebar: Any) -> Any:
    return sidebar.get_by_role("searchbox", name="Search models")


def test_sidebar_lists_seeded_models_with_aliases(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)

    expect(sidebar.locator(".maestro-title")).to_have_text("Maestro")
    breast = sidebar.locator(f'{MODEL_ITEMS}[data-model-name="breast-cancer-classifier"]')
    expect_aliases(breast, ["champion → v3", "challenger → v2"])
    expect(breast.locator(".maestro-model-version")).to_have_text("v3")
    expect(sidebar.locator(f'{MODEL_ITEMS}[data-model-name="iris-classifier"] .maestro-model-version')).to_have_text(
        "v1"
    )
    # Three models fit in one page: nothing more to load.
    expect(sidebar.get_by_role("button", name="Load more")).to_have_count(0)


def test_search_filters_on_the_server(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)

    with page.expect_response(lambda r: is_models_request(r, "no-such-model")):
        search_box(sidebar).fill("no-such-model")
    expect(sidebar.locator(MODEL_ITEMS)).to_have_count(0)
    expect(sidebar.locator(".maestro-empty")).to_have_text("No models match “no-such-model”.")

    with page.expect_response(lambda r: is_models_request(r, "cancer")) as response:
        search_box(sidebar).fill("cancer")
    assert response.value.status == 200
    assert [m["name"] for m in response.value.json()["models"]] == ["breast-cancer-classifier"]

    expect_models(sidebar, ["breast-cancer-classifier"])
    expect(sidebar.locator(MODEL_ITEMS)).to_have_count(1)
    expect(sidebar.locator(".maestro-empty")).to_have_count(0)


def test_search_error_shows_the_server_message_then_recovers(
    lab: LabServer, page: Any, request: pytest.FixtureRequest
) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    search = search_box(sidebar)

    bad = "x" * 300  # longer than any model name may be
    with page.expect_response(lambda r: is_models_request(r, bad)) as response:
        search.fill(bad)
    assert response.value.status == 400
    assert response.value.json()["error"] == "INVALID_PARAMETER"

    error = sidebar.locator(".maestro-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(sidebar.get_by_role("alert")).to_contain_text("search: String should have at most 256 characters")
    expect(error.get_by_role("button", name="Retry")).to_be_visible()
    expect(sidebar.locator(MODEL_ITEMS)).to_have_count(0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-error.png"))

    with page.expect_response(lambda r: is_models_request(r) and r.status == 200):
        search.fill("")
    expect_models(sidebar, SEEDED)


def test_open_maestro_from_the_command_palette(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    open_lab(page, lab, request)
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_hidden()

    page.keyboard.press("Control+Shift+C")
    palette = page.locator("#modal-command-palette")
    expect(palette).to_be_visible()
    palette.locator(".lm-CommandPalette-input").fill("Open Maestro")
    active = palette.locator(".lm-CommandPalette-item.lm-mod-active")
    expect(active).to_contain_text("Open Maestro")
    expect(active).to_have_attribute("data-command", "maestro:open")
    page.keyboard.press("Enter")

    expect(palette).to_be_hidden()
    expect(page.locator(SIDEBAR_TAB)).to_have_class(CURRENT)
    expect(sidebar).to_be_visible()
    expect_models(sidebar, SEEDED)


def test_refresh_shows_a_change_made_through_the_rest_api(
    lab: LabServer, page: Any, request: pytest.FixtureRequest
) -> None:
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    iris = sidebar.locator(f'{MODEL_ITEMS}[data-model-name="iris-classifier"]')
    expect_aliases(iris, ["champion → v1"])

    status, body = lab.api("PUT", "models/iris-classifier/aliases/staging", {"version": 1})
    assert status == 200, body
    try:
        with page.expect_response(lambda r: is_models_request(r) and r.status == 200):
            sidebar.get_by_role("button", name="Refresh").click()
        expect_aliases(iris, ["champion → v1", "staging → v1"])
        expect(iris.locator(".maestro-alias", has_text="staging")).to_have_attribute(
            "title", "Alias staging points to version 1"
        )
        expect_models(sidebar, SEEDED)
    finally:
        status, body = lab.api("DELETE", "models/iris-classifier/aliases/staging")
        assert status == 204, body


def test_load_more_with_a_small_page_size(lab: LabServer, page: Any, request: pytest.FixtureRequest) -> None:
    """The page size comes from the user settings; the remaining models come with "Load more"."""
    status, body = lab.put_json(PLUGIN_SETTINGS, {"raw": json.dumps({"pageSize": 2})})
    assert status in (200, 204), body
    try:
        open_lab(page, lab, request)
        page.locator(SIDEBAR_TAB).click()
        sidebar = page.locator(SIDEBAR)
        expect_models(sidebar, SEEDED[:2])
        load_more = sidebar.get_by_role("button", name="Load more")
        with page.expect_response(lambda r: is_models_request(r) and "page_token=" in r.url) as response:
            load_more.click()
        assert response.value.status == 200
        expect_models(sidebar, SEEDED)
        expect(load_more).to_have_count(0)
    finally:
        status, body = lab.put_json(PLUGIN_SETTINGS, {"raw": "{}"})
        assert status in (200, 204), body
