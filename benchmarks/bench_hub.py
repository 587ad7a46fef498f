"""Onboarding on the team hub: from a new member's login to a JupyterLab with Maestro, and the README's onboarding
path (log in, open the quickstart, run it all), timed on the real hub of ``jupyterhub/jupyterhub_config.py``.

Figures (each a fresh user, so each login spawns a new server):
- login -> Maestro answering through the proxy, over HTTP (the login form, a token, the server's Maestro API);
- login form -> JupyterLab with the Maestro sidebar, in Debian's Chromium;
- the onboarding path: login form -> ``maestro-notebooks/01-quickstart.ipynb`` run to its last cell, in Chromium.
The obvious alternative, measured in the same run: a plain ``jupyter lab`` with Maestro started by hand on one
machine (what ``make lab`` does once installed), from the command to its Maestro API answering. The goal: a new
user's JupyterLab with Maestro in under 10 s.

    python benchmarks/bench_hub.py [--users 5] [--browser-users 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.hub

from tests.hub.hub_server import Hub, start_hub, stop_hub
from tests.live_server import CHROMIUM_ARGS, start_lab, stop

PASSWORD = "bench-team-password"  # noqa: S105 - a throwaway hub of the benchmark's
GOAL_S = 10.0
START_TIMEOUT_MS = 90_000
RUN_ALL_TIMEOUT_MS = 600_000
SIDEBAR_TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="maestro-sidebar"]'


def http_logins(hub: Hub, count: int) -> list[float]:
    return [hub.start_user(f"http{i}", PASSWORD).ready_after_s for i in range(count)]


def browser_login(page: Any, hub: Hub, name: str) -> float:
    """The login form to JupyterLab's Maestro icon in the left bar, for a new user."""
    from playwright.sync_api import expect

    page.goto(f"{hub.url}hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    started = time.monotonic()
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{name}/lab**", timeout=START_TIMEOUT_MS)
    expect(page.locator(SIDEBAR_TAB)).to_be_visible(timeout=START_TIMEOUT_MS)
    return time.monotonic() - started


def onboarding_path(page: Any, hub: Hub, name: str) -> float:
    """The README's path for a new member: log in, open the quickstart, Run All Cells, until its last cell is done;
    the seconds from the login form."""
    from playwright.sync_api import expect

    started = time.monotonic()
    browser_login(page, hub, name)
    # As a person does: the folder, then the notebook, from the file browser; then Run > Run All Cells.
    page.dblclick(".jp-DirListing-item[title^='Name: maestro-notebooks']")
    expect(page.locator(".jp-FileBrowser-crumbs")).to_contain_text("maestro-notebooks")
    page.dblclick(".jp-DirListing-item[title^='Name: 01-quickstart.ipynb']")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(notebook).to_be_visible(timeout=START_TIMEOUT_MS)
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle")).to_be_visible(timeout=START_TIMEOUT_MS)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    prompts = notebook.locator(".jp-CodeCell .jp-InputPrompt")
    stderr = notebook.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    deadline = time.monotonic() + RUN_ALL_TIMEOUT_MS / 1000
    while True:
        # A failing cell shows a traceback (and Run All stops there): the path is broken, not slow.
        if any("Traceback (most recent call last)" in text for text in stderr.all_text_contents()):
            raise RuntimeError("a quickstart cell raised an error")
        texts = prompts.all_text_contents()
        if texts and all(re.fullmatch(r"\[\d+\]:", t.strip()) for t in texts):
            break
        if time.monotonic() > deadline:
            raise RuntimeError("the quickstart did not finish")
        time.sleep(0.25)  # polling the page for the last cell's result
    return time.monotonic() - started


def plain_lab_starts(count: int) -> list[float]:
    """The alternative: ``jupyter lab`` started by hand on one machine, to its Maestro API answering."""
    figures = []
    for i in range(count):
        root = Path(tempfile.mkdtemp(prefix=f"bench-plain-lab-{i}-"))
        started = time.monotonic()
        server = start_lab(root, root / "maestro-home")
        figures.append(time.monotonic() - started)
        stop(server.process)
        shutil.rmtree(root, ignore_errors=True)
    return figures


def report(label: str, figures: list[float]) -> float:
    median = statistics.median(figures)
    spread = ", ".join(f"{f:.2f}" for f in figures)
    print(f"{label:<58} median {median:6.2f} s  (min {min(figures):.2f}, max {max(figures):.2f}; {spread})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=5, help="new users logged in over HTTP")
    parser.add_argument("--browser-users", type=int, default=3, help="new users logged in with Chromium")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="bench-hub-"))
    root.chmod(0o711)  # as root the hub gives each member an OS account, which must reach its home in the hub's
    started = time.monotonic()
    hub = start_hub(root, {"MAESTRO_HUB_PASSWORD": PASSWORD})
    print(f"hub, proxy, MLflow and Maestro services up in {time.monotonic() - started:.2f} s")
    try:
        http = report("login -> Maestro API answering (HTTP, new user)", http_logins(hub, args.users))
        browser_figures, onboarding = _in_chromium(hub, args.browser_users)
        browser = report("login form -> JupyterLab + Maestro sidebar (Chromium)", browser_figures)
        print(f"{'onboarding path: login -> quickstart run to the end':<58} {onboarding:6.2f} s")
    finally:
        stop_hub(hub)
        shutil.rmtree(root, ignore_errors=True)
    plain = report("alternative: `jupyter lab` by hand -> Maestro answering", plain_lab_starts(3))
    print(f"ratio hub login / lab by hand: {http / plain:.2f}x (HTTP), {browser / plain:.2f}x (Chromium)")
    verdict = "PASS" if browser < GOAL_S else "MISS"
    print(f"goal: a new user's JupyterLab with Maestro in < {GOAL_S:.0f} s: {verdict} ({browser:.2f} s in Chromium)")


def _in_chromium(hub: Hub, count: int) -> tuple[list[float], float]:
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("needs Debian's Chromium (`make system-deps`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            figures = []
            for i in range(count):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                figures.append(browser_login(context.new_page(), hub, f"web{i}"))
                context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            onboarding = onboarding_path(context.new_page(), hub, "newcomer")
            context.close()
        finally:
            browser.close()
    return figures, onboarding


if __name__ == "__main__":
    main()
