"""The OpenAPI document is served and matches the routes: paths, verbs, and the shapes the routes return."""

from __future__ import annotations

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
