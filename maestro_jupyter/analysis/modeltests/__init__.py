"""Automated model tests: data contract, performance (per slice, against a reference), latency, fairness
(fairlearn) and robustness, judged against a layered policy. Pure: the service loads models and records reports.

The check families are a registry (:mod:`.registry`): a plugin adds one with a :class:`CheckFamily` subclass and an
entry point in the group ``maestro_jupyter.model_checks``."""

from .families import SuiteContext
from .policy import DEFAULT_THRESHOLDS, PolicyError, TestPolicy, Threshold, merge_layers, parse_policy_text
from .registry import CheckFamily, family_names
from .report import Check, Evidence, TestHistory, TestReport, TestRunSummary
from .suite import ModelUnderTest, SuiteInputError, run_suite

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Check",
    "CheckFamily",
    "Evidence",
    "ModelUnderTest",
    "PolicyError",
    "SuiteContext",
    "SuiteInputError",
    "TestHistory",
    "TestPolicy",
    "TestReport",
    "TestRunSummary",
    "Threshold",
    "family_names",
    "merge_layers",
    "parse_policy_text",
    "run_suite",
]
