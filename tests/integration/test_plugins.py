"""Extension points: a third-party package adds a compute backend and a model check family with one entry point each.

The package (tests/plugins/maestro_test_plugin) is pip-installed into this environment for the module's tests, as a
user would install a plugin, and removed afterwards. Its ``inline`` backend runs jobs to their end in a subprocess
while the submit waits; its ``prediction_range`` family checks that predictions fall in a configured range.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from sklearn.datasets import load_breast_cancer
from traitlets import TraitError

import maestro_jupyter
from maestro_jupyter import MaestroClient
from maestro_jupyter.analysis.modeltests import registry as check_registry
from maestro_jupyter.backends.compute import registry as compute_registry
from maestro_jupyter.errors import InvalidParameter

PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "maestro_test_plugin"
MODEL = "breast-cancer-classifier"
FAST = {"latency": {"warmup": 2, "samples": 20, "batch_size": 200, "batch_repeats": 1}}
#: A training script as a user would write one: it logs to the MLflow run the job runs in, and reads its params.
TRAIN = "import sys\nimport mlflow\nmlflow.log_metric('inline_metric', 1.5)\nprint('trained inline', sys.argv[1:])\n"


def pip(*args: str) -> None:
    # Offline (--no-index) and with this environment's hatchling (--no-build-isolation): no registry is asked.
    subprocess.run([sys.executable, "-m", "pip", *args, "-q"], check=True, timeout=300)


@pytest.fixture(scope="module")
def plugin() -> Iterator[None]:
    """The plugin installed for this module's tests (and the registries told: they read entry points once)."""
    pip("install", "--no-deps", "--no-build-isolation", "--no-index", str(PLUGIN))
    compute_registry.refresh()
    check_registry.refresh()
    try:
        yield
    finally:
        pip("uninstall", "-y", "maestro-test-plugin")
        compute_registry.refresh()
        check_registry.refresh()


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(as_frame=True).frame


@pytest.fixture
def maestro_config(request: pytest.FixtureRequest, maestro_home: Path) -> dict[str, Any]:
    """The server's ``c.Maestro``: the private home plus what a test parametrizes."""
    return {"home": str(maestro_home), **getattr(request, "param", {})}


def test_the_plugin_registers_in_both_groups(plugin):
    assert compute_registry.backend_names() == ["inline", "kubernetes", "local"]
    assert check_registry.family_names() == [
        "contract",
        "performance",
        "fairness",
        "robustness",
        "latency",
        "prediction_range",
    ]
    # Registering is not importing: naming the built-ins loaded neither them nor the cluster client.
    code = (
        "import sys; from maestro_jupyter.backends.compute.registry import backend_names; backend_names();"
        "print('kubernetes' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_a_training_job_runs_on_the_plugin_backend(plugin, maestro_home):
    ml = MaestroClient(compute="inline", home=str(maestro_home))
    job = ml.training.submit(source=TRAIN, params={"alpha": 0.5}, name="inline-job")
    # The inline backend runs the job while the submit waits: it is over when the submit returns.
    assert job.backend == "inline"
    assert job.status == "succeeded", job.reason
    assert job.exit_code == 0
    assert job.logs().strip().endswith("trained inline ['--alpha', '0.5']")
    run = ml.experiments.run(job.run_id)
    assert run.status == "FINISHED"
    assert run.metrics["inline_metric"] == 1.5
    assert run.params == {"alpha": "0.5"}
    assert [j.id for j in ml.training.list().jobs] == [job.id]

    failed = ml.training.submit(source="raise SystemExit(3)")
    assert (failed.status, failed.exit_code, failed.reason) == ("failed", 3, "exit code 3")


def test_a_plugin_check_runs_in_the_suite_with_its_label(plugin, maestro_home, cancer):
    ml = MaestroClient(home=str(maestro_home))
    # Giving the family options asks for it: the built-ins run as well, by default.
    policy = {**FAST, "prediction_range": {"low": 0, "high": 1}}
    report = ml.tests.run(MODEL, cancer, "target", version=3, policy=policy)
    check = report.check("outside_share")
    assert (check.status, check.category, check.label, check.value) == (
        "passed",
        "prediction_range",
        "Prediction range",
        0.0,
    )
    assert report.verdict == "passed", str(report)
    assert report.check("accuracy").label == "Performance"
    assert report.check("data_contract").label == "Data contract"
    assert report.metrics["outside_share"] == 0.0
    assert report.policy["prediction_range"] == {"low": 0.0, "high": 1.0}
    assert "<h3>Prediction range</h3>" in report.to_html()
    # The recorded report (what the sidebar reads) keeps the label.
    recorded = ml.tests.get(MODEL, version=3)
    assert recorded is not None
    assert recorded.check("outside_share").label == "Prediction range"

    # Its options and the usual thresholds decide: class 1 is outside [0, 0.5] and none may be.
    narrow = ml.tests.run(
        MODEL,
        cancer,
        "target",
        version=3,
        policy={"checks": ["prediction_range"], "prediction_range": {"high": 0.5}},
        record=False,
    )
    assert [c.name for c in narrow.checks] == ["outside_share"]
    assert narrow.check("outside_share").status == "failed"
    assert narrow.verdict == "failed"
    tolerant = ml.tests.run(
        MODEL,
        cancer,
        "target",
        version=3,
        policy={"checks": ["prediction_range"], "prediction_range": {"high": 0.5}},
        thresholds={"outside_share": "<= 0.9"},
        record=False,
    )
    assert tolerant.check("outside_share").status == "passed"


def test_a_plugin_check_without_options_is_skipped_not_passed(plugin, maestro_home, cancer):
    ml = MaestroClient(home=str(maestro_home))
    report = ml.tests.run(MODEL, cancer, "target", version=3, policy={"checks": ["prediction_range"]}, record=False)
    assert [(c.name, c.status) for c in report.checks] == [("prediction_range", "skipped")]


def test_unknown_names_are_clear_errors_that_list_the_registered_ones(plugin, maestro_home, cancer):
    ml = MaestroClient(compute="nope", home=str(maestro_home))
    with pytest.raises(InvalidParameter, match="Unknown compute backend 'nope'; registered: inline, kubernetes, local"):
        ml.training.submit(source="print(1)")
    assert ml.training.list().jobs == []  # refused before anything was recorded

    with pytest.raises(
        InvalidParameter,
        match=r"checks: unknown check family 'vibes'; "
        r"registered: contract, fairness, latency, performance, prediction_range, robustness",
    ):
        ml.tests.run(MODEL, cancer, "target", version=3, policy={"checks": ["contract", "vibes"]})
    with pytest.raises(InvalidParameter, match=r"vibes: neither a policy setting nor a check family; families: "):
        ml.tests.run(MODEL, cancer, "target", version=3, policy={"vibes": {"low": 0}})
    with pytest.raises(InvalidParameter, match=r"prediction_range.lo: Extra inputs are not permitted"):
        ml.tests.run(MODEL, cancer, "target", version=3, policy={"prediction_range": {"lo": 0}})


def test_an_unknown_backend_is_one_line_from_a_magic(plugin, maestro_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    monkeypatch.setenv("MAESTRO_COMPUTE", "nope")
    monkeypatch.chdir(tmp_path)
    shell = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(shell)
    result = shell.run_cell("%%maestro train\nprint(1)\n")
    assert isinstance(result.error_in_exec, UsageError)
    out = capsys.readouterr()
    text = (out.out + out.err).strip()
    assert "Traceback" not in text
    assert text.splitlines() == [text]
    assert "Unknown compute backend 'nope'; registered: inline, kubernetes, local" in text


@pytest.mark.parametrize("maestro_config", [{"compute": "nope"}], indirect=True)
async def test_an_unknown_backend_is_a_400_from_the_server(plugin, api):
    status, error = await api("POST", "training", "jobs", body={"source": "print(1)"})
    assert status == 400, error
    assert error == {
        "error": "INVALID_PARAMETER",
        "message": "Unknown compute backend 'nope'; registered: inline, kubernetes, local",
    }


@pytest.mark.parametrize(
    "maestro_config",
    # As a config file says it: an import string. MAESTRO_COMPUTE stays local; the class wins.
    [{"compute": "local", "compute_backend_class": "maestro_test_plugin.compute.InlineCompute"}],
    indirect=True,
)
async def test_the_compute_backend_class_trait_overrides_the_backend(plugin, api):
    status, job = await api("POST", "training", "jobs", body={"source": "print('overridden')"})
    assert status == 201, job
    assert job["backend"] == "inline"
    assert job["status"] == "succeeded"
    status, logs = await api("GET", "training", "jobs", job["id"], "logs")
    assert status == 200
    assert logs["text"] == "overridden\n"


async def test_the_sidebar_reads_a_plugin_checks_label(plugin, api, jp_root_dir, cancer):
    cancer.to_csv(jp_root_dir / "cancer.csv", index=False)
    policy = {**FAST, "prediction_range": {"low": 0, "high": 1}}
    body = {"path": "cancer.csv", "target": "target", "policy": policy}
    status, report = await api("POST", "models", MODEL, "versions", "3", "tests", body=body)
    assert status == 201, report
    status, overview = await api("GET", "models", MODEL, "versions", "3", "tests")
    assert status == 200
    checks = {c["name"]: c for c in overview["latest"]["checks"]}
    assert checks["outside_share"]["category"] == "prediction_range"
    assert checks["outside_share"]["label"] == "Prediction range"


def test_the_trait_refuses_a_class_that_is_no_backend():
    from maestro_jupyter.server.extension import Maestro

    with pytest.raises(TraitError):
        Maestro(compute_backend_class=dict)
