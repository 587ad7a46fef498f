"""REST handlers for model cards: read one in any format, edit or approve it, and the card's JSON Schema."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...contract.cards import GenerateCard, RenderCard, UpdateCard
from ...entities.meta import JsonSchemaDocument
from ..openapi import Operation, Param, flag
from .base import MaestroHandler

CARD = "maestro_jupyter.analysis.cards.schema:ModelCard"


class CardHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/card"
    operations = {
        "get": Operation(
            "The version's model card, built from the registry: JSON, Markdown, printable HTML or PDF",
            CARD,
            query=(
                Param("format", "json (default) | md | html | pdf", enum=("json", "md", "html", "pdf")),
                flag("download", "1: send it as a file download"),
            ),
            alternatives=("text/markdown", "text/html", "application/pdf"),
        ),
        "put": Operation("Edit, approve or reopen the card; saves it with the version", CARD, body=UpdateCard),
    }

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        fmt = self.query("format", "json")
        download = self.query_int("download") == 1
        if fmt == "json" and not download:
            self.send(
                await self.execute(self.request_model(GenerateCard, body=False, name=name, version=version, save=False))
            )
            return
        req = self.request_model(RenderCard, body=False, name=name, version=version, format=fmt)
        document = await self.execute(req)
        self.send_document(document.content, document.media_type, document.file_name, download)

    @web.authenticated
    @authorized
    async def put(self, name: str, version: str) -> None:
        has_body = bool((self.request.body or b"").strip())  # an empty body regenerates and saves the card
        req = self.request_model(UpdateCard, body=has_body, name=name, version=version)
        self.send(await self.execute(req))


class CardSchemaHandler(MaestroHandler):
    path = "/cards/schema"
    operations = {"get": Operation("The JSON Schema every card.json validates against", JsonSchemaDocument)}

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from ...analysis.cards import card_json_schema

        self.send(card_json_schema())
