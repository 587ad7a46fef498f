"""The SDK over HTTP (``MAESTRO_URL``): a real ``jupyter lab`` on a copy of the seeded registry carries out every
resource API's operations for a ``MaestroClient(url=...)`` holding the server's token, with the same answers as the
in-process services on the same stores; failures are typed and bounded, and a change is never sent twice.

The operations endpoint itself (``POST operations/{Name}``: 404 for an unknown name, reads free of the change limit,
write permission for changes, files confined to the root) is checked through ``jp_fetch`` on an in-process server.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
import pytest
from jupyter_server.auth.authorizer import Authorizer
from sklearn.datasets import load_breast_cancer, load_iris

from maestro_jupyter import (
    BackendUnavailable,
    GateRefused,
    InvalidParameter,
    MaestroClient,
    NotFound,
    PermissionDenied,
)
from maestro_jupyter import tagkeys as tk
from maestro_jupyter.contract.operations import operations
from maestro_jupyter.sdk.http import HttpTransport
from maestro_jupyter.settings import Settings
from tests.compute_helpers import poll
from tests.live_server import LabServer, start_lab, stop
from tests.sdk_helpers import WRITTEN, services_of

MODEL = "breast-cancer-classifier"
FAST = {"latency": {"warmup": 2, "samples": 20, "batch_size": 200, "batch_repeats": 1}}


@pytest.fixture(autouse=True)
def _sdk_over_a_json_wire() -> None:
    """Overrides the package's wrapper: these clients' transport is the HTTP one itself, and the in-process ones
    they are compared with run the services directly."""


class Live:
    """The lab server, its Maestro home and its root (where jobs without a folder of theirs run)."""

    def __init__(self, server: LabServer, home: Path, root: Path) -> None:
        self.server, self.home, self.root = server, home, root


@pytest.fixture(scope="module")
def live(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("http-home")
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    root = tmp_path_factory.mktemp("http-lab")
    server = start_lab(root, home, {"MAESTRO_RATE_LIMIT": "100000"})
    try:
        yield Live(server, home, root / "notebooks")
    finally:
        try:  # what a test left running is stopped by its owner, the server's user, before the server goes
            client = MaestroClient(transport=HttpTransport(Settings.from_env({}, url=server.url), server.token))
            for job in client.training.list(status="active"):
                client.training.cancel(job.id)
            for deployment in client.deployments.list():
                client.deployments.delete(deployment.id)
        finally:
            stop(server.process)


@pytest.fixture
def ml(live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MaestroClient:
    """A client as a hub kernel makes it: MAESTRO_URL and the token in JUPYTERHUB_API_TOKEN."""
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", live.server.token)
    monkeypatch.setenv("MAESTRO_URL", live.server.url)
    monkeypatch.setenv("MAESTRO_HOME", str(tmp_path))  # the kernel's own, where cards may be saved
    client = MaestroClient()
    assert isinstance(client._transport, HttpTransport)
    return client


@pytest.fixture
def local(live: Live) -> MaestroClient:
    """The services in this process, on the server's stores: what the answers over HTTP are compared with."""
    return MaestroClient(Settings.from_env({}, home=str(live.home)))


def dumped(value: Any) -> Any:
    return value.model_dump(mode="json")


# --- every resource API over HTTP --------------------------------------------------------------------------------


def test_models_read_the_same_over_http_as_in_process(ml, local, tmp_path):
    assert dumped(ml.models.list()) == dumped(local.models.list())
    assert [m.name for m in ml.models.list(search="cancer")] == [MODEL]
    assert dumped(ml.models.get(MODEL)) == dumped(local.models.get(MODEL))
    assert dumped(ml.models.get(MODEL, alias="champion")) == dumped(local.models.get(MODEL, alias="champion"))
    assert dumped(ml.models.compare(MODEL)) == dumped(local.models.compare(MODEL))
    with pytest.raises(NotFound, match="no-such-model"):
        ml.models.get("no-such-model")
    with pytest.raises(InvalidParameter):  # refused in the kernel: nothing is sent
        ml.models.get(MODEL, version="zero")

    saved = ml.models.download(MODEL, alias="champion", dest=tmp_path)
    assert saved == tmp_path / f"{MODEL}-v3.zip"
    there = local.models.download(MODEL, alias="champion", dest=tmp_path / "local.zip")
    with zipfile.ZipFile(saved) as over_http, zipfile.ZipFile(there) as in_process:
        assert sorted(over_http.namelist()) == sorted(in_process.namelist())
        assert "MLmodel" in {Path(n).name for n in over_http.namelist()}


def test_a_gate_refusal_arrives_typed_and_changes_go_through(ml, local):
    registry = services_of(local).mlflow
    registry.set_version_tag(MODEL, "2", tk.TESTS_VERDICT, "failed")
    registry.set_version_tag(MODEL, "2", tk.TESTS_FAILED, "latency_p95_ms")
    with pytest.raises(GateRefused, match="latency_p95_ms") as refused:
        ml.models.set_alias(MODEL, "champion", 2)
    assert refused.value.failed_checks == ["latency_p95_ms"]
    assert local.models.get(MODEL).aliases["champion"] == "3"

    moved = ml.models.set_alias(MODEL, "production", 2, override_reason="shadow traffic only")
    assert moved.version == "2"
    assert "production" in moved.aliases
    assert local.models.get(MODEL).aliases["production"] == "2"
    assert ml.models.delete_alias(MODEL, "production") is None  # a 204
    assert "production" not in local.models.get(MODEL).aliases

    assert ml.models.set_tag(MODEL, "reviewed-over", "http", version=1) is None
    assert local.models.get(MODEL, version=1).tags["reviewed-over"] == "http"
    ml.models.delete_tag(MODEL, "reviewed-over", version=1)
    assert "reviewed-over" not in local.models.get(MODEL, version=1).tags
    described = ml.models.update_description("iris-classifier", "Set over HTTP")
    assert described.description == local.models.get("iris-classifier").description == "Set over HTTP"


def test_experiments_read_the_same_over_http(ml, local):
    assert dumped(ml.experiments.list()) == dumped(local.experiments.list())
    runs = ml.experiments.runs("maestro-demo-breast-cancer", order_by="metrics.accuracy DESC")
    expected = local.experiments.runs("maestro-demo-breast-cancer", order_by="metrics.accuracy DESC")
    assert dumped(runs) == dumped(expected)
    ids = [run.run_id for run in runs][:2]
    assert dumped(ml.experiments.run(ids[0])) == dumped(local.experiments.run(ids[0]))
    assert dumped(ml.experiments.compare(ids)) == dumped(local.experiments.compare(ids))


def test_cards_are_generated_edited_approved_and_saved_as_pdf(ml, local, tmp_path):
    card = ml.cards.generate(MODEL, version=1, save=False)
    same = local.cards.generate(MODEL, version=1, save=False)
    assert dumped(card.facts) == dumped(same.facts)
    assert dumped(card.sections) == dumped(same.sections)
    with pytest.raises(InvalidParameter, match="write"):
        ml.cards.approve(MODEL, version=1)

    edited = ml.cards.update(MODEL, version=1, **WRITTEN)
    assert edited.sections.license == "apache-2.0"
    approved = ml.cards.approve(MODEL, version=1, comment="Reviewed over HTTP")
    assert approved.approval.status == "approved"
    assert approved.approval.approved_by == local.settings.user  # the server's user: its shared token names nobody
    assert local.models.get(MODEL, version=1).tags["maestro.card.status"] == "approved"

    pdf = ml.cards.save(MODEL, tmp_path / "card.pdf", version=1)
    assert pdf == tmp_path / "card.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    markdown = ml.cards.save(approved, tmp_path, format="md")  # a card in hand, rendered by the service
    assert f"**Status:** Approved by {local.settings.user}" in markdown.read_text()
    assert ml.cards.reopen(MODEL, version=1).approval.status == "draft"


def test_model_tests_run_on_a_frame_sent_as_parquet(ml, local):
    frame = load_breast_cancer(as_frame=True).frame.sample(150, random_state=3)
    report = ml.tests.run(MODEL, frame, "target", version=3, policy=FAST, record=False)
    same = local.tests.run(MODEL, frame, "target", version=3, policy=FAST, record=False)
    assert [c.name for c in report.checks] == [c.name for c in same.checks]
    for metric in ("accuracy", "f1", "roc_auc"):
        assert report.metrics[metric] == same.metrics[metric]
    assert report.reference is None  # version 3 is the champion itself

    assert dumped(ml.tests.policy(MODEL, FAST)) == dumped(local.tests.policy(MODEL, FAST))
    assert dumped(ml.tests.gate(MODEL, version=3)) == dumped(local.tests.gate(MODEL, version=3))
    assert [dumped(r) for r in ml.tests.history(MODEL)] == [dumped(r) for r in local.tests.history(MODEL)]
    latest, expected = ml.tests.get(MODEL, version=3), local.tests.get(MODEL, version=3)
    assert (latest is None) == (expected is None)
    if latest is not None:
        assert latest.metrics == expected.metrics


def test_a_job_is_followed_to_its_end_and_another_cancelled(ml, live):
    job = ml.training.submit(source="import os\nprint('hello from', os.getcwd(), flush=True)\n", name="http-hello")
    assert job.status in ("starting", "running")
    text = "".join(job.logs(follow=True))  # chunk by chunk until the job is over and all was read
    # The kernel's folder is not under the server's root: a cell runs at the root.
    assert f"hello from {live.root.resolve()}" in text
    assert job.wait(timeout=120).status == "succeeded"
    assert job.logs() == text

    sleeper = ml.training.submit(source="import time\nprint('napping', flush=True)\ntime.sleep(300)\n")
    poll(lambda: "napping" in sleeper.logs(), "the sleeping job to start")
    assert sleeper.cancel().status == "cancelled"
    listed = {j.id: j.status for j in ml.training.list(status="finished")}
    assert (listed[job.id], listed[sleeper.id]) == ("succeeded", "cancelled")


def test_a_deployment_is_created_predicts_and_is_deleted(ml, local):
    rows = load_breast_cancer(as_frame=True).frame.drop(columns=["target"]).sample(20, random_state=5)
    started = time.monotonic()
    dep = ml.deployments.create(MODEL, alias="champion", name="http-cancer", timeout=90)
    assert dep.status == "ready", dep.reason
    print(f"deployment ready over HTTP in {time.monotonic() - started:.1f} s")
    assert ml.deployments.list().deployments[0].id == "http-cancer"
    answer = dep.predict(rows)
    with services_of(local).mlflow.mlflow_globals():
        expected = list(mlflow.pyfunc.load_model(f"models:/{MODEL}/3").predict(rows))
    assert answer.predictions == expected
    assert dep.delete().status == "stopped"
    assert ml.deployments.list().deployments == []


def test_budgets_and_costs_over_http(ml, local):
    budget = ml.budgets.set("project:default", 250, period="monthly", thresholds=[50, 90], hard_limit=True)
    assert (budget.amount, budget.thresholds, budget.hard_limit) == (250, [50, 90], True)
    assert dumped(ml.budgets.get("project:default")) == dumped(local.budgets.get("project:default"))
    assert "project:default" in {b.id for b in ml.budgets.list()}
    assert dumped(ml.budgets.alerts()) == dumped(local.budgets.alerts())
    estimate = ml.costs.estimate("job", cpus=2, memory="4Gi", hours=2)
    assert dumped(estimate) == dumped(local.costs.estimate("job", cpus=2, memory="4Gi", hours=2))
    assert estimate.cost > 0
    assert "project:default" in {check.id for check in estimate.budgets}
    assert ml.costs.settle() >= 0
    summary = ml.costs.summary(by="project", window="30d")
    assert summary.by == "project"
    assert ml.budgets.delete("project:default") is None
    with pytest.raises(NotFound):
        ml.budgets.get("project:default")


def test_a_frame_is_profiled_and_ranked_as_in_process(ml, local):
    frame = load_iris(as_frame=True).frame
    frame["species"] = pd.Categorical(frame["target"].map({0: "setosa", 1: "versicolor", 2: "virginica"}))
    profile = ml.data.profile(frame, report=False)
    same = local.data.profile(frame, report=False)
    # The frame travels as Parquet: its values and dtypes arrive, not pandas' in-memory layout.
    assert dumped(profile.summary) | {"memory_bytes": 0} == dumped(same.summary) | {"memory_bytes": 0}
    assert profile.summary.column_summaries[-1].dtype == "category"
    assert profile.summary.rows == 150
    features = ml.data.features(frame.drop(columns=["species"]), "target", time_budget=5, top=3)
    assert features.target == "target"
    assert set(features.top_features) <= {
        "sepal length (cm)",
        "sepal width (cm)",
        "petal length (cm)",
        "petal width (cm)",
    }


# --- failures: typed, bounded, and never a change twice -------------------------------------------------------------


def test_without_a_token_or_with_a_wrong_one_the_service_refuses_with_a_typed_error(live):
    settings = Settings.from_env({}, url=live.server.url, http_retries=0)
    with pytest.raises(PermissionDenied, match="no token was sent"):
        MaestroClient(settings).models.list()
    with pytest.raises(PermissionDenied, match="the token was refused"):
        MaestroClient(transport=HttpTransport(settings, token="not-the-token")).models.list()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_service_is_backend_unavailable_within_the_bound():
    timeout, retries = 1.0, 2
    ml = MaestroClient(url=f"http://127.0.0.1:{free_port()}", http_timeout=timeout, http_retries=retries)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"Cannot reach the Maestro service at http://127\.0\.0\.1:\d+ "):
        ml.models.list()
    assert time.monotonic() - started < timeout * (retries + 1) + 2
    with pytest.raises(BackendUnavailable, match=r"connection refused.*unset MAESTRO_URL"):
        ml.budgets.delete("project:x")  # a change too: it never left, so it may be tried again


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


def test_a_silent_service_times_out_a_read_after_its_retries_and_a_change_at_once(silent_port):
    timeout, retries = 0.5, 2
    ml = MaestroClient(url=f"http://127.0.0.1:{silent_port}", http_timeout=timeout, http_retries=retries)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"no answer within 0\.5 s; tried 3 time"):
        ml.models.get(MODEL)
    assert time.monotonic() - started < timeout * (retries + 1) + 2
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"did not answer SetTag .* may have been carried out"):
        ml.models.set_tag(MODEL, "k", "v")
    assert time.monotonic() - started < timeout + 1


class Scripted(http.server.ThreadingHTTPServer):
    """A stand-in service that answers the n-th request as ``script[n]`` says (the last entry repeats): ``"drop"``
    closes the connection after reading the request, ``(status, content type, body)`` answers. ``seen`` lists the
    request paths."""

    def __init__(self, script: list[Any]) -> None:
        self.script, self.seen = script, []
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _ScriptedHandler(http.server.BaseHTTPRequestHandler):
    server: Scripted

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append(self.path)
        action = self.server.script[min(len(self.server.seen), len(self.server.script)) - 1]
        if action == "drop":
            self.close_connection = True
            return
        status, content_type, body = action
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[Any]:
    servers: list[Scripted] = []

    def start(*script: Any) -> Scripted:
        server = Scripted(list(script))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_read_is_sent_again_after_a_dropped_connection_but_a_change_never(scripted, local):
    model = local.models.get(MODEL).model_dump_json().encode()
    service = scripted("drop", (200, "application/json", model))
    ml = MaestroClient(url=service.url, http_timeout=5, http_retries=2)
    assert dumped(ml.models.get(MODEL)) == dumped(local.models.get(MODEL))
    assert service.seen == ["/maestro/api/v1/operations/GetModel"] * 2

    service = scripted("drop", (204, "application/json", b""))
    ml = MaestroClient(url=service.url, http_timeout=5, http_retries=2)
    with pytest.raises(BackendUnavailable, match=r"did not answer SetTag.*may have been carried out"):
        ml.models.set_tag(MODEL, "k", "v")
    assert service.seen == ["/maestro/api/v1/operations/SetTag"]  # sent once: it may have been done


def test_a_gateway_error_is_retried_for_a_read_only_and_reported_with_its_status(scripted):
    page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    service = scripted((502, "text/html", page))
    ml = MaestroClient(url=service.url + "services/maestro/", http_timeout=5, http_retries=2)
    with pytest.raises(BackendUnavailable, match=r"HTTP 502 from a gateway; tried 3 time"):
        ml.models.list()
    assert service.seen == ["/services/maestro/maestro/api/v1/operations/ListModels"] * 3
    with pytest.raises(BackendUnavailable, match=r"HTTP 502 \(text/html: <html><body><h1>502 Bad Gateway"):
        ml.budgets.set("project:x", 10)
    assert service.seen[3:] == ["/services/maestro/maestro/api/v1/operations/SetBudget"]


def test_an_error_body_is_raised_as_its_typed_error_without_a_retry(scripted):
    body = json.dumps({"error": "GATE_REFUSED", "message": "tests failed", "failed_checks": ["accuracy"]}).encode()
    service = scripted((409, "application/json", body))
    ml = MaestroClient(url=service.url, http_retries=2)
    with pytest.raises(GateRefused, match="tests failed") as refused:
        ml.models.set_alias(MODEL, "champion", 1)
    assert refused.value.failed_checks == ["accuracy"]
    assert len(service.seen) == 1


# --- the operations endpoint, on an in-process server (jp_fetch) ----------------------------------------------------


async def test_an_operation_answers_what_its_resource_route_answers(api):
    status, listed = await api("POST", "operations", "ListModels", body={})
    assert status == 200
    assert listed == (await api("GET", "models"))[1]
    tag = {"name": MODEL, "key": "reviewed"}
    assert await api("POST", "operations", "SetTag", body={**tag, "value": "yes"}) == (204, b"")
    assert (await api("GET", "models", MODEL))[1]["tags"]["reviewed"] == "yes"
    assert await api("POST", "operations", "DeleteTag", body=tag) == (204, b"")
    assert "reviewed" not in (await api("GET", "models", MODEL))[1]["tags"]
    status, body = await api("POST", "operations", "SettleUsage", body={})
    assert status == 200
    assert isinstance(body, int)


async def test_a_file_is_sent_as_a_download(api, jp_fetch):
    response = await jp_fetch(
        "maestro", "api", "v1", "operations", "DownloadVersion", method="POST", body=json.dumps({"name": MODEL})
    )
    assert response.code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{MODEL}-v3.zip"'


async def test_an_unknown_operation_is_a_404_that_names_nothing_internal(api):
    status, body = await api("POST", "operations", "RunShellCommand", body={})
    assert (status, body["error"]) == (404, "NOT_FOUND")
    assert body["message"] == "No Maestro operation named 'RunShellCommand'"
    status, body = await api("POST", "operations", "Request", body={})  # the base class is no operation
    assert status == 404
    status, body = await api("POST", "operations", "SetAlias", body={"name": MODEL})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER")


async def test_every_operation_name_is_routed(api):
    for name in operations():
        status, body = await api("POST", "operations", name, body="[]")
        assert (status, body["error"]) == (400, "INVALID_PARAMETER"), name


class TestRateLimit:
    @pytest.fixture
    def maestro_config(self, maestro_config):
        return {**maestro_config, "rate_limit": 2, "rate_window": 3600}

    async def test_only_changes_count_against_the_rate_limit(self, api):
        for _ in range(5):
            assert (await api("POST", "operations", "GetModel", body={"name": MODEL}))[0] == 200
        change = {"name": MODEL, "key": "k", "value": "v"}
        assert (await api("POST", "operations", "SetTag", body=change))[0] == 204
        assert (await api("POST", "operations", "SetTag", body=change))[0] == 204
        status, body = await api("POST", "operations", "SetTag", body=change)
        assert (status, body["error"]) == (429, "RATE_LIMITED")
        assert (await api("POST", "operations", "ListModels", body={}))[0] == 200


class ReadOnlyMaestro(Authorizer):
    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return resource != "maestro" or action == "read"


class TestReadOnly:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        jp_server_config.ServerApp.authorizer_class = ReadOnlyMaestro
        return jp_server_config

    async def test_reads_need_read_and_changes_write(self, api):
        assert (await api("POST", "operations", "GetModel", body={"name": MODEL}))[0] == 200
        status, body = await api("POST", "operations", "SetTag", body={"name": MODEL, "key": "k", "value": "v"})
        assert (status, body["error"]) == (403, "PERMISSION_DENIED")
        assert "write" in body["message"]
        _, model = await api("GET", "models", MODEL)
        assert "k" not in model["tags"]


async def test_files_named_in_a_request_stay_under_the_root(api, jp_root_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    load_iris(as_frame=True).frame.to_csv(outside / "iris.csv", index=False)
    (outside / "train.py").write_text("print('never run')\n")
    escape = Path(*[".."] * len(jp_root_dir.resolve().parts)) / outside.relative_to("/")
    status, body = await api("POST", "operations", "ProfileData", body={"path": str(escape / "iris.csv")})
    assert (status, body["error"]) == (403, "PERMISSION_DENIED")
    # An absolute path outside the root is a path under it, as the file browser shows them: not there.
    status, body = await api("POST", "operations", "ProfileData", body={"path": str(outside / "iris.csv")})
    assert (status, body["error"]) == (404, "NOT_FOUND")
    status, body = await api("POST", "operations", "SubmitJob", body={"script": str(escape / "train.py")})
    assert (status, body["error"]) == (403, "PERMISSION_DENIED")
    load_iris(as_frame=True).frame.to_csv(jp_root_dir / "iris.csv", index=False)
    status, body = await api("POST", "operations", "ProfileData", body={"path": "iris.csv", "report": False})
    assert status == 200
    assert body["summary"]["rows"] == 150


async def test_the_document_lists_every_operation_with_its_full_request(api):
    _, spec = await api("GET", "openapi.json")
    endpoint = spec["paths"]["/operations/{operation}"]["post"]
    table = endpoint["x-maestro-operations"]
    assert list(table) == list(operations()) == endpoint["parameters"][0]["schema"]["enum"]
    schemas = spec["components"]["schemas"]

    def component(ref: dict[str, str]) -> dict[str, Any]:
        return schemas[ref["$ref"].rsplit("/", 1)[-1]]

    # The route's SetAlias body leaves out what its path says; the operation's request has every field.
    assert set(component(table["SetAlias"]["request"])["required"]) == {"name", "alias", "version"}
    assert "name" not in schemas["SetAlias"]["properties"]
    assert table["SetAlias"]["changes"] is True
    assert table["GetModel"]["changes"] is False
    assert table["GetModel"]["result"] == {"$ref": "#/components/schemas/ModelDetail"}
    assert table["DownloadVersion"]["result"] == "file"
    assert table["DeleteAlias"]["result"] is None
    assert table["ListTestRuns"]["result"]["type"] == "array"
    assert "ModelCard" in schemas
    assert "ModelCard-Output" not in schemas
