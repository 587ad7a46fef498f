"""Requests about budgets and alerts. A budget is named ``scope:subject`` (``project:churn``, ``user:alice``)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator

from .. import naming
from ..entities import AlertList, Budget, BudgetList
from ..errors import InvalidParameter
from . import rules
from .base import Request

SCOPES = ("user", "project")
PERIODS = ("monthly", "weekly")
MAX_AMOUNT = 1e9
MAX_THRESHOLDS = 10


def check_scope(scope: object) -> str:
    """``user`` or ``project`` (any case)."""
    text = str(scope).strip().lower()
    if text not in SCOPES:
        raise InvalidParameter(f"A budget's scope is user or project, not {scope!r}")
    return text


def check_subject(subject: object) -> str:
    """The user or project a budget is for, as a user's or project's name is written
    (:func:`~maestro_jupyter.naming.subject_name`: stripped, 1 to 200 characters that cannot pass for others)."""
    return naming.subject_name(subject, "budget's user or project name")


def budget_key(text: str) -> tuple[str, str]:
    """``project:churn`` -> ``("project", "churn")``."""
    scope, sep, subject = str(text).partition(":")
    if not sep:
        raise InvalidParameter(f"A budget is named scope:name (user:alice, project:churn), not {text!r}")
    return check_scope(scope), check_subject(subject)


class _OneBudget(Request):
    scope: Literal["user", "project"] = Field(description="user or project")
    subject: str = Field(min_length=1, max_length=200, description="The user's or project's name")

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, value: Any) -> str:
        return check_scope(value)

    @field_validator("subject", mode="before")
    @classmethod
    def _subject(cls, value: Any) -> str:
        return check_subject(value)


class SetBudget(_OneBudget):
    """Create or change a budget (admin); omitted fields keep their value (or the default for a new budget)."""

    operation: ClassVar[str] = "budgets.set_budget"
    result: ClassVar[Any] = Budget

    amount: float = Field(
        ge=0.01, le=MAX_AMOUNT, strict=True, description="Dollars per period: a JSON number (not a string)"
    )
    period: Literal["monthly", "weekly"] | None = None
    thresholds: list[int] | None = Field(
        default=None, max_length=MAX_THRESHOLDS, description="Alert at these percentages"
    )
    hard_limit: StrictBool | None = Field(
        default=None, description="Refuse jobs and deployments that would overspend (true or false)"
    )
    webhook: str | None = Field(
        default=None,
        max_length=rules.MAX_WEBHOOK,
        description="POST alerts here: an http(s) URL whose host is not a loopback, link-local, metadata or "
        "unspecified address (private networks are allowed); shown to admins only",
    )

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> float:
        # A number, strictly: "5" and true are refused, not converted (a string is a mistake somewhere upstream, and
        # true is 1 dollar to Python). Whole numbers are numbers.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidParameter(f"A budget's amount is a number of dollars, not {value!r}")
        if not 0 < value <= MAX_AMOUNT:  # NaN fails this too
            raise InvalidParameter(f"A budget's amount is more than $0 and at most ${MAX_AMOUNT:,.0f}")
        return float(value)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: Any) -> Any:
        if value is not None and value not in PERIODS:
            raise InvalidParameter(f"A budget's period is monthly or weekly, not {value!r}")
        return value

    @field_validator("thresholds", mode="before")
    @classmethod
    def _thresholds(cls, values: Any) -> list[int] | None:
        if values is None:
            return None
        # Whole numbers, strictly, as the amount: "50", 50.5 and true are refused, not converted.
        if isinstance(values, str | bytes | dict) or not hasattr(values, "__iter__"):
            raise InvalidParameter("Thresholds are whole percentages, e.g. 50,80,100")
        values = list(values)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise InvalidParameter(f"Thresholds are whole percentages, e.g. 50,80,100, not {values!r}")
        found = sorted(set(values))
        if not found or len(found) > MAX_THRESHOLDS or not all(1 <= t <= 1000 for t in found):
            raise InvalidParameter(f"Give 1 to {MAX_THRESHOLDS} thresholds, each from 1 to 1000 (percent)")
        return found

    @field_validator("hard_limit", mode="before")
    @classmethod
    def _hard_limit(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, bool):
            raise InvalidParameter(f"hard_limit is true or false, not {value!r}")
        return value

    @field_validator("subject", mode="after")
    @classmethod
    def _project(cls, subject: str, info: ValidationInfo) -> str:
        # A new or changed project budget names a project as projects are named ("churn team!" is a 400 here, not
        # a budget nobody's work can ever be charged to). Reading or deleting one keeps the looser subject rule, so
        # a budget stored before this rule can still be found and removed.
        if info.data.get("scope") == "project":
            return rules.project(subject)
        return subject

    @field_validator("webhook", mode="before")
    @classmethod
    def _webhook(cls, url: Any) -> str | None:
        # The URL's form here; where its host leads is the service's to check (when it is set, and again at each
        # delivery), with the addresses the service's own resolver gives.
        return None if url is None or url == "" else rules.webhook_url(url)


class GetBudget(_OneBudget):
    """One budget and where it stands this period."""

    operation: ClassVar[str] = "budgets.get_budget"
    result: ClassVar[Any] = Budget


class DeleteBudget(_OneBudget):
    """Remove a budget (admin)."""

    operation: ClassVar[str] = "budgets.delete_budget"
    result: ClassVar[Any] = None


class ListBudgets(Request):
    """The budgets the caller may see, with this period's spend."""

    operation: ClassVar[str] = "budgets.list_budgets"
    result: ClassVar[Any] = BudgetList


class ListAlerts(Request):
    """Alerts of the budgets the caller may see, newest first."""

    operation: ClassVar[str] = "budgets.list_alerts"
    result: ClassVar[Any] = AlertList

    after: int = Field(default=0, ge=0, le=2**62, description="Only alerts with a larger id (to poll for new ones)")
    limit: int = Field(default=100, ge=1, le=1000, description="At most this many, 1-1000 (default 100)")

    @field_validator("limit", mode="before")
    @classmethod
    def _limit(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= 1000:
            raise InvalidParameter("limit must be from 1 to 1000")
        return value

    @field_validator("after", mode="before")
    @classmethod
    def _after(cls, value: Any) -> Any:
        # A negative id means "from the start", as it always did.
        return max(0, value) if isinstance(value, int) and not isinstance(value, bool) else value
