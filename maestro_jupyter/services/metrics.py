"""The Prometheus exposition (``GET maestro/api/v1/metrics``): costs, budgets, jobs, deployment requests and model
metrics, in the text format (0.0.4).

Counters built from the Maestro DB (cost, usage, alerts, the job-duration histogram) only grow while records are
kept, so they are real counters to ``rate()`` even though each scrape recomputes them. Deployment request counters
live in this process (the server that proxies predictions); they start again at zero when it restarts, which
``rate()`` and ``increase()`` handle as a counter reset.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..entities import DEPLOYMENT_ACTIVE, JOB_FINAL
from ..errors import MaestroError
from .pricing import MICROS

if TYPE_CHECKING:
    from ..backends.store import MaestroStore
    from . import Services

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DURATION_BUCKETS = (10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400)


class RequestMetrics:
    """Prediction requests proxied by this process: counts by status code and a latency histogram."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
        self._buckets: dict[tuple[str, str, str], list[int]] = {}
        self._sums: dict[tuple[str, str, str], float] = defaultdict(float)

    def observe(self, deployment: str, model: str, version: str, code: int, seconds: float) -> None:
        key = (deployment, model, version)
        with self._lock:
            self._counts[(*key, str(code))] += 1
            buckets = self._buckets.setdefault(key, [0] * (len(LATENCY_BUCKETS) + 1))
            buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
            self._sums[key] += seconds

    def lines(self) -> list[str]:
        with self._lock:
            counts = dict(self._counts)
            buckets = {k: list(v) for k, v in self._buckets.items()}
            sums = dict(self._sums)
        out = _family("maestro_deployment_requests_total", "counter", "Prediction requests proxied, by status code")
        for (dep, model, version, code), n in sorted(counts.items()):
            out.append(_sample("maestro_deployment_requests_total", _dep(dep, model, version, code=code), n))
        name = "maestro_deployment_request_duration_seconds"
        out += _family(name, "histogram", "Prediction latency through the proxy")
        for key, per_bucket in sorted(buckets.items()):
            out += _histogram(name, _dep(*key), per_bucket, LATENCY_BUCKETS, sums[key])
        return out


#: This process's prediction counters (the server proxies predictions; a kernel's own calls are not scraped).
REQUESTS = RequestMetrics()


def exposition(services: Services) -> str:
    """The whole exposition, read from the Maestro DB, the registry and this process's request counters."""
    store = services.store
    ledger = store.ledger
    out: list[str] = []

    totals = ledger.totals_by(("user", "project", "model", "version", "kind"))
    out += _family("maestro_cost_dollars_total", "counter", "Spend recorded in the ledger, in dollars")
    for row in totals:
        labels = {k: row[k] for k in ("user", "project", "model", "version", "kind")}
        out.append(_sample("maestro_cost_dollars_total", labels, row["cost_micros"] / MICROS))
    usage = ledger.totals_by(("user", "project", "kind"))
    for name, column, text in (
        ("maestro_usage_cpu_seconds_total", "cpu_seconds", "CPU time used"),
        ("maestro_usage_memory_gb_seconds_total", "memory_gb_seconds", "Memory held, GiB x seconds"),
        ("maestro_usage_gpu_seconds_total", "gpu_seconds", "GPUs held, GPUs x seconds"),
    ):
        out += _family(name, "counter", text)
        out += [_sample(name, {k: r[k] for k in ("user", "project", "kind")}, r[column]) for r in usage]

    budgets = services.budgets.all()
    for name, text in (
        ("maestro_budget_amount_dollars", "Budget per period"),
        ("maestro_budget_spent_dollars", "Spent in the current period"),
        ("maestro_budget_used_ratio", "Spent / budget (1 = 100%)"),
    ):
        out += _family(name, "gauge", text)
        for b in budgets:
            value = {"amount": b.amount, "spent": b.spent, "used": b.spent / b.amount}[name.split("_")[2]]
            labels = {"budget": b.id, "scope": b.scope, "subject": b.subject, "period": b.period}
            out.append(_sample(name, labels, value))
    out += _family("maestro_alerts_total", "counter", "Budget alerts fired")
    for row in ledger.alert_counts():
        labels = {"budget": f"{row['scope']}:{row['subject']}", "threshold": str(row["threshold"])}
        out.append(_sample("maestro_alerts_total", labels, row["count"]))

    out += _job_lines(store)
    out += _deployment_lines(store)
    out += REQUESTS.lines()
    out += _model_lines(services)
    return "\n".join(out) + "\n"


def _job_lines(store: MaestroStore) -> list[str]:
    timings = store.job_timings()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    per_key: dict[tuple[str, str], list[float]] = defaultdict(list)
    for project, status, started, finished in timings:
        counts[(project, status)] += 1
        if status in JOB_FINAL and started is not None and finished is not None:
            per_key[(project, status)].append(finished - started)
    out = _family("maestro_jobs", "gauge", "Training jobs by status")
    out += [_sample("maestro_jobs", {"project": p, "status": s}, n) for (p, s), n in sorted(counts.items())]
    name = "maestro_job_duration_seconds"
    out += _family(name, "histogram", "Run time of finished training jobs")
    for (project, status), durations in sorted(per_key.items()):
        buckets = [0] * (len(DURATION_BUCKETS) + 1)
        for seconds in durations:
            buckets[bisect.bisect_left(DURATION_BUCKETS, seconds)] += 1
        out += _histogram(name, {"project": project, "status": status}, buckets, DURATION_BUCKETS, sum(durations))
    return out


def _deployment_lines(store: MaestroStore) -> list[str]:
    out = _family("maestro_deployment_replicas", "gauge", "Replicas of active deployments")
    for dep, _ in store.list_deployments(statuses=DEPLOYMENT_ACTIVE, limit=1000):
        for state, count in (("desired", dep.replicas), ("ready", dep.ready_replicas)):
            out.append(_sample("maestro_deployment_replicas", _dep(dep.id, dep.model, dep.version, state=state), count))
    return out


_model_cache: tuple[float, list[str]] = (0.0, [])
_MODEL_TTL_S = 30.0


def _model_lines(services: Services) -> list[str]:
    """Model metrics from the registry, cached briefly: scrapes come every few seconds, versions rarely."""
    global _model_cache
    taken, lines = _model_cache
    if time.monotonic() - taken < _MODEL_TTL_S and lines:
        return lines
    from ..backends.registry_facts import version_facts
    from ..tagkeys import COST_TRAIN

    try:
        facts = version_facts(services.mlflow)
    except MaestroError:
        facts = []  # the registry is down: the rest of the exposition still answers
    out = _family("maestro_model_metric", "gauge", "Run metrics of registered versions, one series per alias")
    for f in facts:
        for alias in f.aliases or ("",):
            for metric, value in sorted(f.metrics.items()):
                labels = {"model": f.model, "version": f.version, "alias": alias, "metric": metric}
                out.append(_sample("maestro_model_metric", labels, value))
    out += _family("maestro_model_training_seconds", "gauge", "How long each version's source run took")
    out += [
        _sample("maestro_model_training_seconds", {"model": f.model, "version": f.version}, f.training_seconds)
        for f in facts
        if f.training_seconds is not None
    ]
    out += _family("maestro_model_cost_to_train_dollars", "gauge", "What training each version cost")
    for f in facts:
        if COST_TRAIN in f.tags:
            try:
                cost = float(f.tags[COST_TRAIN])
            except ValueError:
                continue
            out.append(_sample("maestro_model_cost_to_train_dollars", {"model": f.model, "version": f.version}, cost))
    _model_cache = (time.monotonic(), out)
    return out


# --- the text format -------------------------------------------------------------------------------------------------


def _family(name: str, kind: str, text: str) -> list[str]:
    return [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]


def _sample(name: str, labels: Mapping[str, str], value: float) -> str:
    inner = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
    return f"{name}{{{inner}}} {float(value)!r}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _dep(deployment: str, model: str, version: str, **extra: str) -> dict[str, str]:
    return {"deployment": deployment, "model": model, "version": version, **extra}


def _histogram(
    name: str, labels: Mapping[str, str], per_bucket: list[int], bounds: Iterable[float], total: float
) -> list[str]:
    out, running = [], 0
    for bound, count in zip([*bounds, float("inf")], per_bucket, strict=True):
        running += count
        le = "+Inf" if bound == float("inf") else f"{float(bound)!r}"
        out.append(_sample(f"{name}_bucket", {**labels, "le": le}, running))
    out.append(_sample(f"{name}_sum", labels, total))
    out.append(_sample(f"{name}_count", labels, running))
    return out
