"""The Jupyter server extension app. Its traitlets are generated from the settings table
(:data:`~maestro_jupyter.settings.SETTINGS`), so ``c.Maestro.tracking_uri = "http://mlflow:5000"`` in
``jupyter_server_config.py`` wins over the environment."""

from __future__ import annotations

import types
import typing
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, Integer, TraitType, Type, Unicode, Union

from ..backends.compute.base import ComputeBackend
from ..errors import MaestroError
from ..services import Services
from ..settings import SETTINGS, Settings, SettingSpec
from .bulkheads import REGISTRY, STORE
from .context import MaestroContext
from .forwarding import Forwarder, forwarding
from .handlers import rules
from .ratelimit import RateLimiter


def setting_traits(table: tuple[SettingSpec, ...] = SETTINGS) -> dict[str, TraitType[Any, Any]]:
    """One ``config=True`` traitlet per row of the settings table, with the row's help.

    Each defaults to ``None``, meaning "not configured": :meth:`Maestro.initialize_settings` passes only the
    configured ones to :meth:`Settings.from_env`, so config wins over the environment and the environment over the
    table's default. Numbers are typed traitlets so that config files can give numbers; everything else is text, as in
    the environment (a flag also takes a bool).
    """
    return {spec.name: _trait(spec) for spec in table}


def _trait(spec: SettingSpec) -> TraitType[Any, Any]:
    kind = spec.type
    if isinstance(kind, types.UnionType):  # an optional setting: ``float | None`` is configured as a float
        kind = next(iter(set(typing.get_args(kind)) - {type(None)}))
    help = f"{spec.help} Overrides the environment variable {spec.env}."
    if kind is bool:
        return Union([Bool(), Unicode()], default_value=None, allow_none=True, config=True, help=help)
    if kind is int:
        return Integer(None, allow_none=True, config=True, help=help)
    if kind is float:
        return Float(None, allow_none=True, config=True, help=help)
    return Unicode(None, allow_none=True, config=True, help=help)


class Maestro(ExtensionApp):  # type: ignore[misc]
    """Maestro's REST API under ``{base_url}maestro/api/v1/``."""

    name = "maestro_jupyter"

    # c.Maestro.<setting> for every setting, generated from the table in settings.py (the class body's namespace is
    # the dict the traitlets metaclass reads, so the traits are declared as if written out here).
    locals().update(setting_traits())
    services_class = Type(
        default_value=Services, klass=Services, config=True, help="The services container; swap it to customise."
    )
    compute_backend_class = Type(
        default_value=None,
        klass=ComputeBackend,
        allow_none=True,
        config=True,
        help="A ComputeBackend subclass to run jobs and deployments on, instead of the one MAESTRO_COMPUTE names.",
    )

    def initialize_settings(self) -> None:
        settings = Settings.from_env(**{spec.name: getattr(self, spec.name) for spec in SETTINGS})
        context = MaestroContext(
            services=self.services_class(settings, compute_class=self.compute_backend_class),
            limiter=RateLimiter(settings.rate_limit, settings.rate_window),
        )
        self.settings["maestro"] = context
        if forwarding(settings):
            # A member's server of a team: every operation goes to the team's service, with this server's hub token;
            # nothing here opens a store (there are no keys here to open one with).
            self.settings["maestro_forwarder"] = Forwarder(settings)
            self.log.info("Maestro: every operation goes to the team's service at %s", settings.url)
            return
        self.log.info("Maestro: tracking %s, compute %s", settings.public_dict()["tracking_uri"], settings.compute)
        if settings.url:
            self.log.warning("Maestro: MAESTRO_URL (%s) is ignored in team mode: this is the service", settings.url)
        if settings.team:
            provider = getattr(self.serverapp, "identity_provider", None)
            if not hasattr(provider, "hub_auth"):
                # Team mode takes every actor from the hub: without it, every request that acts is refused (403).
                self.log.warning(
                    "Maestro: team mode without JupyterHub authentication (%s): every request will be refused; run "
                    "python -m maestro_jupyter.server.service",
                    type(provider).__name__,
                )
            else:
                self.log.info(
                    "Maestro: team mode: identity from JupyterHub; projects are hub groups %s<name>, admins the "
                    "hub's admins and group %s",
                    settings.project_prefix,
                    settings.admin_group,
                )

    def initialize_handlers(self) -> None:
        self.handlers.extend(rules())

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        # Import MLflow and open the store in the background, so the first request does not pay for it and the
        # server's own start does not wait for it either. It waits on MLflow: the registry's bulkhead.
        context: MaestroContext = self.settings["maestro"]
        if forwarding(context.services.settings):
            return  # the service warms its stores up, reconciles its jobs and meters usage
        future = context.bulkheads[REGISTRY].submit(lambda: _warm_up(context.services))
        future.add_done_callback(lambda f: f.exception() and self.log.warning("Maestro warm-up: %s", f.exception()))
        self._meter = UsageMeter(context, self.log)
        self._meter.start()

    async def stop_extension(self) -> None:
        meter = getattr(self, "_meter", None)
        if meter is not None:
            meter.stop()
        self.settings["maestro"].shutdown()
        self.settings["maestro"].services.close()


class UsageMeter:
    """Every ``MAESTRO_METER_INTERVAL`` seconds, off the event loop: settle finished jobs into the ledger, meter the
    running deployments, and fire the budget alerts that crossing a threshold calls for. Without it, spend would
    only move when someone looked."""

    def __init__(self, context: MaestroContext, log: Any) -> None:
        from tornado.ioloop import PeriodicCallback

        self.context = context
        self.log = log
        self._running: Any = None
        interval_ms = context.services.settings.meter_interval * 1000
        self._callback = PeriodicCallback(self._tick, interval_ms, jitter=0.1)

    def start(self) -> None:
        self._callback.start()

    def stop(self) -> None:
        self._callback.stop()

    def _tick(self) -> None:
        if self._running is not None and not self._running.done():
            return  # the last reading is still going: never pile them up
        # The books are the Maestro DB's: the store's bulkhead, so a hung MLflow (whose cost tags are a best-effort
        # follow-up) holds at most this one reading, and never stops the metering.
        try:
            self._running = self.context.bulkheads[STORE].submit(self.context.services.costs.settle)
        except MaestroError as exc:  # the bulkhead is full: the next tick tries again
            self.log.warning("Maestro usage meter: %s", exc)
            return
        self._running.add_done_callback(
            lambda f: f.exception() and self.log.warning("Maestro usage meter: %s", f.exception())
        )


def _warm_up(services: Services) -> None:
    from ..services.metrics import registry_series

    index = services.mlflow.model_index
    if index is not None:  # the team service: its model index reads every model now, then keeps up
        index.start()
    # Pick up the jobs and deployments that were running when the server last stopped: re-attached to their
    # processes when these are alive, marked lost (jobs) or failed (deployments) with the reason when not.
    services.training.reconcile()
    services.deployments.reconcile()
    # The metrics exposition's series read from the registry, read now so that the first scrape has them.
    registry_series(services).refresh()
