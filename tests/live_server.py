"""A real ``jupyter lab`` subprocess on a Maestro home of the test's: for browser tests and live API tests.

Its environment is the test's own (the developer's MAESTRO_/MLFLOW_/JUPYTER settings are dropped), it runs in its
own process group, and readiness is polled (Jupyter and the Maestro API both answer) within a bound.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Bound on the lab server's start-up (polled, not slept).
STARTUP_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.2

#: Debian's Chromium, headless, as root, on a closed network: no sandbox (root), and none of its background calls
#: home (refused here, many at a time, and slow to fail).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Environment variables of the developer that must not reach the lab server: its configuration is the test's.
LEAKY_PREFIXES = ("MAESTRO_", "MLFLOW_", "JUPYTER", "JPY_", "IPYTHON", "XDG_")


@dataclass
class LabServer:
    """A running ``jupyter lab``: ``url`` ends with ``/``."""

    url: str
    token: str
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def lab_url(self, workspace: str | None = None) -> str:
        """The JupyterLab page, in a workspace of its own (a fresh layout) when ``workspace`` is given."""
        path = f"lab/workspaces/{workspace}" if workspace else "lab"
        return f"{self.url}{path}?token={self.token}"

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30) -> tuple[int, Any]:
        """Call the Maestro REST API (``path`` relative to ``maestro/api/v1/``) -> (status, parsed JSON or None)."""
        return http_json(f"{self.url}maestro/api/v1/{path}", self.token, method, body, timeout)

    def put_json(self, path: str, body: Any, timeout: float = 30) -> tuple[int, Any]:
        """``PUT`` a JSON body to any server endpoint (``path`` relative to the base URL)."""
        return http_json(f"{self.url}{path}", self.token, "PUT", body, timeout)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"<no log: {exc}>"


def http_json(url: str, token: str, method: str = "GET", body: Any = None, timeout: float = 30) -> tuple[int, Any]:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http URL: {url}")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (checked above)
    request.add_header("Authorization", f"token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lab_env(root: Path, maestro_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKY_PREFIXES)}
    dirs = {
        "HOME": root / "home",
        "JUPYTER_CONFIG_DIR": root / "jupyter-config",
        "JUPYTER_DATA_DIR": root / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": root / "jupyter-runtime",
        "IPYTHONDIR": root / "ipython",
        "MPLCONFIGDIR": root / "matplotlib",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env.update({k: str(v) for k, v in dirs.items()})
    # No "get notified about Jupyter news?" toast over the screenshots, and no request to the news site.
    notification = dirs["JUPYTER_CONFIG_DIR"] / "lab/user-settings/@jupyterlab/apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env["MAESTRO_HOME"] = str(maestro_home)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def spawn_logged(cmd: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start a server in a process group of its own (so that :func:`stop` ends it and its children), with its output
    in ``log_path`` and no stdin."""
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server and anything it started (it leads its own process group)."""
    if process.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_ready(server: LabServer) -> str | None:
    """Poll until Jupyter and the Maestro API answer; returns None when ready, else why not."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return f"jupyter lab exited with status {server.process.returncode}"
        try:
            status, _ = http_json(f"{server.url}api/status", server.token, timeout=2)
            if status == 200:
                status, body = server.api("GET", "models", timeout=10)
                if status == 200 and isinstance(body, dict) and "models" in body:
                    return None
                last = f"GET maestro/api/v1/models -> {status} {body!r}"
            else:
                last = f"GET api/status -> {status}"
        except (OSError, urllib.error.URLError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(POLL_INTERVAL_S)
    return f"not ready after {STARTUP_TIMEOUT_S:.0f} s ({last})"


def _start_lab(root: Path, env: dict[str, str], token: str, attempt: int) -> LabServer:
    port = _free_port()
    log_path = root / f"jupyter-lab-{attempt}.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root / 'notebooks'}",
        "--ServerApp.ip=127.0.0.1",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    process = spawn_logged(cmd, root, env, log_path)
    return LabServer(url=f"http://127.0.0.1:{port}/", token=token, log_path=log_path, process=process)


def start_lab(root: Path, maestro_home: Path, extra_env: dict[str, str] | None = None) -> LabServer:
    """Start ``jupyter lab`` in ``root`` on ``maestro_home`` and wait until it serves; raises with its log if not.

    ``extra_env`` adds Maestro settings of the test's (e.g. ``MAESTRO_RATE_LIMIT``)."""
    (root / "notebooks").mkdir(parents=True, exist_ok=True)
    env = {**lab_env(root, maestro_home), **(extra_env or {})}
    token = secrets.token_hex(24)
    for attempt in range(3):  # another process may grab the free port before the server binds it
        server = _start_lab(root, env, token, attempt)
        try:
            failure = _wait_ready(server)
        except BaseException:
            stop(server.process)
            raise
        if failure is None:
            return server
        stop(server.process)
        if "already in use" not in server.log():
            break
    raise RuntimeError(f"jupyter lab did not start: {failure}\n--- {server.log_path} ---\n{server.log()}")
