"""The OpenAPI document is served and matches the routes: paths, verbs, and the shapes the routes return."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from maestro_jupyter.server.handlers import HANDLERS

VERBS = ("get", "post", "put", "patch", "delete")


async def test_openapi_document_is_served(api):
    status, spec = await api("GET", "openapi.json")
    assert status == 200
    assert spec["openapi"] == "3.1.0"
    assert "/models/{name}/aliases/{alias}" in spec["paths"]
    assert spec["components"]["schemas"]["ModelPage"]["properties"]["models"]["type"] == "array"


async def test_the_served_document_is_valid_openapi(api):
    _, spec = await api("GET", "openapi.json")
    validate(spec)  # raises on any departure from the OpenAPI 3.1 specification and its JSON Schema dialect


async def test_document_paths_and_verbs_are_exactly_what_the_handlers_implement(api):
    _, spec = await api("GET", "openapi.json")
    implemented = {(h.path, v) for h in HANDLERS for v in VERBS if v in vars(h)}
    documented = {(path, verb) for path, ops in spec["paths"].items() for verb in ops}
    assert documented == implemented


async def test_every_documented_path_is_routed(api):
    _, spec = await api("GET", "openapi.json")
    for path in spec["paths"]:
        concrete = path.format(
            name="iris-classifier",
            version="1",
            alias="champion",
            key="k",
            experiment="0",
            run_id="0123456789abcdef0123456789abcdef",
            operation="ListModels",
            job_id="job-0000abcd",
            deployment_id="iris-classifier-champion",
            scope="project",
            subject="churn",
        )
        _, body = await api("GET", *concrete.strip("/").split("/"))
        # Whatever the verb, a routed path never reaches the catch-all handler.
        assert not (isinstance(body, dict) and "No Maestro API endpoint" in body.get("message", "")), path


@pytest.mark.parametrize(
    ("parts", "params"),
    [
        (("models",), {}),
        (("models", "breast-cancer-classifier"), {}),
        (("models", "breast-cancer-classifier", "versions", "2"), {}),
        (("models", "breast-cancer-classifier", "aliases", "champion"), {}),
        (("experiments",), {}),
        (("experiments", "maestro-demo-iris", "runs"), {}),
        (("info",), {}),
    ],
)
async def test_responses_validate_against_the_declared_models(api, parts, params):
    status, body = await api("GET", *parts, params=params)
    assert status == 200
    path = "/" + "/".join(parts)
    handler = next(h for h in HANDLERS if _matches(h.path, path))
    model = handler.operations["get"].response
    assert model is not None
    model.model_validate(body)


def _matches(template: str, path: str) -> bool:
    a, b = template.strip("/").split("/"), path.strip("/").split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b, strict=True))


async def test_path_parameters_carry_the_rules_the_server_applies(api):
    _, spec = await api("GET", "openapi.json")
    params = {p["name"]: p["schema"] for op in spec["paths"].values() for v in op.values() for p in v["parameters"]}
    assert params["version"]["pattern"] == "^[1-9][0-9]{0,9}$"
    assert params["scope"]["enum"] == ["user", "project"]
    assert params["job_id"]["pattern"] == "^job-[0-9a-f]{1,32}$"
    assert params["deployment_id"]["maxLength"] == 63
    assert "`" in params["key"]["pattern"]  # a tag key holds no backquote


@pytest.mark.parametrize(
    ("path", "name", "expected"),
    [
        ("/models", "max_results", {"type": "integer", "minimum": 1, "maximum": 1000}),
        ("/alerts", "after", {"type": "integer", "minimum": 0, "maximum": 2**62}),
        ("/training/jobs/{job_id}/logs", "offset", {"type": "integer", "minimum": 0, "maximum": 2**53 - 1}),
        ("/deployments", "all", {"type": "integer", "minimum": 0, "maximum": 1}),
        ("/models", "search", {"type": "string", "minLength": 1}),
    ],
)
async def test_query_parameters_document_their_bounds(api, path, name, expected):
    _, spec = await api("GET", "openapi.json")
    (param,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name]
    assert param["schema"] == expected


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("version", ("models", "breast-cancer-classifier", "versions", "0")),
        ("job_id", ("training", "jobs", "job-XYZ")),
        ("deployment_id", ("deployments", "Bad_Id")),
    ],
)
async def test_a_path_value_outside_its_pattern_is_refused(api, name, parts):
    _, spec = await api("GET", "openapi.json")
    params = {p["name"]: p["schema"] for op in spec["paths"].values() for v in op.values() for p in v["parameters"]}
    assert re.search(params[name]["pattern"], parts[-1]) is None
    status, body = await api("GET", *parts)
    assert (status, body["error"]) == (400, "INVALID_PARAMETER"), body
