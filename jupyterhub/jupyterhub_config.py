"""Maestro's JupyterHub for a team on one machine: ``make hub`` (``jupyterhub -f jupyterhub/jupyterhub_config.py``).

What it runs:
- configurable-http-proxy (from npm) in front of everything, on ``MAESTRO_HUB_IP:MAESTRO_HUB_PORT``;
- an MLflow tracking server as a hub-managed service (started and restarted by the hub, on loopback only, never
  proxied: it has no authentication of its own). Every user's Maestro registers models and logs runs there;
- one JupyterLab per user, started as a local process with Maestro enabled and the team's settings in its
  environment: ``MLFLOW_TRACKING_URI`` (that server), ``MAESTRO_DB_URL`` (one shared Maestro DB: jobs, deployments,
  costs and budgets), ``MAESTRO_USER`` (the hub user) and ``MAESTRO_ADMINS`` (the hub's admins, who may set budgets).
  Each user finds the example notebooks in ``maestro-notebooks/`` in their home.

Settings (environment variables; every one has a default that works on a laptop):

=============================  =====================================================================================
``MAESTRO_HUB_HOME``           state: hub DB, cookie secret, MLflow store and artifacts, Maestro DB, users' homes
                               (default ``~/.maestro-hub``)
``MAESTRO_HUB_IP`` / ``_PORT``  where the proxy listens (``127.0.0.1:8000``; ``0.0.0.0`` to serve the team)
``MAESTRO_HUB_PASSWORD``       the team's password (JupyterHub's shared-password authenticator; default: made on
                               first start, kept in ``<hub home>/password``)
``MAESTRO_HUB_ADMIN_PASSWORD``  the admins' password, 32 characters or more (default: made, ``admin-password``)
``MAESTRO_HUB_USERS``          comma-separated team members allowed in (default: anyone with the password)
``MAESTRO_HUB_ADMINS``         comma-separated hub admins (default ``admin``); they are Maestro's admins too
``MAESTRO_HUB_DB_URL``         the shared Maestro DB (default SQLite in the hub home; PostgreSQL for a bigger team)
``MAESTRO_HUB_MLFLOW_STORE``   the MLflow backend store (default SQLite in the hub home)
``MAESTRO_HUB_MLFLOW_PORT``    the MLflow server's loopback port (5000)
``MAESTRO_HUB_API_PORT``       the hub's internal API port (8081); ``MAESTRO_HUB_PROXY_API_PORT`` the proxy's (8001)
``MAESTRO_HUB_PROXY``          the configurable-http-proxy command (default: ``make hub``'s copy under ``.venv``)
``MAESTRO_HUB_SSL_CERT/_KEY``  serve HTTPS (do, when the hub listens beyond loopback)
``MAESTRO_HUB_PROMETHEUS_TOKEN``  a token for Prometheus (scopes ``read:metrics``, ``access:servers``), see
                               ``monitoring/prometheus.yml``
``MAESTRO_HUB_PROMETHEUS_TARGETS``  a ``file_sd`` file the hub keeps listing the running servers, for Prometheus
=============================  =====================================================================================

Any other ``MAESTRO_*`` variable in the hub's environment (prices, ``MAESTRO_ALERT_WEBHOOK``...) reaches every user's
server: team-wide Maestro settings.

Isolation: the single-user servers run under the hub's own OS account, each in its home under
``MAESTRO_HUB_HOME/users``. A server accepts only its owner (and admins), through the hub's OAuth, so user A cannot
use user B's JupyterLab or API; but code in any kernel can read the files of the account. That suits a small team
that trusts itself, as the shared password does (a member can log in under another member's name). The Kubernetes
distribution (``values.yaml``) puts every user in a pod of their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from jupyterhub import orm
from jupyterhub.spawner import SimpleLocalProcessSpawner

from maestro_jupyter.examples import copy_new

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by JupyterHub when it loads this file

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HUB_HOME = Path(os.environ.get("MAESTRO_HUB_HOME", "~/.maestro-hub")).expanduser().resolve()
USERS_HOME = HUB_HOME / "users"
NOTEBOOKS = REPO / "notebooks"
for folder in (HUB_HOME, USERS_HOME):
    folder.mkdir(parents=True, exist_ok=True)


def setting(name: str, default: str) -> str:
    """A ``MAESTRO_HUB_*`` setting; an empty value counts as unset."""
    return os.environ.get(f"MAESTRO_HUB_{name}") or default


def names(value: str) -> set[str]:
    return {n.strip() for n in value.split(",") if n.strip()}


# --- Where the hub, its proxy and its state live ------------------------------------------------------------------
c.JupyterHub.bind_url = f"http://{setting('IP', '127.0.0.1')}:{setting('PORT', '8000')}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{setting('API_PORT', '8081')}"
c.JupyterHub.db_url = f"sqlite:///{HUB_HOME / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB_HOME / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(HUB_HOME / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(HUB_HOME / "proxy.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('PROXY_API_PORT', '8001')}"
if (cert := setting("SSL_CERT", "")) and (key := setting("SSL_KEY", "")):
    c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = cert, key


def proxy_command() -> list[str]:
    """configurable-http-proxy: the setting, else ``make hub``'s npm install under ``.venv``, else the PATH's."""
    if configured := setting("PROXY", ""):
        return [configured]
    local = REPO / ".venv/hub-proxy/node_modules/.bin/configurable-http-proxy"
    found = str(local) if local.exists() else shutil.which("configurable-http-proxy")
    if not found:
        raise SystemExit("configurable-http-proxy not found: run `make hub` (it installs it from npm)")
    return [found]


c.ConfigurableHTTPProxy.command = proxy_command()

# --- Who may log in -------------------------------------------------------------------------------------------------
ADMINS = names(setting("ADMINS", "admin"))
c.Authenticator.admin_users = ADMINS
# Hub names become folder names, Maestro users and Kubernetes labels: keep them to one safe, lower-case shape.
c.Authenticator.username_pattern = r"^[a-z][a-z0-9._-]{0,38}$"


def secret(name: str, length: int) -> str:
    """``MAESTRO_HUB_<name>``, else the one kept in the hub home (made on first start, readable by its owner only)."""
    if value := setting(name, ""):
        return value
    path = HUB_HOME / name.lower().replace("_", "-")
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(length))
        print(f"[maestro] a new {path.name} for the hub is in {path}", file=sys.stderr)
    return path.read_text().strip()


# JupyterHub's shared-password authenticator: one password for the team (the members named in MAESTRO_HUB_USERS, or
# anyone who has it), and a second, longer one that admins must log in with. For a bigger team, swap in an
# OAuthenticator (GitHub, GitLab, OIDC...): nothing else here depends on how people log in.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = secret("PASSWORD", 12)
c.SharedPasswordAuthenticator.admin_password = secret("ADMIN_PASSWORD", 32)
members = names(setting("USERS", ""))
c.Authenticator.allowed_users = members
c.Authenticator.allow_all = not members

# --- The shared services: MLflow (managed by the hub) and the Maestro DB ------------------------------------------
MLFLOW_URL = f"http://127.0.0.1:{setting('MLFLOW_PORT', '5000')}"
# fmt: off
MLFLOW_ARGS = [
    "--backend-store-uri", setting("MLFLOW_STORE", f"sqlite:///{HUB_HOME / 'mlflow.db'}"),
    "--artifacts-destination", (HUB_HOME / "mlflow-artifacts").as_uri(),
    "--host", "127.0.0.1", "--port", MLFLOW_URL.rsplit(":", 1)[1], "--workers", "1",
]
# fmt: on
MAESTRO_DB_URL = setting("DB_URL", f"sqlite:///{HUB_HOME / 'maestro.db'}")
c.JupyterHub.services = [
    {
        # No "url": the hub starts and watches the server but does not route to it, since MLflow has no login.
        "name": "mlflow",
        "command": [sys.executable, "-m", "mlflow", "server", *MLFLOW_ARGS],
        "cwd": str(HUB_HOME),
    }
]
service_roles: list[dict[str, object]] = []
if prometheus_token := setting("PROMETHEUS_TOKEN", ""):
    # Prometheus scrapes every user's Maestro exposition through the proxy with this token (monitoring/prometheus.yml).
    c.JupyterHub.services.append({"name": "prometheus", "api_token": prometheus_token})
    service_roles.append(
        {"name": "prometheus", "scopes": ["read:metrics", "access:servers"], "services": ["prometheus"]}
    )
if targets_file := setting("PROMETHEUS_TARGETS", ""):
    # ... and finds the users' servers in this file_sd file, which a managed service keeps up to date.
    proxy_address = c.JupyterHub.bind_url.split("://", 1)[1].replace("0.0.0.0", "127.0.0.1")  # noqa: S104
    targets_command = [sys.executable, str(REPO / "jupyterhub/monitoring/hub_targets.py")]
    targets_command += [str(Path(targets_file).resolve()), "--proxy", proxy_address]
    targets_command += ["--interval", setting("PROMETHEUS_TARGETS_INTERVAL", "15")]
    c.JupyterHub.services.append({"name": "prometheus-targets", "command": targets_command})
    service_roles.append(
        {"name": "prometheus-targets", "scopes": ["list:users", "read:servers"], "services": ["prometheus-targets"]}
    )
c.JupyterHub.load_roles = service_roles

#: Team-wide Maestro settings: every ``MAESTRO_*`` variable of the hub's (but its own ``MAESTRO_HUB_*``) reaches every
#: user's server, e.g. ``MAESTRO_PRICE_CPU_HOUR`` or ``MAESTRO_ALERT_WEBHOOK``. The wiring below always wins.
TEAM_SETTINGS = {k: v for k, v in os.environ.items() if k.startswith("MAESTRO_") and not k.startswith("MAESTRO_HUB_")}

#: How long a spawn waits for the MLflow service (the hub starts both at once; MLflow takes a few seconds).
MLFLOW_WAIT_S = 60.0


def mlflow_ready() -> bool:
    try:
        with urllib.request.urlopen(f"{MLFLOW_URL}/health", timeout=2) as response:  # noqa: S310 - our loopback
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


class MaestroSpawner(SimpleLocalProcessSpawner):  # type: ignore[misc]
    """A local JupyterLab per user, with Maestro wired to the team's registry and DB.

    Based on JupyterHub's SimpleLocalProcessSpawner: servers run under the hub's account (no system user per hub
    user), each with its own home. See the module docstring for what that isolates."""

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        env = super().user_env(env)
        home = Path(self.home_dir)
        admins = sorted(u.name for u in self.user.db.query(orm.User).filter(orm.User.admin.is_(True)))
        env.update(TEAM_SETTINGS)
        env.update(
            {
                "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', os.defpath)}",
                "MLFLOW_TRACKING_URI": MLFLOW_URL,
                "MAESTRO_DB_URL": MAESTRO_DB_URL,
                "MAESTRO_USER": self.user.name,
                "MAESTRO_ADMINS": ",".join(admins),
                "MAESTRO_HOME": str(home / ".maestro"),
            }
        )
        return env

    async def start(self) -> tuple[str, int]:
        self._prepare_home(Path(self.home_dir))
        deadline = time.monotonic() + MLFLOW_WAIT_S
        while not await asyncio.to_thread(mlflow_ready):  # off the hub's event loop: it serves everyone
            if time.monotonic() > deadline:
                raise RuntimeError(f"the MLflow service at {MLFLOW_URL} is not answering; see the hub's log")
            await asyncio.sleep(0.25)  # polling a service that is starting, not waiting for a result
        return await super().start()  # type: ignore[no-any-return]

    @staticmethod
    def _prepare_home(home: Path) -> None:
        """The examples, into ``maestro-notebooks/``: new files only, so a user's edits survive a restart. And
        JupyterLab's "get notified about Jupyter news?" answered (no) unless the user has: it would greet every new
        member over their first screen, and the news site may be out of the hub's reach."""
        news = home / ".jupyter/lab/user-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
        if not news.exists():
            news.parent.mkdir(parents=True, exist_ok=True)
            news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        copy_new(NOTEBOOKS, home / "maestro-notebooks")


c.JupyterHub.spawner_class = MaestroSpawner
c.MaestroSpawner.home_dir_template = str(USERS_HOME / "{username}")
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.args = [
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    *(["--allow-root"] if os.geteuid() == 0 else []),
]
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 60
