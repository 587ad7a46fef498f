"""The test policy: which checks run, their thresholds and knobs, and how layered policies merge.

A policy is plain data (YAML or JSON, the same shape as :class:`TestPolicy`). Layers merge in order, later winning:
the built-in defaults, a team policy file, the model's registry tags, the policy given with the call, and the call's
``thresholds``. A threshold is ``"> 0.85"``, ``"<= 100"`` or a bare number (its direction then comes from the
metric: losses, errors, latencies, differences and rates must stay below it, everything else above it); ``null``
switches a threshold off.

A check family from a plugin (see :mod:`.registry`) takes its options under its own name, as the built-in ``latency``
and ``robustness`` do, and runs by default once the policy gives it options::

    prediction_range: {low: 0, high: 1}   # validated by the family's options_model; and added to the default checks
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .registry import CheckFamilyError, builtin_names, family_names, get_family

#: The built-in families, as a default policy's ``checks`` lists them (the order a run that cannot go on reports them
#: skipped in; families always run in the registry's order).
CATEGORIES = ("contract", "performance", "latency", "fairness", "robustness")
PERTURBATIONS = ("gaussian_noise", "category_swap", "missing_values")

#: The defaults every team starts from; the issue that introduced the gate set the first four.
DEFAULT_THRESHOLDS: dict[str, str] = {
    "accuracy": "> 0.85",
    "latency_p95_ms": "< 100",
    "demographic_parity_difference": "< 0.1",
    "equalized_odds_difference": "< 0.1",
    # The "four-fifths rule" of US employment law, the usual reading of a parity ratio.
    "demographic_parity_ratio": ">= 0.8",
    "flip_rate": "< 0.1",
    "metric_drop": "< 0.05",
}

_LOWER_IS_BETTER = re.compile(r"(loss|rmse|mae|error|latency|_ms$|difference|flip_rate|metric_drop)")
_THRESHOLD = re.compile(r"^\s*(>=|<=|>|<)?\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


class PolicyError(ValueError):
    """A policy that cannot be used; the message says which field and why."""


class Threshold(BaseModel):
    """``value`` must satisfy ``op``: the check passes when ``measured op value``."""

    model_config = ConfigDict(frozen=True)

    op: Literal[">", ">=", "<", "<="]
    value: float

    @classmethod
    def parse(cls, metric: str, spec: Any) -> Threshold:
        """``"> 0.85"``, ``"<=100"``, ``0.9`` or ``{"op": ">", "value": 0.9}``."""
        if isinstance(spec, Threshold):
            return spec
        if isinstance(spec, Mapping):
            return cls.model_validate(spec)
        if isinstance(spec, bool) or not isinstance(spec, (int, float, str)):
            raise PolicyError(f"thresholds.{metric}: expected e.g. '> 0.85' or a number, not {spec!r}")
        match = _THRESHOLD.match(str(spec))
        if match is None:
            raise PolicyError(f"thresholds.{metric}: expected e.g. '> 0.85' or a number, not {spec!r}")
        value = float(match.group(2))
        if not math.isfinite(value):
            raise PolicyError(f"thresholds.{metric}: the value must be finite")
        return cls(op=match.group(1) or default_op(metric), value=value)  # type: ignore[arg-type]

    def holds(self, measured: float) -> bool:
        if measured is None or not math.isfinite(measured):
            return False
        return {
            ">": measured > self.value,
            ">=": measured >= self.value,
            "<": measured < self.value,
            "<=": measured <= self.value,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


def default_op(metric: str) -> str:
    """The direction a bare-number threshold takes for ``metric``."""
    base = base_name(metric)
    if base in DEFAULT_THRESHOLDS:
        return DEFAULT_THRESHOLDS[base].split()[0]
    return "<" if _LOWER_IS_BETTER.search(base) else ">"


def base_name(check: str) -> str:
    """``accuracy[sex=f]`` -> ``accuracy``; ``gaussian_noise.flip_rate`` -> ``flip_rate``."""
    return check.split("[", 1)[0].rsplit(".", 1)[-1]


class LatencyPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    warmup: int = Field(default=10, ge=0, le=10_000, description="single-row calls before timing starts")
    samples: int = Field(default=100, ge=5, le=100_000, description="timed single-row calls")
    max_seconds: float = Field(default=10.0, gt=0, le=3600, description="stop timing single rows after this long")
    batch_size: int = Field(default=10_000, ge=1, le=10_000_000, description="rows per batch for the throughput")
    batch_repeats: int = Field(default=3, ge=1, le=100)


class RobustnessPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    noise_scale: float = Field(
        default=0.1, gt=0, le=10, description="Gaussian noise std as a share of each column's std"
    )
    swap_rate: float = Field(default=0.1, gt=0, le=1, description="share of rows with one category swapped for another")
    missing_rate: float = Field(default=0.1, gt=0, le=1, description="share of rows with one value set missing")
    max_rows: int = Field(default=20_000, ge=10, le=10_000_000, description="rows sampled for the perturbations")
    seed: int = 0
    judge_outside_contract: bool = Field(
        default=False,
        description="also judge missing values where the data contract allows none (columns the signature marks "
        "required); by default that probe is reported and not judged",
    )


class ContractPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow_extra_columns: bool = Field(
        default=False, description="columns the signature does not name are not a failure"
    )


class TestPolicy(BaseModel):
    """Everything that decides what a test run checks and what passes.

    Besides the fields below, a policy may hold one mapping per plugin check family, under the family's name: its
    options (:meth:`family_options`). Any other key is an error that lists the registered families.
    """

    __test__ = False  # not a pytest test class
    # Extra keys are the plugin families' options; ``_family_options`` refuses every other one.
    model_config = ConfigDict(extra="allow")

    task: Literal["auto", "classification", "regression"] = "auto"
    checks: list[str] = Field(
        default_factory=lambda: list(CATEGORIES),
        description="the check families to run; by default the built-ins and the plugin families given options",
    )
    thresholds: dict[str, Threshold | None] = Field(default_factory=dict)
    sensitive: list[str] = Field(default_factory=list, description="columns to measure fairness across")
    slices: list[str] = Field(default_factory=list, description="columns whose groups get their own metrics")
    min_slice_rows: int = Field(default=30, ge=1, description="smaller slices are reported, not checked")
    reference_alias: str | None = Field(default="champion", description="compare with the version holding this alias")
    regression_tolerance: float = Field(default=0.01, ge=0, le=1, description="relative worsening allowed vs reference")
    positive_label: str | int | float | bool | None = None
    latency: LatencyPolicy = Field(default_factory=lambda: LatencyPolicy())
    robustness: RobustnessPolicy = Field(default_factory=lambda: RobustnessPolicy())
    contract: ContractPolicy = Field(default_factory=lambda: ContractPolicy())

    @model_validator(mode="before")
    @classmethod
    def _family_options(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        extras = [key for key in data if key not in cls.model_fields]
        if not extras:
            return data
        registered = family_names()
        data = dict(data)
        for key in extras:
            if key not in registered:
                raise PolicyError(
                    f"{key}: neither a policy setting nor a check family; families: {', '.join(sorted(registered))}"
                )
            data[key] = _validated_options(str(key), data[key])
        if "checks" not in data:  # giving a plugin family options is asking for it to run
            data["checks"] = [*CATEGORIES, *(name for name in registered if name in extras)]
        return data

    @field_validator("checks")
    @classmethod
    def _known_families(cls, value: list[str]) -> list[str]:
        registered = family_names()
        unknown = [name for name in value if name not in registered]
        if unknown:
            raise PolicyError(
                f"checks: unknown check family {', '.join(map(repr, unknown))}; "
                f"registered: {', '.join(sorted(registered))}"
            )
        for name in value:  # a plugin that cannot load is said now, before the model and the data are loaded
            try:
                get_family(name)
            except CheckFamilyError as exc:
                raise PolicyError(f"checks: {exc}") from None
        return value

    @field_validator("thresholds", mode="before")
    @classmethod
    def _parse_thresholds(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise PolicyError("thresholds: expected a mapping of metric -> threshold")
        return {str(k): None if v is None else Threshold.parse(str(k), v) for k, v in value.items()}

    def threshold(self, check: str) -> Threshold | None:
        """The threshold of a check: its own (``accuracy[sex=f]``) if set, else its metric's (``accuracy``)."""
        for key in (check, check.split("[", 1)[0], base_name(check)):
            if key in self.thresholds:
                return self.thresholds[key]
        return None

    def runs(self, category: str) -> bool:
        return category in self.checks

    def family_options(self, name: str) -> dict[str, Any]:
        """The options a plugin family ``name`` was given (validated by its ``options_model``); ``{}`` if none."""
        return dict((self.model_extra or {}).get(name) or {})


def _validated_options(name: str, value: Any) -> dict[str, Any]:
    """A plugin family's options, checked against its ``options_model`` and completed with its defaults."""
    if name in builtin_names():
        raise PolicyError(f"{name}: the built-in {name} checks take no options here (see thresholds and sensitive)")
    try:
        family = get_family(name)
    except CheckFamilyError as exc:
        raise PolicyError(f"{name}: {exc}") from None
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise PolicyError(f"{name}: expected a mapping of the {family.label} checks' options, not {value!r}")
    model = getattr(family, "options_model", None)
    if model is None:  # the family reads them itself
        return dict(value)
    try:
        return dict(model.model_validate(dict(value)).model_dump(mode="json"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in (name, *first.get("loc", ())))
        raise PolicyError(f"{where}: {first.get('msg', 'invalid')}") from None


def merge_layers(*layers: Mapping[str, Any] | None) -> TestPolicy:
    """The policy the layers make, later ones winning field by field (``thresholds`` metric by metric)."""
    merged: dict[str, Any] = {"thresholds": dict(DEFAULT_THRESHOLDS)}
    for layer in layers:
        for key, value in (layer or {}).items():
            if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    try:
        return TestPolicy.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = (first.get("ctx") or {}).get("error")
        if isinstance(cause, PolicyError):  # already says where
            raise PolicyError(str(cause)) from None
        where = ".".join(str(p) for p in first.get("loc", ())) or "policy"
        raise PolicyError(f"{where}: {first.get('msg', 'invalid')}") from None


def parse_policy_text(text: str, source: str = "policy") -> dict[str, Any]:
    """A YAML (or JSON) policy document as a mapping."""
    import yaml

    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PolicyError(f"{source}: not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping at the top, e.g. 'thresholds: {{accuracy: 0.9}}'")
    return data


def policy_from_tags(tags: Mapping[str, str], prefix: str, policy_key: str) -> dict[str, Any]:
    """A model's policy layer from its registry tags: ``policy_key`` holds a whole YAML/JSON policy, and
    ``PREFIX.threshold.METRIC`` tags set single thresholds on top of it."""
    layer: dict[str, Any] = {}
    if tags.get(policy_key):
        layer = parse_policy_text(tags[policy_key], f"model tag {policy_key}")
    thresholds = {
        key.removeprefix(f"{prefix}threshold."): None if value.strip().lower() in ("", "none", "off") else value
        for key, value in tags.items()
        if key.startswith(f"{prefix}threshold.")
    }
    if thresholds:
        layer["thresholds"] = {**(layer.get("thresholds") or {}), **thresholds}
    return layer
