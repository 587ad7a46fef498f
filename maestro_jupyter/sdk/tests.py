"""Automated model tests and the promotion gate: ``ml.tests``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..contract.sources import read_policy_file
from ..contract.tests import GetTestPolicy, GetTestReport, ListTestRuns, RunModelTests
from ..entities import (
    GateDecision,
)
from .data import read_frame

if TYPE_CHECKING:
    from ..analysis.modeltests import TestPolicy, TestReport, TestRunSummary
    from .transport import Transport


class TestsAPI:
    """Automated model tests and the promotion gate: ``ml.tests``."""

    __test__ = False  # not a pytest test class

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def run(
        self,
        name: str,
        data: Any,
        target: str,
        *,
        version: int | str | None = None,
        alias: str | None = None,
        sensitive: Sequence[str] | None = None,
        slices: Sequence[str] | None = None,
        policy: Mapping[str, Any] | str | Path | None = None,
        thresholds: Mapping[str, Any] | None = None,
        reference: str | None = "champion",
        record: bool = True,
    ) -> TestReport:
        """Test a version on ``data`` (a DataFrame or CSV/Parquet path) whose ``target`` column holds the truth.

        Checks the data contract, performance (per ``slices`` too, and no regression against the version holding
        the ``reference`` alias), latency, fairness across ``sensitive`` columns and robustness. Thresholds come
        from the defaults, ``MAESTRO_TEST_POLICY``, the model's ``maestro.tests.*`` tags, ``policy`` (a mapping or a
        YAML file) and ``thresholds`` (e.g. ``{"accuracy": 0.9, "latency_p95_ms": "< 50"}``), later winning. With
        ``record`` (default) the report is kept with the version: verdict tags, metrics, HTML and JUnit files.
        """
        request = RunModelTests.build(
            name=name,
            version=version,
            alias=alias,
            target=target,
            sensitive=sensitive,
            slices=slices,
            policy=_policy(policy),
            thresholds=dict(thresholds) if thresholds else None,
            reference_alias=reference,
            record=record,
            data=read_frame(data)[0],
        )
        from .progress import Progress

        what = f"{name} v{version}" if version is not None else f"{name}@{alias}" if alias else name
        with Progress(f"Testing {what}"):
            return self._transport.call(request)  # type: ignore[no-any-return]

    def get(self, name: str, *, version: int | str | None = None, alias: str | None = None) -> TestReport | None:
        """The latest recorded report of a version (``None`` if it was never tested)."""
        return self._transport.call(GetTestReport.build(name=name, version=version, alias=alias))  # type: ignore[no-any-return]

    def history(self, name: str, *, version: int | str | None = None, max_results: int = 100) -> list[TestRunSummary]:
        """Recorded test runs of a model, or of one version, newest first."""
        request = ListTestRuns.build(name=name, version=version, max_results=max_results)
        return self._transport.call(request)  # type: ignore[no-any-return]

    def policy(self, name: str, policy: Mapping[str, Any] | str | Path | None = None) -> TestPolicy:
        """The policy a test of ``name`` would use now (defaults, team file, model tags, then ``policy``)."""
        return self._transport.call(GetTestPolicy.build(name=name, policy=_policy(policy)))  # type: ignore[no-any-return]

    def gate(self, name: str, *, version: int | str | None = None, alias: str | None = None) -> GateDecision:
        """Whether the version may be promoted to a gated alias or deployed now, and why not."""
        from ..contract.registry import GetGateDecision

        decision: GateDecision = self._transport.call(GetGateDecision.build(name=name, version=version, alias=alias))
        return decision


def _policy(policy: Mapping[str, Any] | str | Path | None) -> dict[str, Any] | None:
    """A policy as a mapping: a YAML (or JSON) file the user named is read here, in the kernel."""
    if policy is None or isinstance(policy, Mapping):
        return dict(policy) if policy is not None else None
    if isinstance(policy, str | Path):
        return read_policy_file(policy) if str(policy) else None
    return policy  # type: ignore[return-value]  # the request model says what is wrong with it
