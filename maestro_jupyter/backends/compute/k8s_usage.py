"""What Kubernetes jobs and deployments used, from the cluster's Prometheus (``MAESTRO_PROMETHEUS_URL``).

cAdvisor's container CPU and memory series and the DCGM exporter's GPU series, joined to kube-state-metrics' pod
labels (``maestro.jupyter/job-id``, ``maestro.jupyter/deployment-id``). Without a Prometheus, or when it has no
series for the pods, the answer is ``None`` and the cost service prices the requests for the run time instead.
"""

from __future__ import annotations

from typing import Any

from ...entities import Deployment, Job
from ...naming import label_value
from ...settings import Settings
from ..prometheus import PrometheusClient
from . import k8s_objects as objects
from .base import Handle, Usage


def job_usage(settings: Settings, namespace: str, job: Job, handle: Handle) -> Usage | None:
    start = job.started_at or job.created_at
    end = job.finished_at or start
    return _usage(settings, handle.get("namespace", namespace), objects.LABEL_JOB, job.id, start, end)


def deployment_usage(
    settings: Settings, namespace: str, deployment: Deployment, handle: Handle, since: float, until: float
) -> Usage | None:
    ns = handle.get("namespace", namespace)
    return _usage(settings, ns, objects.LABEL_DEPLOYMENT, deployment.id, since, until)


def _usage(settings: Settings, namespace: str, label: str, ident: str, start: float, end: float) -> Usage | None:
    if not settings.prometheus_url or end <= start:
        return None
    client = PrometheusClient(settings.prometheus_url)
    found: Any = client.usage(namespace=namespace, label=label, value=label_value(ident), start=start, end=end)
    if not found.found:
        return None
    return Usage(found.cpu_seconds, found.memory_gb_seconds, found.gpu_seconds, found.gpu_type, "prometheus")
