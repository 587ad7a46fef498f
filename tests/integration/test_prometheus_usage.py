"""PrometheusClient.usage against a real Prometheus backfilled with known cAdvisor, DCGM and kube-state-metrics series.

All data sits a few hours in the past (see tests/prometheus_server.py), on a 15 s grid aligned with the windows, so
that every expected number below is exact.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from maestro_jupyter.backends.prometheus import (
    GIB,
    PodUsage,
    PrometheusClient,
    ksm_label_name,
    promql_string,
)
from maestro_jupyter.errors import BackendUnavailable, InvalidParameter
from tests.prometheus_server import (
    PrometheusServer,
    Series,
    backfilled_prometheus,
    free_port,
    hours_ago,
    openmetrics,
    require_prometheus,
    scraping_prometheus,
)

NS = "team-a"
JOB = "maestro.jupyter/job-id"
DEPLOYMENT = "maestro.jupyter/deployment-id"
#: Start of all data: pods run from here on, sampled every 15 s.
B = hours_ago(5)
SCRAPE = 15
#: Prometheus's default lookback delta: how long a backfilled series (no staleness marker) outlives its last sample.
LOOKBACK = 300
QUOTED = 'we"ird\\job'


def times(start: int, end: int, every: int = SCRAPE) -> list[int]:
    return list(range(start, end + 1, every))


def pod_series(
    pod: str,
    *,
    labels: dict[str, str],
    containers: dict[str, tuple[Callable[[int], float], float]],
    start: int,
    end: int,
    namespace: str = NS,
    gpus: dict[str, float] | None = None,
) -> list[Series]:
    """A pod alive in [start, end]: its kube_pod_labels, and per container a CPU counter (a function of time) and a
    constant working set (GiB); ``gpus`` maps GPU index to a constant utilisation."""
    ts = times(start, end)
    ksm = {f"label_{k}": v for k, v in labels.items()}
    out = [Series("kube_pod_labels", {"namespace": namespace, "pod": pod, **ksm}, [(t, 1) for t in ts[::2]])]
    for container, (cpu, memory_gib) in containers.items():
        where = {"namespace": namespace, "pod": pod, "container": container}
        out.append(Series("container_cpu_usage_seconds_total", where, [(t, cpu(t)) for t in ts], "counter"))
        out.append(Series("container_memory_working_set_bytes", where, [(t, memory_gib * GIB) for t in ts]))
    for gpu, util in (gpus or {}).items():
        where = {
            "namespace": namespace,
            "pod": pod,
            "container": "trainer",
            "gpu": gpu,
            "UUID": f"GPU-{pod}-{gpu}",
            "modelName": "NVIDIA A100-SXM4-40GB",
        }
        out.append(Series("DCGM_FI_DEV_GPU_UTIL", where, [(t, util) for t in ts]))
    return out


def since(rate: float, offset: float) -> Callable[[int], float]:
    return lambda t: offset + rate * (t - B)


def restarted(t: int) -> float:
    # Counts up 1 CPU-second per second to 300 at B+300, then resets to 0 at B+315 and climbs again.
    return float(t - B) if t <= B + 300 else float(t - B - 315)


SERIES = [
    # The job under test: two containers, the sandbox (POD) and the pod-level cgroup (""), both to be ignored.
    *pod_series(
        "maestro-job-1234abcd-0",
        labels={"maestro_jupyter_job_id": "job-1234abcd", "maestro_jupyter_user": "alice"},
        containers={
            "trainer": (since(0.5, 2), 2.0),
            "sidecar": (since(0.1, 1), 0.5),
            "POD": (since(100, 0), 100.0),
            "": (since(100, 0), 50.0),
        },
        start=B,
        end=B + 1800,
        gpus={"0": 80.0, "1": 40.0},
    ),
    # Another job's pod, same namespace and container names, and the job's label in another namespace.
    *pod_series(
        "maestro-job-9999ffff-0",
        labels={"maestro_jupyter_job_id": "job-9999ffff"},
        containers={"trainer": (since(7, 0), 9.0)},
        start=B,
        end=B + 1800,
        gpus={"0": 99.0},
    ),
    *pod_series(
        "maestro-job-1234abcd-0",
        namespace="team-b",
        labels={"maestro_jupyter_job_id": "job-1234abcd"},
        containers={"trainer": (since(7, 0), 9.0)},
        start=B,
        end=B + 1800,
    ),
    # A deployment's pod, running for an hour.
    *pod_series(
        "maestro-dep-5678-7d9f-abcde",
        labels={"maestro_jupyter_deployment_id": "dep-5678"},
        containers={"server": (since(0.25, 10), 1.0)},
        start=B,
        end=B + 3600,
    ),
    # A job pod deleted ten minutes in.
    *pod_series(
        "maestro-job-0ne0ne00-0",
        labels={"maestro_jupyter_job_id": "job-gone0001"},
        containers={"trainer": (since(1, 3), 4.0)},
        start=B,
        end=B + 600,
    ),
    # A label value that needs escaping, and one that an unescaped query would confuse with it.
    *pod_series(
        "pod-quoted",
        labels={"maestro_jupyter_job_id": QUOTED},
        containers={"main": (since(0.2, 5), 1.0)},
        start=B,
        end=B + 600,
    ),
    *pod_series(
        "pod-we",
        labels={"maestro_jupyter_job_id": "we"},
        containers={"main": (since(9, 0), 9.0)},
        start=B,
        end=B + 600,
    ),
    # A container restarted in place: its counter resets inside the window.
    *pod_series(
        "pod-restarted",
        labels={"maestro_jupyter_job_id": "job-restart1"},
        containers={"main": (restarted, 1.0)},
        start=B,
        end=B + 600,
    ),
]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    require_prometheus()
    with backfilled_prometheus(openmetrics(SERIES), tmp_path_factory.mktemp("prometheus")) as server:
        yield server


@pytest.fixture
def client(prometheus: PrometheusServer) -> PrometheusClient:
    return PrometheusClient(prometheus.url)


def test_a_job_pod_counts_its_containers_only(client: PrometheusClient) -> None:
    usage = client.usage(namespace=NS, label=JOB, value="job-1234abcd", start=B - 600, end=B + 1800)
    # The containers started inside the window: their whole counters (902 and 181), not POD's or the cgroup's.
    assert usage.cpu_seconds == pytest.approx(902 + 181)
    # 2 + 0.5 GiB for 1800 s; 2 GPUs for 1800 s at 80 % and 40 %.
    assert usage.memory_gb_seconds == pytest.approx(2.5 * 1800)
    assert usage.gpu_seconds == pytest.approx(2 * 1800)
    assert usage.gpu_type == "NVIDIA A100-SXM4-40GB"
    assert usage.gpu_utilization == pytest.approx(60.0)
    assert usage.found


def test_a_window_inside_a_pods_life_takes_the_counters_difference(client: PrometheusClient) -> None:
    usage = client.usage(namespace=NS, label=DEPLOYMENT, value="dep-5678", start=B + 900, end=B + 2700)
    assert usage == PodUsage(
        cpu_seconds=pytest.approx(0.25 * 1800),
        memory_gb_seconds=pytest.approx(1.0 * 1800),
        gpu_seconds=0.0,
        gpu_type=None,
        gpu_utilization=None,
        found=True,
    )


def test_a_pod_gone_before_the_end_is_still_found(client: PrometheusClient, prometheus: PrometheusServer) -> None:
    selector = 'kube_pod_labels{label_maestro_jupyter_job_id="job-gone0001"}'
    assert prometheus.query(selector, at=B + 3600) == []  # an instant join at the end would miss it
    usage = client.usage(namespace=NS, label=JOB, value="job-gone0001", start=B - 60, end=B + 3600)
    assert usage.found
    assert usage.cpu_seconds == pytest.approx(3 + 600)
    # Backfilled series carry no staleness marker, so Prometheus holds the last value for its lookback delta (a
    # scraped pod's series are marked stale when it goes): the step at exactly B+600+300 still sees it, as 2.x's
    # lookback window includes its start.
    assert usage.memory_gb_seconds == pytest.approx(4.0 * (600 + LOOKBACK + SCRAPE))
    assert usage.gpu_seconds == 0


def test_no_series_is_not_found(client: PrometheusClient) -> None:
    usage = client.usage(namespace=NS, label=JOB, value="job-nothing", start=B - 600, end=B + 3600)
    assert usage == PodUsage(0.0, 0.0, 0.0, None, None, found=False)
    # Nor in a window with no data of the right job.
    usage = client.usage(namespace=NS, label=JOB, value="job-1234abcd", start=B + 7200, end=B + 9000)
    assert not usage.found


def test_label_values_are_escaped(client: PrometheusClient) -> None:
    usage = client.usage(namespace=NS, label=JOB, value=QUOTED, start=B - 60, end=B + 600)
    assert usage.cpu_seconds == pytest.approx(5 + 0.2 * 600)
    assert usage.memory_gb_seconds == pytest.approx(1.0 * 600)
    assert promql_string(QUOTED) == '"we\\"ird\\\\job"'
    assert promql_string("a\nb\x01") == '"a\\nb\\x01"'
    assert ksm_label_name("maestro.jupyter/job-id") == "label_maestro_jupyter_job_id"


def test_a_counter_reset_inside_the_window(client: PrometheusClient) -> None:
    usage = client.usage(namespace=NS, label=JOB, value="job-restart1", start=B, end=B + 600)
    assert usage.cpu_seconds == pytest.approx(300 + 285)


def test_long_windows_use_a_coarser_step(client: PrometheusClient) -> None:
    # 30 days at 15 s would be 172,800 points, more than Prometheus allows; the step grows instead.
    usage = client.usage(namespace=NS, label=DEPLOYMENT, value="dep-5678", start=B - 30 * 86400, end=B + 3600)
    assert usage.found
    assert usage.cpu_seconds == pytest.approx(10 + 0.25 * 3600)


def test_query_and_query_range(client: PrometheusClient) -> None:
    assert client.query("1 + 1", B) == [({}, 2.0)]
    where = '{namespace="team-a",pod="pod-quoted",container="main"}'
    [(labels, value)] = client.query(f"container_memory_working_set_bytes{where}", B + 60)
    assert labels["pod"] == "pod-quoted"
    assert value == GIB
    [(_, points)] = client.query_range(f"container_cpu_usage_seconds_total{where}", B, B + 60, 30)
    assert points == [(B, 5.0), (B + 30, 11.0), (B + 60, 17.0)]
    with pytest.raises(InvalidParameter, match="range"):
        client.query(f"container_cpu_usage_seconds_total{where}[1m]", B)
    with pytest.raises(BackendUnavailable, match="bad_data"):
        client.query("sum(", B)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": B + 60, "end": B + 60},
        {"start": B + 60, "end": B},
        {"start": float("nan"), "end": B},
        {"value": ""},
        {"namespace": ""},
    ],
)
def test_bad_arguments(client: PrometheusClient, kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"namespace": NS, "label": JOB, "value": "job-1234abcd", "start": B, "end": B + 60}
    with pytest.raises(InvalidParameter):
        client.usage(**{**args, **kwargs})


@pytest.mark.parametrize(
    "url", ["ftp://prometheus:9090", "prometheus:9090", "http://", "http://host:99999", "file://u:secret@/etc/passwd"]
)
def test_a_bad_url_is_unavailable(url: str) -> None:
    with pytest.raises(BackendUnavailable, match="URL") as caught:
        PrometheusClient(url)
    assert "secret" not in caught.value.message


def test_connection_refused_is_unavailable() -> None:
    client = PrometheusClient(f"http://user:secret@127.0.0.1:{free_port()}", timeout=5)
    with pytest.raises(BackendUnavailable, match="cannot be reached") as caught:
        client.usage(namespace=NS, label=JOB, value="job-1234abcd", start=B, end=B + 60)
    assert "\n" not in caught.value.message
    assert "secret" not in caught.value.message


@pytest.fixture
def fake_prometheus() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """An HTTP server that records requests: ``/api/...`` answers an empty vector, ``/redirect/...`` a 302."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            seen.append({"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length).decode()})
            if self.path.startswith("/redirect/"):
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()
                return
            body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_token_is_sent_as_bearer_and_redirects_are_not_followed(
    fake_prometheus: tuple[str, list[dict[str, Any]]],
) -> None:
    url, seen = fake_prometheus
    assert PrometheusClient(url + "/", token="s3cret").query("up", B) == []
    assert seen[0]["path"] == "/api/v1/query"
    assert seen[0]["headers"]["Authorization"] == "Bearer s3cret"
    assert f"time={B}.000" in seen[0]["body"]
    with pytest.raises(BackendUnavailable, match="HTTP 302"):
        PrometheusClient(url + "/redirect", token="s3cret").query("up", B)
    assert len(seen) == 2


def test_the_backfill_helper_rejects_what_promtool_would_drop() -> None:
    with pytest.raises(ValueError, match="_total"):
        openmetrics([Series("cpu_seconds", {}, [(B, 1)], "counter")])
    with pytest.raises(ValueError, match="same time"):
        openmetrics([Series("g", {}, [(B, 1), (B, 2)])])
    text = openmetrics([Series("g", {"a": 'x"y'}, [(B + 15, 2), (B, 1)]), Series("c_total", {}, [(B, 1)], "counter")])
    assert text == (
        f'# TYPE g gauge\ng{{a="x\\"y"}} 1.0 {B}\ng{{a="x\\"y"}} 2.0 {B + 15}\n'
        f"# TYPE c counter\nc_total 1.0 {B}\n# EOF\n"
    )


def test_the_scraping_helper_scrapes_with_a_bearer_token(tmp_path: Path) -> None:
    require_prometheus()
    denied: list[str] = []

    class Metrics(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/metrics" or self.headers.get("Authorization") != "Bearer scrape-token":
                denied.append(f"{self.path} {self.headers.get('Authorization')}")
                self.send_error(403)
                return
            body = b"# TYPE maestro_test_up gauge\nmaestro_test_up 1\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    target = ThreadingHTTPServer(("127.0.0.1", 0), Metrics)
    thread = threading.Thread(target=target.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"127.0.0.1:{target.server_address[1]}"
        with scraping_prometheus([address], tmp_path, bearer_token="scrape-token", scrape_interval=0.2) as server:
            [sample] = server.wait_for("maestro_test_up", timeout=20)
        assert sample["metric"]["instance"] == address
        assert denied == []
    finally:
        target.shutdown()
        target.server_close()
        thread.join(timeout=5)
