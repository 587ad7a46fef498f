"""The SDK's cost faces: ``ml.costs`` (spend and estimates) and ``ml.budgets`` (limits and alerts).

>>> ml.costs.summary(by="model", window="30d").to_frame()
>>> ml.costs.estimate("job", cpus=4, memory="8Gi", hours=2).message
'about $0.48 per run; $412.00 left this month in project:churn'
>>> ml.budgets.set("project:churn", 500, period="monthly", hard_limit=True)
>>> ml.budgets.alerts()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .cost_entities import AlertList, Budget, BudgetList, CostSummary, Estimate

if TYPE_CHECKING:
    from .services import Services


class CostsAPI:
    """What training and serving cost, per user, project, model, version or kind."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def summary(
        self, by: str = "project", window: str = "30d", *, user: str | None = None, project: str | None = None
    ) -> CostSummary:
        """Spend over the last ``window`` (``12h``, ``30d``, ``4w``) grouped ``by`` user, project, model, version or
        kind, highest first; ``user``/``project`` narrow it. Finished jobs and running deployments are settled into
        the ledger first."""
        return self._services.costs.summary(by, window, user=user, project=project)

    def estimate(
        self,
        kind: str = "job",
        *,
        cpus: float | None = None,
        memory: str | None = None,
        gpus: int = 0,
        workers: int = 1,
        replicas: int = 1,
        hours: float | None = None,
        name: str | None = None,
        project: str | None = None,
    ) -> Estimate:
        """What a job would cost per run (``hours``, else the median of its past runs by ``name``, else the default)
        or a deployment per day, and what it leaves of your budgets."""
        from .services import validation as v

        resources = v.resources(cpus, memory, gpus, workers)
        return self._services.costs.estimate(
            kind, resources, replicas=replicas, hours=hours, name=name, project=project
        )

    def settle(self) -> int:
        """Put finished jobs and running deployments' usage into the ledger now; how many rows were written (the
        server does this every ``MAESTRO_METER_INTERVAL`` seconds)."""
        return self._services.costs.settle()


class BudgetsAPI:
    """Budgets per user or project, with alerts; changing one needs the admin role (``MAESTRO_ADMINS``)."""

    def __init__(self, services: Services) -> None:
        self._services = services

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
        from .services.budgets import parse_budget_id

        scope, subject = parse_budget_id(budget)
        return self._services.budgets.set(
            scope, subject, amount, period=period, thresholds=thresholds, hard_limit=hard_limit, webhook=webhook
        )

    def get(self, budget: str) -> Budget:
        """One budget and where it stands this period."""
        from .services.budgets import parse_budget_id

        return self._services.budgets.get(*parse_budget_id(budget))

    def list(self) -> BudgetList:
        """The budgets you may see, with this period's spend."""
        self._services.costs.settle()
        return self._services.budgets.list()

    def delete(self, budget: str) -> None:
        """Remove a budget."""
        from .services.budgets import parse_budget_id

        scope, subject = parse_budget_id(budget)
        self._services.budgets.delete(scope, subject)

    def alerts(self, *, after: int = 0, limit: int = 100) -> AlertList:
        """Alerts of the budgets you may see, newest first (``after``: only those with a larger id)."""
        return self._services.budgets.alerts(after=after, limit=limit)
