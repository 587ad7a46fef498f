"""REST handlers for model cards: read one in any format, edit or approve it, and the card's JSON Schema."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..openapi import Operation, Param
from ..requests import JsonSchemaDocument, UpdateCard
from .base import MaestroHandler

CARD = "maestro_jupyter.analysis.cards.schema:ModelCard"


class CardHandler(MaestroHandler):
    path = "/models/{name}/versions/{version}/card"
    operations = {
        "get": Operation(
            "The version's model card, built from the registry: JSON, Markdown, printable HTML or PDF",
            CARD,
            query=(
                Param("format", "json (default) | md | html | pdf"),
                Param("download", "1: send it as a file download", "integer"),
            ),
            alternatives=("text/markdown", "text/html", "application/pdf"),
        ),
        "put": Operation("Edit, approve or reopen the card; saves it with the version", CARD, body=UpdateCard),
    }

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        fmt = self.query("format", "json")
        download = self.query("download") in ("1", "true")
        card = await self.call(lambda s: s.cards.build(name, version))
        if fmt == "json" and not download:
            self.send(card)
            return
        rendered = await self.call(lambda s: s.cards.render(card, fmt))
        self.send_document(rendered.content, rendered.media_type, rendered.file_name, download)

    @web.authenticated
    @authorized
    async def put(self, name: str, version: str) -> None:
        req = self.body(UpdateCard) if (self.request.body or b"").strip() else UpdateCard()
        user = self.acting_user()
        card = await self.call(
            lambda s: s.cards.update(
                name,
                version,
                sections=req.sections,
                markdown=req.markdown,
                status=req.status,
                comment=req.comment,
                user=user,
            )
        )
        self.send(card)


class CardSchemaHandler(MaestroHandler):
    path = "/cards/schema"
    operations = {"get": Operation("The JSON Schema every card.json validates against", JsonSchemaDocument)}

    @web.authenticated
    @authorized
    async def get(self) -> None:
        from ...analysis.cards import card_json_schema

        self.send(card_json_schema())
