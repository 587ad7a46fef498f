"""Budgets per user and per project, monthly or weekly, with alert thresholds and an optional hard limit.

Spend in a period comes from the ledger's daily sums (periods start at a UTC midnight). An alert is a row whose
unique key is (budget, period start, threshold): however many processes check at once, each threshold fires once per
period. A new alert is POSTed to the budget's webhook (else ``MAESTRO_ALERT_WEBHOOK``) from a background thread, and
what came of it is recorded on the alert. Where a webhook may lead is :mod:`.webhooks`' rule, checked when it is set
and at each delivery. A webhook is a credential (its URL often holds a token): only admins see it, in every mode.
"""

from __future__ import annotations

import builtins
import calendar
import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..contract.budgets import DeleteBudget, GetBudget, ListAlerts, ListBudgets, SetBudget
from ..entities import Alert, AlertList, Budget, BudgetCheck, BudgetList
from ..entities.display import fmt_money
from ..errors import MaestroError, NotFound, PermissionDenied
from ..settings import Settings
from . import webhooks
from .pricing import MICROS, dollars

if TYPE_CHECKING:
    from ..backends.store import MaestroStore
    from ..contract.base import Actor

DEFAULT_THRESHOLDS = (50, 80, 100)
WEBHOOK_TIMEOUT_S = 5.0


def period_bounds(period: str, now: float | None = None) -> tuple[float, float]:
    """The UTC calendar month, or the ISO week (from Monday 00:00 UTC), that ``now`` falls in."""
    moment = dt.datetime.fromtimestamp(time.time() if now is None else now, tz=dt.UTC)
    if period == "weekly":
        start = (moment - dt.timedelta(days=moment.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        return start.timestamp(), (start + dt.timedelta(days=7)).timestamp()
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    days = calendar.monthrange(start.year, start.month)[1]
    return start.timestamp(), (start + dt.timedelta(days=days)).timestamp()


class BudgetService:
    """Set, read and check budgets; fire and list alerts."""

    def __init__(self, settings: Settings, store: Callable[[], MaestroStore]) -> None:
        self.settings = settings
        self._store = store

    @property
    def ledger(self) -> Any:
        return self._store().ledger

    # --- the admin role ------------------------------------------------------------------------------------------

    @staticmethod
    def _require_admin(actor: Actor) -> str:
        """Admins (``actor.admin``) set budgets."""
        if not actor.admin:
            raise PermissionDenied(f"Only an admin may change budgets ({actor.user} is not one)")
        return actor.user

    # --- budgets -------------------------------------------------------------------------------------------------

    def set_budget(self, req: SetBudget, actor: Actor) -> Budget:
        """Create or change a budget; what is not given keeps its value (or the default, for a new budget)."""
        user = self._require_admin(actor)
        if req.webhook is not None:
            webhooks.check(req.webhook, self.settings.webhook_allow_hosts)
        old = self.ledger.get_budget(req.scope, req.subject) or {}
        self.ledger.put_budget(
            req.scope,
            req.subject,
            amount_micros=round(req.amount * MICROS),
            period=req.period or old.get("period", "monthly"),
            thresholds=req.thresholds if req.thresholds is not None else old.get("thresholds", DEFAULT_THRESHOLDS),
            hard_limit=bool(req.hard_limit) if req.hard_limit is not None else bool(old.get("hard_limit", False)),
            webhook=req.webhook if req.webhook is not None else old.get("webhook"),
            updated_by=user,
            updated_at=time.time(),
        )
        self.check([(req.scope, req.subject)])  # a lowered budget may be crossed already
        return self.get_budget(GetBudget(scope=req.scope, subject=req.subject), actor)

    def get_budget(self, req: GetBudget, actor: Actor) -> Budget:
        """One budget, with its standing: an admin's to see, or a project's, or the caller's own."""
        row = self.ledger.get_budget(req.scope, req.subject)
        if row is None or not _visible(row, actor):
            raise NotFound(f"No budget for {req.scope} {req.subject}")  # as if missing: whose budgets exist is private
        return self._status(row, secrets=actor.admin)

    def list_budgets(self, req: ListBudgets, actor: Actor) -> BudgetList:
        """The budgets the caller may see (an admin: all; anyone else: every project's and their own)."""
        rows = [r for r in self.ledger.list_budgets() if _visible(r, actor)]
        return BudgetList(budgets=[self._status(r, secrets=actor.admin) for r in rows], can_edit=actor.admin)

    def all(self) -> builtins.list[Budget]:
        """Every budget with its standing (for the metrics exposition)."""
        return [self._status(r, secrets=False) for r in self.ledger.list_budgets()]

    def delete_budget(self, req: DeleteBudget, actor: Actor) -> None:
        self._require_admin(actor)
        if not self.ledger.delete_budget(req.scope, req.subject):
            raise NotFound(f"No budget for {req.scope} {req.subject}")

    def _status(self, row: dict[str, Any], now: float | None = None, *, secrets: bool) -> Budget:
        """The budget's standing; its webhook only with ``secrets`` (an admin's view: a webhook URL is a
        credential, often with its token in it)."""
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
            webhook=row["webhook"] if secrets else None,
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
            budget = self._status(row, secrets=False)
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
            budget = self._status(row, secrets=False)
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

    def list_alerts(self, req: ListAlerts, actor: Actor) -> AlertList:
        """Alerts newer than id ``after``, newest first, of the budgets the caller may see."""
        pairs = None
        if not actor.admin:
            pairs = [(r["scope"], r["subject"]) for r in self.ledger.list_budgets() if r["scope"] == "project"]
            pairs.append(("user", actor.user))
        rows = self.ledger.list_alerts(after=req.after, limit=req.limit, pairs=pairs)
        return AlertList(alerts=[self._alert(r) for r in rows])

    def _deliver(self, alert: Alert, url: str) -> None:
        body = json.dumps({"text": alert.message, "alert": alert.model_dump(mode="json")}).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "maestro"}
        try:  # the address rule again: what the host resolves to now is what is connected to
            delivery = webhooks.post(url, body, headers, self.settings.webhook_allow_hosts, WEBHOOK_TIMEOUT_S)
        except Exception as exc:  # any failure is recorded on the alert, never raised into a meter tick
            delivery = f"failed: {type(exc).__name__}"
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


def _visible(row: dict[str, Any], actor: Actor) -> bool:
    """Whether ``actor`` may see a budget: an admin every one, anyone else every project's and their own."""
    return actor.admin or row["scope"] == "project" or (row["scope"], row["subject"]) == ("user", actor.user)


def _message(budget: Budget, threshold: int) -> str:
    return (
        f"{budget.scope} {budget.subject} has spent {fmt_money(budget.spent)} of its {fmt_money(budget.amount)} "
        f"{budget.period} budget ({threshold}% alert)"
    )


def period_word(period: str) -> str:
    """``this month`` / ``this week``."""
    return "this week" if period == "weekly" else "this month"
