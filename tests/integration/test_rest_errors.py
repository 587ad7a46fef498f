"""Bad input gets a 4xx JSON error, never a 500; unknown things are 404s; every error has error + message."""

from __future__ import annotations

import pytest

MODEL = "breast-cancer-classifier"


@pytest.mark.parametrize(
    ("method", "parts", "kwargs", "status", "code"),
    [
        ("GET", ("models", "no-such-model"), {}, 404, "NOT_FOUND"),
        ("GET", ("models", MODEL, "versions", "99"), {}, 404, "NOT_FOUND"),
        ("GET", ("models", MODEL, "versions", "abc"), {}, 400, "INVALID_PARAMETER"),
        ("GET", ("models", MODEL, "versions", "0"), {}, 400, "INVALID_PARAMETER"),
        ("GET", ("models", MODEL, "aliases", "ghost"), {}, 404, "NOT_FOUND"),
        ("GET", ("models", MODEL, "aliases", "latest"), {}, 400, "INVALID_PARAMETER"),
        ("GET", ("models",), {"params": {"max_results": "0"}}, 400, "INVALID_PARAMETER"),
        ("GET", ("models",), {"params": {"max_results": "many"}}, 400, "INVALID_PARAMETER"),
        ("GET", ("models",), {"params": {"page_token": "not-a-token"}}, 400, "INVALID_PARAMETER"),
        ("GET", ("models",), {"params": {"page_token": "\U0001d4e3\U0001d4f1 token"}}, 400, "INVALID_PARAMETER"),
        ("GET", ("experiments",), {"params": {"page_token": "ümlaut"}}, 400, "INVALID_PARAMETER"),
        ("GET", ("experiments", "maestro-demo-iris", "runs"), {"params": {"page_token": "a b"}}, 400, None),
        ("GET", ("models",), {"params": {"tag": "novalue"}}, 400, "INVALID_PARAMETER"),
        ("GET", ("models",), {"params": {"order_by": "size DESC"}}, 400, "INVALID_PARAMETER"),
        ("GET", ("models",), {"params": {"search": 'it\'s "quoted"'}}, 400, "INVALID_PARAMETER"),
        ("GET", ("experiments", "no-such-exp", "runs"), {}, 404, "NOT_FOUND"),
        ("GET", ("experiments", "maestro-demo-iris", "runs"), {"params": {"order_by": "x; DROP"}}, 400, None),
        ("GET", ("experiments", "maestro-demo-iris", "runs"), {"params": {"filter": "metrics.a >>> 1"}}, 400, None),
        ("GET", ("runs", "0123456789abcdef0123456789abcdef"), {}, 404, "NOT_FOUND"),
        ("GET", ("runs", "bad id!"), {}, 400, "INVALID_PARAMETER"),
        ("GET", ("nothing", "here"), {}, 404, "NOT_FOUND"),
        ("DELETE", ("models", MODEL, "aliases", "ghost"), {}, 404, "NOT_FOUND"),
        ("DELETE", ("models", MODEL, "tags", "ghost"), {}, 404, "NOT_FOUND"),
        ("PUT", ("models", MODEL, "aliases", "champion"), {"body": "{not json"}, 400, "INVALID_PARAMETER"),
        ("PUT", ("models", MODEL, "aliases", "champion"), {"body": {}}, 400, "INVALID_PARAMETER"),
        ("PUT", ("models", MODEL, "aliases", "champion"), {"body": {"version": 42}}, 404, "NOT_FOUND"),
        ("PUT", ("models", MODEL, "aliases", "champion"), {"body": {"version": [1]}}, 400, "INVALID_PARAMETER"),
        ("PUT", ("models", MODEL, "aliases", "v2"), {"body": {"version": 1}}, 400, "INVALID_PARAMETER"),
        ("PUT", ("models", MODEL, "tags", "k"), {"body": {"value": 3}}, 400, "INVALID_PARAMETER"),
        ("PUT", ("models", MODEL, "tags", "k"), {"body": {"value": "x" * 6000}}, 400, "INVALID_PARAMETER"),
        ("PUT", ("models", MODEL, "tags", "k"), {"body": {"value": "v", "extra": 1}}, 400, "INVALID_PARAMETER"),
        ("PATCH", ("models", "no-such-model"), {"body": {"description": "x"}}, 404, "NOT_FOUND"),
        ("PATCH", ("models", MODEL), {"body": "[]"}, 400, "INVALID_PARAMETER"),
        ("POST", ("models",), {"body": {"run_id": "0123456789abcdef0123456789abcdef", "name": "x"}}, 404, None),
        ("POST", ("models",), {"body": {"run_id": "abc", "name": "a/b"}}, 400, "INVALID_PARAMETER"),
        ("POST", ("models",), {"body": {"name": "x"}}, 400, "INVALID_PARAMETER"),
        ("POST", ("models",), {}, 400, "INVALID_PARAMETER"),
        ("POST", ("models", MODEL), {"body": {}}, 405, "METHOD_NOT_ALLOWED"),
    ],
)
async def test_bad_requests_get_a_json_4xx(api, method, parts, kwargs, status, code):
    got, body = await api(method, *parts, **kwargs)
    assert got == status, body
    assert set(body) == {"error", "message"}
    assert body["message"]
    if code:
        assert body["error"] == code


async def test_nothing_was_changed_by_the_rejected_requests(api):
    await api("PUT", "models", MODEL, "aliases", "champion", body={"version": 42})
    await api("PUT", "models", MODEL, "aliases", "champion", body="{not json")
    _, model = await api("GET", "models", MODEL)
    assert model["aliases"]["champion"] == "3"
