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

    async def stop_extension(self) -> None:
        self.settings["maestro"].executor.shutdown(wait=False, cancel_futures=True)


def _warm_up(services: Services) -> None:
    _ = services.mlflow
    # Pick up the jobs and deployments that were running when the server last stopped: re-attached to their
    # processes when these are alive, marked lost (jobs) or failed (deployments) with the reason when not.
    services.training.reconcile()
    services.deployments.reconcile()
