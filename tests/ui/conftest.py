"""Browser tests: Debian's Chromium, driven by Playwright, against a real ``jupyter lab`` subprocess.

One lab server (on its own copy of the seeded registry) and one browser are shared by a test module; every test gets
a fresh browser context and page, and leaves a screenshot in ``test-artifacts/ui/<test name>.png``.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import CHROMIUM_ARGS, LabServer, start_lab, stop

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "ui"

#: Default timeout of Playwright actions and ``expect`` assertions in the tests.
UI_TIMEOUT_MS = 15_000


_LOG_KEY = pytest.StashKey[Path]()
_CONSOLE_KEY = pytest.StashKey["BrowserLog"]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder is a ``ui`` test, skipped at collection (before any lab server starts) when
    Debian's Chromium is not installed."""
    here = Path(__file__).parent
    missing = shutil.which("chromium") is None
    skip = pytest.mark.skip(
        reason="UI tests need Debian's Chromium: `apt-get install chromium` (no `chromium` on PATH)"
    )
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.ui)
            if missing:
                item.add_marker(skip)


# --------------------------------------------------------------------------------------------------------------------
# pytest-jupyter compatibility
# --------------------------------------------------------------------------------------------------------------------
#
# tests/conftest.py loads pytest-jupyter, whose autouse ``jp_asyncio_loop`` fixture adopts the *running* event loop
# when there is one and closes it at teardown (and ``jp_server_cleanup`` runs a coroutine on it). Between two calls,
# Playwright's sync API leaves its own loop marked as running in the test's thread, so with the module's browser
# started, every test would end in "RuntimeError: Cannot close a running event loop". These tests start no in-process
# Jupyter server: give them a private, never-running loop instead, and nothing to clean up.


@pytest.fixture(autouse=True)
def jp_asyncio_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(autouse=True)
def jp_server_cleanup() -> None:
    return None


# --------------------------------------------------------------------------------------------------------------------
# The jupyter lab server
# --------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab_home(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's own copy of the seeded registry (``maestro_home`` is per test; the server is per module)."""
    home = tmp_path_factory.mktemp("ui-maestro-home")
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    return home


@pytest.fixture(scope="module")
def lab(
    lab_home: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[LabServer]:
    """A real ``jupyter lab`` with the Maestro extensions, on ``lab_home``."""
    try:
        server = start_lab(tmp_path_factory.mktemp("ui-lab"), lab_home)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    request.node.stash[_LOG_KEY] = server.log_path
    try:
        yield server
    finally:
        stop(server.process)


# --------------------------------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium (Playwright never downloads a browser here)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("UI tests need Debian's Chromium: `apt-get install chromium` (no `chromium` on PATH)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="UI tests need the `playwright` Python package")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class BrowserLog:
    lines: list[str] = field(default_factory=list)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a fresh browser context; screenshot saved to ``test-artifacts/ui/<test name>.png`` at teardown."""
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    console = BrowserLog()
    page.on("console", lambda msg: console.lines.append(f"[console.{msg.type}] {msg.text}"))
    page.on("pageerror", lambda exc: console.lines.append(f"[pageerror] {exc}"))
    request.node.stash[_CONSOLE_KEY] = console
    try:
        yield page
    finally:
        try:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
        finally:
            context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure, attach the lab server's log and the browser console to the report."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.failed:
        return
    console = item.stash.get(_CONSOLE_KEY, None)
    if console is not None and console.lines:
        report.sections.append(("browser console", "\n".join(console.lines[-200:])))
    module = item.getparent(pytest.Module)
    log_path = module.stash.get(_LOG_KEY, None) if module is not None else None
    if log_path is not None:
        try:
            text = log_path.read_text(errors="replace")
        except OSError as exc:
            text = f"<no log: {exc}>"
        report.sections.append((f"jupyter lab log ({log_path})", text[-20_000:]))


# --------------------------------------------------------------------------------------------------------------------
# Data files for the profile view
# --------------------------------------------------------------------------------------------------------------------

#: The data files ``data_files`` writes into the lab's root.
CSV_NAME = "breast_cancer.csv"
PARQUET_NAME = "small.parquet"
TEXT_NAME = "notes.txt"


@pytest.fixture(scope="module")
def data_files(lab: LabServer) -> dict[str, Any]:
    """Data files in the lab's root (``<tmp>/ui-lab/notebooks``): breast_cancer.csv, small.parquet, notes.txt."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    root = lab.log_path.parent / "notebooks"
    assert root.is_dir(), root
    breast = load_breast_cancer(as_frame=True).frame  # 30 features + target
    breast.to_csv(root / CSV_NAME, index=False)
    small = pd.DataFrame(
        {
            "id": range(12),
            "city": ["Paris", "Lyon", "Nice", None] * 3,
            "price": [1.5, 2.0, None, 4.25, 5.0, 6.5, 7.0, 8.0, 9.5, 10.0, 11.0, 12.5],
        }
    )
    small.to_parquet(root / PARQUET_NAME, index=False)
    (root / TEXT_NAME).write_text("not a data file\n")
    return {"root": root, "breast": breast, "small": small}
