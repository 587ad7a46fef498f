"""REST handlers for costs, budgets and alerts. Changing a budget needs the admin role (``MAESTRO_ADMINS``)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...cost_entities import AlertList, Budget, BudgetList, CostSummary, Estimate
from ...entities import Resources
from ...services import Services
from ..openapi import Operation, Param
from ..requests import EstimateCost, SetBudget
from .base import MaestroHandler


class CostsHandler(MaestroHandler):
    path = "/costs"
    operations = {
        "get": Operation(
            "Spend over a window, grouped",
            CostSummary,
            query=(
                Param("by", "user, project, model, version or kind (default project)"),
                Param("window", "How far back: 12h, 30d, 4w (default 30d, at most 366d)"),
                Param("user", "Only this user's spend"),
                Param("project", "Only this project's spend"),
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        by, window = self.query("by", "project") or "project", self.query("window", "30d") or "30d"
        user, project = self.query("user"), self.query("project")
        self.send(await self.call(lambda s: s.costs.summary(by, window, user=user, project=project)))


class EstimateHandler(MaestroHandler):
    path = "/costs/estimate"
    operations = {
        "post": Operation("Estimate a job's or deployment's cost before starting it", Estimate, body=EstimateCost)
    }
    rate_limited = False  # an estimate changes nothing

    @web.authenticated
    @authorized
    async def post(self) -> None:
        req = self.body(EstimateCost)
        user = self.acting_user()

        def estimate(s: Services) -> Estimate:
            from ...services import validation as v

            resources: Resources = v.resources(req.cpus, req.memory, req.gpus, req.workers)
            return s.costs.estimate(
                req.kind,
                resources,
                replicas=req.replicas,
                hours=req.hours,
                name=req.name,
                user=user,
                project=req.project,
            )

        self.send(await self.call(estimate))


class BudgetsHandler(MaestroHandler):
    path = "/budgets"
    operations = {"get": Operation("Budgets and where each stands this period", BudgetList)}

    @web.authenticated
    @authorized
    async def get(self) -> None:
        user = self.acting_user()
        self.send(await self.call(lambda s: s.budgets.list(actor=user)))


class BudgetHandler(MaestroHandler):
    path = "/budgets/{scope}/{subject}"
    operations = {
        "get": Operation("One budget", Budget),
        "put": Operation("Create or change a budget (admin)", Budget, body=SetBudget),
        "delete": Operation("Remove a budget (admin)", None, 204),
    }

    @web.authenticated
    @authorized
    async def get(self, scope: str, subject: str) -> None:
        self.send(await self.call(lambda s: s.budgets.get(scope, subject)))

    @web.authenticated
    @authorized
    async def put(self, scope: str, subject: str) -> None:
        req = self.body(SetBudget)
        user = self.acting_user()
        self.send(
            await self.call(
                lambda s: s.budgets.set(
                    scope,
                    subject,
                    req.amount,
                    period=req.period,
                    thresholds=req.thresholds,
                    hard_limit=req.hard_limit,
                    webhook=req.webhook,
                    actor=user,
                )
            )
        )

    @web.authenticated
    @authorized
    async def delete(self, scope: str, subject: str) -> None:
        user = self.acting_user()
        await self.call(lambda s: s.budgets.delete(scope, subject, actor=user))
        self.send(None, 204)


class AlertsHandler(MaestroHandler):
    path = "/alerts"
    operations = {
        "get": Operation(
            "Budget alerts, newest first",
            AlertList,
            query=(
                Param("after", "Only alerts with a larger id (to poll for new ones)", "integer"),
                Param("limit", "At most this many, 1-1000 (default 100)", "integer"),
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        after, limit = self.query_int("after", 0), self.query_int("limit", 100)
        user = self.acting_user()
        self.send(await self.call(lambda s: s.budgets.alerts(after=after, limit=limit, actor=user)))
