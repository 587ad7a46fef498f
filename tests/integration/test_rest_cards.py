"""Model cards through the REST API of a real Jupyter server: every format, editing, approval, errors."""

from __future__ import annotations

import io

import jsonschema
import pypdf
import pytest

MODEL = "breast-cancer-classifier"
CARD = ("models", MODEL, "versions", "3", "card")
REQUIRED = {
    "owners": [{"name": "Ana Ruiz", "contact": "ana@example.org"}],
    "license": "apache-2.0",
    "intended_use": "Second opinion for screening reviews.",
    "out_of_scope_use": "Diagnosis.",
    "limitations": "569 cases.",
    "ethical_considerations": "Keep a clinician in the loop.",
}


async def test_json_card_validates_against_the_served_schema(api):
    status, card = await api("GET", *CARD)
    assert status == 200
    _, schema = await api("GET", "cards", "schema")
    jsonschema.validate(card, schema)
    assert card["facts"]["model"]["name"] == MODEL
    assert card["facts"]["model"]["version"] == "3"
    assert card["approval"]["status"] == "draft"


@pytest.mark.parametrize(
    ("fmt", "media_type", "start"),
    [("md", "text/markdown", b"---\n"), ("html", "text/html", b"<!DOCTYPE html>"), ("pdf", "application/pdf", b"%PDF")],
)
async def test_each_format_with_its_media_type(api, jp_fetch, fmt, media_type, start):
    resp = await jp_fetch("maestro", "api", "v1", *CARD, params={"format": fmt})
    assert resp.code == 200
    assert resp.headers["Content-Type"].startswith(media_type)
    assert resp.body.startswith(start)
    assert resp.headers["Content-Disposition"].startswith("inline")
    if fmt == "html":
        assert "script-src" not in resp.headers["Content-Security-Policy"]  # default-src 'none': no scripts
    download = await jp_fetch("maestro", "api", "v1", *CARD, params={"format": fmt, "download": "1"})
    assert download.headers["Content-Disposition"] == f'attachment; filename="{MODEL}-v3-card.{fmt}"'


async def test_put_edits_approves_and_records_the_server_user(api, jp_fetch):
    status, card = await api("PUT", *CARD, body={"sections": REQUIRED})
    assert status == 200
    assert card["sections"]["license"] == "apache-2.0"
    assert "Owners" not in card["completeness"]["missing"]
    _, version = await api("GET", "models", MODEL, "versions", "3")
    assert version["tags"]["maestro.card.section.limitations"] == "569 cases."
    status, card = await api("PUT", *CARD, body={"status": "approved", "comment": "ok by risk"})
    assert status == 200
    assert card["approval"]["status"] == "approved"
    assert card["approval"]["comment"] == "ok by risk"
    # The shared token names nobody (Jupyter makes up a random user per request): the server's Maestro user signs.
    _, info = await api("GET", "info")
    assert card["approval"]["approved_by"] == info["user"]
    pdf = (await jp_fetch("maestro", "api", "v1", *CARD, params={"format": "pdf"})).body
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Status: Approved" in text
    assert "Keep a clinician in the loop." in text
    status, card = await api("PUT", *CARD, body={"status": "draft"})
    assert card["approval"]["status"] == "draft"


async def test_put_loads_an_edited_markdown_card(api, jp_fetch):
    md = (await jp_fetch("maestro", "api", "v1", *CARD, params={"format": "md"})).body.decode()
    marker = "<!-- maestro:section limitations -->\n"
    edited = md.replace(f"{marker}_Not written yet._", f"{marker}Small data.")
    status, card = await api("PUT", *CARD, body={"markdown": edited})
    assert status == 200
    assert card["sections"]["limitations"] == "Small data."


@pytest.mark.parametrize(
    ("method", "parts", "kwargs", "status", "message"),
    [
        ("GET", ("models", "nope", "versions", "1", "card"), {}, 404, "nope"),
        ("GET", ("models", MODEL, "versions", "99", "card"), {}, 404, "99"),
        ("GET", ("models", MODEL, "versions", "x", "card"), {}, 400, "version"),
        ("GET", CARD, {"params": {"format": "docx"}}, 400, "format must be one of json, md, html, pdf"),
        ("PUT", CARD, {"body": {"sections": {"mood": "sunny"}}}, 400, "Unknown card section"),
        ("PUT", CARD, {"body": {"status": "published"}}, 400, "status"),
        ("PUT", CARD, {"body": {"sections": {"owners": "x" * 300}}}, 400, "owners"),
        ("PUT", CARD, {"body": {"status": "approved"}}, 400, "write Owners"),
        ("PUT", CARD, {"body": {"markdown": "nothing here"}}, 400, "no Maestro card sections"),
        ("PUT", CARD, {"body": "{not json"}, 400, "not valid JSON"),
    ],
)
async def test_bad_requests_are_4xx_json(api, method, parts, kwargs, status, message):
    code, body = await api(method, *parts, **kwargs)
    assert code == status, body
    assert set(body) == {"error", "message"}
    assert message in body["message"], body
