"""A minimal JupyterHub whose one managed service is the team's Maestro service, for tests/hub/test_team_service.py.

No user servers: members reach Maestro with their own hub tokens through the proxy, at ``/services/maestro/``.
Users: alice (group project-churn), bob (project-fraud), boss (hub admin), dana (no group); a ``tester`` service
holds a token that makes users' tokens and changes groups. Everything else comes from ``SERVICE_HUB_*`` variables
the test sets: ports, the hub's home, the proxy, the tester's token and the Maestro service's environment (JSON).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by JupyterHub when it loads this file

HOME = Path(os.environ["SERVICE_HUB_HOME"])
c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['SERVICE_HUB_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ['SERVICE_HUB_API_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{HOME / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HOME / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(HOME / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(HOME / "proxy.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['SERVICE_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [os.environ["SERVICE_HUB_PROXY"]]

# Logins (for the browser's OAuth path) with one test password; tokens are what the API tests use.
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["SERVICE_HUB_PASSWORD"]
c.Authenticator.allowed_users = {"alice", "bob", "boss", "dana"}
c.Authenticator.admin_users = {"boss"}
c.JupyterHub.load_groups = {"project-churn": {"users": ["alice"]}, "project-fraud": {"users": ["bob"]}}

c.JupyterHub.services = [
    {
        "name": "maestro",
        "url": f"http://127.0.0.1:{os.environ['SERVICE_HUB_MAESTRO_PORT']}",
        "command": [
            sys.executable,
            "-m",
            "maestro_jupyter.server.service",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        "cwd": str(HOME),
        "oauth_no_confirm": True,
        "environment": json.loads(os.environ["SERVICE_HUB_MAESTRO_ENV"]),
    },
    {"name": "tester", "api_token": os.environ["SERVICE_HUB_TESTER_TOKEN"]},
]
c.JupyterHub.load_roles = [
    # Every member may reach the Maestro service (the default user role has only "self").
    {"name": "user", "scopes": ["self", "access:services!service=maestro"]},
    {"name": "tester", "scopes": ["admin:users", "admin:groups", "tokens"], "services": ["tester"]},
]
