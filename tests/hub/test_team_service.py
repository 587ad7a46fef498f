"""The team's Maestro service for real: a JupyterHub (with its configurable-http-proxy) runs
``python -m maestro_jupyter.server.service`` as a managed service, and members call it through the proxy with their
own hub tokens. Who acts, whether they are an admin and what they may charge come from the hub only: the service's
environment names boss as its user, alice as an admin and fraud as the project, and none of it counts."""

from __future__ import annotations

import re
import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.hub.hub_server import PROXY, free_ports, service_home_env, service_hub_env
from tests.live_server import spawn_logged, stop

CONFIG = Path(__file__).with_name("service_hub_config.py")
START_TIMEOUT_S = 90.0
POLL_S = 0.2
PASSWORD = "service-test-password"
#: A job that runs until it is cancelled (the test cancels it).
WAITING_JOB = "import time\nfor _ in range(600):\n    time.sleep(0.5)\n"


@dataclass
class ServiceHub:
    url: str
    log_path: Path
    process: Any
    tester_token: str
    tokens: dict[str, str]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else "<no log>"

    def maestro(self, path: str) -> str:
        return f"{self.url}services/maestro/maestro/api/v1/{path}"

    def call(self, who: str | None, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """A Maestro call through the proxy with ``who``'s token (``None``: no token at all)."""
        headers = {}
        if token or who:
            headers["Authorization"] = f"token {token or self.tokens[who or '']}"
        return requests.request(
            method, self.maestro(path), headers=headers, json=body, allow_redirects=False, timeout=60
        )

    def answer(self, who: str | None, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """The JSON of a call that must succeed; else the failure says what the service answered and logged."""
        response = self.call(who, method, path, body, token)
        assert 200 <= response.status_code < 300, (
            f"{method} {path} as {who or 'a token'} -> {response.status_code} {response.text[:500]}\n"
            f"{self.log()[-3000:]}"
        )
        return response.json()

    def hub_api(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Authorization": f"token {self.tester_token}"}
        return requests.request(method, f"{self.url}hub/api/{path}", headers=headers, json=body, timeout=30)

    def new_token(self, user: str, scopes: list[str] | None = None) -> str:
        body: dict[str, Any] = {"note": "team service tests", "expires_in": 3600}
        if scopes is not None:
            body["scopes"] = scopes
        response = self.hub_api("POST", f"users/{user}/tokens", body)
        assert response.status_code == 201, f"token for {user}: {response.status_code} {response.text}"
        return str(response.json()["token"])


def _wait(service_hub: ServiceHub, check: Any, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        if service_hub.process.poll() is not None:
            raise RuntimeError(f"the hub exited ({service_hub.process.returncode}):\n{service_hub.log()[-4000:]}")
        try:
            ok, last = check()
            if ok:
                return
        except requests.RequestException as exc:
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(POLL_S)
    raise RuntimeError(f"{what} not ready in {START_TIMEOUT_S:.0f} s ({last}):\n{service_hub.log()[-4000:]}")


@pytest.fixture(scope="module")
def service_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceHub]:
    if not PROXY.exists():
        pytest.fail(f"configurable-http-proxy is not installed at {PROXY}: run `make hub-deps`")
    root = tmp_path_factory.mktemp("service-hub")
    home = root / "hub-home"
    port, api, proxy_api, maestro = free_ports(4)
    tester_token = secrets.token_hex(24)
    service_env = {
        **service_home_env(home),
        "MAESTRO_GATE_DEPLOYMENTS": "false",
        # Settings that would make someone an admin or charge a project on a laptop: on the team, nobody.
        "MAESTRO_USER": "boss",
        "MAESTRO_ADMINS": "alice,dana",
        "MAESTRO_PROJECT": "fraud",
        "JUPYTERHUB_USER": "boss",
    }
    ports = {"port": port, "api": api, "proxy_api": proxy_api, "maestro": maestro}
    env = service_hub_env(home, ports, PASSWORD, tester_token, service_env)
    log_path = root / "jupyterhub.log"
    process = spawn_logged([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], home, env, log_path)
    running = ServiceHub(f"http://127.0.0.1:{port}/", log_path, process, tester_token, {})
    try:
        _wait(running, lambda: (requests.get(f"{running.url}hub/api/", timeout=2).status_code == 200, ""), "the hub")
        for user in ("alice", "bob", "boss", "dana"):
            running.tokens[user] = running.new_token(user)

        def service_answers() -> tuple[bool, str]:
            response = running.call("alice", "GET", "info")
            return response.status_code == 200, f"{response.status_code} {response.text[:200]}"

        _wait(running, service_answers, "the Maestro service")
        yield running
    finally:
        stop(process)


def test_without_a_hub_identity_nothing_is_served(service_hub: ServiceHub):
    for method, path in (("GET", "info"), ("GET", "budgets"), ("POST", "training/jobs"), ("GET", "metrics")):
        anonymous = service_hub.call(None, method, path, {"source": "print(1)"} if method == "POST" else None)
        assert anonymous.status_code in (401, 403), (method, path, anonymous.status_code)
        forged = service_hub.call(None, method, path, token="not-a-hub-token")
        assert forged.status_code in (401, 403), (method, path, forged.status_code)
    # A token of alice's that may not access the service is refused too.
    narrow = service_hub.new_token("alice", scopes=["read:users:name!user=alice"])
    assert service_hub.call(None, "GET", "info", token=narrow).status_code == 403


def test_the_actor_is_the_hub_user_whatever_the_services_environment_says(service_hub: ServiceHub):
    infos = {user: service_hub.answer(user, "GET", "info") for user in ("alice", "bob", "boss", "dana")}
    shown = {u: (i["user"], i["admin"], i["projects"], i["project"]) for u, i in infos.items()}
    assert shown == {
        "alice": ("alice", False, ["churn"], "churn"),
        "bob": ("bob", False, ["fraud"], "fraud"),
        "boss": ("boss", True, [], ""),
        "dana": ("dana", False, [], ""),
    }


def test_work_is_charged_to_the_members_own_projects_and_only_its_owner_cancels_it(service_hub: ServiceHub):
    refused = service_hub.call("alice", "POST", "training/jobs", {"source": WAITING_JOB, "project": "fraud"})
    assert refused.status_code == 403, refused.text
    assert refused.json() == {"error": "PERMISSION_DENIED", "message": "You may charge work to churn, not fraud"}
    nobody = service_hub.call("dana", "POST", "training/jobs", {"source": WAITING_JOB})
    assert nobody.status_code == 403
    assert "dana belongs to no project" in nobody.json()["message"]
    assert service_hub.answer("alice", "GET", "training/jobs")["jobs"] == []  # nothing was started

    submitted = service_hub.call("alice", "POST", "training/jobs", {"source": WAITING_JOB, "name": "wait"})
    assert submitted.status_code == 201, submitted.text
    job = submitted.json()
    assert (job["user"], job["project"]) == ("alice", "churn")
    try:
        stolen = service_hub.call("bob", "POST", f"training/jobs/{job['id']}/cancel")
        assert stolen.status_code == 403
        assert stolen.json()["message"] == f"Job {job['id']} belongs to alice; only they can cancel it"
        # The estimate of the same work is charged to the same project, with its budgets.
        estimate = service_hub.call("alice", "POST", "costs/estimate", {"cpus": 1, "hours": 1, "project": "fraud"})
        assert estimate.status_code == 403
    finally:
        cancelled = service_hub.call("alice", "POST", f"training/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] in ("cancelled", "cancelling")


def test_only_hub_admins_set_budgets(service_hub: ServiceHub):
    budget = {"amount": 50, "period": "monthly"}
    refused = service_hub.call("alice", "PUT", "budgets/project/churn", budget)  # MAESTRO_ADMINS names alice
    assert refused.status_code == 403
    assert refused.json()["message"] == "Only an admin may change budgets (alice is not one)"
    assert service_hub.answer("alice", "GET", "budgets")["can_edit"] is False
    created = service_hub.call("boss", "PUT", "budgets/project/churn", budget)
    assert created.status_code == 200, created.text
    try:
        assert service_hub.answer("boss", "GET", "budgets")["can_edit"] is True
        listed = service_hub.answer("alice", "GET", "budgets")["budgets"]
        assert [b["id"] for b in listed] == ["project:churn"]
        estimate = service_hub.answer("alice", "POST", "costs/estimate", {"cpus": 1, "hours": 1})
        assert [b["id"] for b in estimate["budgets"]] == ["project:churn"]  # her default project's budget
    finally:
        assert service_hub.call("boss", "DELETE", "budgets/project/churn").status_code == 204


def test_a_new_project_group_counts_from_the_next_token(service_hub: ServiceHub):
    created = service_hub.hub_api("POST", "groups/project-ops", {"users": ["dana"]})
    assert created.status_code == 201, created.text
    token = service_hub.new_token("dana")
    info = service_hub.answer(None, "GET", "info", token=token)
    assert (info["projects"], info["project"]) == (["ops"], "ops")
    joined = service_hub.hub_api("POST", "groups/maestro-admins", {"users": ["dana"]})
    assert joined.status_code == 201, joined.text
    assert service_hub.answer(None, "GET", "info", token=service_hub.new_token("dana"))["admin"] is True


def test_the_services_jupyter_server_opens_nothing_but_maestro(service_hub: ServiceHub):
    headers = {"Authorization": f"token {service_hub.tokens['boss']}"}  # even a hub admin
    closed = (
        ("GET", "api/contents"),
        ("POST", "api/kernels"),
        ("GET", "api/sessions"),
        ("GET", "api/kernelspecs"),
        ("POST", "api/terminals"),
    )
    for method, path in closed:
        response = requests.request(
            method, f"{service_hub.url}services/maestro/{path}", headers=headers, allow_redirects=False, timeout=30
        )
        assert response.status_code in (403, 404), (method, path, response.status_code, response.text[:200])


def test_a_browser_logs_in_through_the_hubs_oauth(service_hub: ServiceHub):
    session = requests.Session()
    page = session.get(f"{service_hub.url}hub/login", timeout=30)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    assert xsrf, "no _xsrf field in /hub/login"
    form = {"username": "bob", "password": PASSWORD, "_xsrf": xsrf.group(1)}
    # Logged in (not following the hub to a server of bob's: this hub runs none).
    login = session.post(f"{service_hub.url}hub/login", data=form, allow_redirects=False, timeout=60)
    assert login.status_code == 302, login.text[:300]
    # The API answers a browser without the service's cookie with a 403, not a login page ...
    assert session.get(service_hub.maestro("info"), allow_redirects=False, timeout=60).status_code == 403
    # ... the service's page sends it to the hub's authorize page and back, then on to the API as bob.
    landed = session.get(f"{service_hub.url}services/maestro/", timeout=60)
    assert landed.status_code == 200, landed.text[:300]
    assert landed.url == service_hub.maestro("info")
    assert (landed.json()["user"], landed.json()["projects"]) == ("bob", ["fraud"])
    # From now on its cookie is bob's identity (a POST needs the XSRF token too, as for any cookie).
    info = session.get(service_hub.maestro("info"), allow_redirects=False, timeout=60)
    assert (info.status_code, info.json()["user"]) == (200, "bob")
    refused = session.post(service_hub.maestro("training/jobs"), json={"source": WAITING_JOB}, timeout=60)
    assert refused.status_code == 403
    assert "xsrf" in refused.json()["message"].lower()
