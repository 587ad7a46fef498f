"""Prometheus ``file_sd`` targets for ``prometheus.yml``'s ``maestro`` job: one per running single-user server.

JupyterHub runs this as a managed service (``jupyterhub_config.py`` starts it when ``MAESTRO_HUB_PROMETHEUS_TARGETS``
names the file to write). Every ``--interval`` seconds it asks the hub's API which users have a ready server and,
when that changed, rewrites the file atomically (Prometheus re-reads a ``file_sd`` file when it changes)::

    [{"targets": ["<proxy host:port>"], "labels": {"jupyterhub_user": "alice"}}, ...]

The hub gives the service its API URL and token (``JUPYTERHUB_API_URL``, ``JUPYTERHUB_API_TOKEN``); its role needs
only ``list:users`` and ``read:servers``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

PAGE = 200


def ready_users(api_url: str, token: str) -> list[str]:
    """The names of the users whose default server is ready, sorted, through every page of ``GET /users``."""
    names: list[str] = []
    offset = 0
    while True:
        query = urllib.parse.urlencode({"state": "ready", "offset": offset, "limit": PAGE})
        if not api_url.startswith(("http://", "https://")):
            raise ValueError(f"not an http URL: {api_url}")
        request = urllib.request.Request(f"{api_url.rstrip('/')}/users?{query}")  # noqa: S310 - checked above
        request.add_header("Authorization", f"token {token}")
        request.add_header("Accept", "application/jupyterhub-pagination+json")
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            page: dict[str, Any] = json.load(response)
        for user in page["items"]:
            server = (user.get("servers") or {}).get("")
            if server and server.get("ready"):
                names.append(user["name"])
        if not page.get("_pagination", {}).get("next"):
            return sorted(names)
        offset += PAGE


def file_sd(users: list[str], proxy: str) -> list[dict[str, Any]]:
    """One target group per user: the proxy's address, labelled with the user (the scrape job's relabelling turns
    the label into the metrics path ``/user/<name>/maestro/api/v1/metrics``)."""
    return [{"targets": [proxy], "labels": {"jupyterhub_user": name}} for name in users]


def write_atomically(path: Path, groups: list[dict[str, Any]]) -> None:
    """Prometheus must never read a half-written file: write beside it, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        json.dump(groups, handle, indent=1)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="the file_sd JSON file to write")
    parser.add_argument("--proxy", required=True, help="host:port at which Prometheus reaches the hub's proxy")
    parser.add_argument("--interval", type=float, default=15.0, help="seconds between two looks at the hub")
    args = parser.parse_args(argv)
    api_url, token = os.environ["JUPYTERHUB_API_URL"], os.environ["JUPYTERHUB_API_TOKEN"]
    written: list[dict[str, Any]] | None = None
    while True:
        try:
            groups = file_sd(ready_users(api_url, token), args.proxy)
        except (OSError, ValueError, KeyError) as exc:  # the hub restarting: keep the last file, try again
            print(f"hub_targets: cannot list the users: {exc}", file=sys.stderr)
        else:
            if groups != written:
                write_atomically(args.path, groups)
                written = groups
        time.sleep(args.interval)  # a poller by nature: the hub has no change feed


if __name__ == "__main__":
    main()
