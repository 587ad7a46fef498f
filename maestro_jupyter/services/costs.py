"""Cost tracking: usage into the ledger, priced; summaries; pre-flight estimates.

Usage is measured by the compute backend (local processes: rusage and ``/proc``; Kubernetes: the cluster's
Prometheus) and, when it was not measured, taken as the requested resources for the run time. A finished job is
*settled* once (its whole run is one ledger row, and its cost lands on the job, its MLflow run and the model versions
registered from that run); a running deployment is *metered* in stretches, from one reading to the next. Whoever looks
first settles: the server's meter every ``MAESTRO_METER_INTERVAL``, or any summary or budget check, in any process.
The ledger's unique stretch key makes a second settler a no-op.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import tagkeys as tk
from ..backends.store.ledger import Totals, UsageRow
from ..contract import rules as v
from ..contract.costs import EstimateCost, GetCostSummary, SettleUsage, window_bounds
from ..entities import DEPLOYMENT_ACTIVE, JOB_FINAL, CostGroup, CostSummary, Deployment, Estimate, Job, Resources
from ..entities.display import fmt_money
from ..errors import BudgetExceeded, InvalidParameter, MaestroError
from ..settings import Settings
from .budgets import BudgetService, period_word
from .pricing import Rates, dollars

if TYPE_CHECKING:
    from ..backends.compute.base import ComputeBackend, Handle, Usage
    from ..backends.mlflow_registry import MlflowRegistry
    from ..backends.store import MaestroStore
    from ..contract.base import Actor

#: What an unspecified request is taken to be, for estimates and for pricing unmeasured runs.
DEFAULT_CPUS = 1.0
DEFAULT_MEMORY_GIB = 1.0


def requested_usage(resources: Resources, seconds: float, replicas: int = 1) -> tuple[float, float, float]:
    """CPU-seconds, GiB-seconds and GPU-seconds of holding the requested resources for ``seconds``."""
    cpus = resources.cpus or DEFAULT_CPUS
    memory = v.memory_bytes(resources.memory) / 2**30 if resources.memory else DEFAULT_MEMORY_GIB
    copies = replicas * max(resources.workers, 1)
    return cpus * seconds * copies, memory * seconds * copies, resources.gpus * seconds * copies


class CostService:
    """Settle usage into the ledger, summarise spend, and estimate what a job or deployment will cost."""

    def __init__(
        self,
        settings: Settings,
        store: Callable[[], MaestroStore],
        compute: Callable[[], ComputeBackend],
        mlflow: Callable[[], MlflowRegistry],
        budgets: BudgetService,
    ) -> None:
        self.settings = settings
        self._store, self._compute, self._mlflow = store, compute, mlflow
        self.budgets = budgets
        self.rates = Rates.from_settings(settings)

    @property
    def store(self) -> MaestroStore:
        return self._store()

    # --- settling ------------------------------------------------------------------------------------------------

    def settle(self) -> int:
        """Put every finished job and every due deployment stretch into the ledger, then fire the alerts that calls
        for; how many rows were written."""
        touched: set[tuple[str, str]] = set()
        written = 0
        for job, handle in self.store.unsettled_jobs(JOB_FINAL):
            if self.settle_job(job, handle) is not None:
                written += 1
                touched |= {("user", job.user), ("project", job.project)}
        for deployment, handle in self.store.list_deployments(statuses=DEPLOYMENT_ACTIVE, limit=1000):
            if self.meter_deployment(deployment, handle) is not None:
                written += 1
                touched |= {("user", deployment.user), ("project", deployment.project)}
        if touched:
            self.budgets.check(touched)
        return written

    def settle_job(self, job: Job, handle: Handle) -> UsageRow | None:
        """Price a finished job's run into the ledger once; the row written (``None``: someone else did)."""
        if job.status not in JOB_FINAL:
            return None
        start = job.started_at or job.created_at
        end = max(job.finished_at or start, start)
        usage = self._measured(lambda: self._compute().job_usage(job, handle))
        usage = usage or self._requested(job.resources, end - start)
        model, version = self._trained_version(job)
        row = self._row("job", job.id, start, end, job.user, job.project, model, version, usage)
        recorded = self.store.ledger.record(row)
        cost = dollars(row.cost_micros)
        self.store.update_job(job.id, settled_at=time.time(), cost=cost)
        if recorded and job.run_id:
            self._tag_training_cost(job.run_id, cost, row.rates)
        return row if recorded else None

    def meter_deployment(self, deployment: Deployment, handle: Handle, *, final: bool = False) -> UsageRow | None:
        """Price a deployment's stretch since its last reading (when at least half a meter interval old, or
        ``final`` when it stops)."""
        metered_at, meter = self.store.deployment_meter(deployment.id)
        since, until = metered_at or deployment.created_at, time.time()
        if until - since < (0.01 if final else self.settings.meter_interval / 2):
            return None
        usage, new_meter = self._compute().deployment_usage(deployment, handle, since, until, meter)
        usage = usage or self._requested(deployment.resources, until - since, deployment.replicas)
        row = self._row(
            "deployment",
            deployment.id,
            since,
            until,
            deployment.user,
            deployment.project,
            deployment.model,
            deployment.version,
            usage,
        )
        recorded = self.store.ledger.record(row)
        self.store.advance_meter(deployment.id, metered_at, until, new_meter)
        return row if recorded else None

    def _row(
        self,
        kind: str,
        source_id: str,
        start: float,
        end: float,
        user: str,
        project: str,
        model: str,
        version: str,
        usage: Usage,
    ) -> UsageRow:
        return UsageRow(
            kind=kind,
            source_id=source_id,
            period_start=start,
            period_end=end,
            user=user,
            project=project,
            model=model,
            version=version,
            cpu_seconds=usage.cpu_seconds,
            memory_gb_seconds=usage.memory_gb_seconds,
            gpu_seconds=usage.gpu_seconds,
            gpu_type=usage.gpu_type,
            cost_micros=self.rates.cost_micros(
                usage.cpu_seconds, usage.memory_gb_seconds, usage.gpu_seconds, usage.gpu_type
            ),
            rates=self.rates.applied(usage.gpu_type),
            measured_by=usage.measured_by,
        )

    @staticmethod
    def _measured(measure: Callable[[], Usage | None]) -> Usage | None:
        # A metrics source that is down must not stop the books: price the requests instead.
        try:
            return measure()
        except MaestroError:
            return None

    @staticmethod
    def _requested(resources: Resources, seconds: float, replicas: int = 1) -> Usage:
        from ..backends.compute.base import Usage

        cpu, memory, gpu = requested_usage(resources, seconds, replicas)
        return Usage(cpu, memory, gpu, measured_by="requested")

    def _trained_version(self, job: Job) -> tuple[str, str]:
        """The model version registered from the job's run, if any (the first one)."""
        if not job.run_id:
            return "", ""
        try:
            versions = self._mlflow().versions_of_run(job.run_id)
        except MaestroError:
            return "", ""
        return (versions[0].name, versions[0].version) if versions else ("", "")

    def _tag_training_cost(self, run_id: str, cost: float, rates: dict[str, Any]) -> None:
        """Write what training cost on the run and on every version registered from it (cards and the compare view
        read it there); a version registered later takes it from the run."""
        import json

        tags = {
            tk.COST_TRAIN: f"{cost:.6f}",
            tk.COST_CURRENCY: rates.get("currency", "USD"),
            tk.COST_RATES: json.dumps(rates, sort_keys=True),
            tk.COST_TRAIN_METRIC: f"{cost:.6f}",
        }
        with contextlib.suppress(MaestroError):  # the ledger has it; the tags are a convenience
            registry = self._mlflow()
            registry.set_run_tags(run_id, {**tags, tk.COST_RUN: f"{cost:.6f}"})
            for version in registry.versions_of_run(run_id):
                for key, value in tags.items():
                    registry.set_version_tag(version.name, version.version, key, value)

    # --- summaries -----------------------------------------------------------------------------------------------

    def get_summary(self, req: GetCostSummary, actor: Actor) -> CostSummary:
        """Spend over the last ``window`` grouped ``by`` user, project, model, version or kind; highest first."""
        return self.summary(req.by, req.window, user=req.user, project=req.project)

    def summary(
        self,
        by: str = "project",
        window: str = "30d",
        *,
        user: str | None = None,
        project: str | None = None,
        settle: bool = True,
    ) -> CostSummary:
        """The summary itself, for callers inside the services (the metrics exposition)."""
        until = time.time()
        since, end = window_bounds(window, until)
        if settle:
            self.settle()
        grouped = self.store.ledger.grouped(by, since, end, user=user or None, project=project or None)
        groups = [
            CostGroup(key=key, cost=dollars(t.cost_micros), **_in_hours(t))
            for key, t in sorted(grouped.groups.items(), key=lambda kv: (-kv[1].cost_micros, kv[0]))
        ]
        total = grouped.total
        return CostSummary(
            by=by,
            window=str(window).strip(),
            since=since,
            until=until,
            total=dollars(total.cost_micros),
            groups=groups,
            **_in_hours(total),
        )

    def settle_usage(self, req: SettleUsage, actor: Actor) -> int:
        """Settle now (the server does it every ``MAESTRO_METER_INTERVAL`` seconds); how many rows were written."""
        return self.settle()

    # --- estimates -----------------------------------------------------------------------------------------------

    def estimate_cost(self, req: EstimateCost, actor: Actor) -> Estimate:
        """What a job or deployment would cost, for the caller and their project (or the one named, if theirs)."""
        return self.estimate(
            req.kind,
            req.resources(),
            replicas=req.replicas,
            hours=req.hours,
            name=req.name,
            user=actor.user,
            project=actor.project_for(req.project),
        )

    def estimate(
        self,
        kind: str,
        resources: Resources,
        *,
        replicas: int = 1,
        hours: float | None = None,
        name: str | None = None,
        user: str,
        project: str,
    ) -> Estimate:
        """What a job of ``user`` charged to ``project`` costs per run (its expected run time), or a deployment per
        day, against their budgets. The callers chose the project (``Actor.project_for``)."""
        if kind not in ("job", "deployment"):
            raise InvalidParameter(f"An estimate is for a job or a deployment, not {kind!r}")
        if hours is not None and not 0 < float(hours) <= 24 * 366:
            raise InvalidParameter("hours must be more than 0 and at most a year")
        if kind == "deployment":
            run_hours, per, basis = float(hours or 24.0), "day", f"{replicas} replica(s) serving for a day"
        elif hours is not None:
            run_hours, per, basis = float(hours), "run", "the run time given"
        else:
            (run_hours, basis), per = self._expected_hours(name, user, project), "run"
        cpu, memory, gpu = requested_usage(resources, run_hours * 3600, replicas)
        cost = dollars(self.rates.cost_micros(cpu, memory, gpu))
        checks = self.budgets.preflight(user, project, cost)
        allowed = all(c.allowed for c in checks)
        return Estimate(
            kind=kind,
            cost=cost,
            hours=round(run_hours, 4),
            per=per,
            basis=basis,
            rates=self.rates.applied(),
            allowed=allowed,
            budgets=checks,
            message=_estimate_message(cost, per, checks),
        )

    def enforce(self, estimate: Estimate) -> None:
        """Refuse what a hard budget limit does not allow."""
        for check in estimate.budgets:
            if not check.allowed:
                raise BudgetExceeded(
                    f"Refused: {check.id} has {fmt_money(max(check.remaining, 0))} left of its "
                    f"{fmt_money(check.amount)} {check.period} hard limit; this would cost about "
                    f"{fmt_money(estimate.cost)} per {estimate.per}"
                )

    def _expected_hours(self, name: str | None, user: str, project: str) -> tuple[float, str]:
        """The median run time of the last runs of a job of this name, else ``MAESTRO_ESTIMATE_JOB_HOURS``."""
        default = self.settings.estimate_job_hours
        if name:
            earlier = [
                j.duration_seconds
                for j, _ in self.store.list_jobs(user=user, project=project, statuses=("succeeded",), limit=200)
                if j.name == name and j.duration_seconds
            ][:20]
            if earlier:
                median = statistics.median(earlier) / 3600
                return median, f"median run time of {len(earlier)} earlier run(s) of {name}"
        return default, f"default of {default:g} h (no earlier runs{f' of {name}' if name else ''})"


def _in_hours(totals: Totals) -> dict[str, Any]:
    """The usage of some ledger rows as a summary shows it: hours, and how many rows."""
    return {
        "cpu_hours": round(totals.cpu_seconds / 3600, 6),
        "memory_gb_hours": round(totals.memory_gb_seconds / 3600, 6),
        "gpu_hours": round(totals.gpu_seconds / 3600, 6),
        "records": totals.records,
    }


def _estimate_message(cost: float, per: str, checks: list[Any]) -> str:
    head = f"about {fmt_money(cost)} per {per}"
    if not checks:
        return f"{head}; no budget applies"
    tightest = min(checks, key=lambda c: c.remaining)
    left = f"{fmt_money(max(tightest.remaining, 0))} left {period_word(tightest.period)} in {tightest.id}"
    refused = [c.id for c in checks if not c.allowed]
    return f"{head}; {left}" + (f" - over the hard limit of {', '.join(refused)}" if refused else "")
