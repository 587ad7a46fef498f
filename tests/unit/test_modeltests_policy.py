"""The test policy: threshold syntax, defaults, and how layers merge."""

from __future__ import annotations

import pytest

from maestro_jupyter.analysis.modeltests import DEFAULT_THRESHOLDS, PolicyError, Threshold, merge_layers
from maestro_jupyter.analysis.modeltests.policy import parse_policy_text, policy_from_tags


@pytest.mark.parametrize(
    ("metric", "spec", "op", "value"),
    [
        ("accuracy", "> 0.85", ">", 0.85),
        ("accuracy", "0.9", ">", 0.9),  # a bare number takes the default's direction
        ("latency_p95_ms", 50, "<", 50.0),
        ("log_loss", "0.3", "<", 0.3),  # lower is better for losses
        ("my_custom_score", 3, ">", 3.0),
        ("rmse", "<=1e3", "<=", 1000.0),
        ("roc_auc", {"op": ">=", "value": 0.7}, ">=", 0.7),
    ],
)
def test_threshold_syntax(metric, spec, op, value):
    threshold = Threshold.parse(metric, spec)
    assert (threshold.op, threshold.value) == (op, value)


@pytest.mark.parametrize("spec", ["> high", "=> 1", True, [1], "nan", ""])
def test_bad_thresholds_name_the_metric(spec):
    with pytest.raises(PolicyError, match="accuracy"):
        Threshold.parse("accuracy", spec)


def test_strict_and_inclusive_comparisons():
    assert not Threshold.parse("accuracy", "> 0.85").holds(0.85)
    assert Threshold.parse("accuracy", ">= 0.85").holds(0.85)
    assert Threshold.parse("latency_p95_ms", "< 100").holds(99.9)
    assert not Threshold.parse("latency_p95_ms", "< 100").holds(float("nan"))


def test_defaults_are_the_seeded_ones():
    policy = merge_layers()
    assert str(policy.threshold("accuracy")) == "> 0.85"
    assert str(policy.threshold("latency_p95_ms")) == "< 100"
    assert str(policy.threshold("demographic_parity_difference[sex]")) == "< 0.1"
    assert str(policy.threshold("gaussian_noise.flip_rate")) == "< 0.1"
    assert set(DEFAULT_THRESHOLDS) <= set(policy.thresholds)


def test_later_layers_win_field_by_field():
    team = {"thresholds": {"accuracy": 0.9, "f1": 0.8}, "latency": {"samples": 50}}
    model = {"thresholds": {"accuracy": 0.95}}
    call = {"thresholds": {"f1": None}, "latency": {"warmup": 2}}
    policy = merge_layers(team, model, call)
    assert str(policy.threshold("accuracy")) == "> 0.95"
    assert policy.threshold("f1") is None  # switched off by the last layer
    assert (policy.latency.samples, policy.latency.warmup) == (50, 2)  # nested sections merge too
    assert str(policy.threshold("latency_p95_ms")) == "< 100"  # untouched default


def test_a_check_specific_threshold_beats_its_metric():
    policy = merge_layers({"thresholds": {"accuracy[sex=f]": 0.7}})
    assert str(policy.threshold("accuracy[sex=f]")) == "> 0.7"
    assert str(policy.threshold("accuracy[sex=m]")) == "> 0.85"


def test_model_tags_make_a_layer():
    tags = {
        "maestro.tests.policy": "thresholds:\n  accuracy: 0.97\nsensitive: [sex]\n",
        "maestro.tests.threshold.latency_p95_ms": "< 20",
        "maestro.tests.threshold.demographic_parity_ratio": "off",
        "team": "risk",
    }
    policy = merge_layers(policy_from_tags(tags, "maestro.tests.", "maestro.tests.policy"))
    assert str(policy.threshold("accuracy")) == "> 0.97"
    assert str(policy.threshold("latency_p95_ms")) == "< 20"
    assert policy.threshold("demographic_parity_ratio") is None
    assert policy.sensitive == ["sex"]


@pytest.mark.parametrize(
    ("layer", "match"),
    [
        ({"checks": ["speed"]}, "checks"),
        ({"latency": {"samples": 1}}, "latency.samples"),
        ({"unknown_knob": 1}, "unknown_knob"),
        ({"thresholds": ["accuracy"]}, "thresholds"),
    ],
)
def test_bad_policies_say_where(layer, match):
    with pytest.raises(PolicyError, match=match):
        merge_layers(layer)


def test_yaml_errors_are_one_line():
    with pytest.raises(PolicyError, match=r"team.yaml: not valid YAML \(line \d+\)"):
        parse_policy_text("thresholds:\n  accuracy: [0.9\n", "team.yaml")
    with pytest.raises(PolicyError, match="expected a mapping"):
        parse_policy_text("- accuracy\n", "team.yaml")
    assert parse_policy_text("", "empty.yaml") == {}
