"""A Kubernetes job and deployment priced from a real Prometheus fed with known cAdvisor, DCGM and kube-state-metrics
series: costs checked to the cent, per GPU type; no series means requests x run time."""

from __future__ import annotations

import time

import pytest
from kubernetes import client as k8s

from maestro_jupyter.backends.compute.kubernetes import KubernetesCompute
from maestro_jupyter.entities import Deployment, Job, Resources
from maestro_jupyter.services import Services
from maestro_jupyter.settings import Settings
from tests.integration.test_prometheus_usage import B, pod_series
from tests.prometheus_server import backfilled_prometheus, openmetrics, require_prometheus

HOUR = 3600


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    require_prometheus()
    job_labels = {"maestro_jupyter_job_id": "job-0000c0de", "maestro_jupyter_user": "alice"}
    dep_labels = {"maestro_jupyter_deployment_id": "churn-champion"}
    series = [
        # 2 CPUs busy for an hour, 4 GiB held, one A100.
        *pod_series(
            "maestro-job-0000c0de-x7k2p",
            labels=job_labels,
            containers={"trainer": (lambda t: 2.0 * (t - B), 4.0)},
            start=B,
            end=B + HOUR,
            gpus={"0": 90.0},
        ),
        # A serving pod at half a CPU and 1 GiB for two hours.
        *pod_series(
            "churn-champion-5d9f-abcde",
            labels=dep_labels,
            containers={"server": (lambda t: 0.5 * (t - B), 1.0)},
            start=B,
            end=B + 2 * HOUR,
        ),
    ]
    with backfilled_prometheus(openmetrics(series), tmp_path_factory.mktemp("prom")) as server:
        yield server


@pytest.fixture
def services(prometheus, maestro_home):
    settings = Settings.from_env(
        {},
        home=str(maestro_home),
        compute="kubernetes",
        k8s_namespace="team-a",
        prometheus_url=prometheus.url,
        price_gpu_types=(("a100", 2.90), ("t4", 0.35)),
    )
    services = Services(settings)
    # The usage comes from Prometheus; the Kubernetes API is never called for it.
    services.__dict__["compute"] = KubernetesCompute(settings, api_client=k8s.ApiClient())
    return services


def _job(job_id: str, start: float, end: float, **resources) -> Job:
    return Job(
        id=job_id,
        name="train",
        status="succeeded",
        user="alice",
        project="churn",
        backend="kubernetes",
        kind="script",
        source="train.py",
        resources=Resources(**resources),
        created_at=start - 5,
        started_at=start,
        finished_at=end,
    )


def test_a_job_is_priced_from_its_pods_usage_to_the_cent(services):
    job = _job("job-0000c0de", B, B + HOUR, cpus=8, memory="32Gi", gpus=1)
    services.store.insert_job(job, {"namespace": "team-a"})
    row = services.costs.settle_job(job, {"namespace": "team-a"})
    assert row is not None
    assert row.measured_by == "prometheus"
    assert (row.cpu_seconds, row.memory_gb_seconds, row.gpu_seconds) == (7200.0, 4.0 * HOUR, 1.0 * HOUR)
    assert row.gpu_type == "NVIDIA A100-SXM4-40GB"
    # 2 CPU-hours x $0.05 + 4 GiB-hours x $0.005 + 1 A100-hour x $2.90 (not the $0.50 default, nor the $0.35 of a T4)
    assert row.cost_micros == 3_020_000
    assert row.rates["gpu_hour"] == 2.90
    assert services.training.store.get_job(job.id)[0].cost == 3.02


def test_a_deployment_stretch_is_the_counter_difference(services):
    deployment = Deployment(
        id="churn-champion",
        model="churn",
        version="3",
        status="ready",
        user="alice",
        project="churn",
        backend="kubernetes",
        replicas=1,
        endpoint="",
        created_at=B - 60,
        updated_at=B,
    )
    usage, _ = services.compute.deployment_usage(deployment, {"namespace": "team-a"}, B + HOUR, B + 2 * HOUR, {})
    assert usage is not None
    # Half a CPU for the second hour only, and 1 GiB for it: $0.025 + $0.005.
    assert (usage.cpu_seconds, usage.memory_gb_seconds) == (1800.0, 1.0 * HOUR)
    assert services.costs.rates.cost_micros(usage.cpu_seconds, usage.memory_gb_seconds) == 30_000


def test_without_usage_series_the_requests_are_priced_for_the_run_time(services):
    start = time.time() - 2 * HOUR
    job = _job("job-0000dead", start, start + HOUR / 2, cpus=4, memory="8Gi")
    services.store.insert_job(job, {"namespace": "team-a"})
    row = services.costs.settle_job(job, {"namespace": "team-a"})
    assert row is not None
    assert row.measured_by == "requested"
    # 4 CPUs and 8 GiB for half an hour: $0.10 + $0.02.
    assert (row.cpu_seconds, row.memory_gb_seconds) == (4 * HOUR / 2, 8 * HOUR / 2)
    assert row.cost_micros == 120_000
