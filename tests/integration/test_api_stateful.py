"""Schema-driven testing with real objects: schemathesis sends requests generated from our own OpenAPI document to
a real ``jupyter lab`` on a copy of the seeded registry, with real ids in the path parameters (a model version, a
training job and a budget made here for the purpose), in two phases:

- stateless: each operation on its own (``schema.parametrize()``);
- stateful: sequences of operations, each taking ids from the answers before it (``schema.as_state_machine()``).

Whatever is sent, no answer is a 5xx, every answer matches the document (status, media type, body schema), and every
error is ``{"error", "message"}`` JSON. ``derandomize`` makes every run send the same requests; the example counts
keep the run within a few minutes on two cores.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from maestro_jupyter._version import __version__
from maestro_jupyter.server.handlers import HANDLERS
from maestro_jupyter.server.openapi import build_spec
from tests.live_server import LabServer, start_lab, stop

schema = schemathesis.openapi.from_dict(build_spec(HANDLERS, __version__))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODEL = "iris-classifier"

#: Real values for path parameters, by name, filled in by the ``live`` fixture once it has made the objects.
REAL: dict[str, str] = {}


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    """Two requests in three name a real object (the rest keep the generated value, to reach the 4xx paths): which
    ones is decided by the generated value itself, so a run is as reproducible as its examples."""
    if not path_parameters or zlib.crc32(repr(sorted(path_parameters.items())).encode()) % 3 == 0:
        return path_parameters
    return {name: REAL.get(name, value) for name, value in path_parameters.items()}


@pytest.fixture(scope="module")
def live(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    home = tmp_path_factory.mktemp("stateful-home")
    (home / "mlflow.db").write_bytes((seeded_home / "mlflow.db").read_bytes())
    # A generous rate limit, so that the requests reach the handlers rather than the limiter.
    server = start_lab(tmp_path_factory.mktemp("stateful-lab"), home, {"MAESTRO_RATE_LIMIT": "100000"})
    try:
        REAL.update(_make_objects(server))
        yield server
    finally:
        REAL.clear()
        stop(server.process)


def _make_objects(server: LabServer) -> dict[str, str]:
    """A new model version, a training job and a budget, made through the API; their ids by path parameter."""
    status, version = server.api("GET", f"models/{MODEL}/versions/1")
    assert status == 200, version
    run_id = version["run_id"]
    status, registered = server.api("POST", "models", {"run_id": run_id, "name": MODEL})
    assert status == 201, registered
    status, job = server.api("POST", "training/jobs", {"source": "print('stateful')", "name": "stateful"})
    assert status == 201, job
    status, budget = server.api("PUT", "budgets/project/fuzzing", {"amount": 50.0})
    assert status == 200, budget
    status, detail = server.api("GET", f"models/{MODEL}")
    assert status == 200, detail
    return {
        "name": MODEL,
        "version": str(registered["version"]),
        "alias": next(iter(detail["aliases"]), "champion"),
        "key": next(iter(detail["tags"]), "task"),
        "experiment": "maestro-demo-iris",
        "run_id": run_id,
        "job_id": job["id"],
        "scope": "project",
        "subject": "fuzzing",
    }


def _call(case: Any, server: LabServer) -> Any:
    response = case.call(base_url=f"{server.url}maestro/api/v1", headers={"Authorization": f"token {server.token}"})
    _assert_clean(case, response)
    return response


def _assert_clean(case: Any, response: Any) -> None:
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
    if response.status_code >= 400:
        body = response.json()
        assert {"error", "message"} <= set(body), body
        assert body["message"]


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_stateless_requests_with_real_ids_conform(case: Any, live: LabServer) -> None:
    response = _call(case, live)
    case.validate_response(response, checks=CHECKS)


def test_stateful_sequences_conform(live: LabServer) -> None:
    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": f"{live.url}maestro/api/v1", "headers": {"Authorization": f"token {live.token}"}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            _assert_clean(case, response)
            case.validate_response(response, checks=CHECKS)

    Machine.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
