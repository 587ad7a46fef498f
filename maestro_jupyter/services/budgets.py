"""Budgets per user and per project, monthly or weekly, with alert thresholds and an optional hard limit.

Spend in a period comes from the ledger's daily sums (periods start at a UTC midnight). An alert is a row whose
unique key is (budget, period start, threshold): however many processes check at once, each threshold fires once per
period. A new alert is POSTed to the budget's webhook (else ``MAESTRO_ALERT_WEBHOOK``) from a background thread, and
what came of it is recorded on the alert.
"""

from __future__ import annotations

import builtins
import calendar
import contextlib
import datetime as dt
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..cost_entities import Alert, AlertList, Budget, BudgetCheck, BudgetList
from ..display import fmt_money
from ..errors import InvalidParameter, MaestroError, NotFound, PermissionDenied, first_line
from ..settings import Settings
from .pricing import MICROS, dollars

if TYPE_CHECKING:
    from ..backends.store import MaestroStore

SCOPES = ("user", "project")
PERIODS = ("monthly", "weekly")
DEFAULT_THRESHOLDS = (50, 80, 100)
MAX_AMOUNT = 1e9
MAX_THRESHOLDS = 10
WEBHOOK_TIMEOUT_S = 5.0


class BudgetExceeded(PermissionDenied):
    """A hard budget limit refuses a job or deployment before anything starts (HTTP 403)."""

    code = "BUDGET_EXCEEDED"


def period_bounds(period: str, now: float | None = None) -> tuple[float, float]:
    """The UTC calendar month, or the ISO week (from Monday 00:00 UTC), that ``now`` falls in."""
    moment = dt.datetime.fromtimestamp(time.time() if now is None else now, tz=dt.UTC)
    if period == "weekly":
        start = (moment - dt.timedelta(days=moment.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        return start.timestamp(), (start + dt.timedelta(days=7)).timestamp()
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(start.year, start.month)[1]
    return start.timestamp(), (start + dt.timedelta(days=days)).timestamp()


def parse_budget_id(text: str) -> tuple[str, str]:
    """``project:churn`` -> ``("project", "churn")``."""
    scope, sep, subject = str(text).partition(":")
    if not sep:
        raise InvalidParameter(f"A budget is named scope:name (user:alice, project:churn), not {text!r}")
    return check_scope(scope.strip().lower()), check_subject(subject.strip())


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise InvalidParameter(f"A budget's scope is user or project, not {scope!r}")
    return scope


def check_subject(subject: str) -> str:
    if not subject or len(subject) > 200 or any(ord(c) < 32 for c in subject):
        raise InvalidParameter("A budget names a user or project of 1 to 200 printable characters")
    return subject


def _thresholds(values: Iterable[Any]) -> list[int]:
    try:
        found = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise InvalidParameter("Thresholds are whole percentages, e.g. 50,80,100") from None
    if not found or len(found) > MAX_THRESHOLDS or found[0] < 1 or found[-1] > 1000:
        raise InvalidParameter(f"Give 1 to {MAX_THRESHOLDS} thresholds, each from 1 to 1000 (percent)")
    return found


def _webhook(url: str | None) -> str | None:
    if url is None or url == "":
        return None
    if not url.startswith(("http://", "https://")) or len(url) > 2000:
        raise InvalidParameter("A webhook is an http(s) URL of at most 2000 characters")
    return url


class BudgetService:
    """Set, read and check budgets; fire and list alerts."""

    def __init__(self, settings: Settings, store: Callable[[], MaestroStore]) -> None:
        self.settings = settings
        self._store = store

    @property
    def ledger(self) -> Any:
        return self._store().ledger

    # --- the admin role ------------------------------------------------------------------------------------------

    def is_admin(self, user: str | None) -> bool:
        """Admins set budgets: the users in ``MAESTRO_ADMINS``; without that setting, the server's own user."""
        user = user or self.settings.user
        return user in self.settings.admins if self.settings.admins else user == self.settings.user

    def _require_admin(self, actor: str | None) -> str:
        actor = actor or self.settings.user
        if not self.is_admin(actor):
            raise PermissionDenied(f"Only an admin may change budgets ({actor} is not one; see MAESTRO_ADMINS)")
        return actor

    # --- budgets -------------------------------------------------------------------------------------------------

    def set(
        self,
        scope: str,
        subject: str,
        amount: float,
        *,
        period: str | None = None,
        thresholds: Sequence[int] | None = None,
        hard_limit: bool | None = None,
        webhook: str | None = None,
        actor: str | None = None,
    ) -> Budget:
        """Create or change a budget; what is not given keeps its value (or the default, for a new budget)."""
        scope, subject = check_scope(str(scope).lower()), check_subject(str(subject))
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            raise InvalidParameter(f"A budget's amount is a number of dollars, not {amount!r}") from None
        if not 0 < amount <= MAX_AMOUNT:
            raise InvalidParameter(f"A budget's amount is more than $0 and at most ${MAX_AMOUNT:,.0f}")
        if period is not None and period not in PERIODS:
            raise InvalidParameter(f"A budget's period is monthly or weekly, not {period!r}")
        actor = self._require_admin(actor)
        old = self.ledger.get_budget(scope, subject) or {}
        self.ledger.put_budget(
            scope,
            subject,
            amount_micros=round(amount * MICROS),
            period=period or old.get("period", "monthly"),
            thresholds=_thresholds(thresholds) if thresholds is not None else old.get("thresholds", DEFAULT_THRESHOLDS),
            hard_limit=bool(hard_limit) if hard_limit is not None else bool(old.get("hard_limit", False)),
            webhook=_webhook(webhook) if webhook is not None else old.get("webhook"),
            updated_by=actor,
            updated_at=time.time(),
        )
        self.check([(scope, subject)])  # a lowered budget may be crossed already
        return self.get(scope, subject)

    def get(self, scope: str, subject: str) -> Budget:
        row = self.ledger.get_budget(check_scope(str(scope).lower()), check_subject(str(subject)))
        if row is None:
            raise NotFound(f"No budget for {scope} {subject}")
        return self._status(row)

    def list(self, *, actor: str | None = None) -> BudgetList:
        """The budgets the caller may see (an admin: all; anyone else: every project's and their own)."""
        actor = actor or self.settings.user
        admin = self.is_admin(actor)
        rows = [
            r
            for r in self.ledger.list_budgets()
            if admin or r["scope"] == "project" or (r["scope"], r["subject"]) == ("user", actor)
        ]
        return BudgetList(budgets=[self._status(r) for r in rows], can_edit=admin)

    def all(self) -> builtins.list[Budget]:
        """Every budget with its standing (for the metrics exposition)."""
        return [self._status(r) for r in self.ledger.list_budgets()]

    def delete(self, scope: str, subject: str, *, actor: str | None = None) -> None:
        scope, subject = check_scope(str(scope).lower()), check_subject(str(subject))
        self._require_admin(actor)
        if not self.ledger.delete_budget(scope, subject):
            raise NotFound(f"No budget for {scope} {subject}")

    def _status(self, row: dict[str, Any], now: float | None = None) -> Budget:
        start, end = period_bounds(row["period"], now)
        spent = self.ledger.spent_since(row["scope"], row["subject"], start)
        amount = int(row["amount_micros"])
        return Budget(
            id=f"{row['scope']}:{row['subject']}",
            scope=row["scope"],
            subject=row["subject"],
            amount=dollars(amount),
            period=row["period"],
            thresholds=list(row["thresholds"]),
            hard_limit=bool(row["hard_limit"]),
            webhook=row["webhook"],
            spent=dollars(spent),
            remaining=dollars(amount - spent),
            used_pct=round(spent * 100 / amount, 2),
            period_start=start,
            period_end=end,
            updated_by=row["updated_by"],
            updated_at=row["updated_at"],
        )

    # --- pre-flight ----------------------------------------------------------------------------------------------

    def preflight(self, user: str, project: str, cost: float) -> builtins.list[BudgetCheck]:
        """How each budget of ``user`` and ``project`` stands if ``cost`` more is spent."""
        checks = []
        for row in self.ledger.list_budgets([("user", user), ("project", project)]):
            budget = self._status(row)
            allowed = not budget.hard_limit or budget.spent + cost <= budget.amount
            checks.append(
                BudgetCheck(
                    id=budget.id,
                    period=budget.period,
                    amount=budget.amount,
                    spent=budget.spent,
                    remaining=budget.remaining,
                    hard_limit=budget.hard_limit,
                    allowed=allowed,
                )
            )
        return checks

    # --- alerts --------------------------------------------------------------------------------------------------

    def check(self, pairs: Iterable[tuple[str, str]]) -> builtins.list[Alert]:
        """Fire the alerts the given budgets' spend calls for; the new ones."""
        fired = []
        for row in self.ledger.list_budgets(set(pairs)):
            budget = self._status(row)
            amount_micros = int(row["amount_micros"])
            spent_micros = round(budget.spent * MICROS)
            for threshold in budget.thresholds:
                if spent_micros * 100 < amount_micros * threshold:
                    break  # thresholds are sorted
                webhook = row["webhook"] or self.settings.alert_webhook
                written = self.ledger.fire_alert(
                    scope=budget.scope,
                    subject=budget.subject,
                    period=budget.period,
                    period_start=budget.period_start,
                    threshold=threshold,
                    spent_micros=spent_micros,
                    amount_micros=amount_micros,
                    message=_message(budget, threshold),
                    delivery="pending" if webhook else "none",
                )
                if written is None:
                    continue  # fired already this period
                alert = self._alert(written)
                fired.append(alert)
                if webhook:
                    threading.Thread(target=self._deliver, args=(alert, webhook), daemon=True).start()
        return fired

    def alerts(self, *, after: int = 0, limit: int = 100, actor: str | None = None) -> AlertList:
        """Alerts newer than id ``after``, newest first, of the budgets the caller may see."""
        if not 1 <= int(limit) <= 1000:
            raise InvalidParameter("limit must be from 1 to 1000")
        actor = actor or self.settings.user
        pairs = None
        if not self.is_admin(actor):
            pairs = [(r["scope"], r["subject"]) for r in self.ledger.list_budgets() if r["scope"] == "project"]
            pairs.append(("user", actor))
        rows = self.ledger.list_alerts(after=max(0, int(after)), limit=int(limit), pairs=pairs)
        return AlertList(alerts=[self._alert(r) for r in rows])

    def _deliver(self, alert: Alert, url: str) -> None:
        body = json.dumps({"text": alert.message, "alert": alert.model_dump(mode="json")}).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL was checked to be http(s)
            url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "maestro"}
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310 - http(s) only
                delivery = "sent" if 200 <= response.status < 300 else f"failed: HTTP {response.status}"
        except Exception as exc:  # any failure is recorded on the alert, never raised into a meter tick
            delivery = f"failed: {first_line(exc)}"
        with contextlib.suppress(MaestroError):
            self.ledger.set_delivery(alert.id, delivery)

    @staticmethod
    def _alert(row: dict[str, Any]) -> Alert:
        return Alert(
            id=row["id"],
            budget=f"{row['scope']}:{row['subject']}",
            scope=row["scope"],
            subject=row["subject"],
            threshold=row["threshold"],
            period=row["period"],
            period_start=row["period_start"],
            spent=dollars(row["spent_micros"]),
            amount=dollars(row["amount_micros"]),
            created_at=row["created_at"],
            message=row["message"],
            delivery=row["delivery"],
        )


def _message(budget: Budget, threshold: int) -> str:
    return (
        f"{budget.scope} {budget.subject} has spent {fmt_money(budget.spent)} of its {fmt_money(budget.amount)} "
        f"{budget.period} budget ({threshold}% alert)"
    )


def period_word(period: str) -> str:
    """``this month`` / ``this week``."""
    return "this week" if period == "weekly" else "this month"
