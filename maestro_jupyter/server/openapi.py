"""The OpenAPI 3.1 contract, built from the operations each handler declares.

Handlers state their path template and, per HTTP verb, an :class:`Operation` (summary, query parameters, body and
response models). The document served at ``maestro/api/v1/openapi.json`` is assembled from those declarations and
the pydantic models' JSON schemas; a test holds the declarations to what the handlers implement and return.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from ..entities.meta import ErrorBody

if TYPE_CHECKING:
    from .handlers.base import MaestroHandler

API_PREFIX = "maestro/api/v1"
_PATH_PARAM = re.compile(r"{(\w+)}")
_REF = "#/components/schemas/"


@dataclass(frozen=True)
class Param:
    """A query parameter: the handler parses it by this declaration (``MaestroHandler.query``, ``query_int``,
    ``query_list``) and the document states the same rules, so the two agree. A single-valued parameter may be given
    once and never empty; an ``integer`` one is digits within ``minimum``/``maximum``; ``enum`` and ``pattern``
    (a regular expression, searched) bound a string."""

    name: str
    description: str
    type: str = "string"
    repeated: bool = False
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str | int, ...] = ()
    pattern: str | None = None
    required: bool = False

    def schema(self) -> dict[str, Any]:
        """The parameter's JSON schema in the document."""
        schema: dict[str, Any] = {"type": self.type}
        if self.type == "string":
            schema["minLength"] = 1
        for key, value in (("minimum", self.minimum), ("maximum", self.maximum), ("pattern", self.pattern)):
            if value is not None:
                schema[key] = value
        if self.enum:
            schema["enum"] = list(self.enum)
        return {"type": "array", "items": schema, "minItems": 1} if self.repeated else schema


def page_size(name: str = "max_results", what: str = "Page size") -> Param:
    """A page-size parameter: 1-1000 (default 100)."""
    from ..contract.rules import MAX_PAGE

    return Param(name, f"{what}, 1-{MAX_PAGE} (default 100)", "integer", minimum=1, maximum=MAX_PAGE)


def page_token() -> Param:
    """The token of the next page, as the previous page returned it (base64)."""
    from ..contract.rules import _PAGE_TOKEN

    return Param("page_token", "next_page_token of the previous page, as it was returned", pattern=_PAGE_TOKEN.pattern)


def flag(name: str, description: str) -> Param:
    """A yes/no switch, ``0`` or ``1`` (as the sidebar sends it); ``true`` is not a number and is refused."""
    return Param(name, description, "integer", minimum=0, maximum=1)


def path_parameters() -> dict[str, dict[str, Any]]:
    """The schema of each path parameter, by name, from the rules the request models apply to it
    (:mod:`~maestro_jupyter.contract.rules`, :mod:`~maestro_jupyter.naming`), so that what the document calls a
    valid path is what the server takes. Names (models, experiments, budget subjects) are also held to rules a
    pattern cannot state (Unicode categories, NFC): their descriptions say so."""
    from ..contract import rules
    from ..contract.budgets import SCOPES
    from ..contract.training import _JOB_ID
    from ..naming import _DNS1123, MAX_SUBJECT

    # 1-256 characters, no control characters, no surrounding white space (JSON Schema patterns are ECMA-262).
    printable = r"[^\x00-\x1f\x7f]"
    edge = r"[^\s\x00-\x1f\x7f]"
    name = {
        "type": "string",
        "minLength": 1,
        "maxLength": rules.MAX_NAME,
        "pattern": f"^{edge}(?:{printable}*{edge})?$",
        "description": "1-256 printable characters, no surrounding spaces; NFC, without combining marks, format "
        "characters or spaces other than the plain space",
    }
    reserved = "^(?:[Ll][Aa][Tt][Ee][Ss][Tt]|[Vv][0-9]+|[Vv][Ee][Rr][Ss][Ii][Oo][Nn][0-9]+)$"
    return {
        "name": name,
        "experiment": {**name, "description": "An experiment's name or id"},
        "version": {"type": "string", "pattern": rules._VERSION.pattern, "description": "A version number: 1, 2, ..."},
        "alias": {
            "type": "string",
            "pattern": rules._ALIAS.pattern,
            "not": {"pattern": reserved},
            "description": "A letter, then letters, digits, '_' or '-'; not latest, vN or versionN",
        },
        "key": {
            "type": "string",
            "minLength": 1,
            "maxLength": rules.MAX_TAG_KEY,
            "pattern": r"^[^\x00-\x1f\x7f`]+$",
            "description": "A tag key: 1-250 printable characters, no backquote",
        },
        "run_id": {"type": "string", "pattern": f"^(?:{rules._RUN_ID.pattern.replace('$|^', '|').strip('^$')})$"},
        "job_id": {"type": "string", "pattern": _JOB_ID.pattern, "description": "job-, then hex digits"},
        "deployment_id": {
            "type": "string",
            "maxLength": 63,
            "pattern": _DNS1123.pattern,
            "description": "A DNS-1123 label: lowercase letters, digits and '-', a letter or digit at each end",
        },
        "scope": {"type": "string", "enum": list(SCOPES)},
        "subject": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_SUBJECT,
            "pattern": r"^[^/\x00-\x1f\x7f]*[^/\s\x00-\x1f\x7f][^/\x00-\x1f\x7f]*$",
            "description": "A user's or project's name: no '/'; NFC, without control, format or combining characters",
        },
    }


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
    #: The operations endpoint: the body is any request model of the contract (the path names which) and the answer
    #: its result, so the document lists them all (:func:`_contract_operation`) instead of one body and response.
    contract: bool = False


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


class _ContractJsonSchema(GenerateJsonSchema):
    """JSON Schema of the models as the API reads and writes them. A response carries every field (handlers dump the
    whole model), so in serialization mode a field with a default is still required; a request body keeps pydantic's
    validation-mode schema, where such a field may be left out."""

    def field_is_required(self, field: Any, total: bool) -> bool:
        if self.mode == "serialization":
            return not field.get("serialization_exclude")
        return super().field_is_required(field, total)


def _body_path_params(handlers: list[type[MaestroHandler]]) -> dict[type[BaseModel], set[str]]:
    """Each request-body model with the union of the path parameters of the routes that take it.

    A body model may carry fields for its route's path parameters (``SetAlias.name`` for ``/models/{name}/...``);
    the handler fills them from the path, so they are not part of the body a client sends. A model taken by routes
    with different parameters loses the fields of all of them: a field that locates the resource on one route is
    never body content on another."""
    params: dict[type[BaseModel], set[str]] = {}
    for handler in handlers:
        for op in handler.operations.values():
            if op.body is not None:
                params.setdefault(op.body, set()).update(_PATH_PARAM.findall(handler.path))
    return params


def _strip_properties(schema: dict[str, Any], names: set[str]) -> None:
    """Drop ``names`` from an object schema's properties and required list, in place."""
    properties = schema.get("properties", {})
    for name in names:
        properties.pop(name, None)
    if "required" in schema:
        schema["required"] = [r for r in schema["required"] if r not in names]
        if not schema["required"]:
            del schema["required"]


def _component_schemas(
    handlers: list[type[MaestroHandler]],
) -> tuple[dict[tuple[type[BaseModel], JsonSchemaMode], str], dict[str, Any]]:
    """The schemas of every response (serialization mode) and request body (validation mode), with the models they
    nest, as OpenAPI components; and the component name of each ``(model, mode)``. pydantic names a model ``Model``,
    or ``Model-Input`` and ``Model-Output`` when it is used both ways and the two schemas differ."""
    uses: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(ErrorBody, "serialization"): None}
    for handler in handlers:
        for op in handler.operations.values():
            if op.body is not None:
                uses[(op.body, "validation")] = None
            if op.response is not None and op.content_type == "application/json":
                model = resolve_model(op.response)
                assert model is not None
                uses[(model, "serialization")] = None
    refs, defs = models_json_schema(list(uses), ref_template=_REF + "{model}", schema_generator=_ContractJsonSchema)
    schemas: dict[str, Any] = defs.get("$defs", {})
    names: dict[tuple[type[BaseModel], JsonSchemaMode], str] = {
        (cast("type[BaseModel]", model), mode): ref["$ref"].removeprefix(_REF) for (model, mode), ref in refs.items()
    }
    for model, params in _body_path_params(handlers).items():
        name = names[(model, "validation")]
        schema = schemas[name]
        located = params & set(schema.get("properties", {}))
        if not located:
            continue
        if any(n == name and use != (model, "validation") for use, n in names.items()) or _is_referenced(schemas, name):
            # The component serves another use too (a response, a nested field): the body gets a copy of its own.
            name = names[(model, "validation")] = f"{name}-Body"
            schema = schemas[name] = json.loads(json.dumps(schema))
        _strip_properties(schema, located)
    return names, schemas


def _is_referenced(schemas: dict[str, Any], name: str) -> bool:
    """Whether any schema refers to the component ``name``."""
    return f'"{_REF}{name}"' in json.dumps(schemas)


def build_spec(handlers: list[type[MaestroHandler]], version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for the given handlers.

    3.1 because its schemas are JSON Schema 2020-12, which is what pydantic writes (``anyOf`` with ``type: null``,
    ``const``); 3.0's dialect would need every schema rewritten."""
    names, schemas = _component_schemas(handlers)
    path_schemas = path_parameters()

    def ref(model: type[BaseModel], mode: JsonSchemaMode = "serialization") -> dict[str, str]:
        return {"$ref": _REF + names[(model, mode)]}

    error = {"description": "Error", "content": {"application/json": {"schema": ref(ErrorBody)}}}
    paths: dict[str, Any] = {}
    for handler in handlers:
        for verb, op in handler.operations.items():
            if op.contract:
                paths.setdefault(handler.path, {})[verb] = _contract_operation(handler, verb, op, schemas, error)
                continue
            params: list[dict[str, Any]] = [
                {"name": p, "in": "path", "required": True, "schema": path_schemas.get(p, {"type": "string"})}
                for p in _PATH_PARAM.findall(handler.path)
            ]
            for q in op.query:
                params.append(
                    {
                        "name": q.name,
                        "in": "query",
                        "required": q.required,
                        "description": q.description,
                        "schema": q.schema(),
                    }
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
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": ref(op.body, "validation")}},
                }
            paths.setdefault(handler.path, {})[verb] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Maestro API", "version": version},
        "servers": [{"url": f"/{API_PREFIX}"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "token TOKEN"}
            },
        },
    }


def _contract_operation(
    handler: type[MaestroHandler], verb: str, op: Operation, schemas: dict[str, Any], error: dict[str, Any]
) -> dict[str, Any]:
    """The operations endpoint's entry: the ``{operation}`` path parameter takes any operation's name, the body is
    any request model (``anyOf``) and a 200 any result; ``x-maestro-operations`` pairs each name with its own request
    schema, result schema (``null``: a 204; ``"file"``: a file) and whether it changes anything. The request and
    result schemas join ``schemas`` (the components), sharing every component that is already there."""
    from ..contract.base import Document
    from ..contract.operations import operations

    table = operations()
    inputs: list[tuple[tuple[str, str], JsonSchemaMode, TypeAdapter[Any]]] = []
    for name, model in table.items():
        inputs.append(((name, "request"), "validation", TypeAdapter(model)))
        if model.result is not None and model.result is not Document:
            inputs.append(((name, "result"), "serialization", TypeAdapter(model.result)))
    found, defs = TypeAdapter.json_schemas(inputs, ref_template=_REF + "{model}", schema_generator=_ContractJsonSchema)
    renamed = _merge_components(schemas, defs.get("$defs", {}))
    schema_of = {key: _renamed_refs(schema, renamed) for (key, _mode), schema in found.items()}

    described: dict[str, Any] = {}
    for name, model in table.items():
        result: Any = (
            None if model.result is None else "file" if model.result is Document else schema_of[name, "result"]
        )
        described[name] = {"request": schema_of[name, "request"], "result": result, "changes": model.changes}
    bodies = _distinct(entry["request"] for entry in described.values())
    results = _distinct(e["result"] for e in described.values() if e["result"] not in (None, "file"))
    names = list(table)
    return {
        "operationId": f"{verb}_{handler.__name__.removesuffix('Handler')}",
        "summary": op.summary,
        "description": "The body is the named operation's request model as JSON; the answer is its result as JSON, "
        "204 when it returns nothing, or the file it makes (Content-Disposition names it). x-maestro-operations "
        "gives each operation's request and result schemas. Reads need Maestro's read permission, an operation "
        "that changes something (changes: true) needs write and counts against the per-user change limit.",
        "parameters": [
            {
                "name": "operation",
                "in": "path",
                "required": True,
                "description": "The operation: its request model's name",
                "schema": {"type": "string", "enum": names},
            }
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"anyOf": bodies}}}},
        "responses": {
            "200": {
                "description": "The operation's result, or the file it makes",
                "content": {
                    "application/json": {"schema": {"anyOf": results}},
                    "*/*": {"schema": {"type": "string", "format": "binary"}},
                },
            },
            "204": {"description": "Done: the operation returns nothing"},
            "4XX": error,
            "503": error,
        },
        "x-maestro-operations": described,
    }


def _merge_components(schemas: dict[str, Any], defs: dict[str, Any]) -> dict[str, str]:
    """Add ``defs`` (schemas generated apart, referring to each other by their own names) to the components
    ``schemas``; returns the component name each of them ended up with.

    A definition equal to an existing component is that component (the contract's ``ModelCard-Output`` is the
    resource routes' ``ModelCard``), so that nothing the sidebar's types name changes; any other keeps its name, or,
    when the name is taken by a different schema (a route's body without its path's fields), takes
    ``NAME-Operation``. Equality is decided with references already renamed, until no name changes."""

    def base(name: str) -> str:
        return name.removesuffix("-Input").removesuffix("-Output")

    target = {name: base(name) if base(name) in schemas else name for name in defs}
    existing = {_text(schema): name for name, schema in schemas.items()}
    for _ in range(len(defs) + 2):
        rewritten = {name: _renamed_refs(schema, target) for name, schema in defs.items()}
        chosen = {}
        for name, schema in rewritten.items():
            same = existing.get(_text(schema))
            chosen[name] = same or (name if name not in schemas else f"{name}-Operation")
        if chosen == target:
            break
        target = chosen
    else:  # pragma: no cover - a fixed point is reached within one pass per definition
        raise RuntimeError("The contract's schemas did not settle into components")
    for name, schema in rewritten.items():
        schemas.setdefault(target[name], schema)
    return target


def _renamed_refs(schema: Any, names: dict[str, str]) -> Any:
    """``schema`` with every ``$ref`` to a component renamed by ``names``."""
    if isinstance(schema, dict):
        out = {k: _renamed_refs(v, names) for k, v in schema.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            out["$ref"] = _REF + names.get(ref.removeprefix(_REF), ref.removeprefix(_REF))
        return out
    if isinstance(schema, list):
        return [_renamed_refs(item, names) for item in schema]
    return schema


def _text(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True)


def _distinct(schemas: Any) -> list[Any]:
    """The schemas, each once, in order."""
    return list({_text(schema): schema for schema in schemas}.values())


def main() -> None:
    """Print the document the server serves (``python -m maestro_jupyter.server.openapi``), without a server."""
    from maestro_jupyter._version import __version__
    from maestro_jupyter.server.handlers import HANDLERS
    from maestro_jupyter.server.openapi import build_spec

    print(json.dumps(build_spec(HANDLERS, __version__), indent=2))


if __name__ == "__main__":
    main()
