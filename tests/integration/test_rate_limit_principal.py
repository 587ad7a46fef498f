"""The change limit is per principal, on a real Jupyter server: however many browser sessions (cookies) or tokens a
person uses, they share one budget (4 cookie sessions once made 240 changes in 2.2 s against a limit of 60 a
minute), while another person keeps a budget of their own."""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie
from typing import Any

import pytest
from jupyter_server.auth import IdentityProvider, User

LIMIT = 6
SESSIONS = 4


@pytest.fixture
def maestro_config(maestro_config: dict[str, Any]) -> dict[str, Any]:
    # A long window: nothing refills while the test runs.
    return {**maestro_config, "rate_limit": LIMIT, "rate_window": 3600}


async def _change(jp_fetch: Any, n: int, headers: dict[str, str] | None = None) -> int:
    """One change (a tag on a model); the response's status."""
    resp = await jp_fetch(
        "maestro",
        "api",
        "v1",
        "models",
        "iris-classifier",
        "tags",
        f"k{n}",
        method="PUT",
        body=json.dumps({"value": "v"}),
        headers=headers,
        raise_error=False,
    )
    return int(resp.code)


async def _browser_session(jp_fetch: Any) -> dict[str, str]:
    """The headers of a new browser session: the server's token opens it once (the server answers with a login
    cookie, naming a fresh anonymous user); from then on the browser sends the cookie, and an XSRF token, as the
    sidebar does, and no token."""
    resp = await jp_fetch("maestro", "api", "v1", "info")
    cookies = SimpleCookie()
    for header in resp.headers.get_list("Set-Cookie"):
        cookies.load(header)
    login = [name for name in cookies if name.startswith("username-")]
    assert login, resp.headers.get_list("Set-Cookie")
    xsrf = secrets.token_hex(16)
    jar = "; ".join([*(f"{name}={cookies[name].value}" for name in login), f"_xsrf={xsrf}"])
    return {"Authorization": "", "Cookie": jar, "X-XSRFToken": xsrf}


async def test_sessions_and_the_token_of_one_server_share_its_owners_budget(jp_fetch: Any) -> None:
    sessions = [await _browser_session(jp_fetch) for _ in range(SESSIONS)]
    who = set()
    for headers in sessions:  # each session is a user of its own to Jupyter: a name it made up
        resp = await jp_fetch("api", "me", headers=headers)
        who.add(json.loads(resp.body)["identity"]["username"])
    assert len(who) == SESSIONS
    # The sessions and the bare token take turns: 3 rounds of 5 callers, 15 changes against a limit of 6.
    callers: list[dict[str, str] | None] = [*sessions, None]
    codes = [await _change(jp_fetch, n, callers[n % len(callers)]) for n in range(3 * len(callers))]
    assert set(codes) == {200, 429}
    assert codes.count(200) == LIMIT  # one budget: the server's one owner's
    assert codes[LIMIT:] == [429] * (len(codes) - LIMIT)


class TokensOfUsers(IdentityProvider):  # type: ignore[misc]
    """An identity provider whose tokens name people, as a hub's do: alice holds two (her laptop's and her
    browser's), bob one."""

    TOKENS = {"alice-laptop": "alice", "alice-browser": "alice", "bob-laptop": "bob"}

    async def get_user(self, handler: Any) -> User | None:
        match = self.auth_header_pat.match(handler.request.headers.get("Authorization", ""))
        name = self.TOKENS.get(match.group(2)) if match else None
        return User(username=name) if name else None


class TestPerUser:
    @pytest.fixture
    def jp_server_config(self, jp_server_config: Any) -> Any:
        jp_server_config.ServerApp.identity_provider_class = f"{__name__}.TokensOfUsers"
        # Its tokens travel in a header, which a browser never adds on its own: no XSRF token needed (as on a hub).
        jp_server_config.ServerApp.disable_check_xsrf = True
        return jp_server_config

    async def test_a_users_tokens_share_one_budget_and_another_user_keeps_theirs(self, jp_fetch: Any) -> None:
        def token(value: str) -> dict[str, str]:
            return {"Authorization": f"token {value}"}

        alice = [token("alice-laptop"), token("alice-browser")]
        codes = [await _change(jp_fetch, n, alice[n % 2]) for n in range(2 * LIMIT)]
        assert codes == [200] * LIMIT + [429] * LIMIT  # her two tokens drew on one budget
        bob = [await _change(jp_fetch, n, token("bob-laptop")) for n in range(LIMIT + 1)]
        assert bob == [200] * LIMIT + [429]  # alice's use spent none of bob's
