"""The sidebar's Features tab, in Chromium against a real ``jupyter lab`` whose ``MAESTRO_HOME`` holds the demo feature
repo (``seed_feature_repo``: applied and materialized) and a model version trained on its feature service.

In JupyterLab's light and dark themes: the tab fits the sidebar at its default width, lists the store's views,
services, entities and sources with their freshness, expands a view (schema, owner, TTL, tags, the model versions
trained on it) with the keyboard alone, searches, opens a lineage entry's model card; each state is kept as a
screenshot under ``test-artifacts/ui/features/`` and scanned by axe-core, which must find no serious or critical
violation. Displayed values are checked against the REST API of the same server.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.live_server import LabServer

from .conftest import ARTIFACTS
from .test_sidebar import SIDEBAR, open_lab, open_sidebar
from .test_views import MAIN, THEMES, axe_violations, set_theme

#: The seeded model whose version 2 is recorded as trained on the demo's feature service.
MODEL = "breast-cancer-classifier"
VERSION = "2"
FOLDER = ARTIFACTS / "features"


@pytest.fixture(scope="module")
def lab_home(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's copy of the seeded registry, with the demo feature repo where Maestro looks by default
    (``MAESTRO_HOME/feature_repo``), and version 2 of ``MODEL`` recorded as trained on the repo's feature service
    (as ``ml.features.training_set`` records it on the run of ``MLFLOW_RUN_ID``)."""
    from maestro_jupyter import MaestroClient
    from maestro_jupyter.backends.feast_store import FeastBackend
    from maestro_jupyter.feature_demo import seed_feature_repo
    from maestro_jupyter.sdk.lineage import record_training_set
    from maestro_jupyter.settings import Settings

    home = tmp_path_factory.mktemp("ui-features-home")
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    demo = seed_feature_repo(home / "feature_repo")
    settings = Settings.from_env({}, home=str(home))
    feast = FeastBackend(settings)
    resolved = feast.resolve(None, demo.service)
    training_set = SimpleNamespace(
        service=demo.service,
        views=resolved.views,
        refs=resolved.refs,
        registry_version=feast.registry_version(),
        project=feast.project,
    )
    run_id = getattr(MaestroClient(settings).models.get(MODEL, version=VERSION), "run_id", None)
    assert run_id, f"{MODEL} v{VERSION} has a source run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", settings.tracking_uri)
        patch.setenv("MLFLOW_RUN_ID", run_id)
        record_training_set(training_set)
    return home


def api_ok(lab: LabServer, path: str) -> Any:
    status, body = lab.api("GET", path)
    assert status == 200, (path, status, body)
    return body


def check(page: Any, name: str, findings: dict[str, list[str]]) -> None:
    """Keep a screenshot of the page as ``name`` and collect axe's serious and critical findings in the sidebar."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FOLDER / f"{name}.png"))
    found = axe_violations(page, SIDEBAR)
    if found:
        findings[name] = found


@pytest.mark.parametrize("theme", list(THEMES))
def test_features_tab_browses_the_store_and_its_lineage(
    lab: LabServer, page: Any, request: pytest.FixtureRequest, theme: str
) -> None:
    views = api_ok(lab, "features/views")["items"]
    services = api_ok(lab, "features/services")["items"]
    entities = api_ok(lab, "features/entities")["items"]
    sources = api_ok(lab, "features/sources")["items"]
    assert len(views) >= 3, "the demo repo is seeded"
    assert services, "the demo repo has its feature service"
    profile = next(v for v in views if v["name"] == "customer_profile")
    service = services[0]["name"]
    findings: dict[str, list[str]] = {}

    set_theme(lab, theme)
    try:
        open_lab(page, lab, request)
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true" if theme == "light" else "false")
        sidebar = open_sidebar(page)

        # The tab fits the sidebar at its default width (icon and label, or the icon alone when the bar is narrow),
        # and is reached with the arrow keys from the selected tab.
        bar = sidebar.locator('[role="tablist"]')
        fits = bar.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        assert fits, "the tab bar overflows the sidebar"
        features_tab = sidebar.get_by_role("tab", name="Features")
        expect(features_tab).to_be_visible()
        tab_box, bar_box = features_tab.bounding_box(), bar.bounding_box()
        assert tab_box is not None
        assert bar_box is not None
        assert tab_box["x"] + tab_box["width"] <= bar_box["x"] + bar_box["width"] + 1
        sidebar.get_by_role("tab", name="Models").focus()
        for _ in range(6):
            if features_tab.get_attribute("aria-selected") == "true":
                break
            page.keyboard.press("ArrowRight")
        expect(features_tab).to_have_attribute("aria-selected", "true")
        expect(features_tab).to_be_focused()
        panel = sidebar.locator(f'[role="tabpanel"][aria-labelledby="{features_tab.get_attribute("id")}"]')

        # The lists, as the API has them.
        expect(panel.locator(".maestro-loading")).to_have_count(0)
        expect(panel.locator(".maestro-error")).to_have_count(0)
        expect(panel.locator("li[data-feature-view]")).to_have_count(len(views))
        expect(panel.locator("li[data-feature-service]")).to_have_count(len(services))
        expect(panel.locator("li[data-feature-entity]")).to_have_count(len(entities))
        expect(panel.locator("li[data-feature-source]")).to_have_count(len(sources))
        row = panel.locator('li[data-feature-view="customer_profile"]')
        expect(row.locator(".maestro-feature-freshness")).to_contain_text("materialized ")
        expect(row.locator(".maestro-feature-freshness")).not_to_contain_text("never")
        expect(row.locator(".maestro-feature-rows")).to_have_text(f"{profile['online_rows']:,} rows online")
        ratios = panel.locator('li[data-feature-view="customer_ratios"]')
        expect(ratios.locator(".maestro-feature-kind")).to_have_text("on-demand")
        check(page, f"features-{theme}", findings)

        # A view expanded with the keyboard: its schema, owner, TTL, tags, and the version trained on it.
        toggle = panel.get_by_role("button", name="Feature view customer_profile")
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        details = row.locator(".maestro-feature-details")
        schema = details.get_by_role("table", name="Schema of customer_profile")
        expect(schema.locator("tbody tr")).to_have_count(len(profile["features"]))
        expect(schema.locator(".maestro-feature-field").first).to_have_text(profile["features"][0]["name"])
        expect(details.locator("dd").first).to_have_text(profile["owner"] or "—")
        for key in profile["tags"]:
            expect(details.get_by_role("list", name="Tags of customer_profile")).to_contain_text(key)
        lineage = details.get_by_role("list", name="Model versions trained on feature view customer_profile")
        entry = lineage.locator(f'li[data-model="{MODEL}"][data-version="{VERSION}"]')
        expect(entry.locator(".maestro-feature-lineage-model")).to_have_text(f"{MODEL} v{VERSION}")
        expect(entry.locator(".maestro-feature-lineage-via")).to_have_text(f"via {service}")
        check(page, f"features-view-{theme}", findings)

        # The service expanded: its features by view and the same version.
        panel.get_by_role("button", name=f"Feature service {service}").click()
        service_row = panel.locator(f'li[data-feature-service="{service}"]')
        expect(service_row.get_by_role("table", name=f"Features of {service}")).to_be_visible()
        expect(
            service_row.get_by_role("list", name=f"Model versions trained on feature service {service}")
        ).to_contain_text(f"{MODEL} v{VERSION}")

        # Search: a feature leads to its view, opened and focused.
        toggle.click()  # fold it first: the match must open it again
        expect(toggle).to_have_attribute("aria-expanded", "false")
        panel.get_by_role("searchbox", name="Search features").fill("tenure")
        matches = panel.get_by_role("list", name="Matches for tenure")
        hit = matches.get_by_role("button", name="customer_profile:tenure_months")
        expect(hit).to_be_visible()
        check(page, f"features-search-{theme}", findings)
        hit.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(toggle).to_be_focused()

        # A lineage entry opens the version's model card in the main area.
        entry.get_by_role("button", name=f"Model card of {MODEL} version {VERSION}").click()
        expect(page.locator(f"{MAIN} .maestro-card-view")).to_be_visible()

        assert findings == {}, "axe-core found serious or critical violations:\n" + "\n".join(
            f"{view}: {line}" for view, lines in findings.items() for line in lines
        )
    finally:
        set_theme(lab, "light")
