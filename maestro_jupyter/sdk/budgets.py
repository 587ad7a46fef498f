"""Budgets and alerts: ``ml.budgets``.

>>> ml.budgets.set("project:churn", 500, period="monthly", hard_limit=True)
>>> ml.budgets.alerts()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..contract.budgets import DeleteBudget, GetBudget, ListAlerts, ListBudgets, SetBudget, budget_key
from ..contract.costs import SettleUsage
from ..entities import AlertList, Budget, BudgetList

if TYPE_CHECKING:
    from .transport import Transport


class BudgetsAPI:
    """Budgets per user or project, with alerts; changing one needs the admin role (``MAESTRO_ADMINS``)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def set(
        self,
        budget: str,
        amount: float,
        *,
        period: str | None = None,
        thresholds: Sequence[int] | None = None,
        hard_limit: bool | None = None,
        webhook: str | None = None,
    ) -> Budget:
        """Create or change ``budget`` (``"project:churn"`` or ``"user:alice"``): ``amount`` dollars per ``period``
        (``monthly`` or ``weekly``), alerts at ``thresholds`` percent (default 50, 80, 100), refusing work that would
        overspend with ``hard_limit``, and POSTing alerts to ``webhook``. What is not given keeps its value."""
        scope, subject = budget_key(budget)
        request = SetBudget.build(
            scope=scope,
            subject=subject,
            amount=amount,
            period=period,
            thresholds=thresholds,
            hard_limit=hard_limit,
            webhook=webhook,
        )
        return self._transport.call(request)  # type: ignore[no-any-return]

    def get(self, budget: str) -> Budget:
        """One budget and where it stands this period."""
        scope, subject = budget_key(budget)
        return self._transport.call(GetBudget.build(scope=scope, subject=subject))  # type: ignore[no-any-return]

    def list(self) -> BudgetList:
        """The budgets you may see, with this period's spend."""
        self._transport.call(SettleUsage())
        return self._transport.call(ListBudgets())  # type: ignore[no-any-return]

    def delete(self, budget: str) -> None:
        """Remove a budget."""
        scope, subject = budget_key(budget)
        self._transport.call(DeleteBudget.build(scope=scope, subject=subject))

    def alerts(self, *, after: int = 0, limit: int = 100) -> AlertList:
        """Alerts of the budgets you may see, newest first (``after``: only those with a larger id)."""
        return self._transport.call(ListAlerts.build(after=after, limit=limit))  # type: ignore[no-any-return]
