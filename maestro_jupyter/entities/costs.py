"""Typed results of cost tracking: summaries, estimates, budgets and alerts (shared by the SDK, magics and REST).

Money is in dollars (floats rounded to the micro-dollar; the ledger itself keeps exact integers).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .base import _Displayable, _Page

__all__ = ["Alert", "AlertList", "Budget", "BudgetCheck", "BudgetList", "CostGroup", "CostSummary", "Estimate"]


class BudgetCheck(BaseModel):
    """How one budget stands against an estimate."""

    id: str
    period: str
    amount: float
    spent: float
    remaining: float
    hard_limit: bool
    allowed: bool


class Estimate(_Displayable):
    """What a job (per run) or deployment (per day) is expected to cost, and what it leaves of the budgets."""

    kind: str
    cost: float
    hours: float
    per: str
    basis: str
    rates: dict[str, Any]
    allowed: bool
    budgets: list[BudgetCheck] = Field(default_factory=list)
    message: str


class CostGroup(BaseModel):
    """Spend of one user, project, model, version or kind."""

    key: str
    cost: float
    cpu_hours: float
    memory_gb_hours: float
    gpu_hours: float
    records: int


class CostSummary(_Displayable):
    """Spend over a window, grouped; highest first."""

    by: str
    window: str
    since: float
    until: float
    currency: str = "USD"
    total: float
    cpu_hours: float
    memory_gb_hours: float
    gpu_hours: float
    records: int
    groups: list[CostGroup]

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per group."""
        import pandas as pd

        columns = ["key", "cost", "cpu_hours", "memory_gb_hours", "gpu_hours", "records"]
        frame = pd.DataFrame([g.model_dump() for g in self.groups], columns=columns)
        return frame.rename(columns={"key": self.by})


class Budget(_Displayable):
    """A spending limit on a user or project per month or week, and where it stands this period."""

    id: str
    scope: str
    subject: str
    amount: float
    period: str
    thresholds: list[int]
    hard_limit: bool
    webhook: str | None = None
    spent: float
    remaining: float
    used_pct: float
    period_start: float
    period_end: float
    updated_by: str
    updated_at: float


class BudgetList(_Page):
    """Budgets, and whether the caller may change them."""

    budgets: list[Budget]
    can_edit: bool = False

    def _items(self) -> list[Budget]:
        return self.budgets


class Alert(_Displayable):
    """A budget crossed one of its thresholds in one period."""

    id: int
    budget: str
    scope: str
    subject: str
    threshold: int
    period: str
    period_start: float
    spent: float
    amount: float
    created_at: float
    message: str
    #: ``none`` (no webhook), ``pending``, ``sent`` or ``failed: why``.
    delivery: str


class AlertList(_Page):
    """Alerts, newest first."""

    alerts: list[Alert]

    def _items(self) -> list[Alert]:
        return self.alerts
