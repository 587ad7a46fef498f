"""The Maestro service of a team: ``python -m maestro_jupyter.server.service [--Maestro.<setting>=... ...]``.

One Jupyter server with only the Maestro extension, run by JupyterHub as a service (a managed service of
``jupyterhub_config.py``, or beside the hub in a cluster) and reached through the hub's proxy at
``/services/<name>/maestro/api/v1/``. It holds what members must not (the Maestro DB, MLflow's credentials, the
compute backend's), and it runs in team mode (``MAESTRO_TEAM``): every request is authenticated by the hub
(:class:`~maestro_jupyter.server.hub_identity.HubIdentityProvider`: the member's hub token, or the OAuth cookie of a
browser), and its actor is that hub user, their admin flag and their groups; no setting names who acts.

Where it listens, and as whom it knows itself to the hub, come from the variables the hub gives its services:

=============================  ======================================================================================
``JUPYTERHUB_SERVICE_NAME``    the service's name (required); a caller's token needs ``access:services!service=<it>``
``JUPYTERHUB_SERVICE_URL``     where it listens (required), e.g. ``http://127.0.0.1:10101``
``JUPYTERHUB_SERVICE_PREFIX``  its URL prefix behind the proxy (default ``/services/<name>/``)
``JUPYTERHUB_API_URL`` / ``_API_TOKEN``  the hub's API and the service's token, to check callers with
=============================  ======================================================================================

It needs JupyterHub's Python package (``pip install 'maestro-jupyter[hub]'``). It has no Jupyter token or password of
its own, serves none of the server's files, kernels or terminals (its root is an empty folder of its own, and the
authorizer opens only Maestro's API), and a request without a hub identity gets a 403. Other arguments are Jupyter
server options (``--Maestro.compute=kubernetes``); those above win over them.

Hub configuration it needs (``jupyterhub_config.py``)::

    c.JupyterHub.services.append({
        "name": "maestro", "url": "http://127.0.0.1:10101", "oauth_no_confirm": True,
        "command": [sys.executable, "-m", "maestro_jupyter.server.service"],
        "environment": {"MAESTRO_DB_URL": ..., "MLFLOW_TRACKING_URI": ...},
    })
    # Members reach it with their tokens (and their servers' tokens, for the SDK in their kernels):
    c.JupyterHub.load_roles = [{"name": "user", "scopes": ["self", "access:services!service=maestro"]}]
    c.Spawner.server_token_scopes = [..., "access:services!service=maestro"]

Projects are hub groups named ``project-<name>`` (``MAESTRO_PROJECT_PREFIX``); Maestro's admins are the hub's admins
and the members of ``maestro-admins`` (``MAESTRO_ADMIN_GROUP``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from jupyter_server.utils import url_path_join

#: Seconds the hub's answer about a token (its user, admin flag and groups) is reused: a change of groups or of the
#: admin flag takes effect within this long.
IDENTITY_CACHE_S = 60


class ServiceConfigError(RuntimeError):
    """The hub did not say what the service needs to run."""


def service_argv(env: Mapping[str, str], root_dir: str) -> list[str]:
    """The Jupyter server options that make a server the team's Maestro service, from the hub's variables."""
    name = env.get("JUPYTERHUB_SERVICE_NAME", "").strip()
    url = env.get("JUPYTERHUB_SERVICE_URL", "").strip()
    if not name or not url:
        raise ServiceConfigError(
            "JUPYTERHUB_SERVICE_NAME and JUPYTERHUB_SERVICE_URL are not set: the Maestro service runs as a JupyterHub "
            "service (give it a 'url' in c.JupyterHub.services)"
        )
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        raise ServiceConfigError(f"JUPYTERHUB_SERVICE_URL must be an http(s) URL, not {url!r}")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "").strip() or f"/services/{name}/"
    return [
        f"--ServerApp.ip={parsed.hostname or ''}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.base_url={prefix}",
        f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.identity_provider_class=maestro_jupyter.server.hub_identity.HubIdentityProvider",
        "--ServerApp.authorizer_class=maestro_jupyter.server.hub_identity.MaestroAuthorizer",
        "--ServerApp.allow_unauthenticated_access=False",
        # Behind the hub's proxy: requests come with the proxy's Host and forwarded headers.
        "--ServerApp.allow_remote_access=True",
        "--ServerApp.trust_xheaders=True",
        "--ServerApp.open_browser=False",
        "--ServerApp.terminals_enabled=False",
        f"--HubOAuth.access_scopes=access:services!service={name}",  # one scope: a set of one from the CLI
        f"--HubOAuth.cache_max_age={IDENTITY_CACHE_S}",
        "--Maestro.team=True",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the service until the hub stops it (SIGTERM)."""
    from jupyter_server.serverapp import ServerApp

    extra = list(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="maestro-service-root-") as root_dir:
        try:
            forced = service_argv(os.environ, root_dir)
            if importlib.util.find_spec("jupyterhub") is None:
                raise ServiceConfigError("JupyterHub is not installed: pip install 'maestro-jupyter[hub]'")
        except ServiceConfigError as exc:
            print(f"maestro service: {exc}", file=sys.stderr)
            return 2
        # Only the Maestro extension (not every extension installed beside it, JupyterLab's included); the options
        # that make it the service come last, so that nothing given before them undoes team mode or the hub's auth.
        app = ServerApp.instance(jpserver_extensions={"maestro_jupyter": True})
        app.initialize([*extra, *forced], find_extensions=False)
        web_app: Any = app.web_app
        behind_the_hub(web_app.settings)
        web_app.add_handlers(".*$", [(url_path_join(app.base_url, "/?"), home_handler())])
        app.start()
    return 0


def home_handler() -> type:
    """The service's page (``/services/<name>/``): where a browser logs in through the hub's OAuth, and is then
    sent to ``maestro/api/v1/info``, which says who Maestro takes them for. (The API itself answers 403 rather than
    redirecting a request that carries no identity.)"""
    from jupyter_server.auth.decorator import authorized
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web

    class ServiceHomeHandler(JupyterHandler):  # type: ignore[misc]
        auth_resource = "maestro"

        @web.authenticated
        @authorized
        def get(self) -> None:
            self.redirect(url_path_join(self.base_url, "maestro/api/v1/info"))

    return ServiceHomeHandler


def behind_the_hub(web_settings: dict[str, Any]) -> None:
    """What JupyterHub's single-user extension does to the web app, for the same identity provider.

    Tornado's own XSRF check runs before the request's user is known, so it would refuse a token-authenticated POST;
    jupyter_server checks XSRF again once the user is known (skipping it for a hub token, requiring it of a browser's
    cookie), so tornado's is turned off. And no page of the service is framed by another site."""
    web_settings["xsrf_cookies"] = False
    web_settings.setdefault("headers", {}).setdefault("Content-Security-Policy", "frame-ancestors 'none'")


if __name__ == "__main__":
    raise SystemExit(main())
