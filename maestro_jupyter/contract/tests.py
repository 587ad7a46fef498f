"""Requests about model tests and the promotion gate.

A test run names a version (``version``, else the one ``alias`` names, else the newest) and its data: a frame
(``data``: the SDK reads a file the user named in the kernel) or a ``path`` under the Jupyter root (REST).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Self

from pydantic import BeforeValidator, Field, model_validator

from ..errors import InvalidParameter
from . import rules
from .base import Document, Lazy, Request
from .cards import Alias, ModelName, Version
from .data import DataRequest

REPORT_FORMATS = ("json", "html", "junit")
MAX_COLUMNS = 100


def _test_report() -> Any:
    from ..analysis.modeltests import TestReport

    return TestReport


def _test_report_or_none() -> Any:
    from ..analysis.modeltests import TestReport

    return TestReport | None


def _run_summaries() -> Any:
    from ..analysis.modeltests import TestRunSummary

    return list[TestRunSummary]


def _test_policy() -> Any:
    from ..analysis.modeltests import TestPolicy

    return TestPolicy


def _test_history() -> Any:
    from ..analysis.modeltests import TestHistory

    return TestHistory


def _columns(what: str) -> BeforeValidator:
    """Column names: a list, or one comma-separated string; blanks dropped."""

    def check(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",")]
        if not isinstance(value, list | tuple):
            return value  # the type check says what is wrong
        names = [str(x) for x in value if str(x).strip()]
        if len(names) > MAX_COLUMNS:
            raise InvalidParameter(f"{what}: at most {MAX_COLUMNS} columns")
        return names

    return BeforeValidator(check)


def _target(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        raise InvalidParameter("target: name the column that holds the true labels or values")
    return value


def _reference(value: Any) -> Any:
    return rules.alias(value) if value else None


Policy = Annotated[
    dict[str, Any] | None, Field(description="A test policy (the YAML file's shape): thresholds, checks, knobs")
]


class RunModelTests(DataRequest):
    """Test a version on data whose ``target`` column holds the truth: the data contract, performance (per slice
    too, and no regression against the version holding ``reference_alias``), latency, fairness across
    ``sensitive`` columns and robustness. Thresholds come from the defaults, the team policy, the model's
    ``maestro.tests.*`` tags, ``policy`` (or ``policy_path``) and ``thresholds``, later winning. With ``record``,
    the report is kept with the version."""

    operation: ClassVar[str] = "tests.run"
    result: ClassVar[Any] = Lazy(_test_report)

    name: ModelName
    version: Version = None
    alias: Alias = None
    target: Annotated[str, BeforeValidator(_target)] = Field(
        max_length=1000, description="The column holding the true labels or values"
    )
    sensitive: Annotated[list[str] | None, _columns("sensitive")] = Field(default=None, max_length=MAX_COLUMNS)
    slices: Annotated[list[str] | None, _columns("slices")] = Field(default=None, max_length=MAX_COLUMNS)
    policy: Policy = None
    policy_path: str | None = Field(default=None, max_length=4096, description="A YAML policy under the root")
    thresholds: dict[str, str | float | None] | None = Field(default=None, description='e.g. {"accuracy": "> 0.9"}')
    reference_alias: Annotated[str | None, BeforeValidator(_reference)] = Field(
        default="champion", max_length=256, description="Compare with the version holding this alias (null: none)"
    )
    record: bool = True

    @model_validator(mode="after")
    def _one_policy(self) -> Self:
        if self.policy is not None and self.policy_path is not None:
            raise InvalidParameter("Give policy or policy_path, not both")
        return self


class GetTestReport(Request):
    """The latest recorded report of a version (``null`` if it was never tested)."""

    operation: ClassVar[str] = "tests.latest"
    result: ClassVar[Any] = Lazy(_test_report_or_none)

    name: ModelName
    version: Version = None
    alias: Alias = None


class GetTestOverview(Request):
    """A version's latest report, its recorded test runs and the gate overrides it received."""

    operation: ClassVar[str] = "tests.overview"
    result: ClassVar[Any] = Lazy(_test_history)

    name: ModelName
    version: Annotated[str, BeforeValidator(rules.version)]


class GetTestReportFile(Request):
    """The latest report of a version as stored: ``json``, ``html`` or ``junit`` (XML)."""

    operation: ClassVar[str] = "tests.report_file"
    result: ClassVar[Any] = Document

    name: ModelName
    version: Annotated[str, BeforeValidator(rules.version)]
    format: str = Field(default="json", json_schema_extra={"enum": list(REPORT_FORMATS)})

    @model_validator(mode="before")
    @classmethod
    def _format(cls, data: Any) -> Any:
        if isinstance(data, dict) and "format" in data:
            fmt = str(data["format"] or "json").lower()
            if fmt not in REPORT_FORMATS:
                raise InvalidParameter(f"format must be one of {', '.join(REPORT_FORMATS)}, not {data['format']!r}")
            data = {**data, "format": fmt}
        return data


class ListTestRuns(Request):
    """Recorded test runs of a model, or of one version, newest first."""

    operation: ClassVar[str] = "tests.history"
    result: ClassVar[Any] = Lazy(_run_summaries)

    name: ModelName
    version: Version = None
    max_results: Annotated[int, BeforeValidator(rules.page_size)] = Field(default=100, ge=1, le=rules.MAX_PAGE)


class GetTestPolicy(Request):
    """The policy a test of ``name`` would use now: the defaults, the team policy, the model's tags, then
    ``policy``."""

    operation: ClassVar[str] = "tests.policy"
    result: ClassVar[Any] = Lazy(_test_policy)

    name: ModelName
    policy: Policy = None
