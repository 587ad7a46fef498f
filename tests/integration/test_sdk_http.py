"""The SDK against a real ``mlflow server`` subprocess over HTTP, including the server going away."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from maestro_jupyter import BackendUnavailable, MaestroClient, NotFound


class MlflowServer:
    def __init__(self, db: Path, workdir: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "mlflow-server.log"
        cmd = [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", f"sqlite:///{db}",
            "--artifacts-destination", (workdir / "served-artifacts").as_uri(),
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, cwd=workdir, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        self._wait_ready(timeout=90)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as resp:  # noqa: S310 - our loopback
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)  # polling for readiness, not waiting for a result
        raise RuntimeError(f"mlflow server not ready in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def server(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    workdir = tmp_path_factory.mktemp("mlflow-server")
    shutil.copy(seeded_home / "mlflow.db", workdir / "mlflow.db")
    srv = MlflowServer(workdir / "mlflow.db", workdir)
    yield srv
    srv.stop()


@pytest.fixture
def ml(server: MlflowServer, tmp_path: Path) -> MaestroClient:
    return MaestroClient(home=str(tmp_path / "home"), tracking_uri=server.url)


def test_browse_the_registry_over_http(ml):
    assert not ml.settings.embedded_tracking
    names = [m.name for m in ml.models.list()]
    assert names == ["breast-cancer-classifier", "diabetes-regressor", "iris-classifier"]
    champion = ml.models.get("breast-cancer-classifier", alias="champion")
    assert champion.version == "3"
    assert champion.run is not None
    assert champion.run.metrics["accuracy"] > 0.9
    assert "sklearn" in champion.flavors
    assert ml.settings.mlflow_ui_url == ml.settings.tracking_uri


def test_changes_over_http_are_seen_by_a_second_client(ml, server, tmp_path):
    ml.models.set_alias("diabetes-regressor", "staging", 1)
    other = MaestroClient(home=str(tmp_path / "other"), tracking_uri=server.url)
    assert other.models.get("diabetes-regressor").aliases["staging"] == "1"
    other.models.delete_alias("diabetes-regressor", "staging")
    assert "staging" not in ml.models.get("diabetes-regressor").aliases


def test_download_and_register_over_http(ml, tmp_path):
    path = ml.models.download("iris-classifier", version=1, dest=tmp_path)
    assert "MLmodel" in zipfile.ZipFile(path).namelist()
    run = ml.experiments.runs("maestro-demo-iris")[0]
    assert ml.models.register(run.run_id, "iris-over-http").version == "1"


def test_not_found_over_http(ml):
    with pytest.raises(NotFound):
        ml.models.get("no-such-model")


def test_stopped_server_is_backend_unavailable(seeded_home, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    shutil.copy(seeded_home / "mlflow.db", tmp_path / "mlflow.db")
    srv = MlflowServer(tmp_path / "mlflow.db", tmp_path)
    ml = MaestroClient(home=str(tmp_path / "home"), tracking_uri=srv.url)
    try:
        assert len(ml.models.list()) == 3
    finally:
        srv.stop()
    with pytest.raises(BackendUnavailable, match="unavailable"):
        ml.models.list()
    with pytest.raises(BackendUnavailable):
        ml.models.get("iris-classifier", alias="champion")
