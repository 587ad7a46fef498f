"""Benchmark: the runs views of the Maestro sidebar against MLflow's own UI, in headless Chromium, on one store.

What is measured
----------------
A tracking store (SQLite) holding an experiment ``bench-curves`` with one run that logged ``loss`` at 100,000
steps, and an experiment ``bench-sweep`` of 2,000 runs (two metrics, two params each). A real ``jupyter lab`` with
the Maestro extensions and a real ``mlflow server`` (MLflow's UI) serve that same store. ``--runs`` times (default 5,
after one warm-up) each of:

1. **Run view with its learning curve.** Maestro: in the Experiments tab, a click on the run's name until the run
   view in the main area has drawn its ``loss`` chart. MLflow: navigating to the run's *Model metrics* page until
   its ``loss`` chart has drawn its line.
2. **Sorting 2,000 runs.** Maestro: the runs table of ``bench-sweep`` holds all 2,000 runs (the browser sorts what it
   loaded); a click on the ``accuracy`` header until the best run is the first row. MLflow: its runs table sorts on
   the server, 100 runs a page; from applying the same order (what its *Sort* menu does: the page's URL state) until
   the first row has changed.
3. **Comparing 100 runs.** Maestro: the first 100 rows selected, a click on *Compare (100)* until the comparison has
   drawn its chart and its table. MLflow: navigating to its compare page for the same 100 runs until its
   parallel-coordinates plot is drawn.

Goals (issue 20): run view under 1 s, sort under 300 ms, comparing 100 runs under 2 s (medians, Maestro); the ratio
against MLflow's UI is printed for each. The script reports figures and always exits 0 on a completed run.

How to run: ``.venv/bin/python benchmarks/bench_runs_ui.py`` (needs Debian's ``chromium``; seeding takes about a
minute); ``--home DIR`` keeps or reuses the store.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.live_server

from bench_registry_api import load_average
from bench_sidebar import start_mlflow_ui

from tests.live_server import CHROMIUM_ARGS, start_lab, stop

CURVE_STEPS = 100_000
SWEEP_RUNS = 2_000
COMPARED = 100
GOALS_S = {"run view": 1.0, "sort 2,000 runs": 0.3, "compare 100 runs": 2.0}
SIDEBAR_TAB = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="maestro-sidebar"]'
MAIN = "#jp-main-dock-panel .lm-DockPanel-widget:not(.lm-mod-hidden)"
#: MLflow 3's UI opens in its GenAI mode; its runs tables are in the "Model training" mode, kept in local storage.
MLFLOW_TRAINING_MODE = (
    "localStorage.setItem('mlflow.workflowType_v1', JSON.stringify('machine_learning'));"
    "localStorage.setItem('mlflow.assistant.panelOpen_v1', 'false');"
)
MLFLOW_FIRST_RUN_NAME = ".ag-row[row-index='0'] [col-id='attributes.`Run Name`']"


def seed(home: Path) -> tuple[str, str, str]:
    """The two experiments (made once per home); returns (curves experiment id, its run id, sweep experiment id)."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    client = MlflowClient(tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
    found = client.get_experiment_by_name("bench-sweep")
    if found is not None:
        curves = client.get_experiment_by_name("bench-curves")
        assert curves is not None
        run = client.search_runs([curves.experiment_id], max_results=1)[0]
        return curves.experiment_id, run.info.run_id, found.experiment_id
    rng = random.Random(7)
    curves_id = client.create_experiment("bench-curves", artifact_location=(home / "artifacts" / "curves").as_uri())
    run = client.create_run(curves_id, run_name="long-training")
    now = int(time.time() * 1000)
    for start in range(0, CURVE_STEPS, 1000):  # log_batch takes at most 1,000 metrics a call
        batch = [
            Metric("loss", 1.0 / (1 + step / 1000) + rng.random() * 0.01, now + step, step)
            for step in range(start, start + 1000)
        ]
        client.log_batch(run.info.run_id, metrics=batch)
    client.set_terminated(run.info.run_id)
    sweep_id = client.create_experiment("bench-sweep", artifact_location=(home / "artifacts" / "sweep").as_uri())
    for i in range(SWEEP_RUNS):
        sweep_run = client.create_run(sweep_id, run_name=f"sweep-{i:04d}")
        client.log_batch(
            sweep_run.info.run_id,
            metrics=[Metric("accuracy", rng.random(), now, 0), Metric("loss", rng.random(), now, 0)],
            params=[Param("lr", str(rng.choice([0.1, 0.01, 0.001]))), Param("depth", str(rng.randint(2, 10)))],
        )
        client.set_terminated(sweep_run.info.run_id)
    return curves_id, run.info.run_id, sweep_id


def best_sweep_run(home: Path, sweep_id: str) -> str:
    """The name of the sweep's most accurate run (what either table shows first, sorted by accuracy)."""
    query = (
        "SELECT r.name FROM runs r JOIN latest_metrics m ON m.run_uuid = r.run_uuid "
        "WHERE r.experiment_id = ? AND m.key = 'accuracy' ORDER BY m.value DESC LIMIT 1"
    )
    with sqlite3.connect(home / "mlflow.db") as db:
        return str(db.execute(query, (int(sweep_id),)).fetchone()[0])


# ----------------------------------------------------------------------------------------------------------------
# Maestro, in JupyterLab
# ----------------------------------------------------------------------------------------------------------------


def open_experiment(page: Any, lab_url: str, name: str) -> Any:
    """JupyterLab with the sidebar's Experiments tab showing experiment ``name``'s runs; returns its runs table."""
    page.goto(lab_url)
    page.locator("#jupyterlab-splash").wait_for(state="detached", timeout=60_000)
    page.locator(SIDEBAR_TAB).click()
    page.get_by_role("tab", name="Experiments").click()
    page.locator(".maestro-experiment-open", has_text=name).first.click()
    table = page.get_by_role("table", name=f"Runs of {name}")
    table.locator("tbody tr").first.wait_for(timeout=60_000)
    return table


def maestro_run_view(page: Any, lab_url: str, ids: dict[str, str]) -> float:
    table = open_experiment(page, lab_url, "bench-curves")
    start = time.perf_counter()
    table.get_by_role("button", name="long-training").click()
    page.locator(f"{MAIN} .maestro-vega-chart :is(svg.marks, canvas)").first.wait_for(timeout=60_000)
    return time.perf_counter() - start


def maestro_sort(page: Any, lab_url: str, ids: dict[str, str]) -> float:
    table = open_experiment(page, lab_url, "bench-sweep")
    page.wait_for_function(  # every run loaded, not a first page
        "n => (document.querySelector('.maestro-run-count')?.textContent ?? '').startsWith(n)",
        arg=f"{SWEEP_RUNS:,}",
        timeout=60_000,
    )
    header = table.locator("th", has=page.locator("button.maestro-sort-button", has_text="accuracy")).first
    start = time.perf_counter()
    header.locator("button.maestro-sort-button").click()
    page.wait_for_function(
        """([best]) => {
            const row = document.querySelector('table.maestro-runs-table tbody tr th.maestro-runs-name');
            return row && row.textContent.includes(best);
        }""",
        arg=[ids["best"]],
        timeout=30_000,
    )
    return time.perf_counter() - start


def maestro_compare(page: Any, lab_url: str, ids: dict[str, str]) -> float:
    open_experiment(page, lab_url, "bench-sweep")
    page.get_by_role("checkbox", name="Select all shown runs").check()  # the first 100 rows shown
    start = time.perf_counter()
    page.get_by_role("button", name=f"Compare ({COMPARED})").click()
    main = page.locator(MAIN)
    main.locator(".maestro-vega-chart :is(svg.marks, canvas)").first.wait_for(timeout=60_000)
    main.get_by_role("table").first.wait_for(timeout=60_000)
    return time.perf_counter() - start


# ----------------------------------------------------------------------------------------------------------------
# MLflow's UI
# ----------------------------------------------------------------------------------------------------------------


def mlflow_run_view(page: Any, ui_url: str, ids: dict[str, str]) -> float:
    start = time.perf_counter()
    page.goto(f"{ui_url}/#/experiments/{ids['curves']}/runs/{ids['run']}/model-metrics")
    page.locator(".js-plotly-plot .scatterlayer path.js-line").first.wait_for(timeout=60_000)
    return time.perf_counter() - start


def mlflow_sort(page: Any, ui_url: str, ids: dict[str, str]) -> float:
    page.goto(f"{ui_url}/#/experiments/{ids['sweep']}/runs")
    first = page.locator(MLFLOW_FIRST_RUN_NAME).first
    first.wait_for(timeout=60_000)
    before = first.inner_text()
    order = f"#/experiments/{ids['sweep']}/runs?orderByKey=metrics.%60accuracy%60&orderByAsc=false"
    start = time.perf_counter()
    page.evaluate("hash => { location.hash = hash; }", order)
    page.wait_for_function(
        """([selector, before]) => {
            const cell = document.querySelector(selector);
            return cell && cell.innerText.trim() !== before.trim();
        }""",
        arg=[MLFLOW_FIRST_RUN_NAME, before],
        timeout=30_000,
    )
    return time.perf_counter() - start


def mlflow_compare(page: Any, ui_url: str, ids: dict[str, str]) -> float:
    runs = json.loads(ids["compared"])
    start = time.perf_counter()
    page.goto(f"{ui_url}/#/compare-runs?runs={json.dumps(runs)}&experiments={json.dumps([ids['sweep']])}")
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    return time.perf_counter() - start


def first_rows(home: Path, sweep_id: str) -> list[str]:
    """The ids of the 100 runs the sidebar shows first (newest first, as both tables open)."""
    with sqlite3.connect(home / "mlflow.db") as db:
        rows = db.execute(
            "SELECT run_uuid FROM runs WHERE experiment_id = ? ORDER BY start_time DESC, run_uuid LIMIT ?",
            (int(sweep_id), COMPARED),
        ).fetchall()
    return [r[0] for r in rows]


def summary(label: str, values: list[float]) -> str:
    return (
        f"  {label:<34} median {statistics.median(values):6.3f} s   min {min(values):6.3f}   "
        f"max {max(values):6.3f}   n {len(values)}"
    )


Timer = Callable[[Any, str, dict[str, str]], float]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--home", type=Path, default=None, help="reuse/keep the store here")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Debian's chromium is needed: apt-get install chromium")
        return 1
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="maestro-bench-runs-ui-"))
    home = args.home or workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    print(f"Runs views benchmark: {os.cpu_count()} CPUs, load {load_average()}")
    started = time.perf_counter()
    curves, run, sweep = seed(home)
    ids = {
        "curves": curves,
        "run": run,
        "sweep": sweep,
        "best": best_sweep_run(home, sweep),
        "compared": json.dumps(first_rows(home, sweep)),
    }
    print(
        f"  store: a run of {CURVE_STEPS:,} steps, an experiment of {SWEEP_RUNS:,} runs "
        f"(ready in {time.perf_counter() - started:.1f} s)"
    )
    lab = start_lab(workdir / "lab", home)
    ui_proc, ui_url = start_mlflow_ui(home, workdir)
    cases: list[tuple[str, Timer, Timer]] = [
        ("run view", maestro_run_view, mlflow_run_view),
        ("sort 2,000 runs", maestro_sort, mlflow_sort),
        ("compare 100 runs", maestro_compare, mlflow_compare),
    ]
    figures: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name, _, _ in cases}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            for attempt in range(args.runs + 1):  # the first round warms caches (webpack chunks, SQLite pages)
                for name, maestro, mlflow in cases:
                    for series, timer, url in (
                        (figures[name][0], maestro, lab.lab_url(workspace=f"bench-{name.split()[0]}-{attempt}")),
                        (figures[name][1], mlflow, ui_url),
                    ):
                        context = browser.new_context(viewport={"width": 1440, "height": 900})
                        context.add_init_script(MLFLOW_TRAINING_MODE)
                        try:
                            elapsed = timer(context.new_page(), url, ids)
                        finally:
                            context.close()
                        if attempt:
                            series.append(elapsed)
            browser.close()
    finally:
        stop(lab.process)
        ui_proc.terminate()
        ui_proc.wait(timeout=30)
    print("\nHeadless Chromium, this machine (Maestro's sidebar in JupyterLab; MLflow's UI, same store)")
    verdicts = []
    for name, (maestro_s, mlflow_s) in figures.items():
        print(summary(f"Maestro: {name}", maestro_s))
        print(summary(f"MLflow UI: {name}", mlflow_s))
        ratio = statistics.median(maestro_s) / statistics.median(mlflow_s)
        print(f"  ratio Maestro / MLflow UI (medians): {ratio:.2f}x")
        median = statistics.median(maestro_s)
        verdict = "PASS" if median < GOALS_S[name] else "MISS"
        verdicts.append(f"  {verdict}  {name}: median {median:.3f} s < {GOALS_S[name]} s")
    print("\nGoals\n" + "\n".join(verdicts))
    print(f"Load average at the end: {load_average()}")
    if args.home is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
