"""Every Maestro knob in one place: environment variables with the embedded defaults.

The kernel (magics, SDK) and the Jupyter server build the same :class:`Settings` from the same environment; the
server additionally accepts each knob as traitlets config (``c.Maestro.tracking_uri = ...``), which wins over the
environment. Reading settings never touches the disk: :meth:`Settings.ensure_home` creates ``MAESTRO_HOME`` on
first use, so importing or configuring Maestro never litters the current directory.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import InvalidParameter

COMPUTE_BACKENDS = ("local", "kubernetes")


@dataclass(frozen=True)
class Settings:
    """Resolved configuration. Build it with :meth:`from_env`; every field has an environment variable."""

    #: ``MAESTRO_HOME``: where the embedded stores live (default ``~/.maestro``).
    home: Path
    #: ``MLFLOW_TRACKING_URI``: default ``sqlite:///$MAESTRO_HOME/mlflow.db``.
    tracking_uri: str
    #: ``MLFLOW_REGISTRY_URI``: default: the tracking URI.
    registry_uri: str
    #: ``MAESTRO_ARTIFACT_ROOT``: where new experiments keep artifacts in the embedded store.
    artifact_root: str
    #: ``MAESTRO_DB_URL``: the Maestro database (jobs, deployments, usage, budgets).
    db_url: str
    #: ``MAESTRO_COMPUTE``: ``local`` (subprocesses) or ``kubernetes``.
    compute: str
    #: ``MAESTRO_PROMETHEUS_URL``: unset on one machine.
    prometheus_url: str | None
    #: ``MAESTRO_USER``, else ``JUPYTERHUB_USER``, else the OS user.
    user: str
    #: ``MAESTRO_PROJECT``: default ``default``.
    project: str
    #: ``MAESTRO_MLFLOW_UI_URL``: where "open in MLflow" links point; default: an http tracking URI, else none.
    mlflow_ui_url: str | None
    #: ``MAESTRO_RATE_LIMIT``: mutating REST requests allowed per user per window.
    rate_limit: int
    #: ``MAESTRO_RATE_WINDOW``: the rate-limit window in seconds.
    rate_window: float
    #: ``MAESTRO_MLFLOW_TIMEOUT``: seconds before a tracking-server request is abandoned.
    mlflow_timeout: int
    #: ``MAESTRO_MLFLOW_RETRIES``: retries of a failed tracking-server request (MLflow's own default is 7, with
    #: exponential back-off: minutes before a user hears that the server is down).
    mlflow_retries: int
    #: ``MAESTRO_CARD_TEMPLATES``: a folder whose ``card.md.j2`` / ``card.html.j2`` / ``card.pdf.html.j2`` replace the
    #: built-in model card templates (any subset); unset: the built-in ones.
    card_templates: str | None = None
    #: ``MAESTRO_GATED_ALIASES``: comma-separated aliases that only a version with passing tests may take
    #: (default ``champion,production``; ``*`` gates every alias, ``none`` none).
    gated_aliases: tuple[str, ...] = ("champion", "production")
    #: ``MAESTRO_TEST_POLICY``: a YAML test policy every model test starts from (a team's thresholds).
    test_policy: str | None = None
    #: ``MAESTRO_GATE_DEPLOYMENTS``: deploy only versions whose latest tests passed (default true; ``false`` lets
    #: any version be deployed, e.g. on a laptop).
    gate_deployments: bool = True
    #: ``MAESTRO_K8S_NAMESPACE``: where jobs and deployments go (default: the pod's own namespace in a cluster,
    #: else ``default``).
    k8s_namespace: str | None = None
    #: ``MAESTRO_JOB_IMAGE``: the image training pods run (it needs Python, MLflow and the job's libraries).
    job_image: str = "maestro-jupyter:latest"
    #: ``MAESTRO_SERVING_IMAGE``: the image serving pods run ``mlflow models serve`` in.
    serving_image: str = "maestro-jupyter:latest"
    #: ``MAESTRO_K8S_CODE_PVC``: a PersistentVolumeClaim holding users' files (a hub's home volume). When set, jobs
    #: mount it at ``MAESTRO_K8S_CODE_MOUNT`` and run the script from there instead of from a ConfigMap copy.
    k8s_code_pvc: str | None = None
    #: ``MAESTRO_K8S_CODE_MOUNT``: where that volume is mounted (default ``/home/jovyan``).
    k8s_code_mount: str = "/home/jovyan"
    #: ``MAESTRO_PRICE_CPU_HOUR``: dollars per CPU-hour (default 0.05).
    price_cpu_hour: float = 0.05
    #: ``MAESTRO_PRICE_GB_HOUR``: dollars per GiB-hour of memory (default 0.005).
    price_gb_hour: float = 0.005
    #: ``MAESTRO_PRICE_GPU_HOUR``: dollars per GPU-hour of a GPU with no price of its own (default 0.50).
    price_gpu_hour: float = 0.50
    #: ``MAESTRO_PRICE_GPU_TYPES``: per-type GPU-hour prices, ``a100=2.90,t4=0.35``; a type matches a GPU whose
    #: model name contains it (case-insensitive).
    price_gpu_types: tuple[tuple[str, float], ...] = ()
    #: ``MAESTRO_ADMINS``: comma-separated users with the admin role (they set budgets). Unset: the server's own
    #: user (``MAESTRO_USER``) is the admin, as on a laptop; a hub sets it from its admin users.
    admins: tuple[str, ...] = ()
    #: ``MAESTRO_ALERT_WEBHOOK``: where budget alerts are POSTed (JSON with a Slack-style ``text``) when the budget
    #: names no webhook of its own.
    alert_webhook: str | None = None
    #: ``MAESTRO_ESTIMATE_JOB_HOURS``: how long a job is assumed to run when none like it ran before (default 1).
    estimate_job_hours: float = 1.0
    #: ``MAESTRO_METER_INTERVAL``: seconds between the server's usage readings of running deployments (default 60).
    meter_interval: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Resolve settings from ``env`` (default ``os.environ``); non-``None`` ``overrides`` win."""
        env = os.environ if env is None else env
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(given) - {f.name for f in fields(cls)}
        if unknown:
            raise InvalidParameter(f"Unknown Maestro setting(s): {', '.join(sorted(unknown))}")

        def pick(name: str, var: str, default: Any = None) -> Any:
            if name in given:
                return given[name]
            value = env.get(var, "").strip()
            return value if value else default

        home = Path(pick("home", "MAESTRO_HOME", "~/.maestro")).expanduser().resolve()
        tracking_uri = str(pick("tracking_uri", "MLFLOW_TRACKING_URI", f"sqlite:///{home / 'mlflow.db'}"))
        ui_default = tracking_uri if tracking_uri.startswith(("http://", "https://")) else None
        settings = cls(
            home=home,
            tracking_uri=tracking_uri,
            registry_uri=str(pick("registry_uri", "MLFLOW_REGISTRY_URI", tracking_uri)),
            artifact_root=str(pick("artifact_root", "MAESTRO_ARTIFACT_ROOT", (home / "artifacts").as_uri())),
            db_url=str(pick("db_url", "MAESTRO_DB_URL", f"sqlite:///{home / 'maestro.db'}")),
            compute=str(pick("compute", "MAESTRO_COMPUTE", "local")).lower(),
            prometheus_url=pick("prometheus_url", "MAESTRO_PROMETHEUS_URL"),
            user=str(pick("user", "MAESTRO_USER", env.get("JUPYTERHUB_USER") or _os_user())),
            project=str(pick("project", "MAESTRO_PROJECT", "default")),
            mlflow_ui_url=pick("mlflow_ui_url", "MAESTRO_MLFLOW_UI_URL", ui_default),
            rate_limit=_number(pick("rate_limit", "MAESTRO_RATE_LIMIT", 60), "MAESTRO_RATE_LIMIT", int),
            rate_window=_number(pick("rate_window", "MAESTRO_RATE_WINDOW", 60), "MAESTRO_RATE_WINDOW", float),
            mlflow_timeout=_number(pick("mlflow_timeout", "MAESTRO_MLFLOW_TIMEOUT", 10), "MAESTRO_MLFLOW_TIMEOUT", int),
            mlflow_retries=_number(pick("mlflow_retries", "MAESTRO_MLFLOW_RETRIES", 1), "MAESTRO_MLFLOW_RETRIES", int),
            card_templates=pick("card_templates", "MAESTRO_CARD_TEMPLATES"),
            gated_aliases=_aliases(pick("gated_aliases", "MAESTRO_GATED_ALIASES", "champion,production")),
            test_policy=pick("test_policy", "MAESTRO_TEST_POLICY"),
            gate_deployments=_flag(
                pick("gate_deployments", "MAESTRO_GATE_DEPLOYMENTS", True), "MAESTRO_GATE_DEPLOYMENTS"
            ),
            k8s_namespace=pick("k8s_namespace", "MAESTRO_K8S_NAMESPACE"),
            job_image=str(pick("job_image", "MAESTRO_JOB_IMAGE", "maestro-jupyter:latest")),
            serving_image=str(pick("serving_image", "MAESTRO_SERVING_IMAGE", "maestro-jupyter:latest")),
            k8s_code_pvc=pick("k8s_code_pvc", "MAESTRO_K8S_CODE_PVC"),
            k8s_code_mount=str(pick("k8s_code_mount", "MAESTRO_K8S_CODE_MOUNT", "/home/jovyan")),
            price_cpu_hour=_price(pick("price_cpu_hour", "MAESTRO_PRICE_CPU_HOUR", 0.05), "MAESTRO_PRICE_CPU_HOUR"),
            price_gb_hour=_price(pick("price_gb_hour", "MAESTRO_PRICE_GB_HOUR", 0.005), "MAESTRO_PRICE_GB_HOUR"),
            price_gpu_hour=_price(pick("price_gpu_hour", "MAESTRO_PRICE_GPU_HOUR", 0.50), "MAESTRO_PRICE_GPU_HOUR"),
            price_gpu_types=_gpu_prices(pick("price_gpu_types", "MAESTRO_PRICE_GPU_TYPES", ())),
            admins=_names(pick("admins", "MAESTRO_ADMINS", ())),
            alert_webhook=_webhook(pick("alert_webhook", "MAESTRO_ALERT_WEBHOOK"), "MAESTRO_ALERT_WEBHOOK"),
            estimate_job_hours=_price(
                pick("estimate_job_hours", "MAESTRO_ESTIMATE_JOB_HOURS", 1.0), "MAESTRO_ESTIMATE_JOB_HOURS"
            ),
            meter_interval=_number(
                pick("meter_interval", "MAESTRO_METER_INTERVAL", 60), "MAESTRO_METER_INTERVAL", float
            ),
        )
        if settings.compute not in COMPUTE_BACKENDS:
            raise InvalidParameter(
                f"MAESTRO_COMPUTE must be one of {', '.join(COMPUTE_BACKENDS)}, not {settings.compute!r}"
            )
        if settings.meter_interval < 1:
            raise InvalidParameter("MAESTRO_METER_INTERVAL must be at least 1 second")
        if settings.rate_limit < 1 or settings.rate_window <= 0:
            raise InvalidParameter("MAESTRO_RATE_LIMIT must be at least 1 and MAESTRO_RATE_WINDOW positive")
        return settings

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with some fields replaced."""
        return replace(self, **overrides)

    @property
    def embedded_tracking(self) -> bool:
        """True when the tracking store is the embedded SQLite database under ``MAESTRO_HOME``."""
        return self.tracking_uri == f"sqlite:///{self.home / 'mlflow.db'}"

    @property
    def embedded_db(self) -> bool:
        """True when the Maestro DB is the embedded SQLite database under ``MAESTRO_HOME``."""
        return self.db_url == f"sqlite:///{self.home / 'maestro.db'}"

    def ensure_home(self) -> Path:
        """Create ``MAESTRO_HOME`` (and the embedded artifact folder) if missing; return it."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.artifact_root.startswith("file://"):
            Path(self.artifact_root.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
        return self.home

    def export_artifact_root(self) -> None:
        """Point MLflow's SQL stores in this process at the embedded artifact root (when embedded).

        Without it MLflow gives new experiments ``./mlruns`` in whatever directory the process runs in.
        ``_MLFLOW_SERVER_ARTIFACT_ROOT`` is what ``mlflow server`` itself sets for the same purpose; MLflow reads it
        whenever it opens a SQL store without an explicit artifact root.
        """
        if self.embedded_tracking:
            os.environ.setdefault("_MLFLOW_SERVER_ARTIFACT_ROOT", self.artifact_root)

    def public_dict(self) -> dict[str, Any]:
        """What the API may show a user: no credentials inside URIs."""
        return {
            "tracking_uri": _redact(self.tracking_uri),
            "compute": self.compute,
            "user": self.user,
            "project": self.project,
            "mlflow_ui_url": _redact(self.mlflow_ui_url) if self.mlflow_ui_url else None,
        }


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (e.g. an arbitrary uid in a container)
        return "unknown"


def _number(value: Any, var: str, kind: type) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{var} must be a number, not {value!r}") from None


def _flag(value: Any, var: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidParameter(f"{var} must be true or false, not {value!r}")


def _aliases(value: Any) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(str(p).strip().lower() for p in parts if str(p).strip())
    return () if names == ("none",) else names


def _price(value: Any, var: str) -> float:
    number = float(_number(value, var, float))
    if not 0 <= number < 1e6:  # NaN fails this too
        raise InvalidParameter(f"{var} must be a number from 0 up, not {value!r}")
    return number


def _gpu_prices(value: Any) -> tuple[tuple[str, float], ...]:
    """``a100=2.90,t4=0.35`` (or pairs) -> ``(("a100", 2.9), ("t4", 0.35))``."""
    if not isinstance(value, str):
        return tuple((str(k).strip().lower(), _price(v, "MAESTRO_PRICE_GPU_TYPES")) for k, v in value)
    pairs = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, sep, price = part.partition("=")
        if not sep or not name.strip():
            raise InvalidParameter(f"MAESTRO_PRICE_GPU_TYPES takes type=price pairs, not {part!r}")
        pairs.append((name.strip().lower(), _price(price.strip(), "MAESTRO_PRICE_GPU_TYPES")))
    return tuple(pairs)


def _names(value: Any) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(p).strip() for p in parts if str(p).strip())


def _webhook(value: Any, var: str) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.startswith(("http://", "https://")):
        raise InvalidParameter(f"{var} must be an http(s) URL")
    return text


def _redact(uri: str) -> str:
    """Hide a password in ``scheme://user:password@host``."""
    scheme, sep, rest = uri.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        creds, _, host = rest.partition("@")
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return uri
