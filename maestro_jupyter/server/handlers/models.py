"""REST handlers for registered models, their versions, aliases and tags."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.registry import (
    CompareVersions,
    DeleteAlias,
    DeleteTag,
    DownloadVersion,
    GetModel,
    GetVersion,
    ListModels,
    RegisterModel,
    SetAlias,
    SetTag,
    UpdateDescription,
)
from ...contract.rules import MODEL_ORDERS
from ...entities import ModelDetail, ModelPage, ModelVersion, VersionComparison, VersionDetail
from ...entities.meta import Tag
from ...errors import InvalidParameter
from ..openapi import Operation, Param, page_size, page_token
from .base import MaestroHandler


class ModelsHandler(MaestroHandler):
    path = "/models"
    operations = {
        "get": Operation(
            "Search registered models",
            ModelPage,
            query=(
                Param("search", "Part of the model name, case-insensitive"),
                Param("tag", "key=value; every given tag must match", repeated=True),
                page_size(),
                page_token(),
                Param("order_by", " | ".join(MODEL_ORDERS), enum=MODEL_ORDERS),
            ),
        ),
        "post": Operation("Register a model logged by a run", ModelVersion, 201, body=RegisterModel),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        tags = {}
        for item in self.query_list("tag"):
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise InvalidParameter(f"tag must be key=value, not {item!r}")
            tags[key] = value
        req = self.request_model(
            ListModels,
            body=False,
            tags=tags,
            max_results=self.query_int("max_results"),
            **{k: self.query(k) for k in ("search", "page_token", "order_by")},
        )
        self.send(await self.execute(req))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.send(await self.execute(self.request_model(RegisterModel)), 201)


class ModelHandler(MaestroHandler):
    path = "/models/{name}"
    operations = {
        "get": Operation("A model with its versions, aliases, tags and description", ModelDetail),
        "patch": Operation("Update a model's description", ModelDetail, body=UpdateDescription),
    }

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.execute(self.request_model(GetModel, body=False, name=name)))

    @web.authenticated
    @authorized
    async def patch(self, name: str) -> None:
        req = self.request_model(UpdateDescription, name=name)
        _no_version_in_body(req.version)
        self.send(await self.execute(req))


class CompareVersionsHandler(MaestroHandler):
    path = "/models/{name}/compare"
    operations = {
        "get": Operation(
            "Metrics across a model's versions, oldest first",
            VersionComparison,
            query=(
                Param("metrics", "Metric names, comma-separated (default: all)", repeated=True),
                Param("versions", "Version numbers, comma-separated (default: the newest 200)", repeated=True),
            ),
        )
    }

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        req = self.request_model(
            CompareVersions,
            body=False,
            name=name,
            metrics=self.query_list("metrics") or None,
            versions=self.query_list("versions") or None,
        )
        self.send(await self.execute(req))


class ModelTagHandler(MaestroHandler):
    path = "/models/{name}/tags/{key}"
    operations = {
        "put": Operation("Set a model tag", Tag, body=SetTag),
        "delete": Operation("Remove a model tag", None, 204),
    }

    @web.authenticated
    @authorized
    async def put(self, name: str, key: str) -> None:
        req = self.request_model(SetTag, name=name, key=key)
        _no_version_in_body(req.version)
        await self.execute(req)
        self.send(Tag(key=req.key, value=req.value))

    @web.authenticated
    @authorized
    async def delete(self, name: str, key: str) -> None:
        await self.execute(self.request_model(DeleteTag, body=False, name=name, key=key))
        self.send(None, 204)


class AliasHandler(MaestroHandler):
    path = "/models/{name}/aliases/{alias}"
    operations = {
        "get": Operation("The version an alias points to", VersionDetail),
        "put": Operation(
            "Point an alias at a version (moving it if needed). A gated alias needs passing tests: 409 GATE_REFUSED "
            "names the failed checks, unless override_reason is given (recorded)",
            ModelVersion,
            body=SetAlias,
        ),
        "delete": Operation("Remove an alias", None, 204),
    }

    @web.authenticated
    @authorized
    async def get(self, name: str, alias: str) -> None:
        self.send(await self.execute(self.request_model(GetVersion, body=False, name=name, alias=alias)))

    @web.authenticated
    @authorized
    async def put(self, name: str, alias: str) -> None:
        self.send(await self.execute(self.request_model(SetAlias, name=name, alias=alias)))

    @web.authenticated
    @authorized
    async def delete(self, name: str, alias: str) -> None:
        await self.execute(self.request_model(DeleteAlias, body=False, name=name, alias=alias))
        self.send(None, 204)


class VersionHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}"
    operations = {
        "get": Operation("A version with its source run, signature and flavors", VersionDetail),
        "patch": Operation("Update a version's description", VersionDetail, body=UpdateDescription),
    }

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        self.send(await self.execute(self.request_model(GetVersion, body=False, name=name, version=version)))

    @web.authenticated
    @authorized
    async def patch(self, name: str, version: str) -> None:
        self.send(await self.execute(self.request_model(UpdateDescription, name=name, version=version)))


class VersionTagHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/tags/{key}"
    operations = {
        "put": Operation("Set a version tag", Tag, body=SetTag),
        "delete": Operation("Remove a version tag", None, 204),
    }

    @web.authenticated
    @authorized
    async def put(self, name: str, version: str, key: str) -> None:
        req = self.request_model(SetTag, name=name, version=version, key=key)
        await self.execute(req)
        self.send(Tag(key=req.key, value=req.value))

    @web.authenticated
    @authorized
    async def delete(self, name: str, version: str, key: str) -> None:
        await self.execute(self.request_model(DeleteTag, body=False, name=name, version=version, key=key))
        self.send(None, 204)


class VersionDownloadHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/download"
    operations = {"get": Operation("The version's artifacts as a zip", content_type="application/zip")}

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        document = await self.execute(self.request_model(DownloadVersion, body=False, name=name, version=version))
        self.send_document(document.content, document.media_type, document.file_name, download=True)


def _no_version_in_body(version: str | None) -> None:
    """A model's route changes the model: a version is named in the path (``/models/{name}/versions/{version}``)."""
    if version is not None:
        raise InvalidParameter("version is not a field of this body: use /models/{name}/versions/{version}")
