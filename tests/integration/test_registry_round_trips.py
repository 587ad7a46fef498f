"""How many requests a registry call sends a real ``mlflow server`` (every request counted where ``requests`` sends
it, ``tests/mlflow_requests.py``), and that the facts Maestro keeps of a version to send fewer stay right.

Issue 18: a version read the first time cost six requests (the version, the run, a registered-model read MLflow's
client makes to refuse prompts, the download URI, a listing and the MLmodel file), a promotion through the gate
six (the owner's model, the version three times, the prompt check, the alias)."""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from maestro_jupyter import tagkeys as tk
from maestro_jupyter.contract.base import Actor
from maestro_jupyter.contract.registry import GetVersion, SetAlias
from maestro_jupyter.errors import GateRefused, NotFound, PermissionDenied
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings
from tests.live_server import spawn_logged, stop
from tests.mlflow_requests import RequestLog, counting_requests
from tests.prometheus_server import free_port

STARTUP_TIMEOUT_S = 120.0
ALICE = Actor("alice")
SKLEARN_MLMODEL = (
    "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    python_version: "
    f"{platform.python_version()}\n  sklearn:\n    sklearn_version: 1.5.0\n"
    'signature:\n  inputs: \'[{"type": "double", "name": "x", "required": true}]\'\n'
    '  outputs: \'[{"type": "long", "required": true}]\'\n'
)
PYFUNC_MLMODEL = "artifact_path: model\nflavors:\n  python_function:\n    loader_module: custom\n"


@dataclass
class Mlflow:
    url: str
    root: Path
    process: Any

    def client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.url)


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mlflow]:
    """``mlflow server`` on an empty SQLite store, serving artifacts itself (``mlflow-artifacts:/``)."""
    root = tmp_path_factory.mktemp("round-trips")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MAESTRO_"))}
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination", (root / "artifacts").as_uri(),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    log_path = root / "mlflow.log"
    process = spawn_logged(cmd, root, env, log_path)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"mlflow server exited:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"mlflow server not ready in {STARTUP_TIMEOUT_S:.0f}s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)  # polling for readiness, within the deadline
        yield Mlflow(url, root, process)
    finally:
        os.killpg(process.pid, signal.SIGCONT)  # never leave it stopped, whatever the test did
        stop(process)


@pytest.fixture
def team(mlflow_server: Mlflow, tmp_path: Path) -> Services:
    """The team's services (the owner check on writes) on the server."""
    env = {"MAESTRO_TEAM": "1", "MLFLOW_TRACKING_URI": mlflow_server.url}
    return Services(Settings.from_env(env, home=str(tmp_path / "home")))


def model_folder(root: Path, mlmodel: str) -> Path:
    folder = root / "model"
    folder.mkdir(parents=True)
    (folder / "MLmodel").write_text(mlmodel)
    (folder / "requirements.txt").write_text("scikit-learn==1.5.0\n")
    return folder


def register_from_run(server: Mlflow, name: str, folder: Path) -> str:
    """A new version of ``name`` (made alice's) whose source is the model a finished run logged through the server's
    artifact proxy; its run's id."""
    client = server.client()
    experiment = client.get_experiment_by_name("round-trips")
    experiment_id = experiment.experiment_id if experiment else client.create_experiment("round-trips")
    run = client.create_run(experiment_id)
    client.log_metric(run.info.run_id, "accuracy", 0.93)
    client.log_artifacts(run.info.run_id, str(folder), "model")
    client.set_terminated(run.info.run_id)
    with contextlib.suppress(Exception):  # made by an earlier version
        client.create_registered_model(name, tags={tk.MODEL_OWNER: "alice"})
    client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
    return str(run.info.run_id)


def register_folder(server: Mlflow, name: str, folder: Path) -> None:
    """Version 1 of ``name``, whose source is a local folder and which has no run: the server refuses to make one
    (a local source must be a run's), so it is written into its store, as ``bench_team.py`` fills one."""
    import sqlalchemy as sa
    from mlflow.store.model_registry.dbmodels.models import SqlModelVersion, SqlRegisteredModel

    engine = sa.create_engine(f"sqlite:///{server.root / 'mlflow.db'}")
    now = int(time.time() * 1000)
    row = {"name": name, "creation_time": now, "last_updated_time": now}
    version = {**row, "version": 1, "current_stage": "None", "source": folder.as_uri(), "status": "READY"}
    try:
        with engine.begin() as conn:
            conn.execute(SqlRegisteredModel.__table__.insert(), [row])
            conn.execute(SqlModelVersion.__table__.insert(), [{**version, "storage_location": folder.as_uri()}])
    finally:
        engine.dispose()


def read(services: Services, name: str, version: str = "1") -> Any:
    return services.execute(GetVersion(name=name, version=version), ALICE)


def endpoints(log: RequestLog) -> list[str]:
    return sorted(log.endpoints().elements())


def test_a_version_is_read_in_three_requests_the_first_time_and_two_after(
    mlflow_server: Mlflow, team: Services, tmp_path: Path
):
    run_id = register_from_run(mlflow_server, "trips-from-run", model_folder(tmp_path, SKLEARN_MLMODEL))
    read(team, "trips-from-run")  # once per process: MLflow asks the server what it serves (server-info)
    team.mlflow._model_info_cache = type(team.mlflow._model_info_cache)()  # that version unread again

    with counting_requests() as log:
        detail = read(team, "trips-from-run")
    # The version, its run and the MLmodel file, from where the version's source says it is: no download URI, no
    # listing of the folder, no registered-model read (MLflow's client makes one before asking the download URI).
    assert endpoints(log) == ["mlflow-artifacts/artifacts", "model-versions/get", "runs/get"]
    assert detail.flavors == ["python_function", "sklearn"]
    assert detail.signature is not None
    assert detail.signature.inputs[0]["name"] == "x"
    assert detail.run is not None
    assert detail.run.run_id == run_id
    assert detail.run.metrics == {"accuracy": 0.93}

    with counting_requests() as log:
        again = read(team, "trips-from-run")
    assert endpoints(log) == ["model-versions/get", "runs/get"]  # the model files' facts are kept
    assert again.flavors == detail.flavors
    assert again.signature == detail.signature


def test_a_version_whose_source_is_a_folder_is_read_in_one_request(mlflow_server: Mlflow, team: Services, tmp_path):
    register_folder(mlflow_server, "trips-from-folder", model_folder(tmp_path, PYFUNC_MLMODEL))

    with counting_requests() as log:
        detail = read(team, "trips-from-folder")
    assert endpoints(log) == ["model-versions/get"]
    assert detail.flavors == ["python_function"]
    assert detail.run is None


def test_a_model_registered_again_under_its_old_name_shows_its_new_files(
    mlflow_server: Mlflow, team: Services, tmp_path: Path
):
    """MLflow numbers the versions of a model deleted and registered again from 1: what Maestro kept of the old
    version 1 is not the new one's."""
    register_from_run(mlflow_server, "trips-recycled", model_folder(tmp_path / "old", SKLEARN_MLMODEL))
    assert read(team, "trips-recycled").flavors == ["python_function", "sklearn"]
    mlflow_server.client().delete_registered_model("trips-recycled")
    new_run = register_from_run(mlflow_server, "trips-recycled", model_folder(tmp_path / "new", PYFUNC_MLMODEL))

    detail = read(team, "trips-recycled")
    assert detail.flavors == ["python_function"]
    assert detail.signature is None
    assert detail.run is not None
    assert detail.run.run_id == new_run


def test_a_version_read_again_reads_its_run_at_the_same_time(mlflow_server: Mlflow, team: Services, tmp_path: Path):
    """The second time, the version's run (known from the first read) is asked for while the version is: both
    requests are out before the server answers either (it is stopped meanwhile)."""
    register_from_run(mlflow_server, "trips-parallel", model_folder(tmp_path, PYFUNC_MLMODEL))
    first = read(team, "trips-parallel")
    answer: list[Any] = []
    with counting_requests() as log:
        os.killpg(mlflow_server.process.pid, signal.SIGSTOP)
        try:
            reader = threading.Thread(target=lambda: answer.append(read(team, "trips-parallel")))
            reader.start()
            deadline = time.monotonic() + 10
            while len(log) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)  # polling for both requests, within the deadline
            sent_while_stopped = endpoints(log)
        finally:
            os.killpg(mlflow_server.process.pid, signal.SIGCONT)
        reader.join(timeout=60)
    assert sent_while_stopped == ["model-versions/get", "runs/get"]
    assert answer == [first]


def test_a_version_named_by_alias_is_read_in_one_request(mlflow_server: Mlflow, team: Services, tmp_path: Path):
    register_from_run(mlflow_server, "trips-alias", model_folder(tmp_path, PYFUNC_MLMODEL))
    mlflow_server.client().set_registered_model_alias("trips-alias", "challenger", "1")
    read(team, "trips-alias")  # the model files' facts, kept

    with counting_requests() as log:
        detail = team.execute(GetVersion(name="trips-alias", alias="challenger"), ALICE)
    assert endpoints(log) == ["registered-models/alias", "runs/get"]  # not the model, then the version
    assert detail.version == "1"
    assert detail.aliases == ["challenger"]
    assert detail.model_uri.endswith("@challenger")

    with pytest.raises(NotFound, match="has no alias 'champion'"):
        team.execute(GetVersion(name="trips-alias", alias="champion"), ALICE)
    for alias in ("latest", "v1"):  # MLflow reads these as versions; no model has an alias so named
        with pytest.raises(NotFound, match=f"has no alias '{alias}'"):
            team.mlflow.get_version_by_alias("trips-alias", alias)
    with pytest.raises(NotFound):
        team.execute(GetVersion(name="trips-no-such-model", alias="champion"), ALICE)


def test_the_model_files_facts_kept_are_bounded(mlflow_server: Mlflow, team: Services, tmp_path: Path):
    for k in range(3):
        register_from_run(mlflow_server, "trips-bounded", model_folder(tmp_path / str(k), PYFUNC_MLMODEL))
    cache = team.mlflow._model_info_cache
    cache.limit = 2
    for version in ("1", "2", "3"):
        read(team, "trips-bounded", version)
    assert len(cache) == 2
    assert cache.get(("trips-bounded", "1")) is None  # the least recently used went first
    assert cache.get(("trips-bounded", "3")) is not None


def test_a_promotion_through_the_gate_takes_three_requests(mlflow_server: Mlflow, team: Services, tmp_path: Path):
    register_from_run(mlflow_server, "trips-promoted", model_folder(tmp_path, SKLEARN_MLMODEL))
    register_from_run(mlflow_server, "trips-promoted", model_folder(tmp_path / "v2", PYFUNC_MLMODEL))
    client = mlflow_server.client()
    client.set_model_version_tag("trips-promoted", "1", tk.TESTS_VERDICT, "passed")
    client.set_model_version_tag("trips-promoted", "1", tk.TESTS_RAN_AT, "2026-12-01T10:00:00+00:00")
    client.set_registered_model_alias("trips-promoted", "challenger", "1")

    with counting_requests() as log:
        promoted = team.execute(SetAlias(name="trips-promoted", alias="champion", version="1"), ALICE)
    # The owner (the model's tags), the version (its test report, that it exists, the answer) and the write.
    assert endpoints(log) == ["model-versions/get", "registered-models/alias", "registered-models/get"]
    assert promoted.version == "1"
    assert promoted.aliases == ["challenger", "champion"]
    assert promoted == team.mlflow.get_version("trips-promoted", "1")  # the answer is what MLflow now holds

    # The gate still reads the test report: version 2 has none.
    with pytest.raises(GateRefused, match="no test report"):
        team.execute(SetAlias(name="trips-promoted", alias="champion", version="2"), ALICE)
    assert client.get_registered_model("trips-promoted").aliases["champion"] == "1"
    with pytest.raises(NotFound):
        team.execute(SetAlias(name="trips-promoted", alias="champion", version="9"), ALICE)


def test_a_promotion_reads_the_owner_and_the_version_at_the_same_time(
    mlflow_server: Mlflow, team: Services, tmp_path: Path
):
    """Both reads are out before the server answers either (it is stopped meanwhile); the owner's verdict still
    comes first: someone else is refused as such, whatever the version."""
    register_from_run(mlflow_server, "trips-owner", model_folder(tmp_path, PYFUNC_MLMODEL))
    answer: list[Any] = []
    with counting_requests() as log:
        os.killpg(mlflow_server.process.pid, signal.SIGSTOP)
        try:
            request = SetAlias(name="trips-owner", alias="staging", version="1")
            writer = threading.Thread(target=lambda: answer.append(team.execute(request, ALICE)))
            writer.start()
            deadline = time.monotonic() + 10
            while len(log) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)  # polling for both requests, within the deadline
            sent_while_stopped = endpoints(log)
        finally:
            os.killpg(mlflow_server.process.pid, signal.SIGCONT)
        writer.join(timeout=60)
    assert sent_while_stopped == ["model-versions/get", "registered-models/get"]
    assert [mv.aliases for mv in answer] == [["staging"]]

    with pytest.raises(PermissionDenied, match="alice's"):
        team.execute(SetAlias(name="trips-owner", alias="staging", version="7"), Actor("bob"))
    with pytest.raises(NotFound):
        team.execute(SetAlias(name="trips-owner", alias="staging", version="7"), ALICE)


def test_a_prompt_takes_no_alias_through_maestro(mlflow_server: Mlflow, tmp_path: Path):
    """MLflow's client refuses model calls on a prompt (a registered model of another kind) after a read of its own;
    Maestro, which skips that read, refuses it from the version it read (on a laptop: no owner to read first)."""
    import mlflow

    mlflow.set_tracking_uri(mlflow_server.url)
    try:
        mlflow.genai.register_prompt(name="trips-prompt", template="Hello {{name}}")
    finally:
        mlflow.set_tracking_uri(None)
    laptop = Services(Settings.from_env({"MLFLOW_TRACKING_URI": mlflow_server.url}, home=str(tmp_path / "home")))
    with pytest.raises(NotFound):
        laptop.execute(SetAlias(name="trips-prompt", alias="staging", version="1"), ALICE)
    prompt = mlflow_server.client()._get_registry_client().get_registered_model("trips-prompt")
    assert "staging" not in (prompt.aliases or {})


def test_the_finished_runs_facts_a_scrape_keeps_are_bounded(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """The metrics exposition keeps finished runs' metrics (they do not change), the most recently used only."""
    from maestro_jupyter.backends import registry_facts
    from maestro_jupyter.backends.mlflow_registry import MlflowRegistry, VersionCache

    kept: VersionCache[Any] = VersionCache(limit=2)
    monkeypatch.setattr(registry_facts, "_runs", kept)
    facts = registry_facts.version_facts(MlflowRegistry(settings))
    with_runs = [f for f in facts if f.metrics]
    assert len(with_runs) > 2  # the seeded versions, each from a finished run with metrics
    assert len(kept) == 2
    assert registry_facts.version_facts(MlflowRegistry(settings)) == facts  # the same facts, kept or read again
