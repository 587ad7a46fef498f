"""The model-test service: run the suite on a registered version and keep the result with it.

A run loads the version (and the version holding the reference alias) through ``mlflow.pyfunc``, merges the policy
layers, runs the pure suite, and records the report as an MLflow run in the experiment ``maestro-model-tests``
(metrics, params for the thresholds, ``report.json``/``report.html``/``junit.xml``). The version gets tags with the
verdict, the time, the failed checks and the run, plus ``maestro.metric.test_*`` headline metrics so that the
version comparison shows test results side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from traitlets.config import LoggingConfigurable

from .. import naming
from .. import tagkeys as tk
from ..contract import rules as v
from ..contract.base import Actor, Document
from ..contract.sources import read_policy_file, read_table
from ..errors import InvalidParameter, NotFound
from ..settings import Settings

if TYPE_CHECKING:
    from ..analysis.modeltests import TestHistory, TestPolicy, TestReport, TestRunSummary
    from ..backends.mlflow_models import ModelLoader
    from ..backends.mlflow_registry import MlflowRegistry
    from ..contract.tests import (
        GetTestOverview,
        GetTestPolicy,
        GetTestReport,
        GetTestReportFile,
        ListTestRuns,
        RunModelTests,
    )
    from .data import DataService
    from .gate import PromotionGate
    from .registry import RegistryService

TESTS_EXPERIMENT = "maestro-model-tests"
REPORT_DIR = "maestro_tests"
REPORT_FILES = {
    "json": ("report.json", "application/json"),
    "html": ("report.html", "text/html"),
    "junit": ("junit.xml", "application/xml"),
}
#: Report metrics copied to ``maestro.metric.test_*`` version tags for the comparison view.
HEADLINE_METRICS = (
    "accuracy",
    "f1",
    "roc_auc",
    "log_loss",
    "rmse",
    "mae",
    "r2",
    "latency_p95_ms",
    "throughput_rows_per_s",
)
_UNSET: Any = object()


class ModelTestService(LoggingConfigurable):  # type: ignore[misc]
    """Run, read and list model tests.

    Contract: a bad policy or data raises ``InvalidParameter``; an unknown model, version or alias ``NotFound``.
    A request's file paths are read as given (the REST handler confines them to the Jupyter root first). A model
    that fails on the data is a failed check in the report, never an exception. Runs are recorded as the request's
    actor. Blocking.
    """

    def __init__(
        self,
        backend: MlflowRegistry,
        registry: RegistryService,
        data: DataService,
        gate: PromotionGate,
        settings: Settings,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.registry = registry
        self.data = data
        self.gate = gate
        self.settings = settings
        self._loader: ModelLoader | None = None

    @property
    def loader(self) -> ModelLoader:
        if self._loader is None:
            from ..backends.mlflow_models import ModelLoader

            self._loader = ModelLoader(self.backend)
        return self._loader

    # --- policy ----------------------------------------------------------------------------------------------------

    def policy(self, request: GetTestPolicy, actor: Actor) -> TestPolicy:
        """The policy a test of the model would use now: defaults, the team file, the model's tags, then the
        request's ``policy``."""
        return self.effective_policy(request.name, request.policy)

    def effective_policy(
        self,
        name: str,
        policy: Mapping[str, Any] | str | Path | None = None,
        *,
        thresholds: Mapping[str, Any] | None = None,
        sensitive: Sequence[str] | None = None,
        slices: Sequence[str] | None = None,
        reference_alias: str | None = _UNSET,
    ) -> TestPolicy:
        """The effective policy for a model: defaults, the team file, the model's tags, ``policy`` (a mapping or a
        policy file's path), then the explicit arguments (later wins)."""
        from ..analysis.modeltests import PolicyError, merge_layers
        from ..analysis.modeltests.policy import policy_from_tags

        try:
            team = self._policy_file(self.settings.test_policy) if self.settings.test_policy else {}
            model_tags = self.backend.get_model_summary(v.name(name)).tags
            layers: list[Mapping[str, Any] | None] = [
                team,
                policy_from_tags(model_tags, "maestro.tests.", tk.TESTS_POLICY),
                policy if isinstance(policy, Mapping) else self._policy_file(policy) if policy else None,
            ]
            explicit: dict[str, Any] = {}
            if thresholds:
                explicit["thresholds"] = dict(thresholds)
            if sensitive is not None:
                explicit["sensitive"] = _names(sensitive, "sensitive")
            if slices is not None:
                explicit["slices"] = _names(slices, "slices")
            if reference_alias is not _UNSET:
                explicit["reference_alias"] = v.alias(reference_alias) if reference_alias else None
            return merge_layers(*layers, explicit)
        except PolicyError as exc:
            raise InvalidParameter(f"Test policy: {exc}") from None

    def _policy_file(self, path: str | Path) -> dict[str, Any]:
        return read_policy_file(path)

    # --- running ---------------------------------------------------------------------------------------------------

    def run(self, request: RunModelTests, actor: Actor) -> TestReport:
        """Test a version (``version``, else the one ``alias`` names, else the newest) on the request's data whose
        ``target`` column holds the truth; with ``record``, keep the report with it."""
        from ..analysis.modeltests import SuiteInputError, run_suite

        name, target = request.name, request.target
        resolved = self.registry.resolve_version(name, version=request.version, alias=request.alias)
        effective = self.effective_policy(
            name,
            request.policy if request.policy is not None else request.policy_path,
            thresholds=request.thresholds,
            sensitive=request.sensitive,
            slices=request.slices,
            reference_alias=request.reference_alias,
        )
        frame, _label = read_table(request.data if request.data is not None else request.path)
        signature, _flavors = self.backend.model_info(name, resolved)
        model = self._under_test(name, resolved, signature.inputs if signature else None)
        reference = None
        if effective.reference_alias:
            try:
                ref_version = self.backend.get_version_by_alias(name, effective.reference_alias).version
            except NotFound:
                ref_version = None
            if ref_version is not None and ref_version != resolved:
                ref_sig, _ = self.backend.model_info(name, ref_version)
                ref_model = self._under_test(name, ref_version, ref_sig.inputs if ref_sig else None)
                reference = (effective.reference_alias, ref_version, ref_model)
            elif ref_version == resolved:
                effective = effective.model_copy(update={"reference_alias": None})  # it is the reference itself
        try:
            report = run_suite(
                model,
                frame,
                target,
                effective,
                name=name,
                version=resolved,
                reference=reference,
                ran_by=actor.user,
            )
        except SuiteInputError as exc:
            raise InvalidParameter(str(exc)) from None
        return self._record(report) if request.record else report

    def _under_test(self, name: str, version: str, inputs: list[dict[str, Any]] | None) -> Any:
        from ..analysis.modeltests import ModelUnderTest

        loaded = self.loader.load(name, version)
        return ModelUnderTest(
            predict=loaded.pyfunc.predict, predict_proba=loaded.predict_proba, classes=loaded.classes, inputs=inputs
        )

    def _record(self, report: TestReport) -> TestReport:
        from ..backends.mlflow_models import record_run

        tags = {
            tk.TESTS_MODEL: report.name,
            tk.TESTS_VERSION: report.version,
            tk.TESTS_VERDICT: report.verdict,
            tk.TESTS_RAN_BY: report.ran_by or "",
            tk.TESTS_FAILED: ",".join(report.failed_checks())[:5000],
            "mlflow.user": report.ran_by or "",
            "mlflow.note.content": f"Model tests of {report.name} v{report.version}: {report.verdict}",
        }
        params = {f"threshold.{k}": str(t) for k, t in _thresholds(report).items()}
        params.update({"task": report.task, "rows": str(report.rows), "target": report.target})
        if report.reference is not None:
            params["reference"] = f"{report.reference.alias} v{report.reference.version}"
        metrics = {**report.metrics, **{f"checks_{k}": float(n) for k, n in report.summary.model_dump().items()}}

        def files(run_id: str) -> dict[str, bytes]:
            stored = report.model_copy(update={"run_id": run_id})
            return {
                "report.json": stored.to_json().encode(),
                "report.html": stored.to_html().encode(),
                "junit.xml": stored.to_junit_xml().encode(),
            }

        run_id = record_run(
            self.backend,
            TESTS_EXPERIMENT,
            f"{report.name} v{report.version}",
            tags=tags,
            params=params,
            metrics=metrics,
            files=files,
            artifact_dir=REPORT_DIR,
        )
        report = report.model_copy(update={"run_id": run_id})
        version_tags = {
            tk.TESTS_VERDICT: report.verdict,
            tk.TESTS_RAN_AT: report.ran_at,
            tk.TESTS_REPORT: f"{REPORT_DIR}/report.json",
            tk.TESTS_RUN_ID: run_id,
            tk.TESTS_FAILED: tags[tk.TESTS_FAILED],
        }
        for metric in HEADLINE_METRICS:
            if metric in report.metrics:
                version_tags[f"{tk.METRIC_PREFIX}test_{metric}"] = f"{report.metrics[metric]:.6g}"
        for key, value in version_tags.items():
            self.backend.set_version_tag(report.name, report.version, key, value)
        return report

    # --- reading ---------------------------------------------------------------------------------------------------

    def latest(self, request: GetTestReport, actor: Actor) -> TestReport | None:
        """The version's latest recorded report (``None`` if it was never tested)."""
        name = request.name
        resolved = self.registry.resolve_version(name, version=request.version, alias=request.alias)
        return self._latest(name, resolved, self.backend.get_version(name, resolved).tags)

    def _latest(self, name: str, version: str, tags: Mapping[str, str]) -> TestReport | None:
        from ..analysis.modeltests import TestReport

        text = self._report_text(tags, "json")
        if text is None:
            return None
        try:
            return TestReport.model_validate_json(text)
        except ValueError:
            self.log.warning("Unreadable test report of %s v%s", name, version)
            return None

    def history(self, request: ListTestRuns, actor: Actor) -> list[TestRunSummary]:
        """Recorded test runs of a model (or of one version), newest first."""
        return self._history(request.name, request.version, request.max_results)

    def _history(self, name: str, version: str | None, max_results: int = 100) -> list[TestRunSummary]:
        from ..analysis.modeltests import TestRunSummary
        from ..backends.mlflow_models import find_runs

        wanted = {tk.TESTS_MODEL: v.name(name)}
        if version is not None:
            wanted[tk.TESTS_VERSION] = v.version(version)
        runs = find_runs(self.backend, TESTS_EXPERIMENT, wanted, v.page_size(max_results))
        found = []
        for run in runs:
            verdict = run.tags.get(tk.TESTS_VERDICT)
            if verdict != "passed" and verdict != "failed":
                continue
            found.append(
                TestRunSummary(
                    run_id=run.run_id,
                    version=run.tags.get(tk.TESTS_VERSION, ""),
                    verdict="passed" if verdict == "passed" else "failed",
                    ran_at=_iso(run.start_time),
                    ran_by=run.tags.get(tk.TESTS_RAN_BY) or run.user or None,
                    passed=int(run.metrics.get("checks_passed", 0)),
                    failed=int(run.metrics.get("checks_failed", 0)),
                    skipped=int(run.metrics.get("checks_skipped", 0)),
                    failed_checks=[c for c in run.tags.get(tk.TESTS_FAILED, "").split(",") if c],
                    metrics={k: val for k, val in run.metrics.items() if not k.startswith("checks_")},
                )
            )
        return found

    def overview(self, request: GetTestOverview, actor: Actor) -> TestHistory:
        """The latest report, the run history and the gate overrides of one version."""
        from ..analysis.modeltests import TestHistory

        name, version = request.name, request.version
        tags = self.backend.get_version(name, version).tags  # read once: the report (and older overrides) are tags
        return TestHistory(
            name=name,
            version=version,
            latest=self._latest(name, version, tags),
            history=self._history(name, version),
            overrides=self.gate.overrides(name, version, tags),
        )

    def report_file(self, request: GetTestReportFile, actor: Actor) -> Document:
        """The latest report as stored: ``json``, ``html`` or ``junit``."""
        name, version, fmt = request.name, request.version, request.format
        text = self._report_text(self.backend.get_version(name, version).tags, fmt)
        if text is None:
            raise NotFound(f"Version {version} of {name!r} has no test report yet")
        file_name, media_type = REPORT_FILES[fmt]
        return Document(text.encode(), media_type, f"{naming.file_safe(name)}-v{version}-tests-{file_name}")

    def _report_text(self, tags: Mapping[str, str], fmt: str) -> str | None:
        """A stored report file of the test run the version's ``tags`` name (``None``: no report)."""
        run_id = tags.get(tk.TESTS_RUN_ID)
        if not run_id:
            return None
        try:
            uri = self.backend.run_artifact_uri(run_id, f"{REPORT_DIR}/{REPORT_FILES[fmt][0]}")
        except NotFound:  # the test run was deleted
            return None
        return self.backend.read_text(uri)


def _names(values: Sequence[str], what: str) -> list[str]:
    if isinstance(values, str):
        values = [part.strip() for part in values.split(",")]
    names = [str(x) for x in values if str(x).strip()]
    if len(names) > 100:
        raise InvalidParameter(f"{what}: at most 100 columns")
    return names


def _thresholds(report: TestReport) -> dict[str, str]:
    return {k: f"{t['op']} {t['value']:g}" for k, t in (report.policy.get("thresholds") or {}).items() if t}


def _iso(millis: int | None) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp((millis or 0) / 1000, UTC).isoformat(timespec="seconds")
