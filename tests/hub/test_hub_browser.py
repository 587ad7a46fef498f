"""A new member's first visit, in Debian's Chromium: the hub's login form, then their JupyterLab with the Maestro
sidebar listing the team's registry."""

from __future__ import annotations

import shutil
import time
from typing import Any

import pytest

from tests.hub.hub_server import Hub
from tests.ui.test_sidebar import APP_START_TIMEOUT_MS, SIDEBAR, SIDEBAR_TAB

pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's Chromium (`apt-get install chromium`)"),
]


def test_a_new_member_logs_in_and_the_sidebar_shows_the_team_registry(
    hub: Hub, page: Any, record_property, monkeypatch
):
    from mlflow import MlflowClient
    from playwright.sync_api import expect

    # Something in the team's registry that this member did not make (MLflow asks who makes it: the service's admin).
    admin, password = hub.mlflow_admin()
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", admin)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", password)
    MlflowClient(tracking_uri=hub.mlflow_url).create_registered_model("hub-browser-model")

    page.goto(f"{hub.url}hub/login")
    page.fill("#username_input", "carol")
    page.fill("#password_input", hub.password("carol"))
    started = time.monotonic()
    page.click("#login_submit")
    # The hub starts carol's server and sends the browser on to her JupyterLab.
    page.wait_for_url("**/user/carol/lab**", timeout=APP_START_TIMEOUT_MS)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=APP_START_TIMEOUT_MS)
    tab = page.locator(SIDEBAR_TAB)
    expect(tab).to_be_visible(timeout=APP_START_TIMEOUT_MS)
    ready_s = time.monotonic() - started
    record_property("login_to_lab_with_maestro_s", round(ready_s, 2))
    print(f"carol: login form to JupyterLab with the Maestro sidebar: {ready_s:.2f} s")

    # The example notebooks are in her file browser.
    expect(page.locator(".jp-DirListing-item", has_text="maestro-notebooks")).to_be_visible()

    with page.expect_response(lambda r: "/user/carol/maestro/api/v1/models" in r.url) as listing:
        tab.click()
    assert listing.value.status == 200
    sidebar = page.locator(SIDEBAR)
    expect(sidebar.locator("li.maestro-model-item .maestro-model-name", has_text="hub-browser-model")).to_be_visible()
    # The hub answered JupyterLab's news question for her: no toast over the first screen.
    expect(page.get_by_text("Would you like to get notified about official Jupyter news?")).to_have_count(0)
