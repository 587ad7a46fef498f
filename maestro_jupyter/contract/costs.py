"""Requests about spend and estimates."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from ..entities import CostSummary, Estimate
from ..errors import InvalidParameter
from . import rules
from .base import Request
from .fields import Cpus, Gpus, Memory, Replicas, Workers

GROUP_BY = ("user", "project", "model", "version", "kind")
_WINDOW = re.compile(r"^\s*(\d{1,4})\s*([hdw])\s*$")
_UNIT_S = {"h": 3600, "d": 86400, "w": 7 * 86400}
MAX_WINDOW_S = 366 * 86400
DAY_S = 86400


def window_seconds(window: str) -> int:
    """``30d`` -> seconds (``h``, ``d`` or ``w``; at most 366 days)."""
    match = _WINDOW.match(str(window))
    if not match or int(match.group(1)) == 0:
        raise InvalidParameter(f"A window is a number and h, d or w (e.g. 30d), not {window!r}")
    seconds = int(match.group(1)) * _UNIT_S[match.group(2)]
    if seconds > MAX_WINDOW_S:
        raise InvalidParameter("A window is at most 366 days")
    return seconds


def window_bounds(window: str, now: float) -> tuple[float, float]:
    """The stretch ``[since, end)`` a window covers at ``now``: whose usage a summary sums.

    Hours are a rolling window, exact to the second: ``12h`` is the 12 hours up to now. Days and weeks are whole UTC
    days, as in cloud billing and as budget periods are: ``30d`` is today and the 29 days before it, since midnight
    UTC. So a summary in days reads only the ledger's daily sums, never its rows, however big the ledger grows.
    """
    seconds = window_seconds(window)
    if str(window).strip().endswith("h"):
        return now - seconds, now + 1  # + 1: what ended this very second counts
    tomorrow = (now // DAY_S + 1) * DAY_S
    return tomorrow - seconds, tomorrow


class GetCostSummary(Request):
    """Spend over the last ``window`` grouped ``by`` user, project, model, version or kind, highest first."""

    operation: ClassVar[str] = "costs.get_summary"
    result: ClassVar[Any] = CostSummary

    by: str = Field(default="project", description="user, project, model, version or kind")
    window: str = Field(
        default="30d",
        max_length=16,
        description="How far back: 12h (rolling), 30d or 4w (whole UTC days, today included); at most 366d",
    )
    user: str | None = Field(default=None, max_length=200, description="Only this user's spend")
    project: str | None = Field(default=None, max_length=200, description="Only this project's spend")

    @field_validator("by")
    @classmethod
    def _by(cls, value: str) -> str:
        if value not in GROUP_BY:
            raise InvalidParameter(f"Costs group by {', '.join(GROUP_BY)}, not {value!r}")
        return value

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        window_seconds(value)
        return value.strip()


class EstimateCost(Request):
    """What a job (per run) or a deployment (per day) would cost, against the caller's budgets."""

    operation: ClassVar[str] = "costs.estimate_cost"
    result: ClassVar[Any] = Estimate

    kind: Literal["job", "deployment"] = "job"
    cpus: Cpus = None
    memory: Memory = None
    gpus: Gpus = 0
    workers: Workers = 1
    replicas: Replicas = 1
    hours: float | None = Field(default=None, ge=0.001, le=8784, description="Default: past runs, else the setting")
    name: str | None = Field(default=None, max_length=63, description="The job's name, to look up its past runs")
    project: str | None = Field(default=None, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _checked(cls, data: Any) -> Any:
        # Today's messages for these checks (before pydantic's generic ones); the resources check themselves.
        if isinstance(data, dict):
            kind = data.get("kind", "job")
            if kind not in ("job", "deployment"):
                raise InvalidParameter(f"An estimate is for a job or a deployment, not {kind!r}")
            hours = data.get("hours")
            if hours is not None and (
                isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < float(hours) <= 24 * 366
            ):
                raise InvalidParameter("hours must be more than 0 and at most a year")
        return data

    def resources(self) -> Any:
        """The resources asked for, as a job or a replica records them."""
        return rules.resources(self.cpus, self.memory, self.gpus, self.workers)


class SettleUsage(Request):
    """Put finished jobs' and running deployments' usage into the ledger now; how many rows were written."""

    operation: ClassVar[str] = "costs.settle_usage"
    result: ClassVar[Any] = int
