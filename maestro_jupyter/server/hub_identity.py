"""JupyterHub authenticates the team service's requests: who calls, and nothing else, comes from the hub.

- :class:`HubIdentityProvider` (jupyter_server's ``IdentityProvider``): each request's hub token
  (``Authorization: token ...`` or ``Bearer ...``), or, for a browser, the OAuth cookie the service sets once the hub
  has logged the person in, is checked with the hub (``GET /hub/api/user``, through
  :class:`jupyterhub.services.auth.HubOAuth`, cached for ``HubOAuth.cache_max_age`` seconds). Only a token with the
  scope ``access:services!service=<the service's name>`` gets in; the user it returns carries the hub's user model
  (name, admin flag, groups), from which the handlers build the Maestro actor
  (:func:`~maestro_jupyter.contract.base.hub_actor`). It is JupyterHub's own single-user provider with one change:
  the service's own hub token is never shown as the server's token (nor written into its runtime file).
- :class:`MaestroAuthorizer`: an authenticated hub user may use Maestro's API (whose rules, in the services, decide
  what they may do), and nothing else of the Jupyter server: no contents, kernels or terminals, since the service's
  files and processes hold the team's credentials.

Used by :mod:`maestro_jupyter.server.service`; importing this module imports JupyterHub.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth import Authorizer
from jupyterhub.singleuser.extension import JupyterHubIdentityProvider

#: The only jupyter_server authorization resource a hub user is given: Maestro's handlers (``auth_resource``).
MAESTRO_RESOURCE = "maestro"


class HubIdentityProvider(JupyterHubIdentityProvider):  # type: ignore[misc]
    """The hub user of each request's token or OAuth cookie, if it may access this service; else no one (a 403
    from Maestro's API, a redirect to the hub's login for a browser page)."""

    @property
    def token(self) -> str:
        # JupyterHub's provider reports the service's own hub API token as the server's token, which jupyter_server
        # logs in URLs and writes into the runtime file. The service accepts no token of its own: say none.
        return ""


class MaestroAuthorizer(Authorizer):  # type: ignore[misc]
    """Maestro's API for any hub user with access to the service; the rest of the Jupyter server for no one."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        if resource != MAESTRO_RESOURCE:
            return False
        model = getattr(user, "hub_user", None)
        if not isinstance(model, dict):
            return False
        # The identity provider checked the access scope already; checked again, as JupyterHub's own authorizer does.
        hub_auth: Any = getattr(self.identity_provider, "hub_auth", None)
        if hub_auth is None:
            return False
        return bool(hub_auth.check_scopes(hub_auth.access_scopes, model))
