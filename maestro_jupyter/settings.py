"""Every Maestro knob, declared once: the body of :class:`Settings` is the table.

Each setting is one entry of that table, ``name: type = setting(ENV_VAR, parser, default, help)``, and everything
else is generated from it, so adding a knob is one edit:

- :meth:`Settings.from_env` reads each ``ENV_VAR`` (stripped; empty counts as unset), else takes the default, and
  runs the value through the parser, which converts and validates it and raises :class:`InvalidParameter` naming the
  variable. A default is a literal (in the form the environment variable would give it) or, when it is derived from
  other settings, a callable of ``(settings resolved so far, environment)``: entries resolve in table order, so
  ``registry_uri`` can default to ``tracking_uri``.
- :data:`SETTINGS` is the table as :class:`SettingSpec` records, for the consumers outside this module: the Jupyter
  server declares one ``config=True`` traitlet per record with the record's help (``c.Maestro.tracking_uri = ...``,
  which wins over the environment), and the tests clear every variable of :func:`env_vars`, so that they never read
  the developer's own configuration.

Why the table is the dataclass body rather than a separate tuple: the annotations are what mypy checks every
``settings.<name>`` use against, and :func:`setting` ties each annotation to its parser's return type, so a field
and its declaration cannot drift apart.

The kernel (magics, SDK) and the Jupyter server build the same :class:`Settings` from the same environment. Reading
settings never touches the disk: :meth:`Settings.ensure_home` creates ``MAESTRO_HOME`` on first use, so importing or
configuring Maestro never litters the current directory.
"""

from __future__ import annotations

import getpass
import os
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Self, TypeVar, cast

from .errors import InvalidParameter
from .naming import project_name

T = TypeVar("T")

#: Turns a raw value (an environment string, a traitlet's value, an override, a default) into the setting's type; its
#: second argument is the environment variable, which error messages name.
Parser = Callable[[Any, str], Any]
#: A default derived from other settings: ``(the settings resolved so far, by name; the environment) -> raw value``.
Derived = Callable[[Mapping[str, Any], Mapping[str, str]], Any]

_SPEC = "maestro_setting"  # the key of a field's metadata that holds its SettingSpec

# Variables Maestro reads that are not settings, hence not in the table. JUPYTERHUB_USER is the hub's name for the
# user, the fallback of MAESTRO_USER. The other three are what a training job's process inherits from the job that
# launched it, so that its script (and MLflow itself, which resumes MLFLOW_RUN_ID) logs into the job's own run. The
# tests clear them as well: a test run from a hub terminal or inside a job must not pick them up.
# MAESTRO_TOKEN and JUPYTERHUB_API_TOKEN are credentials the HTTP transport sends to MAESTRO_URL: read where they are
# used, never kept in a Settings (whose repr and traitlets would show them).
OTHER_ENV_VARS = (
    "JUPYTERHUB_USER",
    "MAESTRO_JOB_ID",
    "MLFLOW_RUN_ID",
    "MLFLOW_EXPERIMENT_ID",
    "MAESTRO_TOKEN",
    "JUPYTERHUB_API_TOKEN",
)


@dataclass(frozen=True)
class SettingSpec:
    """One row of the settings table. ``name`` and ``type`` come from the :class:`Settings` field that declares it."""

    name: str
    env: str
    parse: Parser
    default: Any  # a raw value, None for unset, or a Derived callable
    help: str
    type: Any = object  # the field's annotation, resolved (``str | None``, ``int``, ...)

    def resolve(self, given: Mapping[str, Any], env: Mapping[str, str], resolved: Mapping[str, Any]) -> Any:
        """The value: an override in ``given``, else the environment variable, else the default; then parsed."""
        if self.name in given:
            value = given[self.name]
        else:
            value = env.get(self.env, "").strip() or None
            if value is None:
                value = self.default(resolved, env) if callable(self.default) else self.default
        return None if value is None else self.parse(value, self.env)


def setting(env: str, parse: Callable[[Any, str], T], default: Any, help: str) -> T:
    """Declare a :class:`Settings` field: its environment variable, parser, default and help text.

    Typed as returning what the parser returns, so mypy checks the field's annotation against its parser. Fields are
    keyword-only and have no dataclass default: a Settings is built by :meth:`Settings.from_env`, which applies the
    table's defaults (derived ones too, which a dataclass default could not express).
    """
    spec = SettingSpec(name="", env=env, parse=parse, default=default, help=help)
    return cast(T, field(kw_only=True, metadata={_SPEC: spec}))


# Parsers: (raw value, environment variable) -> typed value, or InvalidParameter naming the variable. Raw values are
# strings from the environment, but also typed traitlet values and defaults, so each accepts both.


def _text(value: Any, var: str) -> str:
    return str(value)


def _project(value: Any, var: str) -> str:
    # The rule every project name follows (a label on the cluster, a hub group, a budget's name): see naming.
    return project_name(value, f"{var} (a project name)")


def _path(value: Any, var: str) -> Path:
    return Path(value).expanduser().resolve()


# Only the shape of a backend name is checked here: which backends exist is the compute registry's business (entry
# points), and opening an unknown one fails there with the list of registered names.
_BACKEND_NAME = re.compile(r"[a-z][a-z0-9_-]*")


def _backend_name(value: Any, var: str) -> str:
    name = str(value).strip().lower()
    if not _BACKEND_NAME.fullmatch(name):
        raise InvalidParameter(
            f"{var} must be a compute backend name (a letter, then letters, digits, '-' or '_'), not {value!r}"
        )
    return name


def _number(value: Any, var: str, kind: type) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{var} must be a number, not {value!r}") from None


def _integer(value: Any, var: str) -> int:
    return int(_number(value, var, int))


def _rate_limit(value: Any, var: str) -> int:
    number = _integer(value, var)
    if number < 1:
        raise InvalidParameter("MAESTRO_RATE_LIMIT must be at least 1 and MAESTRO_RATE_WINDOW positive")
    return number


def _rate_window(value: Any, var: str) -> float:
    number = float(_number(value, var, float))
    if not number > 0:
        raise InvalidParameter("MAESTRO_RATE_LIMIT must be at least 1 and MAESTRO_RATE_WINDOW positive")
    return number


def _interval(value: Any, var: str) -> float:
    number = float(_number(value, var, float))
    if not number >= 1:  # a tighter loop would spend the server on metering
        raise InvalidParameter(f"{var} must be at least 1 second")
    return number


def _sweep_interval(value: Any, var: str) -> float:
    number = float(_number(value, var, float))
    if not (number == 0 or 10 <= number <= 86400):  # each sweep reads every model: not more often than this
        raise InvalidParameter(f"{var} must be 0 (no index) or from 10 to 86400 seconds, not {value!r}")
    return number


def _price(value: Any, var: str) -> float:
    number = float(_number(value, var, float))
    if not 0 <= number < 1e6:  # NaN fails this too
        raise InvalidParameter(f"{var} must be a number from 0 up, not {value!r}")
    return number


def _flag(value: Any, var: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidParameter(f"{var} must be true or false, not {value!r}")


def _os_account(value: Any, var: str) -> str:
    text = str(value or "").strip()
    if text and (text.count("{user}") != 1 or not re.fullmatch(r"[a-z_][a-z0-9_.-]*", text.replace("{user}", "x"))):
        raise InvalidParameter(f"{var} must name an OS account with {{user}} once in it (like maestro-{{user}})")
    return text


def _names(value: Any, var: str) -> tuple[str, ...]:
    parts: Iterable[Any] = value.split(",") if isinstance(value, str) else value
    return tuple(str(p).strip() for p in parts if str(p).strip())


def _aliases(value: Any, var: str) -> tuple[str, ...]:
    names = tuple(name.lower() for name in _names(value, var))
    return () if names == ("none",) else names


def _gpu_prices(value: Any, var: str) -> tuple[tuple[str, float], ...]:
    """``a100=2.90,t4=0.35`` (or pairs) -> ``(("a100", 2.9), ("t4", 0.35))``."""
    if not isinstance(value, str):
        return tuple((str(k).strip().lower(), _price(v, var)) for k, v in value)
    pairs = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, sep, price = part.partition("=")
        if not sep or not name.strip():
            raise InvalidParameter(f"{var} takes type=price pairs, not {part!r}")
        pairs.append((name.strip().lower(), _price(price.strip(), var)))
    return tuple(pairs)


def _webhook(value: Any, var: str) -> str | None:
    if value == "":
        return None
    text = str(value).strip()
    if not text.startswith(("http://", "https://")):
        raise InvalidParameter(f"{var} must be an http(s) URL")
    return text


def _service_url(value: Any, var: str) -> str:
    """An http(s) URL without a trailing slash (the API's path is appended to it)."""
    text = str(value).strip()
    if not text.startswith(("http://", "https://")) or len(text.split("://", 1)[1].strip("/")) == 0:
        raise InvalidParameter(f"{var} must be an http(s) URL, e.g. http://127.0.0.1:8888, not {value!r}")
    return text.rstrip("/")


def _seconds(value: Any, var: str) -> float:
    number = float(_number(value, var, float))
    if not 0 < number <= 3600:  # NaN fails this too
        raise InvalidParameter(f"{var} must be a number of seconds above 0 and at most 3600, not {value!r}")
    return number


def _retries(value: Any, var: str) -> int:
    number = _integer(value, var)
    if not 0 <= number <= 10:
        raise InvalidParameter(f"{var} must be a whole number from 0 to 10, not {value!r}")
    return number


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (e.g. an arbitrary uid in a container)
        return "unknown"


def _http_or_none(uri: str) -> str | None:
    return uri if uri.startswith(("http://", "https://")) else None


@dataclass(frozen=True)
class Settings:
    """Resolved configuration. Build it with :meth:`from_env`. The fields are the settings table (in resolution
    order: a derived default may use the fields above it)."""

    # RUF009 sees a call as a dataclass default; setting() only wraps dataclasses.field, and declares no default.
    home: Path = setting(  # noqa: RUF009
        env="MAESTRO_HOME",
        parse=_path,
        default="~/.maestro",
        help="Where the embedded stores live: the MLflow and Maestro SQLite databases and the artifacts "
        "(default ~/.maestro, created on first use).",
    )
    tracking_uri: str = setting(
        env="MLFLOW_TRACKING_URI",
        parse=_text,
        default=lambda s, env: f"sqlite:///{s['home'] / 'mlflow.db'}",
        help="The MLflow tracking URI (default: the embedded SQLite database MAESTRO_HOME/mlflow.db).",
    )
    registry_uri: str = setting(
        env="MLFLOW_REGISTRY_URI",
        parse=_text,
        default=lambda s, env: s["tracking_uri"],
        help="The MLflow model registry URI (default: the tracking URI).",
    )
    artifact_root: str = setting(
        env="MAESTRO_ARTIFACT_ROOT",
        parse=_text,
        default=lambda s, env: (s["home"] / "artifacts").as_uri(),
        help="Where new experiments of the embedded tracking store keep their artifacts "
        "(default MAESTRO_HOME/artifacts).",
    )
    feast_repo: Path = setting(  # noqa: RUF009
        env="MAESTRO_FEAST_REPO",
        parse=_path,
        default=lambda s, env: s["home"] / "feature_repo",
        help="The Feast feature repository (a folder holding feature_store.yaml). Default MAESTRO_HOME/feature_repo, "
        "a local one (SQLite registry and online store, Parquet offline store) created on first use; on a team, the "
        "team's repository (SQL registry and online store on PostgreSQL).",
    )
    db_url: str = setting(
        env="MAESTRO_DB_URL",
        parse=_text,
        default=lambda s, env: f"sqlite:///{s['home'] / 'maestro.db'}",
        help="The Maestro database of jobs, deployments, usage and budgets, as an SQLAlchemy URL "
        "(default: SQLite in MAESTRO_HOME/maestro.db; a PostgreSQL URL on a team).",
    )
    compute: str = setting(
        env="MAESTRO_COMPUTE",
        parse=_backend_name,
        default="local",
        help="The compute backend that runs jobs and deployments: local (subprocesses, the default), kubernetes, "
        "or any other registered backend.",
    )
    prometheus_url: str | None = setting(
        env="MAESTRO_PROMETHEUS_URL",
        parse=_text,
        default=None,
        help="The Prometheus that scrapes the cluster, for costs; unset on one machine, where usage is measured "
        "from local processes.",
    )
    user: str = setting(
        env="MAESTRO_USER",
        parse=_text,
        default=lambda s, env: env.get("JUPYTERHUB_USER") or _os_user(),
        help="Who this process acts as (default: JUPYTERHUB_USER, else the OS user). It carries no authority on a "
        "team (MAESTRO_TEAM), where the Maestro service takes identity from the hub.",
    )
    project: str = setting(
        env="MAESTRO_PROJECT",
        parse=_project,
        default="default",
        help="The project new jobs, deployments and their costs are attributed to (default 'default'); the only one "
        "this process may charge. None on a team (MAESTRO_TEAM), where projects are hub groups.",
    )
    mlflow_ui_url: str | None = setting(
        env="MAESTRO_MLFLOW_UI_URL",
        parse=_text,
        default=lambda s, env: _http_or_none(s["tracking_uri"]),
        help="Where 'open in MLflow' links point (default: the tracking URI when it is an http(s) server, "
        "else no links).",
    )
    rate_limit: int = setting(
        env="MAESTRO_RATE_LIMIT",
        parse=_rate_limit,
        default=60,
        help="Mutating REST requests allowed per user per rate-limit window (default 60).",
    )
    rate_window: float = setting(
        env="MAESTRO_RATE_WINDOW",
        parse=_rate_window,
        default=60,
        help="The rate-limit window, in seconds (default 60).",
    )
    mlflow_timeout: int = setting(
        env="MAESTRO_MLFLOW_TIMEOUT",
        parse=_integer,
        default=10,
        help="Seconds before a request to the MLflow tracking server is abandoned (default 10).",
    )
    mlflow_retries: int = setting(
        env="MAESTRO_MLFLOW_RETRIES",
        parse=_integer,
        default=1,
        help="Retries of a failed tracking-server request (default 1: MLflow's own default, 7 with exponential "
        "back-off, keeps a user waiting minutes to hear that the server is down).",
    )
    url: str | None = setting(
        env="MAESTRO_URL",
        parse=_service_url,
        default=None,
        help="The Maestro service the SDK and magics send every operation to over HTTP (e.g. a hub's "
        "http://hub:8081/services/maestro, or a Jupyter server's base URL), with the token in MAESTRO_TOKEN, else "
        "JUPYTERHUB_API_TOKEN. Unset (the default): the services run in this process, on this machine's stores.",
    )
    http_timeout: float = setting(
        env="MAESTRO_HTTP_TIMEOUT",
        parse=_seconds,
        default=30,
        help="Seconds the SDK waits for the Maestro service (MAESTRO_URL) to connect, and then for each answer, "
        "before giving up (default 30).",
    )
    http_retries: int = setting(
        env="MAESTRO_HTTP_RETRIES",
        parse=_retries,
        default=2,
        help="How many times the SDK tries a request to MAESTRO_URL again after a failure (default 2, 0-10): reads "
        "after any connection failure, time-out or 502-504; a change only when it cannot have reached the service "
        "(the connection was never made), so nothing is done twice.",
    )
    card_templates: str | None = setting(
        env="MAESTRO_CARD_TEMPLATES",
        parse=_text,
        default=None,
        help="A folder whose card.md.j2 / card.html.j2 replace the built-in model card templates (either; the PDF "
        "typesets card.md.j2); unset: the built-in ones.",
    )
    gated_aliases: tuple[str, ...] = setting(
        env="MAESTRO_GATED_ALIASES",
        parse=_aliases,
        default="champion,production",
        help="Comma-separated aliases that only a version with passing tests may take "
        "(default champion,production; * gates every alias, none none).",
    )
    test_policy: str | None = setting(
        env="MAESTRO_TEST_POLICY",
        parse=_text,
        default=None,
        help="A YAML test policy that every model test starts from: a team's thresholds.",
    )
    gate_deployments: bool = setting(
        env="MAESTRO_GATE_DEPLOYMENTS",
        parse=_flag,
        default=True,
        help="Deploy only versions whose latest tests passed (default true; false lets any version be deployed, "
        "e.g. on a laptop).",
    )
    k8s_namespace: str | None = setting(
        env="MAESTRO_K8S_NAMESPACE",
        parse=_text,
        default=None,
        help="The Kubernetes namespace jobs and deployments go to (default: the pod's own namespace in a cluster, "
        "else the kubeconfig's, else 'default').",
    )
    job_image: str = setting(
        env="MAESTRO_JOB_IMAGE",
        parse=_text,
        default="maestro-jupyter:latest",
        help="The image training pods run; it needs Python, MLflow and the job's libraries "
        "(default maestro-jupyter:latest).",
    )
    serving_image: str = setting(
        env="MAESTRO_SERVING_IMAGE",
        parse=_text,
        default="maestro-jupyter:latest",
        help="The image serving pods run 'mlflow models serve' in (default maestro-jupyter:latest).",
    )
    k8s_code_pvc: str | None = setting(
        env="MAESTRO_K8S_CODE_PVC",
        parse=_text,
        default=None,
        help="A PersistentVolumeClaim holding users' files (a hub's home volume). When set, jobs mount it and run "
        "the script from there instead of from a ConfigMap copy.",
    )
    k8s_code_mount: str = setting(
        env="MAESTRO_K8S_CODE_MOUNT",
        parse=_text,
        default="/home/jovyan",
        help="Where job pods mount the MAESTRO_K8S_CODE_PVC volume (default /home/jovyan).",
    )
    price_cpu_hour: float = setting(
        env="MAESTRO_PRICE_CPU_HOUR",
        parse=_price,
        default=0.05,
        help="Dollars per CPU-hour (default 0.05).",
    )
    price_gb_hour: float = setting(
        env="MAESTRO_PRICE_GB_HOUR",
        parse=_price,
        default=0.005,
        help="Dollars per GiB-hour of memory (default 0.005).",
    )
    price_gpu_hour: float = setting(
        env="MAESTRO_PRICE_GPU_HOUR",
        parse=_price,
        default=0.50,
        help="Dollars per GPU-hour of a GPU with no price of its own (default 0.50).",
    )
    price_gpu_types: tuple[tuple[str, float], ...] = setting(
        env="MAESTRO_PRICE_GPU_TYPES",
        parse=_gpu_prices,
        default=(),
        help="Per-type GPU-hour prices, e.g. a100=2.90,t4=0.35; a type matches a GPU whose model name contains it "
        "(case-insensitive).",
    )
    admins: tuple[str, ...] = setting(
        env="MAESTRO_ADMINS",
        parse=_names,
        default=(),
        help="Comma-separated users with the admin role (they set budgets). Unset: the server's own user is the "
        "admin, as on a laptop; a hub sets it from its admin users. Ignored in team mode (MAESTRO_TEAM), where "
        "admins are the hub's admins and the MAESTRO_ADMIN_GROUP group.",
    )
    team: bool = setting(
        env="MAESTRO_TEAM",
        parse=_flag,
        default=False,
        help="Team mode, for the Maestro service of a team (python -m maestro_jupyter.server.service turns it on): "
        "who acts, whether they are an admin and which projects they may charge come from the JupyterHub user who "
        "authenticated each request; MAESTRO_USER, MAESTRO_ADMINS and MAESTRO_PROJECT carry no authority "
        "(default false: one person's Maestro, identity from these settings).",
    )
    admin_group: str = setting(
        env="MAESTRO_ADMIN_GROUP",
        parse=_text,
        default="maestro-admins",
        help="In team mode, the hub group whose members are Maestro admins (set budgets), besides the hub's admins "
        "(default maestro-admins).",
    )
    project_prefix: str = setting(
        env="MAESTRO_PROJECT_PREFIX",
        parse=_text,
        default="project-",
        help="In team mode, hub groups named with this prefix are projects, named without it: a member of "
        "project-churn may charge work to churn; their default project is the first in alphabetical order "
        "(default project-).",
    )
    os_account: str = setting(
        env="MAESTRO_OS_ACCOUNT",
        parse=_os_account,
        default="",
        help="In team mode, with the local backend and a service running as root: the OS account a member's jobs and "
        "model servers run under, with {user} for the member's name (make hub sets maestro-{user}, the account "
        "their JupyterLab runs under); empty (the default): the service's own account.",
    )
    alert_webhook: str | None = setting(
        env="MAESTRO_ALERT_WEBHOOK",
        parse=_webhook,
        default=None,
        help="Where budget alerts are POSTed (JSON with a Slack-style 'text') when a budget names no webhook of "
        "its own.",
    )
    webhook_allow_hosts: tuple[str, ...] = setting(
        env="MAESTRO_WEBHOOK_ALLOW_HOSTS",
        parse=_names,
        default=(),
        help="Comma-separated hosts (names or addresses) a webhook may reach although they are loopback, link-local "
        "or metadata addresses, which are otherwise refused (private networks are always allowed); e.g. a relay "
        "on the service's own machine. Default: none.",
    )
    estimate_job_hours: float = setting(
        env="MAESTRO_ESTIMATE_JOB_HOURS",
        parse=_price,
        default=1.0,
        help="How long a job is assumed to run, for its cost estimate, when none like it ran before (default 1).",
    )
    model_index_sweep: float = setting(
        env="MAESTRO_MODEL_INDEX_SWEEP",
        parse=_sweep_interval,
        default=300,
        help="In team mode, seconds between the service's full re-reads of every registered model for its model "
        "index, which answers model listing and search without MLflow (default 300; 0 turns the index off). Writes "
        "through Maestro show at once, models MLflow marks as changed within 2 s, and tags or aliases set directly "
        "in MLflow within this long.",
    )
    meter_interval: float = setting(
        env="MAESTRO_METER_INTERVAL",
        parse=_interval,
        default=60,
        help="Seconds between the server's usage readings of running deployments (default 60, at least 1).",
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Resolve settings from ``env`` (default ``os.environ``); non-``None`` ``overrides`` win."""
        env = os.environ if env is None else env
        table = settings_table(cls)
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(given) - {spec.name for spec in table}
        if unknown:
            raise InvalidParameter(f"Unknown Maestro setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for spec in table:  # in table order, so that a derived default sees the settings it derives from
            values[spec.name] = spec.resolve(given, env, values)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Self:
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


def settings_table(cls: type[Settings] = Settings) -> tuple[SettingSpec, ...]:
    """The settings table of ``cls`` (:class:`Settings`, or a subclass that adds settings), in declaration order."""
    if cls not in _TABLES:
        _TABLES[cls] = _read_table(cls)
    return _TABLES[cls]


_TABLES: dict[type[Settings], tuple[SettingSpec, ...]] = {}  # from_env runs often; resolving annotations is not free


def _read_table(cls: type[Settings]) -> tuple[SettingSpec, ...]:
    hints = typing.get_type_hints(cls)
    table = []
    for f in fields(cls):
        if _SPEC not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name} is not declared with setting(): no environment variable or help")
        table.append(replace(f.metadata[_SPEC], name=f.name, type=hints[f.name]))
    return tuple(table)


#: Every setting, as records: what the Jupyter server makes traitlets of and the tests clear.
SETTINGS = settings_table(Settings)


def env_vars(table: tuple[SettingSpec, ...] = SETTINGS) -> tuple[str, ...]:
    """Every environment variable Maestro reads: the table's, then :data:`OTHER_ENV_VARS`."""
    return tuple(dict.fromkeys([*(spec.env for spec in table), *OTHER_ENV_VARS]))


def _redact(uri: str) -> str:
    """Hide a password in ``scheme://user:password@host``."""
    scheme, sep, rest = uri.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        creds, _, host = rest.partition("@")
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return uri
