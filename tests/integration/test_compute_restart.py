"""A server restart loses nothing: a real ``jupyter lab`` is stopped while a job runs and a deployment serves; the
next server re-attaches to both (the job finishes and is reported, the deployment answers through the new proxy),
and a job whose supervisor died meanwhile is reported lost with the reason."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

from tests.compute_helpers import poll
from tests.live_server import start_lab, stop

WAITS_FOR_FILE = """
import pathlib, sys, time
flag = pathlib.Path(sys.argv[sys.argv.index("--flag") + 1])
print("waiting for", flag, flush=True)
while not flag.exists():
    time.sleep(0.05)
print("released", flush=True)
"""


def test_a_restarted_server_reattaches_jobs_and_deployments(seeded_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(seeded_home / "mlflow.db", home / "mlflow.db")
    root = tmp_path / "lab"
    server = start_lab(root, home)
    flag = tmp_path / "release"
    try:
        (root / "notebooks" / "wait.py").write_text(WAITS_FOR_FILE)
        status, job = server.api("POST", "training/jobs", {"script": "wait.py", "params": {"flag": str(flag)}})
        assert status == 201, job
        status, doomed = server.api("POST", "training/jobs", {"script": "wait.py", "params": {"flag": str(flag)}})
        assert status == 201
        status, dep = server.api("POST", "deployments", {"model": "iris-classifier", "alias": "champion"})
        assert status == 201, dep
        poll(lambda: server.api("GET", f"deployments/{dep['id']}")[1]["status"] == "ready", "the deployment")
        for job_id in (job["id"], doomed["id"]):
            poll(lambda j=job_id: server.api("GET", f"training/jobs/{j}")[1]["status"] == "running", "the jobs")
        _, doomed_now = server.api("GET", f"training/jobs/{doomed['id']}")
    finally:
        stop(server.process)

    # While no server runs: one job's supervisor dies (and its job with it); the other job finishes.
    handle = _handle(home, doomed["id"])
    os.kill(handle["supervisor_pid"], signal.SIGKILL)
    os.killpg(handle["pgid"], signal.SIGKILL)
    flag.write_text("go")

    server = start_lab(root, home)
    try:
        finished = poll(
            lambda: (j := server.api("GET", f"training/jobs/{job['id']}")[1])["status"] == "succeeded" and j,
            "the job to be reported finished",
        )
        assert finished["exit_code"] == 0
        _, logs = server.api("GET", f"training/jobs/{job['id']}/logs")
        assert "released" in logs["text"]
        lost = poll(
            lambda: (j := server.api("GET", f"training/jobs/{doomed['id']}")[1])["status"] == "lost" and j,
            "the orphaned job to be reported lost",
        )
        assert f"supervisor (pid {handle['supervisor_pid']}) is gone" in lost["reason"]
        assert doomed_now["status"] == "running"

        row = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4, "petal width (cm)": 0.2}
        status, answer = server.api("POST", f"deployments/{dep['id']}/predict", {"dataframe_records": [row]})
        assert status == 200, answer
        assert answer["predictions"] == [0]
        status, stopped = server.api("DELETE", f"deployments/{dep['id']}")
        assert status == 200
        assert stopped["status"] == "stopped"
    finally:
        stop(server.process)


def _handle(home: Path, job_id: str) -> dict:
    from maestro_jupyter.backends.store import MaestroStore

    _, handle = MaestroStore(f"sqlite:///{home / 'maestro.db'}").get_job(job_id)
    return handle
