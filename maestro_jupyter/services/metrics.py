"""The Prometheus exposition (``GET maestro/api/v1/metrics``): costs, budgets, jobs, deployment requests and model
metrics, in the text format (0.0.4).

Counters built from the Maestro DB (cost, usage, alerts, the job-duration histogram) only grow while records are
kept, so they are real counters to ``rate()`` even though each scrape recomputes them. Deployment request counters
live in this process (the server that proxies predictions); they start again at zero when it restarts, which
``rate()`` and ``increase()`` handle as a counter reset.

The series read from the MLflow registry (``maestro_model_*``) are read in the background, never by a scrape: a
scrape waits for a reading at most :data:`MLFLOW_WAIT_S` and otherwise serves the last good one, so a hung tracking
server cannot make it miss Prometheus' scrape time-out. ``maestro_metrics_mlflow_age_seconds`` says how old they are.

Names follow Prometheus' conventions (``promtool check metrics``): base units (seconds, bytes), ``_total`` on
counters, the unit before it.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..entities import DEPLOYMENT_ACTIVE, JOB_FINAL
from ..errors import MaestroError
from .pricing import MICROS

if TYPE_CHECKING:
    from ..backends.registry_facts import VersionFacts
    from ..backends.store import MaestroStore
    from . import Services

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Bytes in a GiB: the ledger keeps memory in GiB x seconds, the exposition in bytes x seconds (a base unit).
GIB = 2**30
#: The longest a scrape waits for the registry's series (well inside Prometheus' default 10 s scrape time-out).
MLFLOW_WAIT_S = 1.0
#: How old the registry's series may be before a scrape starts reading them again: scrapes come every few seconds,
#: versions rarely.
MLFLOW_TTL_S = 30.0
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


def exposition(services: Services, mlflow_wait: float = MLFLOW_WAIT_S) -> str:
    """The whole exposition, read from the Maestro DB, this process's request counters and the registry's series as
    last read (waiting up to ``mlflow_wait`` seconds for a fresh reading when they are older than
    :data:`MLFLOW_TTL_S`)."""
    store = services.store
    ledger = store.ledger
    out: list[str] = []

    totals = ledger.totals_by(("user", "project", "model", "version", "kind"))
    out += _family("maestro_cost_dollars_total", "counter", "Spend recorded in the ledger, in dollars")
    for row in totals:
        labels = {k: row[k] for k in ("user", "project", "model", "version", "kind")}
        out.append(_sample("maestro_cost_dollars_total", labels, row["cost_micros"] / MICROS))
    usage = ledger.totals_by(("user", "project", "kind"))
    for name, column, scale, text in (
        ("maestro_usage_cpu_seconds_total", "cpu_seconds", 1, "CPU time used"),
        ("maestro_usage_memory_bytes_seconds_total", "memory_gb_seconds", GIB, "Memory held, bytes x seconds"),
        ("maestro_usage_gpu_seconds_total", "gpu_seconds", 1, "GPUs held, GPUs x seconds"),
    ):
        out += _family(name, "counter", text)
        out += [_sample(name, {k: r[k] for k in ("user", "project", "kind")}, r[column] * scale) for r in usage]

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
    out += registry_series(services).lines(mlflow_wait)
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


class RegistrySeries:
    """The exposition's series read from the MLflow registry, kept up to date in the background.

    A reading runs on a thread of its own, one at a time, so a hung tracking server holds that one thread (for
    MLflow's time-out) and nothing else; a failed reading keeps the last good series, and their age grows."""

    def __init__(self, services: Services) -> None:
        # A weak reference: the series are kept per services object, which must not be kept alive by them.
        self._services = weakref.ref(services)
        self._lock = threading.Lock()
        self._lines: list[str] | None = None
        self._read_at: float | None = None  # monotonic time of the last good reading
        self._failed = False  # whether the last reading failed
        self._reading: threading.Event | None = None  # set when the reading in progress ends

    def lines(self, wait: float = MLFLOW_WAIT_S) -> list[str]:
        """The series as last read, and their age; a reading starts when they are older than
        :data:`MLFLOW_TTL_S`, and is waited for up to ``wait`` seconds."""
        with self._lock:
            fresh = self._read_at is not None and time.monotonic() - self._read_at < MLFLOW_TTL_S
            # A reading that an earlier scrape started and waited for is not waited for again while there are
            # series to serve: while MLflow hangs, scrapes after the first answer at once.
            waited_for = self._reading is not None and self._lines is not None
            done = None if fresh else self._start()
        if done is not None and not waited_for:
            done.wait(wait)
        with self._lock:
            lines, read_at = list(self._lines or _model_families([])), self._read_at
        age = float("inf") if read_at is None else time.monotonic() - read_at
        name = "maestro_metrics_mlflow_age_seconds"
        text = "Seconds since the maestro_model_* series were last read from MLflow (+Inf: not yet)"
        return [*lines, *_family(name, "gauge", text), f"{name} {_number(age)}"]

    def refresh(self) -> bool:
        """Read the registry's series now (blocking); whether the reading succeeded."""
        with self._lock:
            done = self._start()
        done.wait()
        with self._lock:
            return self._read_at is not None and not self._failed

    def _start(self) -> threading.Event:
        """The event of the reading in progress, starting one if none is (call with the lock held)."""
        if self._reading is None:
            self._reading = threading.Event()
            threading.Thread(
                target=self._read, args=(self._reading,), name="maestro-metrics-mlflow", daemon=True
            ).start()
        return self._reading

    def _read(self, done: threading.Event) -> None:
        lines: list[str] | None = None
        try:
            services = self._services()
            if services is not None:
                from ..backends.registry_facts import version_facts

                lines = _model_families(version_facts(services.mlflow))
        except MaestroError as exc:
            log.warning("Maestro metrics: the registry's series are kept as last read: %s", exc)
        except Exception:  # a reading must never stop the exposition; the traceback goes to the log
            log.exception("Maestro metrics: reading the registry's series failed")
        finally:
            with self._lock:
                self._failed = lines is None
                if lines is not None:
                    self._lines, self._read_at = lines, time.monotonic()
                self._reading = None
            done.set()


_series: weakref.WeakKeyDictionary[Services, RegistrySeries] = weakref.WeakKeyDictionary()
_series_lock = threading.Lock()


def registry_series(services: Services) -> RegistrySeries:
    """The registry's series of ``services`` (one reader per services object, shared by every scrape)."""
    with _series_lock:
        series = _series.get(services)
        if series is None:
            series = _series[services] = RegistrySeries(services)
        return series


def _model_families(facts: Iterable[VersionFacts]) -> list[str]:
    from ..tagkeys import COST_TRAIN

    facts = list(facts)
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
    return out


# --- the text format -------------------------------------------------------------------------------------------------


def _family(name: str, kind: str, text: str) -> list[str]:
    return [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]


def _sample(name: str, labels: Mapping[str, str], value: float) -> str:
    inner = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
    return f"{name}{{{inner}}} {_number(value)}"


def _number(value: float) -> str:
    """A sample value in the text format (``+Inf``, ``-Inf`` and ``NaN`` as Prometheus spells them)."""
    value = float(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


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
