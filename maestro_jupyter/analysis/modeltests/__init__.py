"""Automated model tests: data contract, performance (per slice, against a reference), latency, fairness
(fairlearn) and robustness, judged against a layered policy. Pure: the service loads models and records reports."""

from .policy import DEFAULT_THRESHOLDS, PolicyError, TestPolicy, Threshold, merge_layers, parse_policy_text
from .report import Check, Evidence, TestHistory, TestReport, TestRunSummary
from .suite import ModelUnderTest, SuiteInputError, run_suite

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Check",
    "Evidence",
    "ModelUnderTest",
    "PolicyError",
    "SuiteInputError",
    "TestHistory",
    "TestPolicy",
    "TestReport",
    "TestRunSummary",
    "Threshold",
    "merge_layers",
    "parse_policy_text",
    "run_suite",
]
