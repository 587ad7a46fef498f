"""Typed results shared by the SDK, the magics and the REST API, by area.

They are pydantic models, so that the REST layer and the transports serialise them and the OpenAPI document
describes them from one definition. Each displays itself: ``_repr_html_`` for notebooks, ``__str__`` as readable
text (see :mod:`.display`). The analysis results (profiles, feature reports, model cards, test reports) are
defined beside the pure code that makes them, in :mod:`maestro_jupyter.analysis`, which imports pandas; this
package imports nothing but pydantic.
"""

from __future__ import annotations

from .compute import (
    DEPLOYMENT_ACTIVE,
    DEPLOYMENT_FINAL,
    JOB_ACTIVE,
    JOB_FINAL,
    Deployment,
    DeploymentList,
    Job,
    JobList,
    JobLogs,
    Prediction,
    Replica,
    Resources,
)
from .costs import (
    Alert,
    AlertList,
    Budget,
    BudgetCheck,
    BudgetList,
    CostGroup,
    CostSummary,
    Estimate,
)
from .registry import (
    Experiment,
    ExperimentPage,
    GateDecision,
    GateOverride,
    ModelDetail,
    ModelPage,
    ModelSummary,
    ModelVersion,
    RunComparison,
    RunPage,
    RunSource,
    RunSummary,
    Signature,
    VersionComparison,
    VersionDetail,
    VersionMetrics,
)
from .runs import (
    ArtifactFile,
    ArtifactList,
    ArtifactPreview,
    ArtifactTable,
    MetricHistories,
    MetricHistory,
    MetricPoint,
)

__all__ = [
    "DEPLOYMENT_ACTIVE",
    "DEPLOYMENT_FINAL",
    "JOB_ACTIVE",
    "JOB_FINAL",
    "Alert",
    "AlertList",
    "ArtifactFile",
    "ArtifactList",
    "ArtifactPreview",
    "ArtifactTable",
    "Budget",
    "BudgetCheck",
    "BudgetList",
    "CostGroup",
    "CostSummary",
    "Deployment",
    "DeploymentList",
    "Estimate",
    "Experiment",
    "ExperimentPage",
    "GateDecision",
    "GateOverride",
    "Job",
    "JobList",
    "JobLogs",
    "MetricHistories",
    "MetricHistory",
    "MetricPoint",
    "ModelDetail",
    "ModelPage",
    "ModelSummary",
    "ModelVersion",
    "Prediction",
    "Replica",
    "Resources",
    "RunComparison",
    "RunPage",
    "RunSource",
    "RunSummary",
    "Signature",
    "VersionComparison",
    "VersionDetail",
    "VersionMetrics",
]
