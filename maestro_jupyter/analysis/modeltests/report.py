"""A model test report: what each check measured and decided, and its renderings (JSON, JUnit XML, HTML)."""

from __future__ import annotations

import json
import math
from typing import Any, Literal
from xml.etree import ElementTree as ET

from pydantic import BaseModel, Field

from ...entities import GateOverride

Status = Literal["passed", "failed", "skipped"]
Verdict = Literal["passed", "failed"]


class Evidence(BaseModel):
    """A small table backing a check: per-group rates, per-class values, offending columns."""

    columns: list[str]
    rows: list[list[str | float | int | bool | None]]


class Check(BaseModel):
    """One check: its measured ``value`` against ``threshold``, the ``status`` that follows, and the evidence."""

    name: str
    #: The family that made it (``contract``, ``performance``... or a plugin's name).
    category: str
    status: Status
    value: float | None = None
    threshold: str | None = None
    detail: str | None = None
    evidence: Evidence | None = None
    #: The family's label, what the report and the sidebar title the category with (``None`` in reports recorded
    #: before checks carried it: readers fall back on the category).
    label: str | None = None


class Reference(BaseModel):
    """The version the tested one was compared with."""

    alias: str
    version: str


class Summary(BaseModel):
    passed: int = 0
    failed: int = 0
    skipped: int = 0


class TestReport(BaseModel):
    """The result of running the test suite on one model version."""

    __test__ = False  # not a pytest test class

    name: str
    version: str
    verdict: Verdict
    ran_at: str
    ran_by: str | None = None
    duration_seconds: float = 0.0
    run_id: str | None = Field(default=None, description="The MLflow run holding this report, once recorded")
    task: Literal["classification", "regression"]
    rows: int
    target: str
    sensitive: list[str] = Field(default_factory=list)
    slices: list[str] = Field(default_factory=list)
    reference: Reference | None = None
    summary: Summary
    checks: list[Check]
    metrics: dict[str, float] = Field(default_factory=dict, description="Every number measured, by metric key")
    policy: dict[str, Any] = Field(default_factory=dict, description="The effective policy")
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds each category took")

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    def failed_checks(self) -> list[str]:
        return [c.name for c in self.checks if c.status == "failed"]

    def check(self, name: str) -> Check:
        """The check named ``name`` (``KeyError`` if it did not run)."""
        for found in self.checks:
            if found.name == name:
                return found
        raise KeyError(name)

    # --- renderings ------------------------------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=1, allow_nan=False)

    def to_junit_xml(self) -> str:
        """JUnit XML, one ``testcase`` per check (``classname`` = category), for CI dashboards."""
        suite = ET.Element(
            "testsuite",
            name=f"maestro model tests: {self.name} v{self.version}",
            tests=str(len(self.checks)),
            failures=str(self.summary.failed),
            skipped=str(self.summary.skipped),
            errors="0",
            time=f"{self.duration_seconds:.3f}",
            timestamp=self.ran_at,
        )
        props = ET.SubElement(suite, "properties")
        for key, value in (("model", self.name), ("version", self.version), ("verdict", self.verdict)):
            ET.SubElement(props, "property", name=key, value=value)
        for check in self.checks:
            case = ET.SubElement(suite, "testcase", classname=check.category, name=check.name, time="0")
            message = _describe(check)
            if check.status == "failed":
                ET.SubElement(case, "failure", message=message, type="ThresholdNotMet").text = check.detail or message
            elif check.status == "skipped":
                ET.SubElement(case, "skipped", message=check.detail or "skipped")
            else:
                ET.SubElement(case, "system-out").text = message
        root = ET.Element("testsuites", name="maestro", tests=suite.get("tests", "0"))
        root.append(suite)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    def to_html(self, standalone: bool = True) -> str:
        """A self-contained HTML report (no scripts): the verdict first, then every check by category."""
        from .render import render_html

        return render_html(self, standalone)

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "text/plain": str(self)}

    def __str__(self) -> str:
        head = (
            f"Model tests {self.name} v{self.version}: {self.verdict.upper()} "
            f"({self.summary.passed} passed, {self.summary.failed} failed, {self.summary.skipped} skipped)"
        )
        lines = [head]
        for check in self.checks:
            text = f"{check.name}: {check.detail}" if check.status == "skipped" else _describe(check)
            lines.append(f"  [{check.status:7}] {check.category:11} {text}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


class TestRunSummary(BaseModel):
    """One recorded test run, for the history."""

    __test__ = False

    run_id: str
    version: str
    verdict: Verdict
    ran_at: str
    ran_by: str | None = None
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failed_checks: list[str] = Field(default_factory=list)
    metrics: dict[str, float] = Field(default_factory=dict)


class TestRunList(BaseModel):
    """A model's recorded test runs, newest first."""

    __test__ = False

    name: str
    runs: list[TestRunSummary]


class TestHistory(BaseModel):
    """A version's latest report and every recorded run, newest first."""

    __test__ = False

    name: str
    version: str
    latest: TestReport | None = None
    history: list[TestRunSummary] = Field(default_factory=list)
    #: Promotions that went through the gate despite the tests, oldest first.
    overrides: list[GateOverride] = Field(default_factory=list)


def status_of(ok: bool) -> Status:
    return "passed" if ok else "failed"


def summarize(checks: list[Check]) -> tuple[Verdict, Summary]:
    """The verdict: failed if any check failed, or if none passed (a run that checked nothing proves nothing)."""
    summary = Summary(
        passed=sum(c.status == "passed" for c in checks),
        failed=sum(c.status == "failed" for c in checks),
        skipped=sum(c.status == "skipped" for c in checks),
    )
    return ("passed" if summary.failed == 0 and summary.passed > 0 else "failed"), summary


def format_value(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if value == int(value) and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.4g}"


def _describe(check: Check) -> str:
    """One line for a check: its value against its threshold, or (a check that measured nothing, as when the model
    raised) what happened, so that a failure names its cause wherever the report is read."""
    if check.value is None and check.detail:
        return f"{check.name}: {check.detail}"
    text = f"{check.name} = {format_value(check.value)}"
    if check.threshold:
        text += f" (threshold {check.threshold})"
    return text
