"""Profiling data files from the file browser's context menu, in Chromium against a real ``jupyter lab``.

Right-click a CSV / Parquet file -> "Profile with Maestro" -> a main-area tab with the exact summary (rows, columns,
warnings, per-column table) and the profiling library's report in a sandboxed
iframe. The entry is absent on other files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.live_server import LabServer

from .conftest import CSV_NAME, PARQUET_NAME, TEXT_NAME
from .test_sidebar import open_lab

COMMAND = "maestro:profile-file"
MENU_ENTRY = f'.lm-Menu .lm-Menu-item[data-command="{COMMAND}"]'
FILEBROWSER_TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]'
CURRENT = re.compile(r"\blm-mod-current\b")

#: Profiling (with the profiling library's minimal report) runs on the server: more than the default UI timeout.
PROFILE_TIMEOUT_MS = 120_000
PROFILE_PATH = "/maestro/api/v1/data/profile"


# --------------------------------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------------------------------


def open_file_browser(page: Any) -> Any:
    """Show the file browser (the default layout may already show it); returns its listing."""
    tab = page.locator(FILEBROWSER_TAB)
    expect(tab).to_be_visible()
    if not CURRENT.search(tab.get_attribute("class") or ""):
        tab.click()
    expect(tab).to_have_class(CURRENT)
    listing = page.locator("#filebrowser .jp-DirListing-content")
    expect(listing).to_be_visible()
    return listing


def file_item(page: Any, name: str) -> Any:
    item = page.locator("#filebrowser .jp-DirListing-item").filter(
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(name)}$"))
    )
    expect(item).to_have_count(1)
    return item


def context_menu(page: Any, name: str) -> Any:
    """Right-click a file of the file browser; returns the open context menu."""
    item = file_item(page, name)
    item.click(button="right")
    expect(item).to_have_class(re.compile(r"\bjp-mod-selected\b"))
    menu = page.locator(".lm-Menu").first
    expect(menu).to_be_visible()
    # The menu is the file's: the file browser's own entries are there.
    expect(menu.locator('.lm-Menu-item[data-command="filebrowser:rename"]')).to_be_visible()
    return menu


def profile_from_menu(page: Any, name: str) -> Any:
    """Right-click ``name`` -> "Profile with Maestro"; returns the profile tab's content, once loaded."""
    menu = context_menu(page, name)
    entry = menu.locator(f'.lm-Menu-item[data-command="{COMMAND}"]')
    expect(entry).to_be_visible()
    expect(entry.locator(".lm-Menu-itemLabel")).to_have_text("Profile with Maestro")
    # The Maestro icon.
    expect(entry.locator(".lm-Menu-itemIcon svg")).to_have_count(1)
    entry.click()
    expect(page.locator(".lm-Menu")).to_have_count(0)
    widget = page.locator(f'.maestro-profile[data-path="{name}"]')
    expect(widget).to_be_visible()
    return widget


def is_profile_call(request_or_response: Any) -> bool:
    """A request (or response) of ``POST maestro/api/v1/data/profile`` (JupyterLab adds a cache-busting query)."""
    return bool(urlsplit(request_or_response.url).path == PROFILE_PATH)


def expect_loaded(widget: Any) -> None:
    expect(widget.locator(".maestro-profile-summary")).to_be_visible(timeout=PROFILE_TIMEOUT_MS)
    expect(widget.locator(".maestro-profile-loading")).to_have_count(0)
    expect(widget.locator(".maestro-error")).to_have_count(0)


def stat(widget: Any, name: str) -> Any:
    return widget.locator(f'.maestro-profile-summary-item[data-stat="{name}"] dd')


def main_tab(page: Any, label: str) -> Any:
    return page.locator("#jp-main-dock-panel .lm-TabBar-tab").filter(
        has=page.locator(".lm-TabBar-tabLabel", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


# --------------------------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------------------------


def test_profile_csv_from_the_context_menu(
    lab: LabServer, data_files: dict[str, Any], page: Any, request: pytest.FixtureRequest
) -> None:
    breast = data_files["breast"]
    assert breast.shape == (569, 31)
    open_lab(page, lab, request)
    open_file_browser(page)

    requests: list[Any] = []
    page.on("request", lambda r: requests.append(r) if is_profile_call(r) else None)
    widget = profile_from_menu(page, CSV_NAME)

    # The tab, its title and its id.
    expect(main_tab(page, f"Profile: {CSV_NAME}")).to_have_class(CURRENT)
    assert widget.get_attribute("id") == "maestro-profile-breast_cancer-csv"

    expect_loaded(widget)
    assert [(r.method, urlsplit(r.url).path, r.post_data_json) for r in requests] == [
        ("POST", PROFILE_PATH, {"path": CSV_NAME, "minimal": True, "report": True})
    ]
    expect(stat(widget, "rows")).to_have_text("569")
    expect(stat(widget, "columns")).to_have_text("31")
    expect(stat(widget, "duplicates")).to_have_text("0")
    expect(stat(widget, "missing")).to_have_text("0 (0%)")
    expect(stat(widget, "memory")).to_have_text(re.compile(r"^\d+(\.\d+)? KiB$"))
    expect(stat(widget, "elapsed")).to_have_text(re.compile(r"\d s$"))
    # Every row is in the report: no sample note.
    expect(widget.locator(".maestro-profile-sample-note")).to_have_count(0)

    # The warnings, as the server found them (breast cancer's radius / perimeter / area are highly correlated).
    status, body = lab.api("POST", "data/profile", {"path": CSV_NAME, "minimal": True, "report": False}, timeout=120)
    assert status == 200, body
    warnings = body["summary"]["warnings"]
    items = widget.locator("ul.maestro-profile-warnings > li[data-kind]")
    expect(items).to_have_count(len(warnings))
    for index, warning in enumerate(warnings):
        expect(items.nth(index)).to_have_attribute("data-kind", warning["kind"])
        expect(items.nth(index)).to_contain_text(warning["message"])

    # The per-column table: collapsed, then opened.
    details = widget.locator("details.maestro-profile-columns-details")
    columns = widget.locator("table.maestro-profile-columns tr[data-column]")
    expect(columns.first).to_be_hidden()
    details.locator("summary").click()
    expect(columns).to_have_count(31)
    expect(columns.first).to_be_visible()
    expect(widget.locator('tr[data-column="mean radius"] td').first).to_have_text("numeric")

    # The full report, isolated in a sandboxed iframe that fills the rest of the tab.
    iframe = widget.locator("iframe.maestro-profile-report")
    expect(iframe).to_be_visible()
    expect(iframe).to_have_attribute("sandbox", "allow-scripts")
    expect(iframe).to_have_attribute("title", "Profile report")
    srcdoc = iframe.get_attribute("srcdoc") or ""
    assert len(srcdoc) > 1000, srcdoc
    assert "<html" in srcdoc.lower(), srcdoc[:200]
    box = iframe.bounding_box()
    assert box is not None
    assert box["height"] >= 400, box
    report = page.frame_locator("iframe.maestro-profile-report")
    expect(report.locator("body")).to_contain_text("mean radius")

    # Opening the same file again activates the open tab.
    open_file_browser(page)
    profile_from_menu(page, CSV_NAME)
    expect(page.locator(".maestro-profile")).to_have_count(1)
    expect(main_tab(page, f"Profile: {CSV_NAME}")).to_have_class(CURRENT)
    # Leave the columns closed for the screenshot: the report visible.
    details.locator("summary").click()
    expect(columns.first).to_be_hidden()


def test_profile_parquet_and_refresh(
    lab: LabServer, data_files: dict[str, Any], page: Any, request: pytest.FixtureRequest
) -> None:
    open_lab(page, lab, request)
    open_file_browser(page)
    widget = profile_from_menu(page, PARQUET_NAME)
    expect(main_tab(page, f"Profile: {PARQUET_NAME}")).to_have_class(CURRENT)
    expect_loaded(widget)
    expect(stat(widget, "rows")).to_have_text("12")
    expect(stat(widget, "columns")).to_have_text("3")
    expect(stat(widget, "missing")).to_have_text("4 (11.1%)")
    expect(widget.locator("table.maestro-profile-columns tr[data-column]")).to_have_count(3)
    expect(widget.locator('tr[data-column="city"] td').nth(1)).to_have_text("25%")
    assert (widget.locator("iframe.maestro-profile-report").get_attribute("srcdoc") or "").strip()

    # Refresh profiles the file again.
    with page.expect_response(is_profile_call, timeout=PROFILE_TIMEOUT_MS) as response:
        widget.get_by_role("button", name="Refresh").click()
    assert response.value.status == 200
    expect_loaded(widget)
    expect(stat(widget, "rows")).to_have_text("12")


def test_no_profile_entry_on_other_files(
    lab: LabServer, data_files: dict[str, Any], page: Any, request: pytest.FixtureRequest
) -> None:
    open_lab(page, lab, request)
    open_file_browser(page)

    context_menu(page, TEXT_NAME)
    # Lumino keeps the items a command hides in the menu, with `lm-mod-hidden` (not displayed).
    expect(page.locator(f"{MENU_ENTRY}:not(.lm-mod-hidden)")).to_have_count(0)
    expect(page.locator(MENU_ENTRY)).to_be_hidden()
    expect(page.get_by_role("menuitem", name="Profile with Maestro")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator(".lm-Menu")).to_have_count(0)

    # A data file of the same listing does have it.
    context_menu(page, CSV_NAME)
    expect(page.locator(MENU_ENTRY)).to_be_visible()
    expect(page.get_by_role("menuitem", name="Profile with Maestro")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".lm-Menu")).to_have_count(0)
    expect(page.locator(".maestro-profile")).to_have_count(0)


def test_profile_error_shows_the_server_message(
    lab: LabServer, data_files: dict[str, Any], page: Any, request: pytest.FixtureRequest
) -> None:
    """A data file the server cannot read: its message, with Retry."""
    root: Path = data_files["root"]
    (root / "broken.parquet").write_bytes(b"this is not parquet")
    status, body = lab.api("POST", "data/profile", {"path": "broken.parquet"}, timeout=60)
    assert status == 400, body

    open_lab(page, lab, request)
    open_file_browser(page)
    widget = profile_from_menu(page, "broken.parquet")
    alert = widget.get_by_role("alert")
    expect(alert).to_be_visible(timeout=PROFILE_TIMEOUT_MS)
    expect(alert).to_contain_text(body["message"])
    expect(widget.locator("iframe")).to_have_count(0)
    expect(widget.locator(".maestro-profile-loading")).to_have_count(0)
    expect(alert.get_by_role("button", name="Retry")).to_be_visible()
