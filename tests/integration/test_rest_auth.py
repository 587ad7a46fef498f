"""Authentication (401 without a token), authorization (resource ``maestro``) and the auth-decorator check."""

from __future__ import annotations

import pytest
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.serverapp import ServerWebApplication

from maestro_jupyter.server.handlers import rules

ROUTES = [
    ("GET", ("models",)),
    ("GET", ("models", "breast-cancer-classifier")),
    ("GET", ("models", "breast-cancer-classifier", "versions", "1")),
    ("GET", ("models", "breast-cancer-classifier", "versions", "1", "download")),
    ("GET", ("experiments",)),
    ("GET", ("openapi.json",)),
    ("GET", ("info",)),
    ("PUT", ("models", "breast-cancer-classifier", "aliases", "champion")),
    ("DELETE", ("models", "breast-cancer-classifier", "aliases", "champion")),
    ("POST", ("models",)),
    ("PATCH", ("models", "breast-cancer-classifier")),
    ("GET", ("no", "such", "route")),
]


@pytest.mark.parametrize(("method", "parts"), ROUTES)
async def test_every_route_refuses_a_request_without_a_token(api, method, parts):
    body = {"version": 1} if method == "PUT" else ({"description": "x"} if method == "PATCH" else None)
    status, err = await api(method, *parts, body=body, headers={"Authorization": ""})
    assert status == 401
    assert err["error"] == "UNAUTHENTICATED"


async def test_refused_mutation_changes_nothing(api):
    await api("DELETE", "models", "breast-cancer-classifier", "aliases", "champion", headers={"Authorization": ""})
    _, model = await api("GET", "models", "breast-cancer-classifier")
    assert model["aliases"]["champion"] == "3"


def test_every_maestro_endpoint_is_decorated_with_authenticated():
    """The extension template's check, run directly on our route table."""
    for pattern, handler in rules():
        assert ServerWebApplication._check_handler_auth(None, pattern, handler) == [], handler.__name__


class DenyMaestro(Authorizer):
    """Lets a user do anything in Jupyter except use Maestro."""

    def is_authorized(self, handler, user, action, resource):
        return resource != "maestro"


class ReadOnlyMaestro(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return resource != "maestro" or action == "read"


class TestDenied:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        jp_server_config.ServerApp.authorizer_class = DenyMaestro
        return jp_server_config

    async def test_a_user_without_the_maestro_permission_gets_403(self, api):
        status, err = await api("GET", "models")
        assert (status, err["error"]) == (403, "PERMISSION_DENIED")
        assert "maestro" in err["message"]


class TestReadOnly:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        jp_server_config.ServerApp.authorizer_class = ReadOnlyMaestro
        return jp_server_config

    async def test_read_permission_allows_reads_but_not_writes(self, api):
        assert (await api("GET", "models"))[0] == 200
        status, err = await api("PUT", "models", "breast-cancer-classifier", "aliases", "x", body={"version": 1})
        assert (status, err["error"]) == (403, "PERMISSION_DENIED")
