"""Maestro's JupyterHub for a team on one machine: ``make hub`` (``jupyterhub -f jupyterhub/jupyterhub_config.py``).

What it runs:
- configurable-http-proxy (from npm) in front of everything, on ``MAESTRO_HUB_IP:MAESTRO_HUB_PORT``;
- the team's **Maestro service** (``python -m maestro_jupyter.server.service``), a hub-managed service named
  ``maestro`` on loopback, also routed at ``/services/maestro/``. It alone holds the keys: the Maestro DB (jobs,
  deployments, costs, budgets), the MLflow admin's credentials, the feature store's database, the prices and
  webhooks. It runs in team mode: who acts is the hub user of each request's token, admins are the hub's admins and
  the group ``maestro-admins``, projects are the hub groups ``project-<name>``;
- an **MLflow tracking server** as a hub-managed service on loopback (never proxied), behind MLflow's own login
  (``--app-name basic-auth``): the service is its admin; each member has an MLflow account of their own;
- one **JupyterLab per member**, a local process with Maestro in it and no keys: ``MAESTRO_URL`` (the service: the
  sidebar, the magics and the SDK send every operation there with the member's hub token), the member's own MLflow
  credentials (made, or given a new password, at each start of their server) and ``MLFLOW_EXPERIMENT_NAME`` (their
  name), so that plain ``mlflow`` logs under their name. Each member finds the example notebooks in
  ``maestro-notebooks/`` in their home.

Settings (environment variables; every one has a default that works on a laptop):

=================================  ==================================================================================
``MAESTRO_HUB_HOME``               state: hub DB, cookie secret, the secrets below, MLflow's stores and artifacts,
                                   the Maestro DB, the service's home, members' homes (default ``~/.maestro-hub``;
                                   as root ``/var/lib/maestro-hub``)
``MAESTRO_HUB_ISOLATE``            ``0``: members' servers under the hub's account even as root (default ``1``)
``MAESTRO_HUB_IP`` / ``_PORT``     where the proxy listens (``127.0.0.1:8000``; ``0.0.0.0`` to serve the team)
``MAESTRO_HUB_USERS``              comma-separated team members allowed in, each (and each admin) with a password of
                                   their own, made at start in ``<hub home>/passwords/<name>`` (default: anyone
                                   with the team's password, under any name: a trial, not a team)
``MAESTRO_HUB_PASSWORD``           without ``MAESTRO_HUB_USERS``, the team's password (JupyterHub's shared-password
                                   authenticator; default: made on first start, kept in ``<hub home>/password``)
``MAESTRO_HUB_ADMIN_PASSWORD``     and the admins' password, 32 characters or more (default: made, ``admin-password``)
``MAESTRO_HUB_ADMINS``             comma-separated hub admins (default ``admin``); they are Maestro's admins too
``MAESTRO_HUB_PROJECTS``           projects made at start: ``churn:alice,bob;fraud:bob`` (hub groups
                                   ``project-churn``...); ``name:*`` puts every member in it at each server start
                                   (default ``default:*``: everyone may charge the project ``default``)
``MAESTRO_HUB_DB_URL``             the Maestro DB (default SQLite in the hub home; PostgreSQL for a bigger team)
``MAESTRO_HUB_SERVICE_PORT``       the Maestro service's loopback port (8082)
``MAESTRO_HUB_FEAST_DB_URL``       the team's feature store: a PostgreSQL URL (a database of its own, e.g. ``feast``)
                                   for Feast's SQL registry and online store; the hub writes the team's repo's
                                   ``feature_store.yaml`` for it at each start, with no password in it (default:
                                   unset, and the service keeps a local repo in its home)
``MAESTRO_HUB_FEAST_REPO``         that repo's folder (default ``<hub home>/feature-repo``): the service's
                                   ``MAESTRO_FEAST_REPO``; put the team's definitions and data files there
``MAESTRO_HUB_MLFLOW_STORE``       the MLflow backend store (default SQLite in the hub home)
``MAESTRO_HUB_MLFLOW_AUTH_DB``     MLflow's user database (default SQLite ``mlflow-auth.db`` in the hub home)
``MAESTRO_HUB_MLFLOW_PORT``        the MLflow server's loopback port (5000)
``MAESTRO_HUB_MLFLOW_ADMIN_PASSWORD``  the MLflow admin's (the service's) password (default: made,
                                   ``mlflow-admin-password``); MLflow takes it when its user database is made, so
                                   change it later with MLflow's update-password API too;
                                   ``MAESTRO_HUB_MLFLOW_SECRET_KEY`` its CSRF key (made, ``mlflow-secret-key``)
``MAESTRO_HUB_API_PORT``           the hub's internal API port (8081); ``MAESTRO_HUB_PROXY_API_PORT`` the proxy's
                                   (8001)
``MAESTRO_HUB_PROXY``              the configurable-http-proxy command (default: ``make hub``'s copy under ``.venv``)
``MAESTRO_HUB_SSL_CERT/_KEY``      serve HTTPS (do, when the hub listens beyond loopback)
``MAESTRO_HUB_PROMETHEUS_TOKEN``   a token for Prometheus (scopes ``read:metrics``, ``access:servers`` and access to
                                   the Maestro service), see ``monitoring/prometheus.yml``
``MAESTRO_HUB_PROMETHEUS_TARGETS``  a ``file_sd`` file the hub keeps listing the running servers, for Prometheus
=================================  ==================================================================================

Any other ``MAESTRO_*`` variable in the hub's environment (prices, ``MAESTRO_ALERT_WEBHOOK``, the gate...) is a
team-wide Maestro setting: it reaches the Maestro service, and no member's server (but ``MAESTRO_HTTP_TIMEOUT`` and
``MAESTRO_HTTP_RETRIES``, which are the members' clients' own). ``MAESTRO_USER``, ``MAESTRO_ADMINS`` and
``MAESTRO_PROJECT`` name no one on a team and reach nobody.

Isolation: each member's server runs in its home under ``MAESTRO_HUB_HOME/users`` and accepts only its owner (and
admins and Prometheus, through the hub's OAuth, who cannot use it to act as its owner), so member A cannot use member
B's JupyterLab or API. Maestro's rules (owners, budgets, the gate, projects) hold for everything that goes through
Maestro and MLflow, since no member is handed a key, and jobs and model servers get none of the service's variables.
Run as root (``MAESTRO_HUB_ISOLATE``, default on), each member's server, jobs and model servers run under an OS
account of their own, ``maestro-<name>``, and the hub, MLflow and the service keep their files to themselves, so a
member's code reads neither the hub's secrets and stores nor another member's files or processes. Otherwise (not
root, or an installation other accounts cannot run, which the hub says at start) every process runs under the hub's
account, and code in any kernel can read the account's files and its processes' environments. Without
``MAESTRO_HUB_USERS``, the team's password lets whoever knows it log in under any member's name.
The Kubernetes distribution (``values.yaml``) puts every member in a pod of their own and the service in another.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from jupyterhub import orm
from jupyterhub.auth import Authenticator
from jupyterhub.spawner import SimpleLocalProcessSpawner, set_user_setuid

from maestro_jupyter.backends.mlflow_auth import auth_server_env, write_auth_config
from maestro_jupyter.examples import copy_new
from maestro_jupyter.hub_hooks import member_mlflow_env

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by JupyterHub when it loads this file

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
AS_ROOT = os.geteuid() == 0
#: Root's home is closed to other accounts, and members' homes are in the hub home: as root, a system folder.
DEFAULT_HUB_HOME = "/var/lib/maestro-hub" if AS_ROOT else "~/.maestro-hub"
HUB_HOME = Path(os.environ.get("MAESTRO_HUB_HOME") or DEFAULT_HUB_HOME).expanduser().resolve()
USERS_HOME = HUB_HOME / "users"
SERVICE_HOME = HUB_HOME / "maestro-service"
NOTEBOOKS = REPO / "notebooks"
#: Each member's OS account, when the hub runs as root (``{user}``: their hub name).
OS_ACCOUNT = "maestro-{user}"


def reachable_by_others(path: Path) -> bool:
    """Whether any account may reach ``path`` and what it links to (every folder above passable, the file itself
    readable): a Python under root's home (pyenv's, say) is not."""
    return all(
        bool(item.stat().st_mode & stat.S_IROTH)
        and all(folder.stat().st_mode & stat.S_IXOTH for folder in item.parents)
        for item in (path, path.resolve())
    )


#: Whether members run under OS accounts of their own: the hub is root and the accounts can run this installation.
ISOLATED = (
    AS_ROOT
    and os.environ.get("MAESTRO_HUB_ISOLATE", "1") != "0"
    and reachable_by_others(Path(sys.executable))
    and reachable_by_others(REPO / "maestro_jupyter" / "__init__.py")
    and all(folder.stat().st_mode & stat.S_IXOTH for folder in HUB_HOME.parents if folder.exists())
)
if AS_ROOT and not ISOLATED:
    print(
        "[maestro] members' servers run under the hub's own account: MAESTRO_HUB_ISOLATE=0, or the installation or "
        f"the hub home ({HUB_HOME}) is not reachable by other accounts",
        file=sys.stderr,
    )
if ISOLATED:
    # Whatever the hub, MLflow and the service write is theirs alone: the stores, the secrets, the artifacts.
    os.umask(0o077)
for folder in (HUB_HOME, USERS_HOME, SERVICE_HOME, SERVICE_HOME / "tmp"):
    folder.mkdir(parents=True, exist_ok=True)
if ISOLATED:
    for item in HUB_HOME.iterdir():  # a hub home from an earlier, shared start
        if item not in (USERS_HOME, SERVICE_HOME) and not item.is_symlink():
            item.chmod(0o700 if item.is_dir() else 0o600)
    for folder in (HUB_HOME, USERS_HOME, SERVICE_HOME):  # members pass through to their homes and their jobs
        folder.chmod(0o711)


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
# Hub names become folder names, Maestro and MLflow users and Kubernetes labels: keep them to one safe, lower-case
# shape (the MLflow admin's name below is outside it, so no member can be given it).
# An OS account's name has 32 characters at most, "maestro-" and the hub name.
c.Authenticator.username_pattern = r"^[a-z][a-z0-9._-]{0,23}$" if ISOLATED else r"^[a-z][a-z0-9._-]{0,38}$"


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


PASSWORDS = HUB_HOME / "passwords"


def personal_password(name: str) -> str:
    """``name``'s own password, kept in ``<hub home>/passwords/<name>`` (made on first start, for the admin to hand
    over; readable by the hub's account only)."""
    PASSWORDS.mkdir(mode=0o700, exist_ok=True)
    path = PASSWORDS / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(18 if name not in ADMINS else 24))
        print(f"[maestro] a password for {name} is in {path}", file=sys.stderr)
    return path.read_text().strip()


class MemberPasswordAuthenticator(Authenticator):  # type: ignore[misc]
    """Each member named in ``MAESTRO_HUB_USERS`` (and each admin) logs in with a password of their own, so that
    knowing one's own password opens no one else's server."""

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        name = self.normalize_username(str(data.get("username", "")))
        expected = PERSONAL.get(name)
        given = str(data.get("password", "")).encode()
        if expected is not None and hmac.compare_digest(given, expected.encode()):
            return name
        return None


# Who logs in how. With MAESTRO_HUB_USERS naming the members, each member and admin has a password of their own (in
# <hub home>/passwords); without it, anyone with the team's password is a member (JupyterHub's shared-password
# authenticator; admins log in with a second, longer one), which suits a trial more than a team. For a bigger team,
# swap in an OAuthenticator (GitHub, GitLab, OIDC...): nothing else here depends on how people log in.
members = names(setting("USERS", ""))
if members:
    PERSONAL = {name: personal_password(name) for name in sorted(members | ADMINS)}
    c.JupyterHub.authenticator_class = MemberPasswordAuthenticator
    c.Authenticator.allowed_users = members | ADMINS
else:
    PERSONAL = {}
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = secret("PASSWORD", 12)
    c.SharedPasswordAuthenticator.admin_password = secret("ADMIN_PASSWORD", 32)
    c.Authenticator.allow_all = True

# --- Projects: hub groups project-<name> --------------------------------------------------------------------------
#: Hub groups with this prefix are Maestro projects (the service's MAESTRO_PROJECT_PREFIX default).
PROJECT_PREFIX = "project-"
#: Every member: a project listed with ``*`` takes each member at each start of their server.
EVERYONE = "*"


def projects(value: str) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    """``MAESTRO_HUB_PROJECTS`` (``churn:alice,bob;fraud:bob;default:*``) as ``load_groups`` and the groups that
    take every member."""
    groups: dict[str, dict[str, list[str]]] = {}
    open_to_all: list[str] = []
    for entry in (e.strip() for e in value.split(";")):
        if not entry:
            continue
        project, sep, people = (part.strip() for part in entry.partition(":"))
        if not sep or not project:
            raise SystemExit(f"MAESTRO_HUB_PROJECTS: {entry!r} is not 'project:user,user' or 'project:*'")
        from maestro_jupyter.naming import is_project_name  # the rule the service applies to projects

        if not is_project_name(project):  # also refuses the list's own separators (' ', ',', '*', '/')
            raise SystemExit(
                f"MAESTRO_HUB_PROJECTS: {project!r} is not a project name: use 1-63 letters, digits, '-', '_' or '.', "
                "starting and ending with a letter or digit"
            )
        group = f"{PROJECT_PREFIX}{project}"
        listed = names(people)
        if EVERYONE in listed:
            open_to_all.append(group)
            listed.discard(EVERYONE)
        groups.setdefault(group, {"users": []})["users"] += sorted(listed)
    return groups, open_to_all


c.JupyterHub.load_groups, OPEN_PROJECTS = projects(setting("PROJECTS", f"default:{EVERYONE}"))

# --- MLflow (managed by the hub, behind MLflow's own login) --------------------------------------------------------
MLFLOW_URL = f"http://127.0.0.1:{setting('MLFLOW_PORT', '5000')}"
#: The MLflow admin: the Maestro service, and only it. Not a hub user name (they start with a letter).
MLFLOW_ADMIN = "_maestro"
MLFLOW_ADMIN_PASSWORD = secret("MLFLOW_ADMIN_PASSWORD", 32)
MLFLOW_AUTH_CONFIG = write_auth_config(
    HUB_HOME / "mlflow-auth.ini",  # mode 0600: it holds the admin's password
    setting("MLFLOW_AUTH_DB", "") or HUB_HOME,  # a folder: SQLite mlflow-auth.db in it
    MLFLOW_ADMIN,
    MLFLOW_ADMIN_PASSWORD,
)
#: MLflow's login checks the password of every request with scrypt (about 0.1 s of a core each); it keeps a successful
#: check this many seconds (in memory, keyed by an HMAC of the password), so a notebook's burst of MLflow calls pays it
#: once. A password the hub has just rotated stays good at most this long.
MLFLOW_AUTH_CACHE_S = 60
with MLFLOW_AUTH_CONFIG.open("a", encoding="utf-8") as ini:  # [mlflow] is the file's one section
    ini.write(f"auth_cache_ttl_seconds = {MLFLOW_AUTH_CACHE_S}\n")
# fmt: off
MLFLOW_ARGS = [
    "--app-name", "basic-auth",
    "--backend-store-uri", setting("MLFLOW_STORE", f"sqlite:///{HUB_HOME / 'mlflow.db'}"),
    "--artifacts-destination", (HUB_HOME / "mlflow-artifacts").as_uri(),
    "--host", "127.0.0.1", "--port", MLFLOW_URL.rsplit(":", 1)[1], "--workers", "1",
]
# fmt: on

# --- The Maestro service (managed by the hub): the only holder of the team's keys --------------------------------
SERVICE_NAME = "maestro"
SERVICE_URL = f"http://127.0.0.1:{setting('SERVICE_PORT', '8082')}"
#: What members' servers and kernels send operations to: the service itself, on loopback, at its prefix. Not through
#: the proxy: one hop less, and no dependence on the proxy's public address (0.0.0.0, a TLS certificate for a name).
#: The service checks every request's token with the hub either way.
MAESTRO_URL = f"{SERVICE_URL}/services/{SERVICE_NAME}"
SERVICE_SCOPE = f"access:services!service={SERVICE_NAME}"
MAESTRO_DB_URL = setting("DB_URL", f"sqlite:///{HUB_HOME / 'maestro.db'}")


def team_feature_store() -> dict[str, str]:
    """With ``MAESTRO_HUB_FEAST_DB_URL``, the team's Feast repo, written (again) at each start: its folder, as the
    service's ``MAESTRO_FEAST_REPO``, and the database's password, which the repo's file does not hold (Feast reads it
    from the service's environment). Without it, nothing: the service keeps a local repo in its home."""
    db_url = setting("FEAST_DB_URL", "")
    if not db_url:
        return {}
    from maestro_jupyter.feature_team import write_team_repo

    try:
        repo = write_team_repo(Path(setting("FEAST_REPO", str(HUB_HOME / "feature-repo"))), db_url)
    except ValueError as exc:
        raise SystemExit(f"MAESTRO_HUB_FEAST_DB_URL: {exc}") from None
    return {"MAESTRO_FEAST_REPO": str(repo.path), **repo.environment}


#: The feature store's repo and database password: the service's alone, like the Maestro DB's URL.
FEATURE_STORE_ENV = team_feature_store()

#: Settings that name who acts, or where Maestro runs: the wiring below decides them, never the hub's environment.
WIRED = ("MAESTRO_USER", "MAESTRO_ADMINS", "MAESTRO_PROJECT", "MAESTRO_URL", "MAESTRO_TOKEN", "MAESTRO_DB_URL")
#: Team-wide Maestro settings: every ``MAESTRO_*`` variable of the hub's (but its own ``MAESTRO_HUB_*``), e.g.
#: ``MAESTRO_PRICE_CPU_HOUR`` or ``MAESTRO_ALERT_WEBHOOK``. They configure the service; the wiring always wins.
TEAM_SETTINGS = {
    k: v
    for k, v in os.environ.items()
    if k.startswith("MAESTRO_") and not k.startswith("MAESTRO_HUB_") and k not in WIRED
}
#: The team settings that are the members' own (how their client waits for the service), given to their servers.
CLIENT_SETTINGS = ("MAESTRO_HTTP_TIMEOUT", "MAESTRO_HTTP_RETRIES")

SERVICE_ENV = {
    # Its own home and Jupyter folders: no configuration of the hub account's own leaks in, and its root folder (a
    # temporary one, under TMPDIR) and its jobs' folders are under the hub home.
    "HOME": str(SERVICE_HOME),
    "JUPYTER_CONFIG_DIR": str(SERVICE_HOME / ".jupyter"),
    "JUPYTER_DATA_DIR": str(SERVICE_HOME / ".local/share/jupyter"),
    "JUPYTER_RUNTIME_DIR": str(SERVICE_HOME / ".local/share/jupyter/runtime"),
    "TMPDIR": str(SERVICE_HOME / "tmp"),
    "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
    "PYTHONUNBUFFERED": "1",
    **TEAM_SETTINGS,
    "MAESTRO_HOME": str(SERVICE_HOME / ".maestro"),
    "MAESTRO_TEAM": "1",
    # Members' jobs and model servers run under their own accounts (the service is root).
    "MAESTRO_OS_ACCOUNT": OS_ACCOUNT if ISOLATED else "",
    "MAESTRO_COMPUTE": "local",
    "MAESTRO_DB_URL": MAESTRO_DB_URL,
    **FEATURE_STORE_ENV,
    "MLFLOW_TRACKING_URI": MLFLOW_URL,
    "MLFLOW_TRACKING_USERNAME": MLFLOW_ADMIN,
    "MLFLOW_TRACKING_PASSWORD": MLFLOW_ADMIN_PASSWORD,
}

c.JupyterHub.services = [
    {
        # No "url": the hub starts and watches the server but does not route to it; MLflow's UI is for the hub's
        # machine (members sign in with their own MLflow credentials).
        "name": "mlflow",
        "command": [sys.executable, "-m", "mlflow", "server", *MLFLOW_ARGS],
        "cwd": str(HUB_HOME),
        "environment": auth_server_env(MLFLOW_AUTH_CONFIG, secret("MLFLOW_SECRET_KEY", 32)),
    },
    {
        "name": SERVICE_NAME,
        "url": SERVICE_URL,
        "command": [
            sys.executable,
            "-m",
            "maestro_jupyter.server.service",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        "cwd": str(SERVICE_HOME),
        "oauth_no_confirm": True,  # a browser reaching /services/maestro/ is not asked to confirm
        "environment": SERVICE_ENV,
    },
]
roles: list[dict[str, Any]] = [
    # Every member may reach the Maestro service with their tokens (the default user role has only "self").
    {"name": "user", "scopes": ["self", SERVICE_SCOPE]},
]
if prometheus_token := setting("PROMETHEUS_TOKEN", ""):
    # Prometheus scrapes every member's Maestro exposition through the proxy with this token
    # (monitoring/prometheus.yml), or the service's once, at /services/maestro/maestro/api/v1/metrics.
    c.JupyterHub.services.append({"name": "prometheus", "api_token": prometheus_token})
    roles.append(
        {"name": "prometheus", "scopes": ["read:metrics", "access:servers", SERVICE_SCOPE], "services": ["prometheus"]}
    )
if targets_file := setting("PROMETHEUS_TARGETS", ""):
    # ... and finds the members' servers in this file_sd file, which a managed service keeps up to date.
    proxy_address = c.JupyterHub.bind_url.split("://", 1)[1].replace("0.0.0.0", "127.0.0.1")  # noqa: S104
    targets_command = [sys.executable, str(REPO / "jupyterhub/monitoring/hub_targets.py")]
    targets_command += [str(Path(targets_file).resolve()), "--proxy", proxy_address]
    targets_command += ["--interval", setting("PROMETHEUS_TARGETS_INTERVAL", "15")]
    c.JupyterHub.services.append({"name": "prometheus-targets", "command": targets_command})
    roles.append(
        {"name": "prometheus-targets", "scopes": ["list:users", "read:servers"], "services": ["prometheus-targets"]}
    )
c.JupyterHub.load_roles = roles
# A member's server's token (JUPYTERHUB_API_TOKEN, which its kernels inherit) may call the service as the member:
# the server role's scopes, and the service's.
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", SERVICE_SCOPE]

# --- Members' servers ---------------------------------------------------------------------------------------------
#: How long a spawn waits for the MLflow and Maestro services (the hub starts them with itself; they take seconds).
SERVICES_WAIT_S = 60.0


def answers(url: str, healthy_only: bool) -> bool:
    """Whether ``url`` answers: with a 200 (``healthy_only``), or at all (an authenticated API's 403 counts)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our loopback services
            return bool(response.status == 200)
    except urllib.error.HTTPError as exc:
        exc.close()
        return not healthy_only
    except (OSError, urllib.error.URLError):
        return False


async def wait_for(url: str, what: str, healthy_only: bool) -> None:
    deadline = time.monotonic() + SERVICES_WAIT_S
    while not await asyncio.to_thread(answers, url, healthy_only):  # off the hub's event loop: it serves everyone
        if time.monotonic() > deadline:
            raise RuntimeError(f"the {what} at {url} is not answering; see the hub's log")
        await asyncio.sleep(0.25)  # polling a service that is starting, not waiting for a result


def join_open_projects(user: Any) -> None:
    """Put ``user`` in every project open to all members (``name:*``), if not in it yet."""
    db = user.db
    for name in OPEN_PROJECTS:
        group = orm.Group.find(db, name)
        if group is not None and group not in user.orm_user.groups:
            user.orm_user.groups.append(group)
            db.commit()


async def prepare_member(spawner: MaestroSpawner) -> None:
    """Before a member's server starts (``pre_spawn_hook``): the services are up, the member is in the projects
    open to all, and the Maestro service gives them MLflow credentials of their own (made on the first start, a new
    password at each start). The hub asks with the member's own server token, so the service provisions the member
    the token names, and only the service uses MLflow's admin account."""
    await wait_for(f"{MLFLOW_URL}/health", "MLflow service", healthy_only=True)
    await wait_for(f"{MAESTRO_URL}/maestro/api/v1/info", "Maestro service", healthy_only=False)
    join_open_projects(spawner.user)
    spawner.mlflow_env = await asyncio.to_thread(member_mlflow_env, MAESTRO_URL, spawner.api_token)


def ensure_os_account(account: str, home: Path) -> None:
    """Make the member's OS account if missing (its home is the hub's folder for them, no login shell), and give it
    its home, closed to everyone else."""
    try:
        if pwd.getpwnam(account).pw_dir != str(home):  # an account from a hub home elsewhere
            subprocess.run(["usermod", "--home", str(home), account], check=True, capture_output=True)
    except KeyError:
        command = ["useradd", "--home-dir", str(home), "--no-create-home", "--shell", "/usr/sbin/nologin"]
        subprocess.run([*command, "--user-group", "--no-log-init", account], check=True, capture_output=True)
    entry = pwd.getpwnam(account)
    for item in [home, *home.rglob("*")]:
        os.chown(item, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    home.chmod(0o700)


class MaestroSpawner(SimpleLocalProcessSpawner):  # type: ignore[misc]
    """A local JupyterLab per member, with Maestro forwarding to the team's service and MLflow as the member.

    Based on JupyterHub's SimpleLocalProcessSpawner, each server with its own home. When the hub runs as root
    (``ISOLATED``), each member's server runs under an OS account of their own (``maestro-<name>``, made at their
    first start), as their jobs and model servers do; otherwise under the hub's account. See the module docstring
    for what each isolates."""

    #: The member's MLflow variables (``MLFLOW_TRACKING_URI``, user name and password), from the pre-spawn hook.
    mlflow_env: dict[str, str] | None = None

    @property
    def os_account(self) -> str:
        return OS_ACCOUNT.replace("{user}", self.user.name)

    def make_preexec_fn(self, name: str) -> Any:
        if ISOLATED:
            return set_user_setuid(self.os_account)  # its uid, gid and groups, in its home
        return super().make_preexec_fn(name)

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        env = super().user_env(env)
        if self.mlflow_env is None:
            raise RuntimeError(f"no MLflow account was made for {self.user.name} (the pre-spawn hook did not run)")
        env.update({k: TEAM_SETTINGS[k] for k in CLIENT_SETTINGS if k in TEAM_SETTINGS})
        if ISOLATED:
            env["USER"] = self.os_account
        env.update(
            {
                "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', os.defpath)}",
                "MAESTRO_URL": MAESTRO_URL,
                "MAESTRO_HOME": str(Path(self.home_dir) / ".maestro"),
                **self.mlflow_env,
                "MLFLOW_EXPERIMENT_NAME": self.user.name,
            }
        )
        return env

    async def start(self) -> tuple[str, int]:
        home = Path(self.home_dir)
        self._prepare_home(home)
        if ISOLATED:
            await asyncio.to_thread(ensure_os_account, self.os_account, home)
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
c.Spawner.pre_spawn_hook = prepare_member
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
