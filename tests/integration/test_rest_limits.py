"""Rate limiting of mutating routes, and 503 when the tracking server cannot be reached."""

from __future__ import annotations

import socket

import pytest


class TestRateLimit:
    @pytest.fixture
    def maestro_config(self, maestro_config):
        return {**maestro_config, "rate_limit": 3, "rate_window": 3600}

    async def test_fourth_change_in_the_window_gets_429_with_retry_after(self, api, jp_fetch):
        for i in range(3):
            status, _ = await api("PUT", "models", "iris-classifier", "tags", f"k{i}", body={"value": "v"})
            assert status == 200
        resp = await jp_fetch(
            "maestro",
            "api",
            "v1",
            "models",
            "iris-classifier",
            "tags",
            "k9",
            method="PUT",
            body='{"value": "v"}',
            raise_error=False,
        )
        assert resp.code == 429
        assert int(resp.headers["Retry-After"]) > 0
        assert b'"RATE_LIMITED"' in resp.body

    async def test_reads_are_not_limited(self, api):
        for _ in range(6):
            assert (await api("GET", "models"))[0] == 200


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TestTrackingServerDown:
    @pytest.fixture
    def maestro_config(self, maestro_config):
        return {**maestro_config, "tracking_uri": f"http://127.0.0.1:{_unused_port()}"}

    @pytest.fixture(autouse=True)
    def _fail_fast(self, monkeypatch):
        monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")

    async def test_unreachable_tracking_server_is_503(self, api):
        status, err = await api("GET", "models")
        assert (status, err["error"]) == (503, "BACKEND_UNAVAILABLE")
        assert "unavailable" in err["message"]

    async def test_info_still_answers(self, api):
        status, info = await api("GET", "info")
        assert status == 200
        assert info["tracking_uri"].startswith("http://127.0.0.1:")
