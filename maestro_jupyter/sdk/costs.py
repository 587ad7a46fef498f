"""Spend and estimates: ``ml.costs``.

>>> ml.costs.summary(by="model", window="30d").to_frame()
>>> ml.costs.estimate("job", cpus=4, memory="8Gi", hours=2).message
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..contract.costs import EstimateCost, GetCostSummary, SettleUsage
from ..entities import CostSummary, Estimate

if TYPE_CHECKING:
    from .transport import Transport


class CostsAPI:
    """What training and serving cost, per user, project, model, version or kind."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def summary(
        self, by: str = "project", window: str = "30d", *, user: str | None = None, project: str | None = None
    ) -> CostSummary:
        """Spend over the last ``window`` (``12h``, ``30d``, ``4w``) grouped ``by`` user, project, model, version or
        kind, highest first; ``user``/``project`` narrow it. Hours roll to the second; days and weeks are whole UTC
        days (``30d``: today and the 29 days before it; the summary's ``since`` says from when). Finished jobs and
        running deployments are settled into the ledger first."""
        return self._transport.call(GetCostSummary.build(by=by, window=window, user=user, project=project))  # type: ignore[no-any-return]

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
        request = EstimateCost.build(
            kind=kind,
            cpus=cpus,
            memory=memory,
            gpus=gpus,
            workers=workers,
            replicas=replicas,
            hours=hours,
            name=name,
            project=project,
        )
        return self._transport.call(request)  # type: ignore[no-any-return]

    def settle(self) -> int:
        """Put finished jobs and running deployments' usage into the ledger now; how many rows were written (the
        server does this every ``MAESTRO_METER_INTERVAL`` seconds)."""
        return int(self._transport.call(SettleUsage()))
