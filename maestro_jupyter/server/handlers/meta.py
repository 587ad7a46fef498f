"""REST handlers about the API itself: server info, the OpenAPI document, and JSON 404s for unknown paths."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..._version import __version__
from ...entities.meta import Info
from ...errors import NotFound
from ..bulkheads import STORE
from ..openapi import Operation, build_spec
from .base import MaestroHandler


class InfoHandler(MaestroHandler):
    path = "/info"
    operations = {"get": Operation("Maestro's version and configuration as seen by this user", Info)}

    @web.authenticated
    @authorized
    async def get(self) -> None:
        if self.forwarder is not None:
            # A member's server of a team: who the service takes its owner for, and its configuration.
            self.check_owner()
            _, body = await self.forwarded_get("info")
            self.send(Info.model_validate_json(body))
            return
        public = self.maestro.services.settings.public_dict()
        actor = self.actor()
        public.update(user=actor.user, project=actor.default_project or "")
        self.send(Info(version=__version__, admin=actor.admin, projects=list(actor.projects), **public))


class OpenAPIHandler(MaestroHandler):
    path = "/openapi.json"
    operations = {"get": Operation("This API's OpenAPI 3 document")}

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from . import HANDLERS

        self.send(build_spec(HANDLERS, __version__))


class NotFoundHandler(MaestroHandler):
    """Any other path under the API prefix: a JSON 404 rather than Jupyter's HTML page."""

    def _missing(self, rest: str | None = None) -> None:
        raise NotFound(f"No Maestro API endpoint {self.request.method} {self.request.path}")

    @web.authenticated
    @authorized
    def get(self, rest: str | None = None) -> None:
        self._missing(rest)

    @web.authenticated
    @authorized
    def post(self, rest: str | None = None) -> None:
        self._missing(rest)

    @web.authenticated
    @authorized
    def put(self, rest: str | None = None) -> None:
        self._missing(rest)

    @web.authenticated
    @authorized
    def patch(self, rest: str | None = None) -> None:
        self._missing(rest)

    @web.authenticated
    @authorized
    def delete(self, rest: str | None = None) -> None:
        self._missing(rest)


class MetricsHandler(MaestroHandler):
    path = "/metrics"
    operations = {
        "get": Operation(
            "Prometheus metrics: costs, budgets, jobs, deployment requests and model metrics",
            content_type="text/plain; version=0.0.4",
        )
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from ...services.metrics import exposition

        if self.forwarder is not None:
            # The team's figures are the service's (this server has no Maestro DB); the scraper reading them here
            # need not be the owner: nothing is done in the owner's name, and every member may read them.
            _, text_bytes = await self.forwarded_get("metrics")
            self.finish(text_bytes, set_content_type="text/plain; version=0.0.4; charset=utf-8")
            return
        # The Maestro DB's bulkhead: the registry's series come from a background reading (never waited for longer
        # than metrics.MLFLOW_WAIT_S), so a scrape answers within Prometheus' time-out while MLflow hangs.
        text = await self.call(exposition, bulkhead=STORE)
        self.finish(text.encode(), set_content_type="text/plain; version=0.0.4; charset=utf-8")
