"""Business rules, one service per resource. :class:`Services` builds them from :class:`Settings`.

Each operation is a service method that takes a request model of :mod:`maestro_jupyter.contract` and the
:class:`~maestro_jupyter.contract.base.Actor` it is carried out for; :meth:`Services.execute` finds it from the
request (``operation``), so the SDK's transports and the REST handlers need no table of their own.

The backends are created on first use, so that building ``Services`` (at server start or ``%load_ext``) imports
nothing heavy.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..settings import Settings

if TYPE_CHECKING:
    from ..backends.compute.base import ComputeBackend
    from ..backends.feast_store import FeastBackend
    from ..backends.mlflow_auth import MlflowAuthAdmin
    from ..backends.mlflow_registry import MlflowRegistry
    from ..backends.store import MaestroStore
    from ..contract.base import Actor, Request
    from .access import AccessService
    from .budgets import BudgetService
    from .cards import CardService
    from .costs import CostService
    from .data import DataService
    from .deployments import DeploymentService
    from .entity_serving import EntityServing
    from .experiments import ExperimentService
    from .feature_lineage import FeatureLineageService
    from .featurestore import FeatureStoreService
    from .gate import PromotionGate
    from .modeltests import ModelTestService
    from .registry import RegistryService
    from .runs import RunService
    from .training import TrainingService


class Services:
    """The services of one settings, shared by every face in a process."""

    def __init__(self, settings: Settings | None = None, compute_class: type[ComputeBackend] | None = None) -> None:
        self.settings = settings or Settings.from_env()
        #: Built instead of the backend ``MAESTRO_COMPUTE`` names (the server's ``c.Maestro.compute_backend_class``).
        self.compute_class = compute_class
        self._lock = threading.Lock()
        self._mlflow: MlflowRegistry | None = None

    def execute(self, request: Request, actor: Actor) -> Any:
        """Carry out one request for ``actor``: the service method the request names (``operation``)."""
        service_name, _, method = type(request).operation.partition(".")
        handler = getattr(getattr(self, service_name), method)
        return handler(request, actor)

    def close(self) -> None:
        """Stop what runs in the background for these services: the team service's model index."""
        if self._mlflow is not None and self._mlflow.model_index is not None:
            self._mlflow.model_index.stop()

    @property
    def mlflow(self) -> MlflowRegistry:
        """The MLflow backend, opened (and, when embedded, bootstrapped) on first use."""
        if self._mlflow is None:
            with self._lock:  # two first requests at once must not open the store twice
                if self._mlflow is None:
                    from ..backends.mlflow_registry import MlflowRegistry

                    registry = MlflowRegistry(self.settings)
                    if self.settings.team and self.settings.model_index_sweep:
                        from ..backends.mlflow_registry import is_prompt
                        from ..backends.model_index import ModelIndex

                        # Built here, read by the server's warm-up (ModelIndex.start): until then, MLflow answers.
                        registry.model_index = ModelIndex(registry, self.settings.model_index_sweep, is_prompt)
                    self._mlflow = registry
        return self._mlflow

    @cached_property
    def mlflow_admin(self) -> MlflowAuthAdmin | None:
        """On a team whose MLflow runs behind its login, the service's MLflow admin (members' grants); else ``None``."""
        if not self.settings.team:
            return None
        from ..backends.mlflow_auth import team_mlflow_admin

        return team_mlflow_admin(self.settings.tracking_uri)

    @cached_property
    def access(self) -> AccessService:
        from .access import AccessService

        return AccessService(self.settings, mlflow_admin=lambda: self.mlflow_admin)

    @cached_property
    def registry(self) -> RegistryService:
        from .registry import RegistryService

        return RegistryService(self.mlflow, self.settings, gate=self.gate, mlflow_admin=lambda: self.mlflow_admin)

    @cached_property
    def gate(self) -> PromotionGate:
        from .gate import PromotionGate

        return PromotionGate(self.mlflow, self.settings, store=lambda: self.store)

    @cached_property
    def tests(self) -> ModelTestService:
        from .modeltests import ModelTestService

        return ModelTestService(self.mlflow, self.registry, self.data, self.gate, self.settings)

    @cached_property
    def experiments(self) -> ExperimentService:
        from .experiments import ExperimentService

        return ExperimentService(self.mlflow, self.settings)

    @cached_property
    def runs(self) -> RunService:
        from .runs import RunService

        return RunService(self.mlflow, self.settings)

    @cached_property
    def data(self) -> DataService:
        from .data import DataService

        return DataService(self.settings)

    @cached_property
    def cards(self) -> CardService:
        from .cards import CardService

        return CardService(self.mlflow, self.registry, self.settings, store=lambda: self.store)

    @cached_property
    def store(self) -> MaestroStore:
        """The Maestro DB (jobs, deployments, usage, budgets, alerts), migrated on first use."""
        from ..backends.store import MaestroStore

        if self.settings.embedded_db:
            self.settings.ensure_home()
        # Under the lock MLflow's store is opened with: both may migrate their database with Alembic, whose module
        # globals two migrations running at once in one process would share (a request opening this store while the
        # server's warm-up opens MLflow's failed with alembic's KeyError 'config').
        with self._lock:
            return MaestroStore(self.settings.db_url)

    @cached_property
    def compute(self) -> ComputeBackend:
        """Where jobs and deployments run (``MAESTRO_COMPUTE``, or ``compute_class``). An unknown backend name raises
        ``InvalidParameter`` here, on first use; nothing is cached then, so every request says so."""
        from ..backends.compute import open_backend

        return open_backend(self.settings, self.store, self.compute_class)

    @cached_property
    def training(self) -> TrainingService:
        from .training import TrainingService

        return TrainingService(
            self.settings,
            lambda: self.store,
            lambda: self.compute,
            lambda: self.mlflow,
            lambda: self.costs,
            mlflow_admin=lambda: self.mlflow_admin,
            # A job naming a feature service is checked against, and recorded from, the feature store.
            feast=lambda: self.feast,
        )

    @cached_property
    def feature_lineage(self) -> FeatureLineageService:
        """Which model versions trained on which features (read from their source runs' tags)."""
        from .feature_lineage import FeatureLineageService

        return FeatureLineageService(self.mlflow)

    @cached_property
    def deployments(self) -> DeploymentService:
        from .deployments import DeploymentService

        return DeploymentService(
            self.settings,
            lambda: self.store,
            lambda: self.compute,
            lambda: self.registry,
            lambda: self.gate,
            lambda: self.costs,
            mlflow_admin=lambda: self.mlflow_admin,
            entity_serving=lambda: self.entity_serving,
        )

    @cached_property
    def entity_serving(self) -> EntityServing:
        """Entity-keyed predictions: the online features of a feature service, for the deployments that serve it."""
        from .entity_serving import EntityServing

        return EntityServing(lambda: self.registry, lambda: self.feast)

    @cached_property
    def budgets(self) -> BudgetService:
        from .budgets import BudgetService

        return BudgetService(self.settings, lambda: self.store)

    @cached_property
    def costs(self) -> CostService:
        from .costs import CostService

        return CostService(self.settings, lambda: self.store, lambda: self.compute, lambda: self.mlflow, self.budgets)

    @cached_property
    def feast(self) -> FeastBackend:
        """The Feast feature repository (``MAESTRO_FEAST_REPO``), opened on first use: Feast itself is imported then."""
        from ..backends.feast_store import FeastBackend

        return FeastBackend(self.settings)

    @cached_property
    def featurestore(self) -> FeatureStoreService:
        from .featurestore import FeatureStoreService

        return FeatureStoreService(self.settings, lambda: self.feast)
