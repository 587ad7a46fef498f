"""Model tests and the promotion gate on a real MLflow store with really trained models: the SDK and the magic."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import mlflow.pyfunc
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow.models import infer_signature
from sklearn.datasets import load_breast_cancer

import maestro_jupyter
from maestro_jupyter import InvalidParameter, MaestroClient, NotFound
from maestro_jupyter.analysis.modeltests import TestReport
from maestro_jupyter.contract.base import Actor
from maestro_jupyter.contract.tests import GetTestOverview, GetTestReportFile
from maestro_jupyter.errors import GateRefused
from tests.sdk_helpers import services_of

MODEL = "breast-cancer-classifier"
FAST = {"latency": {"warmup": 2, "samples": 20, "batch_size": 200, "batch_repeats": 1}}


@pytest.fixture
def ml(settings):
    return MaestroClient(settings)


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(as_frame=True).frame


class SleepyModel(mlflow.pyfunc.PythonModel):
    """The demo's champion behind a slow dependency: every predict sleeps."""

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def load_context(self, context):
        self.model = mlflow.sklearn.load_model(context.artifacts["inner"])

    def predict(self, context, model_input, params=None):
        time.sleep(self.delay)
        return self.model.predict(model_input)


def register_slow_model(ml: MaestroClient, cancer, name: str = "slow-classifier") -> str:
    """A new model whose only version is the champion wrapped with a 120 ms sleep."""
    services = services_of(ml)
    backend = services.mlflow
    inner = backend.client.get_model_version_download_uri(MODEL, "3")
    features = cancer.drop(columns="target")
    with backend.mlflow_globals():
        mlflow.set_experiment("slow-models")
        with mlflow.start_run():
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=SleepyModel(0.12),
                artifacts={"inner": inner},
                signature=infer_signature(features, cancer["target"]),
                pip_requirements=["scikit-learn"],
            )
        run_id = info.run_id
    return ml.models.register(run_id, name).version


def test_a_passing_run_is_kept_with_the_version(ml, cancer):
    report = ml.tests.run(MODEL, cancer, "target", version=3, policy=FAST)
    assert isinstance(report, TestReport)
    assert report.verdict == "passed", str(report)
    assert report.run_id
    assert report.reference is None  # v3 holds the reference alias itself
    tags = ml.models.get(MODEL, version=3).tags
    assert tags["maestro.tests.verdict"] == "passed"
    assert tags["maestro.tests.ran_at"] == report.ran_at
    assert tags["maestro.tests.run_id"] == report.run_id
    assert float(tags["maestro.metric.test_accuracy"]) == pytest.approx(report.metrics["accuracy"], rel=1e-5)
    # The comparison view sees the test metrics of every tested version.
    assert "test_accuracy" in ml.models.compare(MODEL).available_metrics
    assert ml.tests.get(MODEL, version=3) == report
    history = ml.tests.history(MODEL, version=3)
    assert history[0].run_id == report.run_id
    assert history[0].passed == report.summary.passed
    run = ml.experiments.run(report.run_id)
    assert run.params["threshold.accuracy"] == "> 0.85"
    assert run.metrics["accuracy"] == pytest.approx(report.metrics["accuracy"])
    services, actor = services_of(ml), Actor(ml.settings.user)
    junit_file = services.execute(GetTestReportFile(name=MODEL, version="3", format="junit"), actor)
    junit = ET.fromstring(junit_file.content)  # noqa: S314 - our own report
    assert int(junit.find("testsuite").get("tests")) == len(report.checks)
    assert b"PASSED" in services.execute(GetTestReportFile(name=MODEL, version="3", format="html"), actor).content
    # The model card shows the same results.
    tests = ml.cards.generate(MODEL, version=3, save=False).facts.evaluation.tests
    assert tests.verdict == "passed"
    assert [c.name for c in tests.checks] == [c.name for c in report.checks]


def test_a_challenger_is_compared_with_the_champion(ml, cancer):
    report = ml.tests.run(MODEL, cancer, "target", version=2, policy=FAST)
    check = report.check("no_regression_vs_champion")
    assert report.reference.version == "3"
    # Failed exactly when some metric is worse than the champion's by more than 1 % of it.
    lower_is_better = {"log_loss"}
    worse = [
        m
        for m in ("accuracy", "f1", "roc_auc", "log_loss")
        if (report.metrics[m] - report.metrics[f"{m}/champion"]) * (-1 if m in lower_is_better else 1)
        < -0.01 * abs(report.metrics[f"{m}/champion"])
    ]
    assert check.status == ("failed" if worse else "passed")
    assert [row[0] for row in check.evidence.rows if row[-1] == "worse"] == worse
    assert report.metrics["accuracy/champion"] == pytest.approx(
        ml.tests.run(MODEL, cancer, "target", version=3, policy=FAST, record=False).metrics["accuracy"]
    )
    # Every run is kept: both versions' runs are in the model's history.
    versions = {r.version for r in ml.tests.history(MODEL)}
    assert {"2", "3"} <= versions


def test_a_slow_model_fails_latency_and_the_gate_refuses_it(ml, cancer, settings):
    version = register_slow_model(ml, cancer)
    slow = {"latency": {"warmup": 1, "samples": 5, "batch_size": 50, "batch_repeats": 1}}
    report = ml.tests.run("slow-classifier", cancer, "target", version=version, policy=slow)
    assert report.check("latency_p95_ms").status == "failed"
    assert report.check("latency_p95_ms").value >= 120
    assert report.check("accuracy").status == "passed"  # same predictions as the champion, only slower
    with pytest.raises(GateRefused, match="latency_p95_ms") as refused:
        ml.models.set_alias("slow-classifier", "champion", version)
    assert refused.value.failed_checks == report.failed_checks()
    assert refused.value.to_dict()["error"] == "GATE_REFUSED"
    assert "champion" not in ml.models.get("slow-classifier").aliases
    # An alias outside the gated ones needs no passing tests.
    ml.models.set_alias("slow-classifier", "candidate", version)
    # An override goes through and is recorded: who, when, why, for what.
    ml.models.set_alias("slow-classifier", "champion", version, override_reason="Latency SLO waived for the pilot")
    assert ml.models.get("slow-classifier").aliases["champion"] == version
    overview = services_of(ml).execute(GetTestOverview(name="slow-classifier", version=version), Actor(settings.user))
    (override,) = overview.overrides
    assert (override.by, override.reason, override.action) == (
        settings.user,
        "Latency SLO waived for the pilot",
        "alias 'champion'",
    )
    assert override.failed_checks == ["latency_p95_ms"]
    assert override.at.startswith(time.strftime("%Y-"))


def test_a_never_tested_version_is_refused_and_the_gate_says_so(ml, cancer):
    version = register_slow_model(ml, cancer, "untested-classifier")
    decision = ml.tests.gate("untested-classifier", version=version)
    assert (decision.allowed, decision.verdict) == (False, None)
    assert "no test report" in decision.message
    with pytest.raises(GateRefused, match="no test report"):
        ml.models.set_alias("untested-classifier", "production", version)
    with pytest.raises(InvalidParameter, match="reason"):
        ml.models.set_alias("untested-classifier", "production", version, override_reason="  ")
    assert ml.tests.get("untested-classifier", version=version) is None


def test_a_mismatched_frame_fails_the_contract_cleanly(ml, cancer):
    broken = cancer.drop(columns=["mean radius"]).assign(extra=1)
    broken["mean texture"] = "high"
    report = ml.tests.run(MODEL, broken, "target", version=1, policy=FAST)
    contract = report.check("data_contract")
    assert contract.status == "failed"
    assert {row[0]: row[3] for row in contract.evidence.rows} == {
        "mean radius": "missing column",
        "mean texture": "not numeric",
        "extra": "extra column",
    }
    assert ml.models.get(MODEL, version=1).tags["maestro.tests.verdict"] == "failed"
    assert ml.models.get(MODEL, version=1).tags["maestro.tests.failed"] == "data_contract"


def test_policies_layer_from_team_to_model_to_call(ml, cancer, settings, tmp_path, monkeypatch):
    ml.models.set_tag(MODEL, "maestro.tests.threshold.accuracy", "0.9999")
    assert ml.tests.run(MODEL, cancer, "target", version=3, policy=FAST, record=False).failed_checks() == ["accuracy"]
    report = ml.tests.run(MODEL, cancer, "target", version=3, policy=FAST, thresholds={"accuracy": 0.5}, record=False)
    assert report.check("accuracy").threshold == "> 0.5"
    policy_file = tmp_path / "strict.yaml"
    policy_file.write_text("thresholds:\n  latency_p95_ms: '< 0.001'\nlatency:\n  samples: 5\n")
    strict = ml.tests.run(MODEL, cancer, "target", version=3, policy=str(policy_file), thresholds={"accuracy": 0.5})
    assert strict.failed_checks() == ["latency_p95_ms"]
    assert strict.policy["latency"]["samples"] == 5
    team = tmp_path / "team.yaml"
    team.write_text("thresholds:\n  f1: 0.99999\n")
    teamed = MaestroClient(settings.with_overrides(test_policy=str(team)))
    assert "f1" in teamed.tests.run(MODEL, cancer, "target", version=3, policy=FAST, record=False).failed_checks()
    assert str(teamed.tests.policy(MODEL).threshold("f1")) == "> 0.99999"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"target": "diagnosis"}, InvalidParameter, "No target column 'diagnosis'"),
        ({"version": 99}, NotFound, "99"),
        ({"policy": {"thresholds": {"accuracy": "very high"}}}, InvalidParameter, "Test policy: thresholds.accuracy"),
        ({"sensitive": ["nope"]}, InvalidParameter, "No sensitive column 'nope'"),
        ({"reference": "bad alias!"}, InvalidParameter, "alias"),
        ({"data": "missing.csv"}, NotFound, "missing.csv"),
    ],
)
def test_bad_input_is_a_typed_error(ml, cancer, kwargs, error, match):
    args = {"target": "target", "version": 3, "data": cancer, **kwargs}
    data, target = args.pop("data"), args.pop("target")
    with pytest.raises(error, match=match):
        ml.tests.run(MODEL, data, target, **args)


@pytest.fixture
def shell(maestro_home, monkeypatch):
    monkeypatch.setenv("MAESTRO_HOME", str(maestro_home))
    sh = InteractiveShell.instance()
    maestro_jupyter.load_ipython_extension(sh)
    return sh


def test_magic_runs_the_suite_and_renders_it(shell, cancer, tmp_path):
    shell.user_ns["df"] = cancer
    policy = tmp_path / "fast.yaml"
    policy.write_text(json.dumps(FAST))
    report = shell.run_line_magic(
        "maestro", f"test {MODEL}@champion --data df --target target --threshold accuracy=0.5 --policy {policy}"
    )
    assert report.verdict == "passed"
    assert report.version == "3"
    assert report.check("accuracy").threshold == "> 0.5"
    html = report._repr_html_()
    assert html.index("PASSED") < html.index("Data contract")
    history = shell.run_line_magic("maestro", f"test {MODEL}/3 --history")
    assert history.rows[0][2] == "passed"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"test {MODEL}/3 --target target", "give --data DF and --target COL"),
        (f"test {MODEL}/3 --data nothing_here --target target", "No DataFrame named 'nothing_here'"),
        (f"test {MODEL}/3 --data df --target target --threshold accuracy", "--threshold takes METRIC=SPEC"),
        (f"test {MODEL}/3 --data df --target nope", "No target column 'nope'"),
        (f"alias {MODEL} champion", "name the version as NAME/VERSION"),
    ],
)
def test_magic_errors_are_one_line(shell, capsys, cancer, line, message):
    shell.user_ns["df"] = cancer
    result = shell.run_cell(f"%maestro {line}")
    assert isinstance(result.error_in_exec, UsageError)
    out = capsys.readouterr()
    text = (out.out + out.err).strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert message in text


def test_magic_alias_goes_through_the_gate(shell, capsys, cancer):
    ml = shell.find_magic("maestro").__self__.client
    version = register_slow_model(ml, cancer, "magic-classifier")
    result = shell.run_cell(f"%maestro alias magic-classifier/{version} champion")
    assert isinstance(result.error_in_exec, UsageError)
    assert "no test report" in str(result.error_in_exec)
    shell.run_line_magic("maestro", f'alias magic-classifier/{version} champion --override "pilot, approved by Ana"')
    assert "gate overridden" in capsys.readouterr().out
    assert ml.models.get("magic-classifier").aliases["champion"] == version
