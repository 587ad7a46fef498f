"""What Maestro's pods used (CPU, memory, GPU), read from the Prometheus that scrapes the cluster, to cost them.

The series come from cAdvisor (``container_cpu_usage_seconds_total``, ``container_memory_working_set_bytes``), the
NVIDIA DCGM exporter (``DCGM_FI_DEV_GPU_UTIL``, one series per GPU attached to a pod) and kube-state-metrics
(``kube_pod_labels``, which tells which pods carry a Maestro label). Container series are selected by joining them
with ``kube_pod_labels`` on ``(namespace, pod)``; the label side is taken over the whole window (``max_over_time``
evaluated ``@`` the window's end), so that a pod deleted before the end of the window still counts.

Approximations, all documented on :meth:`PrometheusClient.usage`: memory and GPU time are integrated on a grid of
``step`` seconds (15 s, coarser for long windows) as a left Riemann sum of Prometheus's sample-and-hold values; CPU
is exact unless a counter reset inside a series (rare: cAdvisor gives a restarted container a new series), where
Prometheus's extrapolated ``increase()`` stands in.

Only the standard library talks HTTP (``urllib``), imported on first use: this module stays light to import.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..errors import BackendUnavailable, InvalidParameter, first_line

#: Integration grid for memory and GPU time: Prometheus's default scrape interval.
STEP_S = 15
#: Prometheus refuses a range query of more than 11,000 points per series; long windows get a coarser step.
MAX_POINTS = 10_000
#: kube_pod_labels is looked at this much before the window too (Prometheus's default lookback delta), so that a pod
#: whose last kube-state-metrics sample fell just before ``start`` still has its containers' in-window usage counted.
LABEL_SLACK_S = 300
GIB = 2**30

CPU = "container_cpu_usage_seconds_total"
MEMORY = "container_memory_working_set_bytes"
GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL"
#: cAdvisor's pod-level cgroup (``container=""``) and sandbox (``container="POD"``) series would count usage twice.
_REAL_CONTAINERS = 'container!="",container!="POD"'

Labels = dict[str, str]


@dataclass(frozen=True)
class PodUsage:
    """What the pods carrying one label used over a window."""

    cpu_seconds: float  # CPU time used in [start, end]
    memory_gb_seconds: float  # integral of working-set memory, in GiB (2**30 bytes) x seconds
    gpu_seconds: float  # seconds x GPUs attached (allocated GPU time, what clouds bill)
    gpu_type: str | None  # DCGM modelName of the GPUs, if any
    gpu_utilization: float | None  # mean utilisation % over the window, if any GPU
    found: bool  # False when no usage series matched at all (caller falls back to requests x time)


def promql_string(value: str) -> str:
    """``value`` as a double-quoted PromQL string literal (backslashes, quotes and control characters escaped)."""
    out = []
    for char in value:
        if char in '\\"':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def ksm_label_name(key: str) -> str:
    """The name kube-state-metrics gives a Kubernetes pod label in ``kube_pod_labels``:
    ``maestro.jupyter/job-id`` -> ``label_maestro_jupyter_job_id``."""
    return "label_" + re.sub(r"[^a-zA-Z0-9_]", "_", key)


def _duration(seconds: float) -> str:
    # PromQL durations take integers only: milliseconds keep sub-second windows exact.
    return f"{max(1, round(seconds * 1000))}ms"


def _ms(t: float) -> int:
    return round(t * 1000)


def _finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidParameter(f"{name} must be a finite number of seconds, got {value!r}")
    return float(value)


class PrometheusClient:
    """A small client of Prometheus's HTTP query API (``/api/v1/query``, ``/api/v1/query_range``).

    ``url`` is Prometheus's base URL (a path prefix such as ``/prometheus`` is kept); ``token``, if given, is sent
    as ``Authorization: Bearer <token>``. Redirects are not followed, so the token never goes to another host.
    Unreachable Prometheus, a bad URL or an error answer raise :class:`BackendUnavailable` (it is configuration and
    infrastructure, not the caller's request); bad arguments raise :class:`InvalidParameter`.
    """

    def __init__(self, url: str, *, timeout: float = 10.0, token: str | None = None) -> None:
        parts = urlsplit(url.strip()) if isinstance(url, str) else None
        # Messages name the server without any user:password@ the URL may carry.
        shown = re.sub(r"//[^/@]*@", "//", url) if isinstance(url, str) else url
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise BackendUnavailable(f"Prometheus URL must be http(s)://host[:port][/path], got {shown!r}")
        try:
            parts.port  # noqa: B018 (urlsplit checks the port only when asked)
        except ValueError:
            raise BackendUnavailable(f"Prometheus URL has a bad port: {shown!r}") from None
        if _finite("timeout", timeout) <= 0:
            raise InvalidParameter(f"timeout must be positive, got {timeout!r}")
        self.url = url.strip().rstrip("/")
        self.timeout = float(timeout)
        self._token = token
        self._where = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path.rstrip('/')}"

    # --- HTTP --------------------------------------------------------------------------------------------------

    def _call(self, path: str, params: dict[str, str]) -> Any:
        import json
        import urllib.request

        from .plain_http import exchange

        # POST (form-encoded) so that long expressions do not hit URL length limits.
        data = urlencode(params).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")  # noqa: S310 (scheme checked)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", "application/json")
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        status, raw = exchange(request, self.timeout, f"Prometheus at {self._where} cannot be reached")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise BackendUnavailable(f"Prometheus at {self._where} answered HTTP {status} without a JSON body")
        if body.get("status") != "success":
            kind = body.get("errorType") or "error"
            raise BackendUnavailable(
                f"Prometheus at {self._where} answered HTTP {status} ({kind}): {first_line(str(body.get('error')))}"
            )
        return body.get("data")

    def _malformed(self, exc: Exception) -> BackendUnavailable:
        return BackendUnavailable(f"Prometheus at {self._where} sent an unexpected answer: {first_line(exc)}")

    # --- queries -----------------------------------------------------------------------------------------------

    def query(self, expr: str, at: float) -> list[tuple[dict[str, str], float]]:
        """Evaluate ``expr`` at time ``at`` (Unix seconds) -> ``[(labels, value), ...]``.

        An instant vector gives one entry per series; a scalar gives one entry with ``{}`` labels. An expression
        of another type (a range vector, a string) is an :class:`InvalidParameter`."""
        if not isinstance(expr, str) or not expr.strip():
            raise InvalidParameter("a PromQL expression is required")
        data = self._call("/api/v1/query", {"query": expr, "time": f"{_finite('at', at):.3f}"})
        try:
            kind, result = data["resultType"], data["result"]
            if kind == "vector":
                return [(dict(item["metric"]), float(item["value"][1])) for item in result]
            if kind == "scalar":
                return [({}, float(result[1]))]
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise self._malformed(exc) from exc
        kind = "range vector (use query_range)" if kind == "matrix" else kind
        raise InvalidParameter(f"query() takes an instant vector or scalar expression; this one gives a {kind}")

    def query_range(
        self, expr: str, start: float, end: float, step: float
    ) -> list[tuple[dict[str, str], list[tuple[float, float]]]]:
        """Evaluate ``expr`` at ``start``, ``start + step``, ... up to ``end`` -> ``[(labels, [(t, value), ...])]``.

        A series is absent from the steps where it has no value. At most 11,000 steps (Prometheus's limit)."""
        if not isinstance(expr, str) or not expr.strip():
            raise InvalidParameter("a PromQL expression is required")
        start, end, step = _finite("start", start), _finite("end", end), _finite("step", step)
        if end < start:
            raise InvalidParameter(f"end ({end}) is before start ({start})")
        if step <= 0 or (end - start) / step > 11_000:
            raise InvalidParameter(f"step must be positive and give at most 11,000 points, got {step}")
        params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:.3f}"}
        data = self._call("/api/v1/query_range", params)
        try:
            if data["resultType"] != "matrix":
                raise ValueError(f"a {data['resultType']} instead of a matrix")
            return [
                (dict(item["metric"]), [(float(t), float(v)) for t, v in item["values"]]) for item in data["result"]
            ]
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise self._malformed(exc) from exc

    # --- usage -------------------------------------------------------------------------------------------------

    def usage(self, *, namespace: str, label: str, value: str, start: float, end: float) -> PodUsage:
        """What the pods of ``namespace`` labelled ``label=value`` (a Kubernetes label, e.g.
        ``maestro.jupyter/job-id``, and its value as stored on the pods) used in ``[start, end]`` (Unix seconds).

        - CPU: per container series, its value at the end of the window minus its value at ``start`` (or its whole
          value when it started inside the window), summed: exact. A series whose counter reset inside the window
          uses Prometheus's ``increase()`` instead, which extrapolates.
        - Memory and GPUs: evaluated every ``step`` seconds (15 s, or ``window / 10,000`` rounded up when longer) and
          each value held for one step (the last one until ``end``): exact for usage that changes only on that grid,
          otherwise off by at most one step's worth at each change. A series that stops without a staleness marker
          (never the case for scraped data, whose disappearance Prometheus marks) is held for the lookback delta.
          GPU seconds count the DCGM series present at each step (one per GPU attached), whatever the utilisation.
        - ``gpu_type`` is the ``modelName`` with the most GPU seconds; ``gpu_utilization`` is weighted by GPU seconds.
        """
        start, end = _finite("start", start), _finite("end", end)
        if end <= start:
            raise InvalidParameter(f"end ({end}) must be after start ({start})")
        for name, text in (("namespace", namespace), ("label", label), ("value", value)):
            # An empty matcher would select every pod *without* the label: never what a bill wants.
            if not isinstance(text, str) or not text:
                raise InvalidParameter(f"{name} must be a non-empty string")
        window = end - start
        ns = f"namespace={promql_string(namespace)}"
        pods = (
            f"max by (namespace, pod) (max_over_time(kube_pod_labels{{{ns},"
            f"{ksm_label_name(label)}={promql_string(value)}}}[{_duration(window + LABEL_SLACK_S)}] @ {end:.3f}))"
        )

        def joined(expr: str) -> str:
            return f"({expr}) * on(namespace, pod) group_left() {pods}"

        cpu = f"{CPU}{{{ns},{_REAL_CONTAINERS}}}"
        in_window = f"{cpu}[{_duration(window)}]"
        # last - first, where "first" is the value at start (0 for a container that was not running yet); series
        # with a reset inside the window fall back to increase().
        delta = f"last_over_time({in_window}) - ({cpu} @ {start:.3f} or last_over_time({in_window}) * 0)"
        cpu_expr = f"sum({joined(f'(({delta}) unless (resets({in_window}) > 0)) or increase({in_window})')})"
        cpu_result = self.query(cpu_expr, end)

        step = max(STEP_S, math.ceil(window / MAX_POINTS))
        step_ms, end_ms = step * 1000, _ms(end)

        def weight(t: float) -> float:
            # Each value stands for the step after it; the last step is cut at ``end``.
            return max(0, min(step_ms, end_ms - _ms(t))) / 1000

        memory = self.query_range(f"sum({joined(f'{MEMORY}{{{ns},{_REAL_CONTAINERS}}}')})", start, end, step)
        byte_seconds = sum(v * weight(t) for _, points in memory for t, v in points)

        gpus = self.query_range(joined(f"{GPU_UTIL}{{{ns}}}"), start, end, step)
        gpu_seconds = util_seconds = 0.0
        by_model: dict[str, float] = {}
        for labels, points in gpus:
            seconds = sum(weight(t) for t, _ in points)
            gpu_seconds += seconds
            util_seconds += sum(v * weight(t) for t, v in points if not math.isnan(v))
            model = labels.get("modelName")
            if model:
                by_model[model] = by_model.get(model, 0.0) + seconds
        return PodUsage(
            cpu_seconds=sum(v for _, v in cpu_result),
            memory_gb_seconds=byte_seconds / GIB,
            gpu_seconds=gpu_seconds,
            gpu_type=min(by_model, key=lambda m: (-by_model[m], m)) if by_model else None,
            gpu_utilization=util_seconds / gpu_seconds if gpu_seconds > 0 else None,
            found=bool(cpu_result or any(points for _, points in memory) or gpus),
        )
