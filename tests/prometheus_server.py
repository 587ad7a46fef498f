"""A real Prometheus for tests: fed known series by backfill, or scraping live targets.

Two modes, both context managers yielding a :class:`PrometheusServer` (``url`` without a trailing ``/``):

- ``backfilled_prometheus(openmetrics_text, workdir)``: ``promtool tsdb create-blocks-from openmetrics`` turns the
  text into TSDB blocks in ``workdir/data``, then Prometheus serves them (no scraping). Build the text with
  :func:`openmetrics` from :class:`Series`.
- ``scraping_prometheus(targets, workdir, bearer_token=..., scrape_interval=...)``: Prometheus scrapes the targets
  (``host:port``) every ``scrape_interval`` seconds; poll with :meth:`PrometheusServer.wait_for`. The first
  scrape lands about 5 s after start-up whatever the interval (Prometheus 2.42 applies discovered targets on a 5 s
  tick), so give ``wait_for`` at least that.

Call :func:`require_prometheus` first: it skips the test when ``prometheus`` or ``promtool`` is not on PATH.

Backfill constraints, found by trying with Debian's Prometheus 2.42 (a fresh data directory, an empty head):

- Every sample needs a timestamp (Unix seconds, fractions kept to the millisecond) and the text must end with
  ``# EOF``; promtool exits 1 otherwise.
- Within a series samples must be in time order: promtool silently drops one older than the series' previous one.
  Series and families may otherwise come in any order, but :func:`openmetrics` keeps each family's samples together
  and each series' samples sorted, as OpenMetrics requires.
- Recent and even future timestamps are accepted and served: the "not within the head block's range" advice of the
  documentation is about a Prometheus that also ingests, and this one does not. Tests still use data ending a few
  hours before now (:func:`hours_ago`), the documented safe case. Blocks are cut every 2 h (aligned), and each
  block costs start-up time: keep the data to hours, not weeks.
- Old data is fine (a day of data from 400 days ago is served), but retention (15 d by default) could delete old
  blocks under a long test; ``--storage.tsdb.retention.time`` is set to 100 years.
- Backfilled series carry no staleness markers: an instant selector keeps returning a series' last value for the
  lookback delta (5 min, both ends included: still at exactly last + 5 min) after its last sample; a scraping
  Prometheus marks vanished series stale instead.
"""

from __future__ import annotations

import json
import math
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: Bound on Prometheus's start-up and on promtool's backfill (polled, not slept).
STARTUP_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.05


def require_prometheus() -> None:
    """Skip the calling test (or module, at import time) unless ``prometheus`` and ``promtool`` are on PATH."""
    missing = [tool for tool in ("prometheus", "promtool") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not on PATH (Debian: apt-get install prometheus)", allow_module_level=True
        )


def hours_ago(hours: float) -> int:
    """A whole-minute Unix time ``hours`` before now: a safe place for backfilled data (see the module docstring)."""
    return (int(time.time() - hours * 3600) // 60) * 60


# --- OpenMetrics ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One series: ``name`` as Prometheus stores it (a counter's ends in ``_total``), its labels and its samples
    ``[(unix seconds, value), ...]``; ``type`` is ``"gauge"``, ``"counter"`` or ``"unknown"``."""

    name: str
    labels: Mapping[str, str]
    samples: Sequence[tuple[float, float]]
    type: str = "gauge"

    @property
    def family(self) -> str:
        return self.name.removesuffix("_total") if self.type == "counter" else self.name


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def openmetrics(series: Iterable[Series]) -> str:
    """OpenMetrics text of ``series``: a ``# TYPE`` line per family, its series together, each series' samples in
    time order, and the final ``# EOF``. Raises ``ValueError`` for what promtool would reject or silently drop."""
    families: dict[str, list[Series]] = {}
    for one in series:
        if one.type not in ("gauge", "counter", "unknown"):
            raise ValueError(f"{one.name}: unsupported type {one.type!r}")
        if one.type == "counter" and not one.name.endswith("_total"):
            raise ValueError(f"{one.name}: an OpenMetrics counter's samples are named <family>_total")
        if not one.samples:
            raise ValueError(f"{one.name}{dict(one.labels)}: no samples")
        same = families.setdefault(one.family, [])
        if same and same[0].type != one.type:
            raise ValueError(f"{one.family}: both {same[0].type} and {one.type}")
        same.append(one)
    lines = []
    for family, members in families.items():
        lines.append(f"# TYPE {family} {members[0].type}")
        for one in members:
            labels = ",".join(f'{key}="{_escape(value)}"' for key, value in one.labels.items())
            selector = f"{one.name}{{{labels}}}" if labels else one.name
            stamps = [t for t, _ in one.samples]
            if len(set(stamps)) != len(stamps):
                raise ValueError(f"{selector}: two samples at the same time")
            for t, value in sorted(one.samples):
                lines.append(f"{selector} {_number(value)} {round(t, 3)}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


# --- the server ---------------------------------------------------------------------------------------------------


@dataclass
class PrometheusServer:
    """A running Prometheus on 127.0.0.1."""

    url: str
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        """The raw ``result`` of an instant query (now, or at ``at``)."""
        params = {"query": expr} if at is None else {"query": expr, "time": f"{at:.3f}"}
        url = f"{self.url}/api/v1/query?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 (our own http://127.0.0.1)
            body = json.load(r)
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def wait_for(self, expr: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Poll (bounded) until ``expr`` gives a non-empty result now, e.g. once a scrape has landed; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expr!r} still empty after {timeout:.0f} s\n--- log ---\n{self.log()}")
            time.sleep(POLL_INTERVAL_S * 4)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"<no log: {exc}>"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        process.send_signal(sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _ready(server: PrometheusServer) -> str | None:
    """Poll ``/-/ready`` within the bound: None when ready, else why not."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return f"prometheus exited with status {server.process.returncode}"
        try:
            with urllib.request.urlopen(f"{server.url}/-/ready", timeout=2) as response:  # noqa: S310 (ours)
                if response.status == 200:
                    return None
                last = f"/-/ready -> {response.status}"
        except (OSError, urllib.error.URLError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(POLL_INTERVAL_S)
    return f"not ready after {STARTUP_TIMEOUT_S:.0f} s ({last})"


@contextmanager
def run_prometheus(workdir: Path, config: dict[str, Any], data_dir: Path) -> Iterator[PrometheusServer]:
    """Prometheus with this whole ``config``, its TSDB in ``data_dir``, until the block ends."""
    # JSON is YAML: no YAML writer needed.
    config_path = workdir / "prometheus.yml"
    config_path.write_text(json.dumps(config, indent=2))
    for attempt in range(3):  # another process may take the free port before Prometheus binds it
        port = free_port()
        log_path = workdir / f"prometheus-{attempt}.log"
        cmd = [
            "prometheus",
            f"--config.file={config_path}",
            f"--storage.tsdb.path={data_dir}",
            "--storage.tsdb.retention.time=100y",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ]
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                cmd, cwd=workdir, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT
            )
        server = PrometheusServer(url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
        try:
            failure = _ready(server)
            if failure is None:
                yield server
                return
        finally:
            _stop(process)
        if "address already in use" not in server.log():
            break
    raise RuntimeError(f"prometheus did not start: {failure}\n--- {server.log_path} ---\n{server.log()}")


@contextmanager
def backfilled_prometheus(text: str, workdir: Path) -> Iterator[PrometheusServer]:
    """Prometheus serving the OpenMetrics ``text`` (timestamps required; see the module docstring), backfilled
    into ``workdir/data``. It scrapes nothing."""
    workdir.mkdir(parents=True, exist_ok=True)
    source, data_dir = workdir / "backfill.om", workdir / "data"
    source.write_text(text)
    done = subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(source), str(data_dir)],
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT_S,
        check=False,
    )
    # Belt and braces: input whose every sample promtool dropped would leave no block behind.
    if done.returncode != 0 or not any(data_dir.glob("*/meta.json")):
        raise RuntimeError(f"promtool backfill failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    with run_prometheus(workdir, {"global": {"scrape_interval": "15s"}, "scrape_configs": []}, data_dir) as server:
        yield server


@contextmanager
def scraping_prometheus(
    targets: Sequence[str],
    workdir: Path,
    *,
    bearer_token: str | None = None,
    scrape_interval: float = 1.0,
    metrics_path: str = "/metrics",
    scheme: str = "http",
    job: str = "maestro",
) -> Iterator[PrometheusServer]:
    """Prometheus scraping ``targets`` (``host:port``) at ``scheme://target/metrics_path`` every ``scrape_interval``
    seconds, sending ``Authorization: Bearer <bearer_token>`` when given (Jupyter accepts ``Bearer`` tokens), with
    its TSDB in ``workdir/data``. Wait for samples with :meth:`PrometheusServer.wait_for`."""
    workdir.mkdir(parents=True, exist_ok=True)
    interval = f"{max(1, round(scrape_interval * 1000))}ms"
    scrape: dict[str, Any] = {
        "job_name": job,
        "scrape_interval": interval,
        "scrape_timeout": interval,
        "metrics_path": metrics_path,
        "scheme": scheme,
        "static_configs": [{"targets": list(targets)}],
    }
    if bearer_token is not None:
        scrape["authorization"] = {"type": "Bearer", "credentials": bearer_token}
    config = {"global": {"scrape_interval": interval, "evaluation_interval": interval}, "scrape_configs": [scrape]}
    with run_prometheus(workdir, config, workdir / "data") as server:
        yield server
