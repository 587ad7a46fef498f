"""A real Jupyter server with the Maestro extension, on a private copy of the seeded registry."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from maestro_jupyter import MaestroClient
from maestro_jupyter.settings import Settings
from tests.compute_helpers import stop_everything

Api = Callable[..., Awaitable[tuple[int, Any]]]


@pytest.fixture(autouse=True)
def _sdk_over_a_json_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SDK client these tests make (the magics' too) sends its requests, results and errors through JSON and
    back (``JsonRoundTripTransport``) around the in-process services: what passes here survives the HTTP transport's
    wire. The notebooks' kernels, separate processes, run the plain in-process transport."""
    from maestro_jupyter.sdk import client
    from maestro_jupyter.sdk.transport import JsonRoundTripTransport

    in_process = client.open_transport
    monkeypatch.setattr(client, "open_transport", lambda settings: JsonRoundTripTransport(in_process(settings)))


@pytest.fixture
def maestro_config(maestro_home: Path) -> dict[str, Any]:
    """The ``c.Maestro`` section; tests override it to change the server's settings."""
    return {"home": str(maestro_home)}


@pytest.fixture
def jp_server_config(maestro_config: dict[str, Any]) -> Config:
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"maestro_jupyter": True},
                # As in the extension template: an endpoint without @web.authenticated makes start-up warn, and
                # pyproject's filterwarnings turns that warning into a failure.
                "allow_unauthenticated_access": False,
            },
            "Maestro": maestro_config,
        }
    )


@pytest.fixture
def api(jp_fetch: Any) -> Api:
    """``await api("GET", "models", params=...)`` -> (status, parsed JSON body or raw bytes)."""

    async def call(method: str, *parts: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = ""
        resp = await jp_fetch("maestro", "api", "v1", *parts, method=method, body=body, raise_error=False, **kwargs)
        raw = resp.body or b""
        if resp.headers.get("Content-Type", "").startswith("application/json") and raw:
            return resp.code, json.loads(raw)
        return resp.code, raw

    return call


@pytest.fixture
def ml(maestro_home: Path) -> Iterator[MaestroClient]:
    """A client on a private copy of the seeded home; whatever its test left running is stopped afterwards."""
    client = MaestroClient(Settings.from_env({}, home=str(maestro_home)))
    yield client
    stop_everything(client)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, maestro_home: Path) -> str:
    """The Maestro DB of a test: the embedded SQLite file, or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{maestro_home / 'maestro.db'}"
    return str(request.getfixturevalue("postgres").create_database())
