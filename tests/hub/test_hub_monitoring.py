"""Monitoring the team hub for real: the hub's ``prometheus-targets`` service keeps a ``file_sd`` file of the running
servers, and Debian's Prometheus, configured by ``jupyterhub/monitoring/prometheus.yml``'s ``maestro`` job with that
file and the hub's ``prometheus`` service token, scrapes every member's Maestro exposition through the proxy."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import yaml

from tests.hub.conftest import PROMETHEUS_TOKEN, TARGETS_FILE
from tests.hub.hub_server import REPO, Hub
from tests.prometheus_server import require_prometheus, run_prometheus

PROMETHEUS_YML = REPO / "jupyterhub" / "monitoring" / "prometheus.yml"
TARGETS_TIMEOUT_S = 30.0


def read_targets(path: Path) -> list[dict[str, Any]]:
    """The file's groups, once the service has written one listing the team (polled within a bound)."""
    deadline = time.monotonic() + TARGETS_TIMEOUT_S
    groups: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        if path.exists():
            groups = json.loads(path.read_text())
            if {"alice", "bob", "boss"} <= {g["labels"]["jupyterhub_user"] for g in groups}:
                return groups
        time.sleep(0.2)  # polling a file another process rewrites
    raise AssertionError(f"{path} did not list the team in {TARGETS_TIMEOUT_S:.0f} s: {groups}")


def test_the_hub_lists_every_running_server_for_prometheus(hub: Hub, team):
    groups = read_targets(hub.home.parent / TARGETS_FILE)
    proxy = hub.url.removeprefix("http://").rstrip("/")
    assert all(g["targets"] == [proxy] for g in groups)
    names = [g["labels"]["jupyterhub_user"] for g in groups]
    assert names == sorted(set(names))  # one group per user, in a stable order


def test_prometheus_scrapes_the_members_through_the_hub(hub: Hub, team, tmp_path: Path):
    require_prometheus()
    targets = hub.home.parent / TARGETS_FILE
    read_targets(targets)
    token = tmp_path / "jupyterhub-token"
    token.write_text(PROMETHEUS_TOKEN)
    shipped = yaml.safe_load(PROMETHEUS_YML.read_text())
    job = copy.deepcopy(next(j for j in shipped["scrape_configs"] if j["job_name"] == "maestro"))
    # The shipped job, pointed at this hub: its file_sd file instead of the example's static targets, its token file.
    job.pop("static_configs", None)
    job["file_sd_configs"] = [{"files": [str(targets)], "refresh_interval": "1s"}]
    job["authorization"]["credentials_file"] = str(token)
    job["scrape_interval"] = job["scrape_timeout"] = "1s"
    config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"}, "scrape_configs": [job]}
    with run_prometheus(tmp_path, config, tmp_path / "data") as prometheus:
        prometheus.wait_for('count(up{job="maestro", instance=~"alice|bob"} == 1) == 2', timeout=60)
        # Each member's own exposition, by path: Maestro's series, scraped from each of the two servers.
        prometheus.wait_for(
            'count(count by (instance) ({job="maestro", instance=~"alice|bob", __name__=~"maestro_.+"})) == 2',
            timeout=30,
        )
