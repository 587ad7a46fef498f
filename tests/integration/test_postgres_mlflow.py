"""The team path end to end on PostgreSQL: a real ``mlflow server`` whose backend store is a PostgreSQL database,
and a Maestro DB on the same cluster. A job submitted through ``MaestroClient(tracking_uri=..., db_url=...)`` logs
a model to that server, the SDK registers and promotes it, and both databases hold what was done."""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from maestro_jupyter import MaestroClient
from maestro_jupyter.entities import VersionDetail
from tests.compute_helpers import stop_everything, write_script
from tests.live_server import spawn_logged, stop
from tests.postgres_server import PostgresServer
from tests.prometheus_server import free_port

STARTUP_TIMEOUT_S = 120.0  # MLflow creates its schema in the empty database first

#: A job that logs (but does not register) a model to the tracking server MLflow's environment names.
LOG_A_MODEL = """
import mlflow, mlflow.sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
with mlflow.start_run():
    model = LogisticRegression(max_iter=300).fit(X, y)
    mlflow.log_metric("accuracy", model.score(X, y))
    mlflow.sklearn.log_model(model, name="model", pip_requirements=["scikit-learn"])
"""


@dataclass
class MlflowOnPostgres:
    url: str
    backend_store_uri: str
    log_path: Path


@pytest.fixture
def mlflow_server(postgres: PostgresServer, tmp_path: Path) -> Iterator[MlflowOnPostgres]:
    """``mlflow server`` on 127.0.0.1 with a fresh PostgreSQL database as its backend store and artifacts served
    from a folder of the test's."""
    store_uri = postgres.create_database()
    port = free_port()
    log_path = tmp_path / "mlflow-server.log"
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", store_uri,
        "--artifacts-destination", (tmp_path / "artifacts").as_uri(),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    process = spawn_logged(cmd, tmp_path, dict(os.environ), log_path)  # MAESTRO_/MLFLOW_ variables: cleared
    server = MlflowOnPostgres(f"http://127.0.0.1:{port}", store_uri, log_path)
    try:
        _wait_healthy(server, process.poll)
        yield server
    finally:
        stop(process)


def _wait_healthy(server: MlflowOnPostgres, exited: object) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if callable(exited) and exited() is not None:
            pytest.fail(f"mlflow server exited:\n{server.log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError) as exc:
            last = str(exc)
        time.sleep(0.2)  # polling for readiness
    pytest.fail(f"mlflow server not healthy after {STARTUP_TIMEOUT_S:.0f} s ({last})")


def test_a_model_is_trained_registered_and_promoted_on_postgresql(
    mlflow_server: MlflowOnPostgres, postgres: PostgresServer, tmp_path: Path
) -> None:
    db_url = postgres.create_database()
    ml = MaestroClient(home=str(tmp_path / "home"), tracking_uri=mlflow_server.url, db_url=db_url)
    try:
        assert not ml.settings.embedded_tracking
        assert not ml.settings.embedded_db
        script = write_script(tmp_path, "train.py", LOG_A_MODEL)
        job = ml.training.submit(script=str(script), cpus=1, experiment="pg-team")
        done = job.wait(timeout=120)
        assert done.status == "succeeded", done.logs()
        assert done.run_id

        version = ml.models.register(done.run_id, "pg-iris", description="trained on the team path")
        assert version.version == "1"
        ml.models.set_alias("pg-iris", "champion", 1, override_reason="a PostgreSQL test, no test data")
        champion = ml.models.get("pg-iris", alias="champion")
        assert isinstance(champion, VersionDetail)
        assert champion.version == "1"
        assert champion.run is not None
        assert champion.run.metrics["accuracy"] > 0.9
        assert [m.name for m in ml.models.list()] == ["pg-iris"]
    finally:
        stop_everything(ml)

    # MLflow's backend store is the PostgreSQL database: the version and its alias are rows there.
    mlflow_db = sa.create_engine(mlflow_server.backend_store_uri)
    try:
        with mlflow_db.connect() as conn:
            versions = conn.execute(sa.text("SELECT name, version, run_id FROM model_versions")).all()
            aliases = conn.execute(sa.text("SELECT name, alias, version FROM registered_model_aliases")).all()
    finally:
        mlflow_db.dispose()
    assert [tuple(v) for v in versions] == [("pg-iris", 1, done.run_id)]
    assert [tuple(a) for a in aliases] == [("pg-iris", "champion", 1)]
    # The Maestro DB is the other PostgreSQL database: the job's record is there, finished.
    maestro_db = sa.create_engine(db_url)
    try:
        with maestro_db.connect() as conn:
            jobs = conn.execute(sa.text("SELECT id, status, run_id FROM maestro_jobs")).all()
    finally:
        maestro_db.dispose()
    assert [tuple(j) for j in jobs] == [(done.id, "succeeded", done.run_id)]

    # MLflow's SQL store opened on that database directly (no server) reads the same registry.
    direct = MaestroClient(home=str(tmp_path / "direct"), tracking_uri=mlflow_server.backend_store_uri, db_url=db_url)
    again = direct.models.get("pg-iris", alias="champion")
    assert isinstance(again, VersionDetail)
    assert again.version == "1"
    assert [j.id for j in direct.training.list()] == [done.id]
