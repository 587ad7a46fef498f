"""Benchmark: training jobs and deployments on the local backend.

What is measured (real processes, on a demo-seeded store in a temporary MAESTRO_HOME)
------------------------------------------------------------------------------------
1. Submit-to-running: from ``ml.training.submit(...)`` to the job's record saying ``running`` (its process
   started under its supervisor, inside its MLflow run), over ``--jobs`` submissions (default 10).
   The obvious alternative: ``subprocess.Popen`` of the same script, timed until the process exists.
   Goal: under 1 s.
2. Deploy-to-ready: ``ml.deployments.create("iris-classifier", alias="champion")`` until the replica answers
   ``/ping`` (``--deploys`` times, default 3). The obvious alternative: ``mlflow models serve`` run by hand,
   timed until ``/ping`` answers. Goal: under 15 s.
3. Predict latency for one row through the REST proxy of a real ``jupyter lab`` (``POST .../deployments/{id}/predict``)
   against the same request sent straight to the serving process (``/invocations``), ``--requests`` each
   (default 300, after 20 warm-up). Goal: p95 through the proxy under 50 ms.

How to run: ``.venv/bin/python benchmarks/bench_compute.py`` (``make bench`` runs it). Run it alone: the machine has
two cores, and another busy process shows up in every figure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from figures import percentile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.live_server

from tests.live_server import http_json, start_lab, stop

ROW = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}
SCRIPT = "import time\nprint('started', flush=True)\ntime.sleep(3)\n"


def submit_to_running(ml, folder: Path, count: int) -> tuple[list[float], list[float], list[float]]:
    script = folder / "sleepy.py"
    script.write_text(SCRIPT)
    store = ml._transport.services.store
    ml.training.submit(script=str(script)).cancel()  # warm: MLflow's store and the job experiment exist
    maestro, plain, first_output = [], [], []
    for _ in range(count):
        start = time.perf_counter()
        job = ml.training.submit(script=str(script))
        while store.get_job(job.id)[0].status != "running":
            time.sleep(0.002)
        maestro.append(time.perf_counter() - start)
        while "started" not in ml.training.logs(job.id):
            time.sleep(0.002)
        first_output.append(time.perf_counter() - start)
        job.cancel()
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.DEVNULL)
        plain.append(time.perf_counter() - start)
        process.kill()
        process.wait()
    return maestro, first_output, plain


def deploy_to_ready(ml, count: int) -> tuple[list[float], list[float]]:
    maestro, plain = [], []
    env = {**os.environ, "MLFLOW_TRACKING_URI": ml.settings.tracking_uri}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for _ in range(count):
        start = time.perf_counter()
        dep = ml.deployments.create("iris-classifier", alias="champion", timeout=120)
        maestro.append(time.perf_counter() - start)
        assert dep.status == "ready", dep.reason
        dep.delete()
        port = 18000 + len(plain)
        start = time.perf_counter()
        argv = [sys.executable, "-m", "mlflow", "models", "serve", "-m", "models:/iris-classifier@champion"]
        argv += ["--env-manager", "local", "-p", str(port), "-w", "1"]
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)  # fmt: skip
        while not _pings(port):
            time.sleep(0.05)
        plain.append(time.perf_counter() - start)
        os.killpg(process.pid, 9)
        process.wait()
    return maestro, plain


def _pings(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
        conn.request("GET", "/ping")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def predict_latency(home: Path, folder: Path, requests: int) -> tuple[list[float], list[float]]:
    server = start_lab(folder / "lab", home)
    try:
        status, dep = server.api("POST", "deployments", {"model": "iris-classifier", "alias": "champion"})
        assert status == 201, dep
        deadline = time.monotonic() + 120
        while (current := server.api("GET", f"deployments/{dep['id']}")[1])["status"] != "ready":
            assert time.monotonic() < deadline, current
            assert current["status"] != "failed", current
            time.sleep(0.1)
        direct_url = current["instances"][0]["url"]
        body = {"dataframe_records": [ROW]}
        proxy_url = f"{server.url}maestro/api/v1/deployments/{dep['id']}/predict"

        def through_proxy() -> None:
            code, answer = http_json(proxy_url, server.token, "POST", body)
            assert code == 200, answer

        def direct() -> None:
            conn = http.client.HTTPConnection(
                direct_url.split("//")[1].split(":")[0], int(direct_url.rsplit(":", 1)[1])
            )
            conn.request("POST", "/invocations", json.dumps(body), {"Content-Type": "application/json"})
            assert conn.getresponse().status == 200
            conn.close()

        for _ in range(20):
            through_proxy()
            direct()
        proxy_ms, direct_ms = [], []
        for _ in range(requests):  # interleaved, so that both see the same machine
            start = time.perf_counter()
            through_proxy()
            proxy_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            direct()
            direct_ms.append((time.perf_counter() - start) * 1000)
        server.api("DELETE", f"deployments/{dep['id']}")
        return proxy_ms, direct_ms
    finally:
        stop(server.process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--deploys", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    from maestro_jupyter import MaestroClient
    from maestro_jupyter.demo import seed
    from maestro_jupyter.sdk.transport import InProcessTransport
    from maestro_jupyter.services import Services
    from maestro_jupyter.settings import Settings

    with tempfile.TemporaryDirectory(prefix="maestro-bench-compute-") as tmp:
        folder = Path(tmp)
        home = folder / "home"
        settings = Settings.from_env({}, home=str(home))
        seed(settings, log=lambda _m: None)
        ml = MaestroClient(transport=InProcessTransport(Services(settings)))

        maestro, output, plain = submit_to_running(ml, folder, args.jobs)
        print(f"submit-to-running over {args.jobs} jobs: median {statistics.median(maestro):.3f} s, "
              f"max {max(maestro):.3f} s (goal < 1 s: {'PASS' if max(maestro) < 1 else 'FAIL'}); "
              f"to the script's first output line: median {statistics.median(output):.3f} s; "
              f"plain Popen {statistics.median(plain) * 1000:.1f} ms; ratio "
              f"{statistics.median(maestro) / statistics.median(plain):.0f}x")  # fmt: skip

        maestro, plain = deploy_to_ready(ml, args.deploys)
        print(f"deploy-to-ready over {args.deploys} deployments: median {statistics.median(maestro):.2f} s, "
              f"max {max(maestro):.2f} s (goal < 15 s: {'PASS' if max(maestro) < 15 else 'FAIL'}); "
              f"mlflow models serve by hand {statistics.median(plain):.2f} s; ratio "
              f"{statistics.median(maestro) / statistics.median(plain):.2f}x")  # fmt: skip

        proxy, direct = predict_latency(home, folder, args.requests)
        proxy_p95, direct_p95 = percentile(proxy, 95), percentile(direct, 95)
        print(f"predict, one row, {args.requests} requests: through the REST proxy p50 {percentile(proxy, 50):.1f} ms, "
              f"p95 {proxy_p95:.1f} ms (goal < 50 ms: {'PASS' if proxy_p95 < 50 else 'FAIL'}); "
              f"direct to the serving process p50 {percentile(direct, 50):.1f} ms, p95 {direct_p95:.1f} ms; "
              f"p95 ratio {proxy_p95 / direct_p95:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
