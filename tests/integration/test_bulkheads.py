"""A hung MLflow tracking server (a real ``mlflow server``, stopped with SIGSTOP) must not starve the routes that need
only the Maestro DB, nor make the metrics scrape miss Prometheus' 10 s time-out; routes that need MLflow answer 503
``BACKEND_UNAVAILABLE`` in bounded time, and work again once it resumes.

The Jupyter server is the real one of ``pytest_jupyter`` (in this process), with the Maestro extension tracking the
stopped server. Requests go out on a client of their own with room for every concurrent request, so that what is
timed is the server's queueing, never the client's.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient

from maestro_jupyter.backends.store import MaestroStore
from maestro_jupyter.contract.operations import operations
from maestro_jupyter.entities import Job
from maestro_jupyter.server import bulkheads
from maestro_jupyter.server.bulkheads import BULKHEAD_OF, REGISTRY, STORE, bulkhead_of
from maestro_jupyter.services import metrics
from tests.live_server import spawn_logged, stop
from tests.prometheus_server import free_port

#: Seconds one MLflow request may take (MLflow's own setting): a hung server costs each call this long.
MLFLOW_TIMEOUT_S = 3
#: Routes that need only the Maestro DB: each must answer this fast while MLflow hangs (a DB read takes milliseconds;
#: behind a shared pool full of MLflow calls they waited a multiple of MLFLOW_TIMEOUT_S).
DB_ROUTE_BOUND_S = 2.0
#: The metrics scrape's bound while MLflow hangs (the issue's: well inside Prometheus' 10 s scrape time-out).
METRICS_BOUND_S = 2.0
#: The registry bulkhead's queue in these tests, and the concurrent registry requests sent while MLflow hangs: more
#: than the bulkhead holds (its threads + that queue).
REGISTRY_QUEUE = 16
FLOOD = 32
STARTUP_TIMEOUT_S = 120.0
DB_ROUTES = ("training/jobs", "deployments", "costs", "budgets", "alerts")


@dataclass
class Mlflow:
    url: str
    process: Any
    log_path: Path

    @contextmanager
    def hung(self) -> Iterator[None]:
        """The server (its whole process group: the workers too) stopped, as a hung server is; resumed after."""
        os.killpg(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.killpg(self.process.pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def mlflow_server(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mlflow]:
    workdir = tmp_path_factory.mktemp("hung-mlflow")
    shutil.copy(seeded_home / "mlflow.db", workdir / "mlflow.db")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{workdir / 'mlflow.db'}",
        "--artifacts-destination", (workdir / "artifacts").as_uri(),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    log_path = workdir / "mlflow.log"
    server = Mlflow(f"http://127.0.0.1:{port}", spawn_logged(cmd, workdir, env, log_path), log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while True:
            if server.process.poll() is not None:
                pytest.fail(f"mlflow server exited:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{server.url}/health", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"mlflow server not ready in {STARTUP_TIMEOUT_S:.0f}s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)  # polling for readiness, within the deadline
        yield server
    finally:
        os.killpg(server.process.pid, signal.SIGCONT)  # never leave it stopped, whatever the test did
        stop(server.process)


@pytest.fixture(autouse=True)
def _bounded_mlflow_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """MLflow's own settings, as an operator would set them: one try, MLFLOW_TIMEOUT_S each. And a registry queue of
    REGISTRY_QUEUE (the server's holds a whole team's calls), so that a flood of FLOOD requests overflows it."""
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", str(MLFLOW_TIMEOUT_S))
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    registry = bulkheads.LIMITS[bulkheads.REGISTRY]
    monkeypatch.setitem(bulkheads.LIMITS, bulkheads.REGISTRY, replace(registry, waiting=REGISTRY_QUEUE))


@pytest.fixture
def maestro_config(maestro_home: Path, mlflow_server: Mlflow) -> dict[str, Any]:
    _seed_jobs(maestro_home)
    return {"home": str(maestro_home), "tracking_uri": mlflow_server.url}


def _seed_jobs(home: Path) -> None:
    """Two finished, settled jobs: listing them reads the Maestro DB and nothing else."""
    store = MaestroStore(f"sqlite:///{home / 'maestro.db'}")
    now = time.time()
    for n in range(2):
        job = Job(
            id=f"job-0000bee{n}",
            name="train",
            status="succeeded",
            user="alice",
            project="churn",
            backend="local",
            kind="script",
            source="train.py",
            created_at=now - 600,
            started_at=now - 590,
            finished_at=now - 500,
            cost=0.01,
        )
        store.insert_job(job, {})


@pytest.fixture
def client(
    http_server_client: Any, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> Iterator[Any]:
    """``await client(path)`` -> (status, body, seconds taken), for ``maestro/api/v1/<path>`` of the test's server
    (``http_server_client`` is what makes it listen)."""
    http = AsyncHTTPClient(force_instance=True, max_clients=FLOOD + 16)
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}maestro/api/v1/"

    async def get(path: str) -> tuple[int, Any, float]:
        started = time.monotonic()
        response = await http.fetch(base + path, headers=jp_auth_header, raise_error=False, request_timeout=120)
        took = time.monotonic() - started
        body = response.body or b""
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.code, json.loads(body), took
        return response.code, body.decode(), took

    yield get
    http.close()


async def _until(client: Any, path: str, done: Any, timeout: float = 60.0) -> tuple[int, Any, float]:
    """GET ``path`` until ``done(status, body)``, within ``timeout`` (polling a background reading, not sleeping)."""
    deadline = time.monotonic() + timeout
    while True:
        status, body, took = await client(path)
        if done(status, body):
            return status, body, took
        assert time.monotonic() < deadline, f"GET {path} still answers {status}: {str(body)[:500]}"
        await asyncio.sleep(0.2)


def _model_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith('maestro_model_metric{model="iris-classifier"')]


def _mlflow_age(text: str) -> float:
    (line,) = [line for line in text.splitlines() if line.startswith("maestro_metrics_mlflow_age_seconds ")]
    return float(line.split()[1])


def test_every_operation_named_for_a_bulkhead_exists() -> None:
    # A renamed operation would silently fall back to the registry's bulkhead: the table must follow the contract.
    known = {request.operation for request in operations().values()}
    assert set(BULKHEAD_OF) <= known, set(BULKHEAD_OF) - known
    assert bulkhead_of("training.list") == STORE
    assert bulkhead_of("registry.list_models") == REGISTRY
    assert bulkhead_of("some.future_operation") == REGISTRY


async def test_a_hung_mlflow_starves_neither_the_db_routes_nor_the_scrape(
    client: Any, mlflow_server: Mlflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MLflow answers: the registry works, and the scrape has the registry's series.
    assert (await client("models"))[0] == 200
    _, before, _ = await _until(client, "metrics", lambda s, b: s == 200 and _model_lines(b))
    assert _mlflow_age(before) < 60
    # The registry's series are due for a new reading at every scrape from here on.
    monkeypatch.setattr(metrics, "MLFLOW_TTL_S", 0.5)

    with mlflow_server.hung():
        # Fill everything that waits for MLflow: more registry requests than its threads and queue hold.
        flood = [asyncio.ensure_future(client("models")) for _ in range(FLOOD)]
        await asyncio.sleep(0.5)  # let the flood reach the server first: the routes timed below come after it

        for path in DB_ROUTES:
            status, body, took = await client(path)
            assert status == 200, (path, body)
            assert took < DB_ROUTE_BOUND_S, f"GET {path} took {took:.1f}s behind a hung MLflow"
        _, jobs, _ = await client("training/jobs")
        assert sorted(j["id"] for j in jobs["jobs"]) == ["job-0000bee0", "job-0000bee1"]

        status, text, took = await client("metrics")
        assert status == 200
        assert took < METRICS_BOUND_S, f"the scrape took {took:.1f}s with MLflow hung"
        # The registry's series as last read, with their age: stale, but there.
        assert _model_lines(text) == _model_lines(before)
        assert 0.5 <= _mlflow_age(text) < 120
        assert 'maestro_jobs{project="churn",status="succeeded"} 2.0' in text.splitlines()

        answers = await asyncio.gather(*flood)
    # Every registry request got a 503 with a message, none a 500 or a hang; those beyond the bulkhead's queue at
    # once, the others within their turn plus one MLflow time-out.
    assert {status for status, _, _ in answers} == {503}, answers
    assert {body["error"] for _, body, _ in answers} == {"BACKEND_UNAVAILABLE"}
    took = sorted(t for _, _, t in answers)
    assert took[0] < 1.0, f"the bulkhead queued every request: the quickest refusal took {took[0]:.1f}s"
    assert took[-1] < 5 * MLFLOW_TIMEOUT_S, took


async def test_a_registry_route_answers_503_in_bounded_time_and_recovers(client: Any, mlflow_server: Mlflow) -> None:
    # (A server resumed by the test before works through the requests that waited for it first.)
    await _until(client, "models/iris-classifier", lambda s, _b: s == 200)
    with mlflow_server.hung():
        status, body, took = await client("models/iris-classifier")
        assert status == 503
        assert body["error"] == "BACKEND_UNAVAILABLE"
        assert "Traceback" not in body["message"]
        assert took < 2 * MLFLOW_TIMEOUT_S, f"a registry route took {took:.1f}s to give up on a hung MLflow"
        # Meanwhile the DB routes answer as always.
        status, _, took = await client("budgets")
        assert status == 200
        assert took < DB_ROUTE_BOUND_S
    status, model, _ = await _until(client, "models/iris-classifier", lambda s, _b: s == 200)
    assert model["name"] == "iris-classifier"
