"""Bad input gets a 4xx JSON error, never a 500; unknown things are 404s; every error has error + message."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import urllib.parse

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


# --- crafted input that used to reach a 500 (issue 19, item 6) -----------------------------------------------------


def _token(value: object) -> str:
    """A page token as MLflow writes one (base64 of JSON), holding ``value``."""
    return base64.b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize("value", [{"offset": 1e308}, [1, 2], {"offset": True}, {"offset": 2**70}, "text"])
@pytest.mark.parametrize("parts", [("models",), ("experiments",), ("experiments", "maestro-demo-iris", "runs")])
async def test_a_forged_page_token_is_a_400(api, parts, value):
    status, body = await api("GET", *parts, params={"page_token": _token(value)})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER"), body
    assert body["message"] == "Invalid page_token: pass back a next_page_token exactly as it was returned"


async def test_a_page_token_that_was_returned_still_pages(api):
    _, first = await api("GET", "models", params={"max_results": "1"})
    assert first["next_page_token"]
    status, second = await api("GET", "models", params={"max_results": "1", "page_token": first["next_page_token"]})
    assert status == 200, second
    assert second["models"][0]["name"] != first["models"][0]["name"]


@pytest.mark.parametrize(
    "condition", ["attributes.start_time > -99999999999999999999999", "attributes.end_time < 9223372036854775808"]
)
async def test_a_run_filter_number_beyond_64_bits_is_a_400(api, condition):
    status, body = await api("GET", "experiments", "maestro-demo-iris", "runs", params={"filter": condition})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER"), body
    assert "64-bit" in body["message"]


async def test_a_run_filter_within_bounds_still_filters(api):
    condition = "attributes.start_time > -9223372036854775808 and metrics.accuracy > 0.5"
    status, body = await api("GET", "experiments", "maestro-demo-iris", "runs", params={"filter": condition})
    assert status == 200, body
    assert body["runs"]
    assert all(run["metrics"]["accuracy"] > 0.5 for run in body["runs"])


async def test_alerts_after_beyond_its_bound_is_a_400_naming_it(api):
    status, body = await api("GET", "alerts", params={"after": "99999999999999999999999"})
    assert (status, body["error"]) == (400, "INVALID_PARAMETER"), body
    assert body["message"].startswith("after must be from 0 to ")


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
async def test_a_deeply_nested_json_body_is_a_400(api, depth):
    body = '{"inputs": ' + "[" * depth + "]" * depth + "}"
    status, answer = await api("POST", "deployments", "no-such-deployment", "predict", body=body)
    assert (status, answer["error"]) == (400, "INVALID_PARAMETER"), answer
    assert answer["message"] == "The request body nests deeper than 64 levels"


async def test_a_body_within_the_depth_limit_reaches_the_service(api):
    body = '{"inputs": ' + "[" * 60 + "]" * 60 + "}"
    status, answer = await api("POST", "deployments", "no-such-deployment", "predict", body=body)
    assert (status, answer["error"]) == (404, "NOT_FOUND"), answer


async def test_a_log_offset_past_the_end_reads_nothing(api):
    status, job = await api("POST", "training", "jobs", body={"source": "print('hello')", "name": "offsets"})
    assert status == 201, job
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "starting", "running") and time.monotonic() < deadline:
        await asyncio.sleep(0.2)  # polling a real process to its end, within a bound
        _, job = await api("GET", "training", "jobs", job["id"])
    assert job["status"] == "succeeded", job
    status, logs = await api("GET", "training", "jobs", job["id"], "logs", params={"offset": "100000000000000"})
    assert status == 200, logs
    assert (logs["text"], logs["complete"]) == ("", True)
    assert logs["offset"] == logs["next_offset"] == len(b"hello\n")
    status, logs = await api("GET", "training", "jobs", job["id"], "logs", params={"offset": str(2**53)})
    assert (status, logs["error"]) == (400, "INVALID_PARAMETER"), logs
    assert logs["message"] == f"offset must be from 0 to {2**53 - 1}, not {2**53}"


# --- strict queries (issue 19, item 9) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "query", "message"),
    [
        (("models",), "search=", "search is empty: give a value or leave the parameter out"),
        (("models",), "max_results=5&max_results=6", "max_results is given 2 times; give it once"),
        (("models",), "max_results=true", "max_results must be a whole number, not 'true'"),
        (("models",), "max_results=2.0", "max_results must be a whole number, not '2.0'"),
        (("models",), "max_results=1001", "max_results must be from 1 to 1000, not 1001"),
        (("models",), "order_by=size", "order_by must be one of name ASC, name DESC, last_updated_timestamp DESC, "),
        (("models",), "tag=", "tag is empty: give a value or leave the parameter out"),
        (("experiments",), "page_token=", "page_token is empty: give a value or leave the parameter out"),
        (("training", "jobs"), "limit=", "limit is empty: give a value or leave the parameter out"),
        (("training", "jobs"), "limit=0", "limit must be from 1 to 1000, not 0"),
        (("deployments",), "all=true", "all must be a whole number, not 'true'"),
        (("deployments",), "all=2", "all must be from 0 to 1, not 2"),
        (("alerts",), "limit=1&limit=1", "limit is given 2 times; give it once"),
        (("costs",), "window=.exe", "Invalid window '.exe': "),
        (("costs",), "by=team", "by must be one of user, project, model, version, kind, not 'team'"),
        (("models", MODEL, "versions", "1", "card"), "download=true", "download must be a whole number, not 'true'"),
        (("models", MODEL, "versions", "1", "card"), "format=docx", "format must be one of json, md, html, pdf, "),
    ],
)
async def test_a_lenient_query_is_a_400_naming_the_parameter(api, parts, query, message):
    # A list of pairs keeps what a dict would lose: a repeated name, an empty value.
    status, body = await api("GET", *parts, params=urllib.parse.parse_qsl(query, keep_blank_values=True))
    assert (status, body["error"]) == (400, "INVALID_PARAMETER"), body
    assert body["message"].startswith(message), body


async def test_a_strict_query_still_takes_what_the_document_allows(api):
    status, body = await api("GET", "models", params={"max_results": "1", "order_by": "name DESC", "search": "classif"})
    assert status == 200, body
    assert [m["name"] for m in body["models"]] == ["iris-classifier"]
    status, body = await api("GET", "deployments", params={"all": "1"})
    assert status == 200, body


# --- authentication and methods (issue 19, item 9) ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_a_request_without_credentials_is_a_401(api, method):
    body = None if method in ("GET", "DELETE") else {"version": 1}
    status, answer = await api(method, "models", MODEL, "aliases", "champion", body=body, headers={"Authorization": ""})
    assert status == 401, answer
    assert answer["error"] == "UNAUTHENTICATED"
    assert "Authorization: token" in answer["message"]
    assert "_xsrf" not in answer["message"]


async def test_a_401_names_its_scheme(jp_fetch):
    resp = await jp_fetch("maestro", "api", "v1", "models", headers={"Authorization": ""}, raise_error=False)
    assert resp.code == 401
    assert resp.headers["WWW-Authenticate"].startswith("token")


@pytest.mark.parametrize(
    ("method", "parts", "allowed"),
    [
        ("POST", ("models", MODEL), "GET, PATCH"),
        ("DELETE", ("models",), "GET, POST"),
        ("GET", ("training", "jobs", "job-0000abcd", "cancel"), "POST"),
        ("PUT", ("budgets", "project", "churn"), None),  # allowed: no 405
    ],
)
async def test_a_405_lists_the_allowed_methods(jp_fetch, method, parts, allowed):
    body = "{}" if method in ("POST", "PUT", "PATCH") else None
    resp = await jp_fetch("maestro", "api", "v1", *parts, method=method, body=body, raise_error=False)
    if allowed is None:
        assert resp.code != 405
        return
    assert resp.code == 405
    assert resp.headers["Allow"] == allowed
    assert json.loads(resp.body)["error"] == "METHOD_NOT_ALLOWED"
