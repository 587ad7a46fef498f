"""REST handlers for registered models, their versions, aliases and tags."""

from __future__ import annotations

import os

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...entities import ModelDetail, ModelPage, ModelVersion, VersionComparison, VersionDetail
from ...errors import InvalidParameter
from ...services.validation import file_safe
from ..openapi import Operation, Param
from ..requests import RegisterModel, SetAlias, SetTag, Tag, UpdateDescription
from .base import MaestroHandler

_CHUNK = 256 * 1024


class ModelsHandler(MaestroHandler):
    path = "/models"
    operations = {
        "get": Operation(
            "Search registered models",
            ModelPage,
            query=(
                Param("search", "Part of the model name, case-insensitive"),
                Param("tag", "key=value; every given tag must match", repeated=True),
                Param("max_results", "Page size, 1-1000 (default 100)", "integer"),
                Param("page_token", "next_page_token of the previous page"),
                Param("order_by", "name ASC | name DESC | last_updated_timestamp DESC | last_updated_timestamp ASC"),
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
        search, size, token, order = (self.query(k) for k in ("search", "max_results", "page_token", "order_by"))
        self.send(await self.call(lambda s: s.registry.list_models(search, tags, size, token, order)))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        req = self.body(RegisterModel)
        mv = await self.call(
            lambda s: s.registry.register(req.run_id, req.name, req.artifact_path, req.description, req.tags)
        )
        self.send(mv, 201)


class ModelHandler(MaestroHandler):
    path = "/models/{name}"
    operations = {
        "get": Operation("A model with its versions, aliases, tags and description", ModelDetail),
        "patch": Operation("Update a model's description", ModelDetail, body=UpdateDescription),
    }

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(lambda s: s.registry.get_model(name)))

    @web.authenticated
    @authorized
    async def patch(self, name: str) -> None:
        req = self.body(UpdateDescription)
        self.send(await self.call(lambda s: s.registry.update_description(name, req.description)))


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
        metrics, versions = self.query_list("metrics") or None, self.query_list("versions") or None
        self.send(await self.call(lambda s: s.registry.compare_versions(name, metrics, versions)))


class ModelTagHandler(MaestroHandler):
    path = "/models/{name}/tags/{key}"
    operations = {
        "put": Operation("Set a model tag", Tag, body=SetTag),
        "delete": Operation("Remove a model tag", None, 204),
    }

    @web.authenticated
    @authorized
    async def put(self, name: str, key: str) -> None:
        req = self.body(SetTag)
        await self.call(lambda s: s.registry.set_tag(name, key, req.value))
        self.send(Tag(key=key, value=req.value))

    @web.authenticated
    @authorized
    async def delete(self, name: str, key: str) -> None:
        await self.call(lambda s: s.registry.delete_tag(name, key))
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
        self.send(await self.call(lambda s: s.registry.get_version(name, alias=alias)))

    @web.authenticated
    @authorized
    async def put(self, name: str, alias: str) -> None:
        req = self.body(SetAlias)
        user = self.acting_user()
        self.send(await self.call(lambda s: s.registry.set_alias(name, alias, req.version, req.override_reason, user)))

    @web.authenticated
    @authorized
    async def delete(self, name: str, alias: str) -> None:
        await self.call(lambda s: s.registry.delete_alias(name, alias))
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
        self.send(await self.call(lambda s: s.registry.get_version(name, version=version)))

    @web.authenticated
    @authorized
    async def patch(self, name: str, version: str) -> None:
        req = self.body(UpdateDescription)
        self.send(await self.call(lambda s: s.registry.update_description(name, req.description, version)))


class VersionTagHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/tags/{key}"
    operations = {
        "put": Operation("Set a version tag", Tag, body=SetTag),
        "delete": Operation("Remove a version tag", None, 204),
    }

    @web.authenticated
    @authorized
    async def put(self, name: str, version: str, key: str) -> None:
        req = self.body(SetTag)
        await self.call(lambda s: s.registry.set_tag(name, key, req.value, version))
        self.send(Tag(key=key, value=req.value))

    @web.authenticated
    @authorized
    async def delete(self, name: str, version: str, key: str) -> None:
        await self.call(lambda s: s.registry.delete_tag(name, key, version))
        self.send(None, 204)


class VersionDownloadHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/download"
    operations = {"get": Operation("The version's artifacts as a zip", content_type="application/zip")}

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        path = await self.call(lambda s: s.registry.download_to_temp(name, version))
        try:
            safe = file_safe(name)
            self.set_header("Content-Type", "application/zip")
            self.set_header("Content-Disposition", f'attachment; filename="{safe}-v{version}.zip"')
            self.set_header("Content-Length", str(os.path.getsize(path)))
            with open(path, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    self.write(chunk)
                    await self.flush()
            self.finish()
        finally:
            path.unlink(missing_ok=True)
