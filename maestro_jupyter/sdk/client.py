"""``MaestroClient``: the SDK, and the one thing the magics import.

>>> from maestro_jupyter import MaestroClient
>>> ml = MaestroClient()
>>> ml.models.list(search="cancer")
>>> ml.models.get("breast-cancer-classifier", alias="champion")

Each resource API builds a request model and hands it to the client's transport (:mod:`.transport`). On a laptop
that runs the services in-process against the configured stores (the same ones the Jupyter server uses), so what
it changes shows up in the sidebar and the REST API at once. Errors are
:class:`~maestro_jupyter.errors.MaestroError` subclasses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..settings import Settings
from .budgets import BudgetsAPI
from .cards import CardsAPI
from .costs import CostsAPI
from .data import DataAPI
from .deployments import DeploymentsAPI
from .experiments import ExperimentsAPI
from .features import FeatureStoreAPI
from .models import ModelsAPI
from .tests import TestsAPI
from .training import TrainingAPI

if TYPE_CHECKING:
    from .transport import Transport


def open_transport(settings: Settings) -> Transport:
    """The transport a client without one uses: the Maestro service at ``MAESTRO_URL`` over HTTP when it is set
    (a team), else the services in this process."""
    if settings.url:
        from .http import HttpTransport

        return HttpTransport(settings)
    from ..services import Services
    from .transport import InProcessTransport

    return InProcessTransport(Services(settings))


class MaestroClient:
    """The Maestro SDK. ``MaestroClient()`` reads the settings from the environment (see ``settings.py``);
    keyword arguments override them, e.g. ``MaestroClient(tracking_uri="http://mlflow:5000")``."""

    def __init__(self, settings: Settings | None = None, *, transport: Transport | None = None, **overrides: Any):
        if settings is not None and overrides:
            settings = settings.with_overrides(**overrides)
        self._transport = transport or open_transport(settings or Settings.from_env(**overrides))
        self.models = ModelsAPI(self._transport)
        self.experiments = ExperimentsAPI(self._transport)
        self.data = DataAPI(self._transport)
        self.features = FeatureStoreAPI(self._transport)
        self.cards = CardsAPI(self._transport)
        self.tests = TestsAPI(self._transport)
        self.training = TrainingAPI(self._transport)
        self.deployments = DeploymentsAPI(self._transport)
        self.costs = CostsAPI(self._transport)
        self.budgets = BudgetsAPI(self._transport)

    @property
    def settings(self) -> Settings:
        """The resolved settings this client uses."""
        return self._transport.settings

    def __repr__(self) -> str:
        if self.settings.url:
            return f"MaestroClient(url={self.settings.url!r})"
        s = self.settings.public_dict()
        return f"MaestroClient(tracking_uri={s['tracking_uri']!r}, user={s['user']!r}, project={s['project']!r})"
