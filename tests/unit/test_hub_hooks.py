"""The hub's pre-spawn call to the Maestro service fails the spawn with a message that names what went wrong. (The
call that succeeds runs against the real hub and service: ``tests/hub/test_hub_kubernetes_hook.py``.)"""

from __future__ import annotations

import pytest

from maestro_jupyter.errors import BackendUnavailable
from maestro_jupyter.hub_hooks import member_mlflow_env
from tests.prometheus_server import free_port


def test_a_service_that_does_not_answer_fails_the_spawn_naming_it() -> None:
    url = f"http://127.0.0.1:{free_port()}/services/maestro"
    with pytest.raises(BackendUnavailable, match=f"The Maestro service at {url} cannot be reached"):
        member_mlflow_env(url, "token", timeout=5)


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "maestro:8000"])
def test_only_an_http_service_is_asked(url: str) -> None:
    with pytest.raises(BackendUnavailable, match="MAESTRO_URL must be"):
        member_mlflow_env(url, "token")
