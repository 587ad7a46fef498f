"""A Jupyter server that forwards (``MAESTRO_URL`` set, not team mode), as a member's server on a team does: every
Maestro route answers what the Maestro server at that URL answers, files under this server's root travel as their
content, and nothing of this server's own Maestro stores is ever opened.

The server at ``MAESTRO_URL`` is a real ``jupyter lab`` on a copy of the seeded registry (one person's, so its token
is its owner's); the forwarding server is the in-process one of ``jp_fetch``. The hub's own case (the member's hub
token, and refusing anyone but the server's owner) is tests/hub/test_hub.py's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.live_server import LabServer, start_lab, stop
from tests.prometheus_server import free_port


@pytest.fixture(scope="module")
def service(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    home = tmp_path_factory.mktemp("forwarded-home")
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    server = start_lab(tmp_path_factory.mktemp("forwarded-lab"), home, {"MAESTRO_RATE_LIMIT": "100000"})
    try:
        yield server
    finally:
        stop(server.process)


@pytest.fixture
def service_url(service: LabServer) -> str:
    return service.url


@pytest.fixture
def maestro_config(tmp_path: Path, service_url: str, service: LabServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    """This server's Maestro: a home of its own that must stay untouched, and the URL it forwards to."""
    monkeypatch.setenv("MAESTRO_TOKEN", service.token)
    return {"home": str(tmp_path / "own-home"), "url": service_url}


async def test_every_route_answers_what_the_service_answers(api, service: LabServer, tmp_path: Path):
    status, models = await api("GET", "models")
    assert status == 200
    assert models == service.api("GET", "models")[1]
    status, info = await api("GET", "info")
    assert (status, info) == (200, service.api("GET", "info")[1])
    status, missing = await api("GET", "models", "no-such-model")
    assert (status, missing) == (404, service.api("GET", "models/no-such-model")[1])
    status, metrics = await api("GET", "metrics")
    assert status == 200
    assert b"# TYPE maestro_cost_dollars_total counter" in metrics
    # This server's own document: the OpenAPI of the routes it serves.
    status, spec = await api("GET", "openapi.json")
    assert status == 200
    assert "/operations/{operation}" in spec["paths"]
    assert not (tmp_path / "own-home").exists()  # no store of its own was opened (nor even its home made)


async def test_a_file_under_this_servers_root_travels_as_its_content(api, jp_root_dir: Path, tmp_path: Path):
    frame = pd.DataFrame({"x": range(200), "y": [i % 3 for i in range(200)]})
    frame.to_csv(jp_root_dir / "only-here.csv", index=False)
    status, profile = await api("POST", "data", "profile", body={"path": "only-here.csv", "report": False})
    assert status == 200, profile
    # The service never saw the file (it is not under its root): it profiled the data this server sent, and the
    # title is the one the file's name gives.
    assert profile["title"] == "Profile of only-here.csv"
    assert profile["summary"]["rows"] == 200
    # Outside this server's root: refused here, before anything is sent.
    status, refused = await api("POST", "data", "profile", body={"path": "../elsewhere.csv", "report": False})
    assert (status, refused["error"]) == (403, "PERMISSION_DENIED")
    assert not (tmp_path / "own-home").exists()


@pytest.mark.parametrize("service_url", [f"http://127.0.0.1:{free_port()}/"])
async def test_an_unreachable_service_is_a_503_that_says_so(api, service_url: str):
    status, body = await api("GET", "models")
    assert (status, body["error"]) == (503, "BACKEND_UNAVAILABLE")
    assert service_url.rstrip("/") in body["message"]
    status, body = await api("GET", "info")
    assert (status, body["error"]) == (503, "BACKEND_UNAVAILABLE")
