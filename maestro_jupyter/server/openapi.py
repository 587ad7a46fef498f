"""The OpenAPI 3 contract, built from the operations each handler declares.

Handlers state their path template and, per HTTP verb, an :class:`Operation` (summary, query parameters, body and
response models). The document served at ``maestro/api/v1/openapi.json`` is assembled from those declarations and
the pydantic models' JSON schemas; a test holds the declarations to what the handlers implement and return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .requests import ErrorBody

if TYPE_CHECKING:
    from .handlers.base import MaestroHandler

API_PREFIX = "maestro/api/v1"
_PATH_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Param:
    """A query parameter."""

    name: str
    description: str
    type: str = "string"
    repeated: bool = False


@dataclass(frozen=True)
class Operation:
    """One verb on one path. ``response`` may name its model as ``"module:Class"`` when importing it is costly
    (the analysis results import pandas), so that loading the server extension stays light."""

    summary: str
    response: type[BaseModel] | str | None = None  # None: 204 No Content (or a file, see content_type)
    status: int = 200
    body: type[BaseModel] | None = None
    query: tuple[Param, ...] = ()
    content_type: str = "application/json"
    #: Other media types the same response may take (chosen by a query parameter such as ``format``).
    alternatives: tuple[str, ...] = ()


def resolve_model(ref: type[BaseModel] | str | None) -> type[BaseModel] | None:
    """The model class an :class:`Operation` names."""
    if not isinstance(ref, str):
        return ref
    import importlib

    module, _, name = ref.partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model


def path_regex(template: str) -> str:
    """``/models/{name}`` -> a tornado pattern with named groups."""
    return _PATH_PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", template)


def build_spec(handlers: list[type[MaestroHandler]], version: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document for the given handlers."""
    schemas: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    error = {"description": "Error", "content": {"application/json": {"schema": ref(ErrorBody)}}}
    paths: dict[str, Any] = {}
    for handler in handlers:
        for verb, op in handler.operations.items():
            params: list[dict[str, Any]] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in _PATH_PARAM.findall(handler.path)
            ]
            for q in op.query:
                schema: dict[str, Any] = {"type": q.type}
                if q.repeated:
                    schema = {"type": "array", "items": schema}
                params.append(
                    {"name": q.name, "in": "query", "required": False, "description": q.description, "schema": schema}
                )
            responses: dict[str, Any] = {"4XX": error, "503": error}
            if op.content_type != "application/json":
                responses[str(op.status)] = {
                    "description": op.summary,
                    "content": {op.content_type: {"schema": {"type": "string", "format": "binary"}}},
                }
            elif op.response is None:
                responses[str(op.status)] = {"description": "Done"}
            else:
                model = resolve_model(op.response)
                assert model is not None
                content: dict[str, Any] = {"application/json": {"schema": ref(model)}}
                for media_type in op.alternatives:
                    content[media_type] = {"schema": {"type": "string", "format": "binary"}}
                responses[str(op.status)] = {"description": op.summary, "content": content}
            operation: dict[str, Any] = {
                "operationId": f"{verb}_{handler.__name__.removesuffix('Handler')}",
                "summary": op.summary,
                "parameters": params,
                "responses": responses,
            }
            if op.body is not None:
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(op.body)}}}
            paths.setdefault(handler.path, {})[verb] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "Maestro API", "version": version},
        "servers": [{"url": f"/{API_PREFIX}"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "token TOKEN"}
            },
        },
    }
