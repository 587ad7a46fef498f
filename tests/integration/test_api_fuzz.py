"""Schema-driven fuzzing: schemathesis generates requests from our own OpenAPI document and sends them to a real
``jupyter lab`` on a copy of the seeded registry. Whatever it sends, the answer is never a 5xx, and every error is
``{"error", "message"}`` JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from maestro_jupyter._version import __version__
from maestro_jupyter.server.handlers import HANDLERS
from maestro_jupyter.server.openapi import build_spec
from tests.live_server import LabServer, start_lab, stop

schema = schemathesis.openapi.from_dict(build_spec(HANDLERS, __version__))


@pytest.fixture(scope="module")
def live(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    home = tmp_path_factory.mktemp("fuzz-home")
    (home / "mlflow.db").write_bytes((seeded_home / "mlflow.db").read_bytes())
    # A generous rate limit, so that the fuzzer reaches the handlers rather than the limiter.
    server = start_lab(tmp_path_factory.mktemp("fuzz-lab"), home, {"MAESTRO_RATE_LIMIT": "100000"})
    try:
        # The feature store opens on first use (Feast's import, and the default repo made under MAESTRO_HOME), which
        # may take longer than the fuzzer waits for an answer on a loaded machine: pay for it once, first.
        assert server.api("GET", "features/store", timeout=120)[0] == 200
        yield server
    finally:
        stop(server.process)


@schema.parametrize()
# derandomize: the same examples every run, so that CI is reproducible; raise max_examples to search wider.
@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case, live: LabServer) -> None:
    response = case.call(base_url=f"{live.url}maestro/api/v1", headers={"Authorization": f"token {live.token}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error", "message"}, body
        assert body["message"]
