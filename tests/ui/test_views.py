"""Every view of the sidebar, in JupyterLab's light and dark themes, at a narrow and a wide window: each is drawn,
kept as a screenshot under ``test-artifacts/ui/views/``, and scanned by axe-core (the copy the sidebar's own tests
install, ``labextension/node_modules/axe-core``), which must find no serious or critical violation.

axe's colour-contrast rule runs here, in a real browser with the real theme: it is what proves that text drawn from
JupyterLab's CSS variables stays readable in the dark theme, charts and iframes included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, CSV_NAME, REPO, LabServer
from .test_profile_menu import expect_loaded, open_file_browser, profile_from_menu
from .test_sidebar import SIDEBAR, open_lab, open_sidebar

AXE = REPO / "labextension" / "node_modules" / "axe-core" / "axe.min.js"
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
WIDTHS = {"narrow": {"width": 1024, "height": 720}, "wide": {"width": 1440, "height": 900}}
THEME_SETTINGS = "lab/api/settings/@jupyterlab/apputils-extension:themes"
MAIN = "#jp-main-dock-panel .lm-DockPanel-widget:not(.lm-mod-hidden)"
EXPERIMENT = "maestro-demo-breast-cancer"
BOOSTED_RUN = "breast-cancer-classifier-gradient-boosting"
MODEL = "breast-cancer-classifier"

#: Serious and critical are the impacts axe reserves for what stops people from using a page (no accessible name,
#: unreadable contrast, a broken ARIA structure); moderate and minor findings are reported, not failed.
BLOCKING = ("serious", "critical")


@pytest.fixture
def wide_page(page: Any, request: pytest.FixtureRequest) -> Any:
    page.set_viewport_size(WIDTHS[request.node.callspec.params["width"]])
    return page


def set_theme(lab: LabServer, theme: str) -> None:
    """Make ``theme`` the lab's theme (the settings JupyterLab applies when a page loads)."""
    status, body = lab.put_json(THEME_SETTINGS, {"raw": json.dumps({"theme": THEMES[theme]})})
    assert status == 204, body


def axe_violations(page: Any, selector: str) -> list[str]:
    """axe-core's serious and critical violations within ``selector``, one readable line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async selector => {
            const result = await window.axe.run(document.querySelector(selector), {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary.split('\\n')[1])
            }));
        }""",
        selector,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {' | '.join(v['nodes'])}"
        for v in results
        if v["impact"] in BLOCKING
    ]


class Views:
    """Screenshots and axe findings of one theme and width."""

    def __init__(self, page: Any, folder: Path, suffix: str) -> None:
        self.page = page
        self.folder = folder
        self.suffix = suffix
        self.findings: dict[str, list[str]] = {}

    def check(self, view: str, selector: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.folder / f"{view}-{self.suffix}.png"))
        found = axe_violations(self.page, selector)
        if found:
            self.findings[view] = found


def open_tab(sidebar: Any, label: str) -> Any:
    tab = sidebar.get_by_role("tab", name=label)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    return sidebar.locator(f'[role="tabpanel"][aria-labelledby="{tab.get_attribute("id")}"]')


def expect_chart_drawn(container: Any) -> None:
    """A Vega chart in ``container`` has drawn its marks (SVG or canvas)."""
    expect(container.locator(".maestro-vega-chart").first).to_be_visible()
    expect(container.locator(".maestro-vega-chart :is(svg, canvas)").first).to_be_visible()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("theme", list(THEMES))
def test_every_view_is_drawn_and_accessible(
    lab: LabServer, wide_page: Any, request: pytest.FixtureRequest, theme: str, width: str, data_files: Any
) -> None:
    page = wide_page
    set_theme(lab, theme)
    try:
        open_lab(page, lab, request)
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true" if theme == "light" else "false")
        views = Views(page, ARTIFACTS / "views", f"{theme}-{width}")
        sidebar = open_sidebar(page)

        # Models: a model expanded, its versions with aliases and metrics.
        sidebar.get_by_role("button", name=f"Versions of {MODEL}").click()
        expect(sidebar.locator("li.maestro-version-item").first).to_be_visible()
        views.check("models", SIDEBAR)

        # Version comparison, in the main area.
        sidebar.get_by_role("button", name=f"Compare versions of {MODEL}").click()
        main = page.locator(MAIN)
        expect_chart_drawn(main)
        views.check("compare-versions", MAIN)

        # Model card and test report of the champion (version 3).
        sidebar.get_by_role("button", name=f"Model card of {MODEL} version 3").click()
        expect(page.locator(f"{MAIN} .maestro-card-view")).to_be_visible()
        expect(page.locator(f"{MAIN} iframe.maestro-card-frame")).to_be_visible()
        views.check("card", MAIN)
        sidebar.get_by_role("button", name=f"Test report of {MODEL} version 3").click()
        expect(page.locator(MAIN).get_by_text("passed").first).to_be_visible()
        views.check("tests", MAIN)

        # Experiments, then the runs of one, then the run view and a comparison of its runs.
        panel = open_tab(sidebar, "Experiments")
        experiment = panel.get_by_role("button", name=EXPERIMENT, exact=False).first
        expect(experiment).to_be_visible()
        views.check("experiments", SIDEBAR)
        experiment.click()
        table = panel.get_by_role("table", name=f"Runs of {EXPERIMENT}")
        expect(table.locator("tbody tr")).to_have_count(3)  # the three candidates trained for the model
        views.check("runs", SIDEBAR)

        table.get_by_role("button", name=BOOSTED_RUN).click()
        run_view = page.locator(MAIN)
        expect(run_view.get_by_text(EXPERIMENT).first).to_be_visible()
        expect_chart_drawn(run_view)  # the learning curves of train_loss and staged_accuracy
        views.check("run", MAIN)

        panel.get_by_role("checkbox", name="Select all shown runs").check()
        panel.get_by_role("button", name="Compare (3)").click()
        expect_chart_drawn(page.locator(MAIN))
        expect(page.locator(MAIN).get_by_role("table").first).to_be_visible()
        views.check("compare-runs", MAIN)

        # Jobs, deployments and budgets (the seed has none: their empty states).
        for label in ("Jobs", "Deployments", "Budgets"):
            tab_panel = open_tab(sidebar, label)
            expect(tab_panel.locator(".maestro-loading")).to_have_count(0)
            views.check(label.lower(), SIDEBAR)

        # A data file's profile, from the file browser's context menu (its report in an iframe themed like the lab).
        open_file_browser(page)
        profile = profile_from_menu(page, CSV_NAME)
        expect_loaded(profile)
        views.check("profile", MAIN)

        assert views.findings == {}, "axe-core found serious or critical violations:\n" + "\n".join(
            f"{view}: {line}" for view, lines in views.findings.items() for line in lines
        )
    finally:
        set_theme(lab, "light")
