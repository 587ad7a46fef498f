"""The metrics exposition passes Prometheus' own linter (Debian's ``promtool check metrics``) with every family it
declares carrying samples: jobs, deployments, usage, budgets, alerts, prediction requests and the registry's series
are all seeded (with real stores: the Maestro DB and the seeded MLflow registry)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest

from maestro_jupyter import MaestroClient
from maestro_jupyter.entities import Deployment, Job
from maestro_jupyter.services import Services
from maestro_jupyter.services.metrics import GIB, REQUESTS, exposition
from maestro_jupyter.settings import Settings
from maestro_jupyter.tagkeys import COST_TRAIN
from tests.cost_helpers import usage_row
from tests.prometheus_server import require_prometheus

#: The registry's series are read in the background; here the test waits for them (they are part of what is linted).
REGISTRY_WAIT_S = 120.0
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$")


@pytest.fixture
def services(maestro_home: Path) -> Services:
    return Services(Settings.from_env({}, home=str(maestro_home)))


def _seed(services: Services, ml: MaestroClient) -> None:
    """A sample for every family: a finished job, a serving deployment with proxied requests, usage in the ledger, a
    project budget overspent (so its alerts fire), and a version with a training cost."""
    store = services.store
    now = time.time()
    store.insert_job(
        Job(
            id="job-0000feed",
            name="train",
            status="succeeded",
            user="alice",
            project="churn",
            backend="local",
            kind="script",
            source="train.py",
            created_at=now - 400,
            started_at=now - 390,
            finished_at=now - 300,
            cost=0.5,
        ),
        {},
    )
    store.insert_deployment(
        Deployment(
            id="iris-champion",
            model="iris-classifier",
            version="1",
            status="ready",
            user="alice",
            project="churn",
            backend="local",
            replicas=1,
            ready_replicas=1,
            endpoint="maestro/api/v1/deployments/iris-champion/predict",
            created_at=now - 120,
            updated_at=now - 60,
        ),
        {},
    )
    REQUESTS.observe("iris-champion", "iris-classifier", "1", 200, 0.012)
    store.ledger.record(usage_row("job-0000feed", 1_500_000, model="iris-classifier", version="1"))
    ml.budgets.set("project:churn", amount=1.0)
    services.budgets.check({("project", "churn")})  # (setting it may have fired them already)
    assert store.ledger.alert_counts(), "spending 150% of the budget fires its alerts"
    services.mlflow.set_version_tag("iris-classifier", "1", COST_TRAIN, "0.5")


def _samples_by_family(text: str) -> dict[str, list[tuple[str, float]]]:
    families: dict[str, str] = {}
    samples: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            families[name] = kind
            samples.setdefault(name, [])
        elif line and not line.startswith("#"):
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            name, labels, value = match.groups()
            family = next(f for f in (name, re.sub(r"_(bucket|sum|count)$", "", name)) if f in families)
            samples[family].append((labels or "", float(value)))
    return dict(samples)


def test_every_family_has_samples_and_promtool_finds_no_problem(services: Services, ml: MaestroClient) -> None:
    require_prometheus()
    _seed(services, ml)
    text = exposition(services, mlflow_wait=REGISTRY_WAIT_S)

    samples = _samples_by_family(text)
    empty = sorted(name for name, found in samples.items() if not found)
    assert not empty, f"families without a sample (seed them, so that promtool sees them): {empty}"
    assert "maestro_metrics_mlflow_age_seconds" in samples

    promtool = shutil.which("promtool")
    assert promtool is not None
    result = subprocess.run(  # Debian's promtool, reading the exposition on stdin
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, ""), text


def test_memory_is_exposed_in_bytes_seconds(services: Services) -> None:
    # Prometheus' base unit is the byte: the ledger's GiB x seconds are scaled, not renamed.
    services.store.ledger.record(usage_row("job-0000cafe", 1000, memory_gb_seconds=3.0))
    text = exposition(services, mlflow_wait=0)
    (line,) = [line for line in text.splitlines() if line.startswith("maestro_usage_memory_bytes_seconds_total{")]
    assert float(line.rsplit(" ", 1)[1]) == 3.0 * GIB
    assert "gb_seconds" not in text


def test_the_registry_age_says_when_the_series_were_read(services: Services) -> None:
    text = exposition(services, mlflow_wait=REGISTRY_WAIT_S)
    (line,) = [line for line in text.splitlines() if line.startswith("maestro_metrics_mlflow_age_seconds ")]
    assert 0 <= float(line.split(" ")[1]) < REGISTRY_WAIT_S
    assert any(line.startswith('maestro_model_metric{model="iris-classifier"') for line in text.splitlines())
