"""The Jupyter server extension app. Its traitlets mirror :class:`~maestro_jupyter.settings.Settings`, so
``c.Maestro.tracking_uri = "http://mlflow:5000"`` in ``jupyter_server_config.py`` wins over the environment."""

from __future__ import annotations

from typing import Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Integer, Type, Unicode

from ..services import Services
from ..settings import Settings
from .context import MaestroContext
from .handlers import rules
from .ratelimit import RateLimiter

_HELP = "Overrides the environment variable {var}; see maestro_jupyter/settings.py."


def _text(var: str) -> Any:
    return Unicode(None, allow_none=True, config=True, help=_HELP.format(var=var))


class Maestro(ExtensionApp):  # type: ignore[misc]
    """Maestro's REST API under ``{base_url}maestro/api/v1/``."""

    name = "maestro_jupyter"

    home = _text("MAESTRO_HOME")
    tracking_uri = _text("MLFLOW_TRACKING_URI")
    registry_uri = _text("MLFLOW_REGISTRY_URI")
    artifact_root = _text("MAESTRO_ARTIFACT_ROOT")
    db_url = _text("MAESTRO_DB_URL")
    compute = _text("MAESTRO_COMPUTE")
    prometheus_url = _text("MAESTRO_PROMETHEUS_URL")
    project = _text("MAESTRO_PROJECT")
    mlflow_ui_url = _text("MAESTRO_MLFLOW_UI_URL")
    card_templates = _text("MAESTRO_CARD_TEMPLATES")
    gated_aliases = _text("MAESTRO_GATED_ALIASES")
    test_policy = _text("MAESTRO_TEST_POLICY")
    gate_deployments = _text("MAESTRO_GATE_DEPLOYMENTS")
    k8s_namespace = _text("MAESTRO_K8S_NAMESPACE")
    job_image = _text("MAESTRO_JOB_IMAGE")
    serving_image = _text("MAESTRO_SERVING_IMAGE")
    k8s_code_pvc = _text("MAESTRO_K8S_CODE_PVC")
    k8s_code_mount = _text("MAESTRO_K8S_CODE_MOUNT")
    admins = _text("MAESTRO_ADMINS")
    alert_webhook = _text("MAESTRO_ALERT_WEBHOOK")
    price_gpu_types = _text("MAESTRO_PRICE_GPU_TYPES")
    price_cpu_hour = Float(None, allow_none=True, config=True, help=_HELP.format(var="MAESTRO_PRICE_CPU_HOUR"))
    price_gb_hour = Float(None, allow_none=True, config=True, help=_HELP.format(var="MAESTRO_PRICE_GB_HOUR"))
    price_gpu_hour = Float(None, allow_none=True, config=True, help=_HELP.format(var="MAESTRO_PRICE_GPU_HOUR"))
    estimate_job_hours = Float(None, allow_none=True, config=True, help=_HELP.format(var="MAESTRO_ESTIMATE_JOB_HOURS"))
    meter_interval = Float(None, allow_none=True, config=True, help=_HELP.format(var="MAESTRO_METER_INTERVAL"))
    rate_limit = Integer(None, allow_none=True, config=True, help=_HELP.format(var="MAESTRO_RATE_LIMIT"))
    rate_window = Float(None, allow_none=True, config=True, help=_HELP.format(var="MAESTRO_RATE_WINDOW"))
    services_class = Type(
        default_value=Services, klass=Services, config=True, help="The services container; swap it to customise."
    )

    _SETTING_TRAITS = (
        "home",
        "tracking_uri",
        "registry_uri",
        "artifact_root",
        "db_url",
        "compute",
        "prometheus_url",
        "project",
        "mlflow_ui_url",
        "rate_limit",
        "rate_window",
        "card_templates",
        "gated_aliases",
        "test_policy",
        "gate_deployments",
        "k8s_namespace",
        "job_image",
        "serving_image",
        "k8s_code_pvc",
        "k8s_code_mount",
        "admins",
        "alert_webhook",
        "price_gpu_types",
        "price_cpu_hour",
        "price_gb_hour",
        "price_gpu_hour",
        "estimate_job_hours",
        "meter_interval",
    )

    def initialize_settings(self) -> None:
        settings = Settings.from_env(**{t: getattr(self, t) for t in self._SETTING_TRAITS})
        context = MaestroContext(
            services=self.services_class(settings), limiter=RateLimiter(settings.rate_limit, settings.rate_window)
        )
        self.settings["maestro"] = context
        self.log.info("Maestro: tracking %s, compute %s", settings.public_dict()["tracking_uri"], settings.compute)

    def initialize_handlers(self) -> None:
        self.handlers.extend(rules())

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        # Import MLflow and open the store in the background, so the first request does not pay for it and the
        # server's own start does not wait for it either.
        import asyncio

        context: MaestroContext = self.settings["maestro"]
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(context.executor, _warm_up, context.services)
        future.add_done_callback(lambda f: f.exception() and self.log.warning("Maestro warm-up: %s", f.exception()))
        self._meter = UsageMeter(context, self.log)
        self._meter.start()

    async def stop_extension(self) -> None:
        meter = getattr(self, "_meter", None)
        if meter is not None:
            meter.stop()
        self.settings["maestro"].executor.shutdown(wait=False, cancel_futures=True)


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
        self._running = self.context.executor.submit(self.context.services.costs.settle)
        self._running.add_done_callback(
            lambda f: f.exception() and self.log.warning("Maestro usage meter: %s", f.exception())
        )


def _warm_up(services: Services) -> None:
    _ = services.mlflow
    # Pick up the jobs and deployments that were running when the server last stopped: re-attached to their
    # processes when these are alive, marked lost (jobs) or failed (deployments) with the reason when not.
    services.training.reconcile()
    services.deployments.reconcile()
