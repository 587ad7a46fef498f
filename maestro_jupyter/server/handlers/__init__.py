"""REST handlers, one module per resource. :func:`rules` lists them for the extension.

A handler parses the path, query and body into the operation's request model (``request_model``) and hands it to
the services (``execute``) for the authenticated user; it holds no rules of its own.
"""

from __future__ import annotations

from typing import Any

from ..openapi import API_PREFIX, path_regex
from .base import MaestroHandler
from .cards import CardHandler, CardSchemaHandler
from .costs import AlertsHandler, BudgetHandler, BudgetsHandler, CostsHandler, EstimateHandler
from .data import FeaturesHandler, ProfileDataHandler
from .deployments import DeploymentHandler, DeploymentsHandler, PredictHandler
from .experiments import ExperimentRunsHandler, ExperimentsHandler, RunCompareHandler, RunHandler
from .featurestore import FEATURE_STORE_HANDLERS
from .meta import InfoHandler, MetricsHandler, NotFoundHandler, OpenAPIHandler
from .models import (
    AliasHandler,
    CompareVersionsHandler,
    ModelHandler,
    ModelsHandler,
    ModelTagHandler,
    VersionDownloadHandler,
    VersionHandler,
    VersionTagHandler,
)
from .operations import OperationHandler
from .runs import (
    ArtifactDownloadHandler,
    ArtifactPreviewHandler,
    ArtifactsHandler,
    MetricHistoriesHandler,
    MetricHistoryHandler,
)
from .tests import GateHandler, ModelTestRunsHandler, VersionTestsHandler
from .training import CancelJobHandler, JobHandler, JobLogsHandler, JobsHandler

#: Documented handlers, in matching order (a literal path before a template that would also match it).
HANDLERS: list[type[MaestroHandler]] = [
    ModelsHandler,
    ModelHandler,
    CompareVersionsHandler,
    ModelTagHandler,
    AliasHandler,
    VersionHandler,
    VersionTagHandler,
    VersionDownloadHandler,
    CardHandler,
    CardSchemaHandler,
    VersionTestsHandler,
    ModelTestRunsHandler,
    GateHandler,
    ExperimentsHandler,
    ExperimentRunsHandler,
    RunCompareHandler,
    MetricHistoriesHandler,
    RunHandler,
    MetricHistoryHandler,
    ArtifactsHandler,
    ArtifactPreviewHandler,
    ArtifactDownloadHandler,
    ProfileDataHandler,
    FeaturesHandler,
    *FEATURE_STORE_HANDLERS,
    JobsHandler,
    JobHandler,
    CancelJobHandler,
    JobLogsHandler,
    DeploymentsHandler,
    DeploymentHandler,
    PredictHandler,
    CostsHandler,
    EstimateHandler,
    BudgetsHandler,
    BudgetHandler,
    AlertsHandler,
    OperationHandler,
    MetricsHandler,
    InfoHandler,
    OpenAPIHandler,
]


def rules() -> list[tuple[str, Any]]:
    """Tornado URL rules relative to the server's base URL; unknown API paths get a JSON 404."""
    table = [(f"/{API_PREFIX}{path_regex(h.path)}/?", h) for h in HANDLERS]
    return [*table, (f"/{API_PREFIX}(?P<rest>/.*)?", NotFoundHandler)]
