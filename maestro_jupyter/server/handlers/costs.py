"""REST handlers for costs, budgets and alerts. Changing a budget needs the admin role (``MAESTRO_ADMINS``)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.budgets import DeleteBudget, GetBudget, ListAlerts, ListBudgets, SetBudget
from ...contract.costs import GROUP_BY, EstimateCost, GetCostSummary
from ...entities import AlertList, Budget, BudgetList, CostSummary, Estimate
from ..openapi import Operation, Param, page_size
from .base import MaestroHandler


class CostsHandler(MaestroHandler):
    path = "/costs"
    operations = {
        "get": Operation(
            "Spend over a window, grouped",
            CostSummary,
            query=(
                Param("by", "user, project, model, version or kind (default project)", enum=GROUP_BY),
                Param("window", "How far back: 12h, 30d, 4w (default 30d, at most 366d)", pattern=r"^[0-9]{1,4}[hdw]$"),
                Param("user", "Only this user's spend"),
                Param("project", "Only this project's spend"),
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        fields = {name: self.query(name) for name in ("by", "window", "user", "project")}
        self.send(await self.execute(self.request_model(GetCostSummary, body=False, **fields)))


class EstimateHandler(MaestroHandler):
    path = "/costs/estimate"
    operations = {
        "post": Operation("Estimate a job's or deployment's cost before starting it", Estimate, body=EstimateCost)
    }
    rate_limited = False  # an estimate changes nothing

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send(await self.execute(self.request_model(EstimateCost)))


class BudgetsHandler(MaestroHandler):
    path = "/budgets"
    operations = {"get": Operation("Budgets and where each stands this period", BudgetList)}

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.execute(ListBudgets()))


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
        self.send(await self.execute(self.request_model(GetBudget, body=False, scope=scope, subject=subject)))

    @web.authenticated
    @authorized
    async def put(self, scope: str, subject: str) -> None:
        self.send(await self.execute(self.request_model(SetBudget, scope=scope, subject=subject)))

    @web.authenticated
    @authorized
    async def delete(self, scope: str, subject: str) -> None:
        await self.execute(self.request_model(DeleteBudget, body=False, scope=scope, subject=subject))
        self.send(None, 204)


class AlertsHandler(MaestroHandler):
    path = "/alerts"
    operations = {
        "get": Operation(
            "Budget alerts, newest first",
            AlertList,
            query=(
                Param(
                    "after", "Only alerts with a larger id (to poll for new ones)", "integer", minimum=0, maximum=2**62
                ),
                page_size("limit", "At most this many"),
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        after, limit = self.query_int("after", 0), self.query_int("limit", 100)
        self.send(await self.execute(self.request_model(ListAlerts, body=False, after=after, limit=limit)))
