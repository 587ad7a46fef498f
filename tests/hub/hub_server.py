"""A real JupyterHub from ``jupyterhub/jupyterhub_config.py``: its configurable-http-proxy, its MLflow and Maestro
services and local JupyterLab servers, on a hub home of the test's, and the calls a user makes through the proxy.

Readiness is polled within bounds (the hub, then MLflow and the Maestro service, then each user's server); every
process the hub started leads or joins the hub's process group, which is ended at the close.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.live_server import LEAKY_PREFIXES, spawn_logged, stop

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "jupyterhub" / "jupyterhub_config.py"
PROXY = REPO / ".venv" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"

HUB_START_TIMEOUT_S = 60.0
SPAWN_TIMEOUT_S = 90.0
POLL_S = 0.2


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (held open together while chosen, so no two are the same)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class HubUser:
    """A logged-in user: the browser-like session (hub cookies) and an API token of theirs."""

    name: str
    session: requests.Session
    token: str = ""
    #: Seconds from submitting the login form to a JupyterLab with Maestro answering.
    ready_after_s: float = 0.0

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


@dataclass
class Hub:
    url: str
    home: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    mlflow_url: str = ""
    #: The Maestro service's own address (loopback), as members' servers reach it: ``MAESTRO_URL``.
    service_url: str = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else "<no log>"

    def login(self, name: str, password: str) -> requests.Session:
        """The login form, as a person fills it in; the session carries the hub's cookie, and following the hub's
        redirect (to /hub/spawn) starts the user's server."""
        session = requests.Session()
        page = session.get(f"{self.url}hub/login", timeout=30)
        assert page.status_code == 200, f"GET /hub/login -> {page.status_code}"
        match = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        assert match, "no _xsrf field in /hub/login"
        form = {"username": name, "password": password, "_xsrf": match.group(1)}
        response = session.post(f"{self.url}hub/login", data=form, timeout=60)
        assert response.status_code == 200, f"login {name} -> {response.status_code}"
        assert "jupyterhub-session-id" in session.cookies or any(
            c.name.startswith("jupyterhub-hub-login") for c in session.cookies
        ), f"login of {name} refused:\n{response.text[-2000:]}"
        return session

    # --- the API a user's token opens ----------------------------------------------------------------------------
    def new_token(self, user: HubUser) -> str:
        """A token of the user's, asked for with their hub cookie (as the hub's token page does)."""
        xsrf = user.session.cookies.get("_xsrf", path="/hub/")
        response = user.session.post(
            f"{self.url}hub/api/users/{user.name}/tokens",
            json={"note": "hub tests", "expires_in": 3600},
            headers={"X-XSRFToken": xsrf or "", "Referer": f"{self.url}hub/token"},
            timeout=30,
        )
        assert response.status_code == 201, f"token for {user.name} -> {response.status_code}: {response.text}"
        return str(response.json()["token"])

    def wait_ready(self, user: HubUser) -> None:
        """Until the user's server is up and its Maestro API answers through the proxy."""
        deadline = time.monotonic() + SPAWN_TIMEOUT_S
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.process.returncode}):\n{self.log()[-4000:]}")
            try:
                response = requests.get(self.maestro(user.name, "info"), headers=user.auth(), timeout=5)
                if response.status_code == 200 and response.json().get("user") == user.name:
                    return
                last = f"{response.status_code} {response.text[:200]}"
            except (requests.RequestException, ValueError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(POLL_S)
        raise RuntimeError(f"{user.name}'s server not ready in {SPAWN_TIMEOUT_S:.0f} s ({last}):\n{self.log()[-4000:]}")

    def password(self, name: str) -> str:
        """``name``'s own login password, which the hub made (``MAESTRO_HUB_USERS``) for the admin to hand over."""
        return (self.home / "passwords" / name).read_text().strip()

    def mlflow_admin(self) -> tuple[str, str]:
        """The MLflow admin's user name and password (the service's), from the auth config the hub wrote."""
        config = configparser.ConfigParser()
        config.read(self.home / "mlflow-auth.ini")
        return config["mlflow"]["admin_username"], config["mlflow"]["admin_password"]

    def server_env(self, name: str) -> dict[str, str]:
        """The environment of ``name``'s running JupyterLab (what its kernels inherit), read from /proc."""
        return self._process_env(b"jupyterhub-singleuser", self.home / "users" / name)

    def mlflow_get(self, member: str, path: str, **params: str) -> dict[str, Any]:
        """``GET`` an MLflow REST path (``runs/get``...) as ``member``, with the MLflow account their server has."""
        env = self.server_env(member)
        answer = requests.get(
            f"{env['MLFLOW_TRACKING_URI']}/api/2.0/mlflow/{path}",
            params=params,
            auth=(env["MLFLOW_TRACKING_USERNAME"], env["MLFLOW_TRACKING_PASSWORD"]),
            timeout=30,
        )
        answer.raise_for_status()
        return dict(answer.json())

    def service_env(self) -> dict[str, str]:
        """The environment of the running Maestro service."""
        return self._process_env(b"maestro_jupyter.server.service", self.home / "maestro-service")

    @staticmethod
    def _process_env(marker: bytes, cwd: Path) -> dict[str, str]:
        folder = cwd.resolve()
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if marker not in (proc / "cmdline").read_bytes() or (proc / "cwd").resolve() != folder:
                    continue
                raw = (proc / "environ").read_bytes()
            except OSError:
                continue  # gone, or not ours to read
            pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
            return {k.decode(): v.decode(errors="replace") for k, _, v in pairs}
        raise AssertionError(f"no running process of {marker.decode()} in {folder}")

    def maestro(self, owner: str, path: str) -> str:
        """The URL of a Maestro REST path on ``owner``'s server, through the proxy."""
        return f"{self.url}user/{owner}/maestro/api/v1/{path}"

    def api(self, user: HubUser, method: str, owner: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, self.maestro(owner, path), headers=user.auth(), json=body, timeout=60)

    def start_user(self, name: str, password: str) -> HubUser:
        """Log in through the form (which starts the server), get a token, and wait for Maestro to answer: timed."""
        started = time.monotonic()
        user = HubUser(name, self.login(name, password))
        user.token = self.new_token(user)
        self.wait_ready(user)
        user.ready_after_s = time.monotonic() - started
        return user


def hub_env(home: Path, ports: dict[str, int], extra: dict[str, str] | None = None) -> dict[str, str]:
    # The developer's own settings stay out of the hub and its users' servers.
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKY_PREFIXES)}
    env.update(
        {
            "MAESTRO_HUB_HOME": str(home),
            "MAESTRO_HUB_PORT": str(ports["port"]),
            "MAESTRO_HUB_API_PORT": str(ports["api"]),
            "MAESTRO_HUB_PROXY_API_PORT": str(ports["proxy_api"]),
            "MAESTRO_HUB_MLFLOW_PORT": str(ports["mlflow"]),
            "MAESTRO_HUB_SERVICE_PORT": str(ports.get("service", 0)),
            "MAESTRO_HUB_PROXY": str(PROXY),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def service_home_env(home: Path) -> dict[str, str]:
    """The Maestro service's own folders under ``home`` (made here), as its environment: where it keeps its files,
    and no configuration of the developer's."""
    folders = {
        "HOME": "home",
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "TMPDIR": "tmp",
        "MAESTRO_HOME": "maestro",
    }
    for name in folders.values():
        (home / name).mkdir(parents=True, exist_ok=True)
    return {var: str(home / name) for var, name in folders.items()} | {"PYTHONUNBUFFERED": "1"}


def service_hub_env(
    home: Path, ports: dict[str, int], password: str, tester_token: str, service_env: dict[str, str]
) -> dict[str, str]:
    """The environment of a hub of ``tests/hub/service_hub_config.py`` (the Maestro service alone, no members'
    servers): its ``ports`` (``port``, ``api``, ``proxy_api``, ``maestro``), the users' password, the token of its
    "tester" service, and the service's own environment."""
    env = hub_env(home, {"port": ports["port"], "api": ports["api"], "proxy_api": ports["proxy_api"], "mlflow": 0})
    env.update(
        {
            "SERVICE_HUB_HOME": str(home),
            "SERVICE_HUB_PORT": str(ports["port"]),
            "SERVICE_HUB_API_PORT": str(ports["api"]),
            "SERVICE_HUB_PROXY_API_PORT": str(ports["proxy_api"]),
            "SERVICE_HUB_MAESTRO_PORT": str(ports["maestro"]),
            "SERVICE_HUB_PROXY": str(PROXY),
            "SERVICE_HUB_PASSWORD": password,
            "SERVICE_HUB_TESTER_TOKEN": tester_token,
            "SERVICE_HUB_MAESTRO_ENV": json.dumps(service_env),
        }
    )
    return env


def start_hub(root: Path, extra_env: dict[str, str] | None = None) -> Hub:
    """``jupyterhub -f jupyterhub/jupyterhub_config.py`` on ``root``; returns once the hub, MLflow and the Maestro
    service answer."""
    if not PROXY.exists():
        raise RuntimeError(f"configurable-http-proxy is not installed at {PROXY}: run `make hub-deps`")
    port, api, proxy_api, mlflow, service = free_ports(5)
    ports = {"port": port, "api": api, "proxy_api": proxy_api, "mlflow": mlflow, "service": service}
    home = root / "hub-home"
    env = hub_env(home, ports, extra_env)
    log_path = root / "jupyterhub.log"
    process = spawn_logged([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], root, env, log_path)
    service_url = f"http://127.0.0.1:{service}/services/maestro"
    hub = Hub(f"http://127.0.0.1:{port}/", home, log_path, process, f"http://127.0.0.1:{mlflow}", service_url)
    try:
        _wait(hub, f"{hub.url}hub/api/", "the hub")
        _wait(hub, f"{hub.mlflow_url}/health", "the MLflow service")
        # Without a token the service's API answers 401: it is up, and it asks the hub who calls.
        _wait(hub, f"{hub.service_url}/maestro/api/v1/info", "the Maestro service", status=401)
    except BaseException:
        stop_hub(hub)
        raise
    return hub


def _wait(hub: Hub, url: str, what: str, status: int = 200) -> None:
    deadline = time.monotonic() + HUB_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise RuntimeError(f"the hub exited ({hub.process.returncode}):\n{hub.log()[-4000:]}")
        try:
            if requests.get(url, timeout=2).status_code == status:
                return
        except requests.RequestException:
            pass
        time.sleep(POLL_S)
    raise RuntimeError(f"{what} did not answer in {HUB_START_TIMEOUT_S:.0f} s:\n{hub.log()[-4000:]}")


def stop_hub(hub: Hub) -> None:
    """Stop the hub (it stops the users' servers and its services), then anything still working in its home: a
    user's server that outlived it, or the jobs and replicas those servers started in their own sessions."""
    stop(hub.process)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cwd = (proc / "cwd").resolve()
        except OSError:
            continue  # gone, or not ours to read
        if cwd.is_relative_to(hub.home):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(proc.name), signal.SIGKILL)
