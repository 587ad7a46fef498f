"""The sidebar's Jobs and Deployments tabs, in Chromium against a real ``jupyter lab``.

The jobs and the deployment are created through the REST API; what the tabs show, and what their buttons do, is
checked against it. Whatever a test starts is cancelled or deleted at its end, whatever the outcome.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.compute_helpers import alive, poll
from tests.live_server import LabServer

from .conftest import ARTIFACTS
from .test_sidebar import open_lab, open_sidebar

MODEL = "iris-classifier"
DEPLOYMENT = f"{MODEL}-champion"
SETOSA = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}

#: Bound on a job or a deployment reaching a state through the API (polled, never slept through).
WAIT_S = 60.0

#: ``maestro_jupyter.entities.JOB_ACTIVE``.
ACTIVE_JOB_STATUSES = ("queued", "starting", "running", "cancelling")


def api_ok(lab: LabServer, method: str, path: str, body: Any = None, expected: int = 200) -> Any:
    status, payload = lab.api(method, path, body)
    assert status == expected, (method, path, status, payload)
    return payload


def open_tab(page: Any, lab: LabServer, request: pytest.FixtureRequest, tab: str) -> Any:
    """Open the Maestro sidebar and select its ``tab`` (``jobs`` or ``deployments``); returns the tab's panel."""
    open_lab(page, lab, request)
    sidebar = open_sidebar(page)
    button = sidebar.locator(f'button.maestro-tab[role="tab"][data-tab="{tab}"]')
    expect(button).to_have_text(tab.capitalize())
    button.click()
    expect(button).to_have_attribute("aria-selected", "true")
    panel = sidebar.locator(f'[role="tabpanel"][data-tab="{tab}"]')
    expect(panel).to_be_visible()
    expect(panel.locator(".maestro-error")).to_have_count(0)
    return panel


def is_call(response: Any, method: str, path: str) -> bool:
    """A response of the page's ``method maestro/api/v1/<path>`` (whatever its query)."""
    return response.request.method == method and urlsplit(response.url).path.endswith(f"/maestro/api/v1/{path}")


def confirm_dialog(page: Any, button: str) -> str:
    """Wait for JupyterLab's confirmation dialog, click its button labelled ``button`` ("Cancel", "Delete
    deployment", ...) and wait for it to close; returns its title and body text."""
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible()
    text = f"{dialog.locator('.jp-Dialog-header').inner_text()}\n{dialog.locator('.jp-Dialog-body').inner_text()}"
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_have_count(0)
    return text


def screenshot(page: Any, request: pytest.FixtureRequest, suffix: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{suffix}.png"))


def job_status(lab: LabServer, job_id: str) -> str:
    return str(api_ok(lab, "GET", f"training/jobs/{job_id}")["status"])


def test_jobs_tab_follows_a_log_cancels_a_job_and_shows_a_finished_one(
    lab: LabServer, page: Any, request: pytest.FixtureRequest
) -> None:
    marker = f"ui-job-started-{secrets.token_hex(4)}"
    endless = (
        f"import itertools, time\nprint({marker!r}, flush=True)\n"
        "for i in itertools.count():\n    print('tick', i, flush=True)\n    time.sleep(0.2)\n"
    )
    jobs: list[str] = []
    try:
        slow = api_ok(lab, "POST", "training/jobs", {"source": endless}, expected=201)
        jobs.append(slow["id"])
        quick = api_ok(lab, "POST", "training/jobs", {"source": "print('hello from a job')"}, expected=201)
        jobs.append(quick["id"])

        panel = open_tab(page, lab, request, "jobs")

        # The endless job: running (the list polls while a job is active), and its log followed live.
        row = panel.locator(f'li.maestro-job[data-job-id="{slow["id"]}"]')
        chip = row.locator(".maestro-job-status")
        expect(chip).to_have_text("running")
        row.locator(".maestro-job-header").click()
        log = row.locator("pre.maestro-job-log")
        expect(log).to_be_visible()
        expect(log).to_contain_text(marker)
        expect(log).to_contain_text("tick 3")  # the tail keeps coming
        expect(log).to_have_attribute("data-complete", "false")

        # The quick job: succeeded, its whole log read.
        done = panel.locator(f'li.maestro-job[data-job-id="{quick["id"]}"]')
        expect(done.locator(".maestro-job-status")).to_have_text("succeeded")
        expect(done.locator("button.maestro-job-cancel")).to_have_count(0)
        done.locator(".maestro-job-header").click()
        done_log = done.locator("pre.maestro-job-log")
        expect(done_log).to_have_attribute("data-complete", "true")
        expect(done_log).to_contain_text("hello from a job")
        assert job_status(lab, quick["id"]) == "succeeded"
        screenshot(page, request, "jobs")

        # Cancel the endless one from its row: JupyterLab's dialog asks first, and its Cancel sends nothing.
        cancel = row.locator("button.maestro-job-cancel")
        expect(cancel).to_have_text("Cancel")
        cancel.click()
        assert "Cancel job" in confirm_dialog(page, "Cancel")
        expect(chip).not_to_have_text("cancelled")
        assert job_status(lab, slow["id"]) in ACTIVE_JOB_STATUSES
        cancel.click()
        with page.expect_response(lambda r: is_call(r, "POST", f"training/jobs/{slow['id']}/cancel")) as answer:
            confirm_dialog(page, "Cancel job")
        assert answer.value.status == 200, (answer.value.status, answer.value.text())
        expect(chip).to_have_text("cancelled")
        expect(cancel).to_have_count(0)
        expect(log).to_have_attribute("data-complete", "true")
        expect(row.locator(".maestro-error")).to_have_count(0)
        assert job_status(lab, slow["id"]) == "cancelled"
    finally:
        for job_id in jobs:  # best effort, through the server's shared token (the jobs' owner)
            status, current = lab.api("GET", f"training/jobs/{job_id}")
            if status != 200 or current.get("status") in ACTIVE_JOB_STATUSES:
                lab.api("POST", f"training/jobs/{job_id}/cancel", {})


def test_deployments_tab_predicts_and_deletes_a_deployment(
    lab: LabServer, page: Any, request: pytest.FixtureRequest
) -> None:
    created = False
    try:
        started = api_ok(lab, "POST", "deployments", {"model": MODEL, "alias": "champion"}, expected=201)
        created = True
        assert started["id"] == DEPLOYMENT
        assert started["status"] == "starting"

        def ready() -> Any:
            current = api_ok(lab, "GET", f"deployments/{DEPLOYMENT}")
            assert current["status"] in ("starting", "ready"), current
            return current if current["status"] == "ready" else None

        serving = poll(ready, "the deployment to be ready", timeout=WAIT_S)
        pids = [i["pid"] for i in serving.get("instances", []) if i.get("pid")]
        assert pids, serving

        panel = open_tab(page, lab, request, "deployments")
        row = panel.locator(f'li.maestro-deployment[data-deployment-id="{DEPLOYMENT}"]')
        expect(row.locator(".maestro-deployment-status")).to_have_text("ready")
        expect(row.locator(".maestro-deployment-ready")).to_have_text("1/1")
        expect(row.locator(".maestro-deployment-endpoint")).to_contain_text(DEPLOYMENT)
        expect(row.locator("input.maestro-deployment-replicas")).to_have_value("1")
        expect(row.locator("button.maestro-deployment-scale")).to_be_visible()

        # A prediction through the box: setosa is class 0.
        box = row.locator(".maestro-predict")
        payload = box.locator("textarea.maestro-predict-input")
        send = box.locator("button.maestro-predict-send")
        output = box.locator("pre.maestro-predict-output")
        error = box.locator(".maestro-predict-error")
        # The box prefills an example from the model's signature when the version's details arrive; filling it
        # before then raced that update (the example replaced the selection, and the text landed after it).
        expect(payload).to_have_value(re.compile(re.escape(next(iter(SETOSA)))))
        payload.fill(json.dumps({"dataframe_records": [SETOSA]}))
        send.click()
        expect(box.locator("pre.maestro-predict-output, .maestro-predict-error")).to_be_visible()
        if error.count():
            pytest.fail(f"the prediction failed: {error.inner_text()}")
        expect(output).to_contain_text('"predictions"')
        result = json.loads(output.inner_text())
        assert result["predictions"] == [0], result
        screenshot(page, request, "deployments")

        # Invalid JSON is refused in the box, before anything is sent.
        payload.fill('{"dataframe_records": [')
        send.click()
        expect(error).to_be_visible()
        expect(error).to_contain_text("Invalid JSON")
        expect(output).to_have_count(0)

        # Delete, after JupyterLab's dialog names the replicas and the endpoint that stops: the row leaves the list
        # (stopped deployments are hidden by default) or shows stopped.
        row.locator("button.maestro-deployment-delete").click()
        with page.expect_response(lambda r: is_call(r, "DELETE", f"deployments/{DEPLOYMENT}")) as answer:
            asked = confirm_dialog(page, "Delete deployment")
        assert "replica" in asked, asked
        assert "stops answering" in asked, asked
        assert answer.value.status == 200, (answer.value.status, answer.value.text())
        expect(
            panel.locator(f'li.maestro-deployment[data-deployment-id="{DEPLOYMENT}"]:not([data-status="stopped"])')
        ).to_have_count(0)
        assert api_ok(lab, "GET", f"deployments/{DEPLOYMENT}")["status"] == "stopped"
        created = False
        poll(lambda: not any(alive(pid) for pid in pids), "the replicas to exit", timeout=WAIT_S)
    finally:
        if created:  # best effort, through the server's shared token (the deployment's owner)
            lab.api("DELETE", f"deployments/{DEPLOYMENT}")
