"""How build_spec turns handler declarations into the OpenAPI document: request bodies leave out the fields that
the route's path carries, responses require every field (the server always sends them all), and the result is a
valid OpenAPI 3.1 document. Tiny fake handlers and models, no server."""

from __future__ import annotations

from typing import Any, cast

from openapi_spec_validator import validate
from pydantic import BaseModel

from maestro_jupyter.server.openapi import Operation, build_spec


class SetAlias(BaseModel):
    name: str
    alias: str
    version: str
    override_reason: str | None = None


class SetTag(BaseModel):
    name: str
    version: str | None = None
    key: str
    value: str


class Tag(BaseModel):
    name: str
    key: str
    value: str


class Version(BaseModel):
    name: str
    version: str
    aliases: list[str] = []
    description: str | None = None


class AliasHandler:
    path = "/models/{name}/aliases/{alias}"
    operations = {"put": Operation("Point an alias", Version, body=SetAlias)}


class ModelTagHandler:
    path = "/models/{name}/tags/{key}"
    operations = {"put": Operation("Tag a model", Tag, body=SetTag)}


class VersionTagHandler:
    path = "/models/{name}/versions/{version}/tags/{key}"
    operations = {"put": Operation("Tag a version", Tag, body=SetTag)}


class EchoTagHandler:
    path = "/tags/{key}"
    operations = {"post": Operation("Echo a tag", Tag, body=Tag)}


def spec(*handlers: type) -> dict[str, Any]:
    return build_spec(cast(Any, list(handlers)), "0.0.0")


def body_schema(document: dict[str, Any], path: str, verb: str) -> tuple[str, dict[str, Any]]:
    ref = document["paths"][path][verb]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    return name, document["components"]["schemas"][name]


def response_schema(document: dict[str, Any], path: str, verb: str) -> tuple[str, dict[str, Any]]:
    ref = document["paths"][path][verb]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    return name, document["components"]["schemas"][name]


def test_a_request_body_leaves_out_the_fields_of_its_path_parameters():
    document = spec(AliasHandler)
    name, schema = body_schema(document, "/models/{name}/aliases/{alias}", "put")
    assert name == "SetAlias"
    assert set(schema["properties"]) == {"version", "override_reason"}
    assert schema["required"] == ["version"]


def test_a_body_taken_by_routes_with_different_parameters_is_one_schema_without_any_of_them():
    document = spec(ModelTagHandler, VersionTagHandler)
    model_tag = body_schema(document, "/models/{name}/tags/{key}", "put")
    version_tag = body_schema(document, "/models/{name}/versions/{version}/tags/{key}", "put")
    assert model_tag == version_tag
    name, schema = model_tag
    assert name == "SetTag"
    assert set(schema["properties"]) == {"value"}
    assert schema["required"] == ["value"]


def test_a_model_that_is_also_a_response_keeps_its_fields_there():
    document = spec(EchoTagHandler, ModelTagHandler)
    body_name, body = body_schema(document, "/tags/{key}", "post")
    response_name, response = response_schema(document, "/tags/{key}", "post")
    assert body_name != response_name
    assert set(body["properties"]) == {"name", "value"}
    assert set(response["properties"]) == set(response["required"]) == {"name", "key", "value"}


def test_responses_require_every_field_and_bodies_only_those_without_a_default():
    document = spec(AliasHandler)
    _, response = response_schema(document, "/models/{name}/aliases/{alias}", "put")
    assert set(response["required"]) == {"name", "version", "aliases", "description"}
    assert response["properties"]["description"]["anyOf"] == [{"type": "string"}, {"type": "null"}]


def test_the_document_is_valid_openapi_3_1():
    document = spec(AliasHandler, ModelTagHandler, VersionTagHandler, EchoTagHandler)
    assert document["openapi"] == "3.1.0"
    validate(document)
