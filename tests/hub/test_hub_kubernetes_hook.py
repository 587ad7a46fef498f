"""The Kubernetes distribution's pre-spawn hook (``jupyterhub/values.yaml``, hub.extraConfig), run for real: the
chart's hub configuration builds a member's pod with KubeSpawner (a kubeconfig pointing nowhere: no cluster is
touched), and its hook asks this suite's running Maestro service (behind a real JupyterHub, with MLflow behind its
login on PostgreSQL) for the member's MLflow account, with the member's own token. The hub pod holds no MLflow
credentials: ``tests/integration/test_hub_kubernetes_values.py`` checks its environment."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import requests

from maestro_jupyter.errors import BackendUnavailable, MaestroError
from tests.hub.hub_server import Hub
from tests.hub_distribution import VALUES, build_pod, container_env, hub_config, hub_db, nowhere_kubeconfig
from tests.prometheus_server import free_port


def spawn(hub: Hub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, user: str, token: str, url: str = "") -> Any:
    """The environment of ``user``'s pod, as the chart's hub builds it at a spawn whose server token is ``token``,
    with the hub's ``MAESTRO_URL`` pointing at ``url`` (default: this suite's Maestro service)."""
    with monkeypatch.context() as hub_process:
        hub_process.setenv("KUBECONFIG", str(nowhere_kubeconfig(tmp_path)))
        hub_process.delenv("KUBERNETES_SERVICE_HOST", raising=False)
        hub_process.setenv("MAESTRO_URL", url or hub.service_url)
        db = hub_db({"admin": True, user: False})
        _, pod = asyncio.run(build_pod(hub_config(VALUES), db, user, "small", api_token=token))
    return container_env(pod["spec"]["containers"][0]["env"], {}), json.dumps(pod)


def test_the_charts_hook_gives_the_member_their_own_mlflow_account_from_the_service(
    hub: Hub, team, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # boss: no other test uses his server's MLflow account, which each spawn here renews.
    first, _ = spawn(hub, monkeypatch, tmp_path, "boss", team.boss.token)
    second, pod = spawn(hub, monkeypatch, tmp_path, "boss", team.boss.token)
    assert first["MLFLOW_TRACKING_USERNAME"] == second["MLFLOW_TRACKING_USERNAME"] == "boss"
    assert first["MLFLOW_TRACKING_PASSWORD"] != second["MLFLOW_TRACKING_PASSWORD"]  # new at each start
    assert second["MLFLOW_TRACKING_URI"] == hub.mlflow_url  # the service's MLflow
    search = f"{hub.mlflow_url}/api/2.0/mlflow/experiments/search"
    member = (second["MLFLOW_TRACKING_USERNAME"], second["MLFLOW_TRACKING_PASSWORD"])
    assert requests.get(search, params={"max_results": 1}, auth=member, timeout=30).status_code == 200
    # The pod carries none of the service's keys.
    service = hub.service_env()
    for key in ("MLFLOW_TRACKING_PASSWORD", "MAESTRO_DB_URL", "JUPYTERHUB_API_TOKEN"):
        assert service[key] not in pod


def test_the_charts_hook_fails_the_spawn_without_a_members_token_or_the_service(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(MaestroError):  # the service does not know the token: no account, no pod
        spawn(hub, monkeypatch, tmp_path, "boss", "not-a-token-of-anyones")
    nowhere = f"http://127.0.0.1:{free_port()}/services/maestro"
    with pytest.raises(BackendUnavailable, match="cannot be reached"):
        spawn(hub, monkeypatch, tmp_path, "boss", "any", url=nowhere)
