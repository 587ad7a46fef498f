"""How results read: the formatting module, table alignment, theme colours, no math, summary first, no raw epochs or
dict reprs, copyable code, and progress without ipywidgets. Results are built as the services answer them."""

from __future__ import annotations

import re
import time
import warnings
from pathlib import Path

import pytest

from maestro_jupyter.entities import (
    Budget,
    BudgetCheck,
    BudgetList,
    CostGroup,
    CostSummary,
    Deployment,
    Estimate,
    Job,
    JobList,
    ModelVersion,
    Prediction,
    Replica,
    Resources,
    RunSummary,
    VersionDetail,
    display,
)
from maestro_jupyter.entities import formatting as fmt
from maestro_jupyter.errors import InvalidParameter

NOW = time.time()


@pytest.fixture(autouse=True)
def _now_is_when_the_test_runs() -> None:
    """The results below are made relative to ``NOW`` and rendered relative to the clock: ``NOW`` is each test's own
    start, not the module's import (which precedes a long suite's last test by many minutes)."""
    global NOW
    NOW = time.time()


RATES = {"cpu_hour": 0.05, "gb_hour": 0.005, "gpu_hour": 0.5, "gpu_type": None, "currency": "USD"}


def estimate(kind: str = "job", cost: float = 0.055, per: str = "run") -> Estimate:
    return Estimate(
        kind=kind,
        cost=cost,
        hours=1.0 if kind == "job" else 24.0,
        per=per,
        basis="default of 1 h (no earlier runs of train)",
        rates=RATES,
        allowed=True,
        budgets=[
            BudgetCheck(
                id="project:churn",
                period="monthly",
                amount=5.0,
                spent=1.32,
                remaining=3.68,
                hard_limit=True,
                allowed=True,
            )
        ],
        message=f"about ${cost:.2f} per {per}; $3.68 of $5.00 left in project:churn",
    )


def job(**changes) -> Job:
    fields = dict(
        id="job-ba5d1e2f",
        name="train",
        status="running",
        user="alice",
        project="churn",
        backend="local",
        kind="script",
        source="train.py",
        params={"alpha": "0.5"},
        resources=Resources(cpus=2.0, memory="4Gi"),
        experiment="churn",
        run_id="afdb2905f05c45619147aabd7b3f878b",
        created_at=NOW - 130,
        started_at=NOW - 120,
        estimate=estimate(),
    )
    return Job(**{**fields, **changes})


def deployment(**changes) -> Deployment:
    fields = dict(
        id="churn-champion",
        model="churn",
        version="3",
        alias="champion",
        status="ready",
        user="alice",
        project="churn",
        backend="local",
        replicas=2,
        ready_replicas=2,
        endpoint="maestro/api/v1/deployments/churn-champion/predict",
        url="http://127.0.0.1:5001",
        created_at=NOW - 3600,
        updated_at=NOW - 3600,
        instances=[Replica(name="churn-champion-0", status="ready", url="http://127.0.0.1:5001", pid=4242)],
        estimate=estimate("deployment", 1.32, "day"),
    )
    return Deployment(**{**fields, **changes})


def budget() -> Budget:
    return Budget(
        id="project:churn",
        scope="project",
        subject="churn",
        amount=5.0,
        period="weekly",
        thresholds=[50, 80, 100],
        hard_limit=True,
        spent=4.25,
        remaining=0.75,
        used_pct=85.0,
        period_start=NOW - 86400 * 3,
        period_end=NOW + 86400 * 4,
        updated_by="root",
        updated_at=NOW - 60,
    )


def version() -> VersionDetail:
    run = RunSummary(
        run_id="68ddd9e96e1549ffbaaeef532f005eab",
        experiment_id="1",
        status="FINISHED",
        metrics={"accuracy": 0.958, "roc_auc": 0.99674, "training_time_s": 0.5},
        params={"max_iter": "500"},
    )
    snippet = 'import mlflow\nmodel = mlflow.pyfunc.load_model("models:/churn@champion")'
    return VersionDetail(
        name="churn",
        version="3",
        aliases=["champion"],
        creation_timestamp=int((NOW - 7200) * 1000),
        run_id=run.run_id,
        model_uri="models:/churn@champion",
        run=run,
        flavors=["python_function", "sklearn"],
        load_snippet=snippet,
    )


def cost_summary() -> CostSummary:
    group = CostGroup(key="churn", cost=4.25, cpu_hours=85.0, memory_gb_hours=12.5, gpu_hours=0.0, records=1234)
    return CostSummary(
        by="project",
        window="30d",
        since=NOW - 30 * 86400,
        until=NOW,
        total=4.25,
        cpu_hours=85.0,
        memory_gb_hours=12.5,
        gpu_hours=0.0,
        records=1234,
        groups=[group],
    )


RESULTS = {
    "job": job,
    "finished job": lambda: job(status="succeeded", finished_at=NOW - 60, cost=0.031, estimate=None),
    "deployment": deployment,
    "budget": budget,
    "estimate": estimate,
    "version": version,
    "cost summary": cost_summary,
    "budget list": lambda: BudgetList(budgets=[budget()], can_edit=True),
    "job list": lambda: JobList(jobs=[job(), job(id="job-00000001", status="failed", reason="exit code 1")]),
    "model version": lambda: ModelVersion(
        name="churn", version="3", aliases=["champion"], creation_timestamp=int(NOW * 1000) - 60_000, tags={"a": "1"}
    ),
    "run": lambda: version().run,
    "prediction": lambda: Prediction(
        deployment="churn-champion", model="churn", version="3", predictions=[1, 0], latency_ms=12.3456
    ),
}


# --- the formatting module -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.32, "$1.32"), (5, "$5.00"), (1234.5, "$1,234.50"), (0.001, "<$0.01"), (0, "$0.00"), (-2.5, "-$2.50")],
)
def test_money(value, text):
    assert fmt.money(value) == text


def test_rates_keep_the_digits_that_matter():
    assert fmt.money(0.005, rate=True) == "$0.005"
    assert fmt.money(0.05, rate=True) == "$0.05"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.5, "0.50 s"), (4.42, "4.4 s"), (192, "3 min 12 s"), (180, "3 min"), (7500, "2 h 05 min"), (97200, "1 d 3 h")],
)
def test_durations(seconds, text):
    assert fmt.duration(seconds) == text


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (10, "just now"),
        (120, "2 min ago"),
        (3 * 3600, "3 h ago"),
        (30 * 3600, "yesterday"),
        (5 * 86400, "5 days ago"),
        (-4 * 86400, "in 4 days"),
    ],
)
def test_relative_times(ago, text):
    assert fmt.relative(NOW - ago, now=NOW) == text
    assert fmt.relative((NOW - ago) * 1000, ms=True, now=NOW) == text


def test_old_times_read_as_dates_and_absolute_times_say_utc():
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", fmt.relative(NOW - 90 * 86400, now=NOW))
    assert fmt.absolute(0.0) == ""
    assert fmt.absolute(1796398198.93) == "2026-12-04 15:29 UTC"
    assert fmt.when("2026-12-04T15:29:58+00:00", now=1796398198.93 + 120) == "2 min ago (2026-12-04 15:29 UTC)"


@pytest.mark.parametrize(
    ("n", "text"), [(512, "512 B"), (1536, "1.5 KB"), (1.2 * 2**20, "1.2 MB"), (3 * 2**30, "3.0 GB")]
)
def test_sizes(n, text):
    assert fmt.size(n) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.958, "0.9580"),
        (0.96744, "0.9674"),
        (45859.8, "45,860"),
        (1234567, "1,234,567"),
        (0.02596, "0.02596"),
        (2.0, "2.000"),
        (None, ""),
    ],
)
def test_metrics_read_to_four_significant_digits(value, text):
    assert fmt.number(value) == text


def test_counts_have_separators_and_plurals():
    assert fmt.count(1, "run") == "1 run"
    assert fmt.count(2000, "run") == "2,000 runs"


# --- tables: text left, numbers right --------------------------------------------------------------------------


def _cells(html: str, tags: str = "hd") -> list[tuple[str, str]]:
    """(style, text) of every header and data cell (``tags="d"``: data cells only)."""
    pattern = rf"<t[{tags}]( style=\"[^\"]*\")?>(.*?)</t[{tags}]>"
    return [(m[1] or "", re.sub(r"<[^>]+>", "", m[2])) for m in re.finditer(pattern, html)]


def test_html_tables_put_text_left_and_numbers_right():
    html = display.html_table(
        ["model", "version", "accuracy", "cost", "when"],
        [["churn", "3", fmt.number(0.958), fmt.money(1.5), "2 min ago"], ["fraud", "12", "", "$10.00", "just now"]],
    )
    cells = _cells(html)
    assert len(cells) == 15
    for style, text in cells:
        if not text:
            continue
        numeric = text in ("version", "accuracy", "cost", "3", "12", "0.9580", "&#36;1.50", "&#36;10.00")
        assert ("text-align:right" in style) == numeric, (style, text)
        assert "text-align:" in style  # set on every cell: JupyterLab's own rule right-aligns cells otherwise
        if numeric:
            assert "tabular-nums" in style


def test_text_tables_put_text_left_and_numbers_right():
    text = display.text_table(["model", "cost"], [["churn", "$1.50"], ["a-much-longer-name", "$1,210.00"]])
    lines = text.splitlines()
    assert lines[0].startswith("model ")
    assert lines[2] == "churn                   $1.50"
    assert lines[3] == "a-much-longer-name  $1,210.00"


@pytest.mark.parametrize("name", list(RESULTS))
def test_every_table_in_a_result_aligns_its_cells(name):
    html = display.to_html(RESULTS[name]())
    for style, text in _cells(html, "d"):
        assert "text-align:" in style
        if text and fmt.is_numeric(text.replace("&#36;", "$")):
            assert "text-align:right" in style, text
        elif text:
            assert "text-align:left" in style, text


# --- theme colours, no math, text fallback ---------------------------------------------------------------------

_FIXED = re.compile(r"#000\b|#000000\b|#fff\b|#ffffff\b|\bblack\b|\bwhite\b(?!-)", re.IGNORECASE)
_VAR = re.compile(r"var\(--[\w-]+,(?:[^()]|\([^()]*\))*\)")


def fixed_colours(html: str) -> list[str]:
    """Black or white anywhere but as a ``var(--jp-…, fallback)`` fallback."""
    return _FIXED.findall(_VAR.sub("var()", html))


def test_the_shared_styles_use_theme_variables_only():
    assert fixed_colours(display.wrap("")) == []
    assert "var(--jp-" in display.wrap("")


@pytest.mark.parametrize("name", list(RESULTS))
def test_results_use_theme_colours_no_math_and_keep_a_text_fallback(name):
    result = RESULTS[name]()
    bundle = result._repr_mimebundle_()
    html, text = bundle["text/html"], bundle["text/plain"]
    assert fixed_colours(html) == []
    # JupyterLab typesets $...$ in HTML output: the container opts out, and no dollar sign is left raw.
    assert 'class="maestro-out tex2jax_ignore mathjax_ignore"' in html
    assert "$" not in re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    # No raw epochs, dict or list reprs, or None in either rendering.
    for rendering in (html, text):
        assert not re.search(r"\b1[6-9]\d{8}(\.\d+)?\b", rendering)
        assert "{'" not in rendering
        assert "[{" not in rendering
        assert "None" not in rendering
    assert text == str(result)


def test_money_in_text_stays_plain_and_in_html_is_escaped():
    d = deployment()
    assert "est. $1.32 per day" in str(d)
    assert "est. &#36;1.32 per day" in d._repr_html_()


def test_the_test_report_template_uses_theme_colours_and_aligns_values():
    template = Path(display.__file__).parents[1] / "analysis" / "modeltests" / "templates" / "report.html.j2"
    source = template.read_text()
    assert fixed_colours(source) == []
    assert "mathjax_ignore" in source
    assert 'class="num"' in source
    assert "text-align:right" in source


# --- summary first, details folded ----------------------------------------------------------------------------


def test_a_running_job_says_what_it_is_its_estimate_and_how_to_follow_it_first():
    j = job()
    first = str(j).splitlines()[0]
    assert first == (
        "Job job-ba5d1e2f (train) · running · running for 2 min · est. $0.06 per run · "
        "follow with %maestro logs job-ba5d1e2f --follow"
    )
    html = j._repr_html_()
    summary = re.search(r'<div class="maestro-summary">(.*?)</div>', html)[1]
    assert "<code>%maestro logs job-ba5d1e2f --follow</code>" in summary
    assert html.index("maestro-summary") < html.index("<details>")
    details = html[html.index("<details>") :]
    assert "alpha" in details
    assert "2 CPU, 4Gi" in details
    assert "maestro-training" not in details


def test_a_finished_job_says_how_long_it_took_and_what_it_cost():
    first = str(RESULTS["finished job"]()).splitlines()[0]
    assert first == "Job job-ba5d1e2f (train) · succeeded · took 1 min · finished 1 min ago · cost $0.03"


def test_a_deployment_says_what_it_serves_first_and_drops_an_alias_that_moved_on():
    d = deployment()
    assert str(d).splitlines()[0] == (
        "Deployment churn-champion · ready · churn v3 (champion) · 2/2 replicas ready · est. $1.32 per day · "
        "predict with %maestro predict churn-champion DF"
    )
    if "alias_version" in Deployment.model_fields:
        moved = deployment(alias_version="4")
        assert "(champion)" not in str(moved).splitlines()[0]


def test_other_results_say_what_they_are_first():
    assert str(RESULTS["model version"]()).splitlines()[0] == "churn v3 · champion · READY · registered 1 min ago"
    assert str(RESULTS["prediction"]()).splitlines()[0] == (
        "Prediction from churn-champion · churn v3 · 2 predictions · 12.35 ms"
    )
    assert str(RESULTS["run"]()).splitlines()[0] == "Run 68ddd9e9… · FINISHED"


def test_a_budget_says_where_it_stands_first():
    assert str(budget()).splitlines()[0] == (
        "Budget project:churn (weekly) · $4.25 of $5.00 spent (85.0%) · $0.75 left · "
        "hard limit: over-budget work is refused"
    )


def test_empty_fields_are_left_out():
    text = str(job())
    assert re.search(r"^\s+submitted\s+2 min ago \(", text, re.M)
    for label in ("finished", "exit code", "CPU time", "peak memory", "GPU time", "reason"):
        assert not re.search(rf"^\s+{label}\s", text, re.M), label


def test_dicts_read_as_key_value_lines():
    text = str(job())
    assert "  params:\n    alpha: 0.5" in text
    assert "rates: CPU hour: $0.05; GiB hour: $0.005; GPU hour: $0.50" in text
    html = job()._repr_html_()
    assert '<span class="maestro-k">alpha</span> 0.5' in html


# --- code blocks ------------------------------------------------------------------------------------------------


def test_the_load_snippet_is_a_copyable_left_aligned_code_block():
    html = version()._repr_html_()
    block = re.search(
        r'<div class="maestro-code"><pre id="(maestro-code-[0-9a-f]+)"><code>(.*?)</code></pre>', html, re.S
    )
    assert block, html
    assert block[2].startswith("import mlflow\nmodel = mlflow.pyfunc.load_model(")
    # The Copy button is made by a script that finds this block, so where scripts do not run there is no dead button.
    script = re.search(r"<script>(.*?)</script>", html, re.S)[1]
    assert f"getElementById('{block[1]}')" in script
    assert "navigator.clipboard.writeText" in script
    assert "<button" not in html
    assert "text-align:left" in display.wrap("")
    assert "user-select:all" in display.wrap("")
    text = str(version())
    assert "Load it:\n    import mlflow\n    model = mlflow.pyfunc.load_model" in text


def test_code_blocks_have_ids_unique_across_outputs():
    ids = {re.search(r'id="(maestro-code-[0-9a-f]+)"', display.code_block("x"))[1] for _ in range(50)}
    assert len(ids) == 50


def test_version_metrics_read_to_four_significant_digits():
    html = version()._repr_html_()
    assert ">0.9580<" in html
    assert ">0.9967<" in html


# --- progress without ipywidgets -------------------------------------------------------------------------------


def test_progress_updates_one_html_output_in_place_without_widgets():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from maestro_jupyter.sdk.progress import Progress

    InteractiveShell.instance()
    with warnings.catch_warnings(record=True) as caught, capture_output() as captured:
        warnings.simplefilter("always")
        with Progress("Profiling wine", total=4, delay=0, mode="html") as progress:
            progress.update(2, "columns")
            progress._render()
    assert not [w for w in caught if "IProgress" in str(w.message)]
    bundles = [o.data for o in captured.outputs]
    assert len(bundles) == 3  # the first line, the update, the final line: one output, updated in place
    assert bundles[0]["text/plain"].startswith("Profiling wine… · 0 of 4")
    assert bundles[1]["text/plain"].startswith("Profiling wine… · 2 of 4 · columns")
    assert "width:50%" in bundles[1]["text/html"]
    assert re.fullmatch(r"Profiling wine: done in \d\.\d\d s", bundles[2]["text/plain"])
    assert all(fixed_colours(b["text/html"]) == [] for b in bundles)


def test_quick_work_shows_no_progress():
    from IPython.utils.capture import capture_output

    from maestro_jupyter.sdk.progress import Progress

    with capture_output() as captured, Progress("Quick", mode="html"):
        pass
    assert captured.outputs == []


# --- project names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["churn", "churn-team", "Churn_2", "a", "team.ml", "x" * 63])
def test_project_names(name):
    from maestro_jupyter.naming import project_name

    assert project_name(name) == name


@pytest.mark.parametrize("name", ["churn team!", "churn!", "-churn", "churn-", "", " ", "a/b", "x" * 64, "équipe"])
def test_bad_project_names_are_refused_with_the_rule(name):
    from maestro_jupyter.naming import project_name

    with pytest.raises(InvalidParameter, match="use 1-63 letters, digits"):
        project_name(name)


# --- a cached profile ------------------------------------------------------------------------------------------


def test_a_cached_profile_says_so_and_when_it_was_computed():
    import pandas as pd

    from maestro_jupyter.analysis.profiling import ProfileResult, summarize

    summary = summarize(pd.DataFrame({"price": [1.5, 2.5, None], "city": ["a", "b", "b"]}))
    fresh = ProfileResult(title="Profile of df", summary=summary, elapsed_seconds=21.8, computed_at=NOW - 180)
    cached = fresh.model_copy(update={"cached": True})
    assert str(fresh).splitlines()[0] == "Profile of df (computed in 21.8 s)"
    assert str(cached).splitlines()[0] == "Profile of df (cached · computed 3 min ago in 21.8 s)"
    html = cached._repr_mimebundle_()["text/html"]
    assert "(cached · computed 3 min ago in 21.8 s)" in html
    assert "mathjax_ignore" in html
    cells = _cells(html, "d")
    assert ("", "") not in cells
    missing = [style for style, text in cells if text == "33.3%"]
    assert missing == [' style="text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"']


def test_maestro_project_must_be_a_project_name():
    from maestro_jupyter.settings import Settings

    assert Settings.from_env({"MAESTRO_PROJECT": "churn-team"}).project == "churn-team"
    with pytest.raises(InvalidParameter, match=r"MAESTRO_PROJECT \(a project name\) 'churn team!': use 1-63"):
        Settings.from_env({"MAESTRO_PROJECT": "churn team!"})


def test_a_hub_group_whose_name_is_no_project_name_is_no_project():
    from maestro_jupyter.contract.base import hub_actor
    from maestro_jupyter.settings import Settings

    team = Settings.from_env({"MAESTRO_TEAM": "1"})
    model = {"kind": "user", "name": "alice", "groups": ["project-churn team!", "project-churn", "project-"]}
    assert hub_actor(model, team).projects == ("churn",)


def test_magic_tables_keep_a_text_fallback_and_align_their_cells():
    table = display.Table("Test runs of churn v3", ["ran", "verdict", "passed"], [["2 min ago", "passed", 12]])
    bundle = table._repr_mimebundle_()
    assert bundle["text/plain"].splitlines()[0] == "Test runs of churn v3"
    assert bundle["text/plain"].splitlines()[3] == "2 min ago  passed       12"
    assert _cells(bundle["text/html"], "d") == [
        (' style="text-align:left"', "2 min ago"),
        (' style="text-align:left"', "passed"),
        (' style="text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"', "12"),
    ]
