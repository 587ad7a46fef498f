"""Training jobs on the local backend, with real processes: a real script trains, logs to MLflow and registers a
model; cancel leaves no process behind; a killed job is failed with its exit status; cells and notebooks run."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import nbformat
import pytest

from maestro_jupyter.contract.base import Actor
from maestro_jupyter.contract.training import CancelJob, GetJobLogs
from maestro_jupyter.errors import Conflict, InvalidParameter, NotFound, PermissionDenied
from tests.compute_helpers import alive, group_alive, pid_of, poll, write_script
from tests.sdk_helpers import services_of

TRAIN = """
import argparse
import mlflow
import mlflow.sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--max_iter", type=int, default=100)
args = parser.parse_args()
X, y = load_iris(return_X_y=True, as_frame=True)
with mlflow.start_run():
    model = LogisticRegression(C=args.C, max_iter=args.max_iter).fit(X, y)
    mlflow.log_metric("train_accuracy", model.score(X, y))
    mlflow.sklearn.log_model(
        model, name="model", registered_model_name="iris-from-job", input_example=X.head(2),
        pip_requirements=["scikit-learn"],
    )
print(f"trained with C={args.C}", flush=True)
"""

SPAWNS_AND_WAITS = """
import os, subprocess, sys, time
# A grandchild that ignores SIGTERM: only the group kill stops it.
child = subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 300"])
with open(sys.argv[sys.argv.index("--pids") + 1], "w") as fh:
    fh.write(f"{os.getpid()} {child.pid}")
print("waiting", flush=True)
time.sleep(300)
"""


def test_a_real_script_logs_to_mlflow_and_registers_a_model(ml, tmp_path):
    script = write_script(tmp_path, "train_iris.py", TRAIN)
    job = ml.training.submit(script=str(script), params={"C": 0.5, "max_iter": 300}, cpus=1, memory="1Gi")
    assert job.status in ("starting", "running")
    assert job.backend == "local"
    assert job.kind == "script"
    assert job.params == {"C": "0.5", "max_iter": "300"}

    done = job.wait(timeout=120)
    assert done.status == "succeeded", done.logs()
    assert done.exit_code == 0
    assert done.reason == ""
    assert done.started_at is not None
    assert done.finished_at is not None
    assert done.finished_at > done.started_at
    assert done.cpu_seconds
    assert done.cpu_seconds > 0.5
    assert done.peak_memory_mb
    assert done.peak_memory_mb > 50
    assert "trained with C=0.5" in done.logs()

    run = ml.experiments.run(done.run_id)
    assert run.status == "FINISHED"
    assert run.params["C"] == "0.5"
    assert run.params["max_iter"] == "300"
    assert run.metrics["train_accuracy"] > 0.9
    assert run.tags["maestro.job.id"] == done.id
    version = ml.models.get("iris-from-job", version=1)
    assert version.run_id == done.run_id


def test_cancel_leaves_no_process_behind(ml, tmp_path):
    script = write_script(tmp_path, "spawns.py", SPAWNS_AND_WAITS)
    pids = tmp_path / "pids.txt"
    job = ml.training.submit(script=str(script), params={"pids": str(pids)})
    poll(lambda: pids.exists() and pids.read_text().strip(), "the job to start its grandchild")
    job_pid, grandchild = (int(p) for p in pids.read_text().split())
    # The supervisor starts the job first and records it (opening the DB) right after.
    poll(lambda: ml.training.get(job.id).status == "running", "the job to be recorded running")
    assert pid_of(ml, job.id) == job_pid

    cancelled = job.cancel()
    assert cancelled.status == "cancelled"
    assert cancelled.reason.startswith(f"cancelled by {ml.settings.user}")
    assert not alive(job_pid)
    assert not alive(grandchild)
    assert not group_alive(job_pid)
    assert ml.experiments.run(job.run_id).status == "KILLED"
    with pytest.raises(Conflict, match="already cancelled"):
        job.cancel()


def test_a_killed_job_is_failed_with_its_exit_status(ml, tmp_path):
    script = write_script(tmp_path, "sleeps.py", "import time\nprint('up', flush=True)\ntime.sleep(300)\n")
    job = ml.training.submit(script=str(script))
    poll(lambda: ml.training.get(job.id).status == "running" and "up" in job.logs(), "the job to run")
    os.kill(pid_of(ml, job.id), signal.SIGKILL)

    done = job.wait(timeout=60)
    assert done.status == "failed"
    assert done.exit_code == -signal.SIGKILL
    assert done.reason == "killed by signal 9 (SIGKILL)"
    assert ml.experiments.run(done.run_id).status == "FAILED"


def test_a_failing_script_reports_its_exit_code_and_traceback(ml, tmp_path):
    script = write_script(tmp_path, "broken.py", "import sys\nprint('about to fail')\nraise SystemExit(3)\n")
    done = ml.training.submit(script=str(script)).wait(timeout=60)
    assert (done.status, done.exit_code, done.reason) == ("failed", 3, "exit code 3")
    assert "about to fail" in done.logs()


def test_logs_follow_the_output_as_it_is_written(ml, tmp_path):
    code = "import time\nfor i in range(5):\n    print(f'step {i}', flush=True)\n    time.sleep(0.1)\n"
    job = ml.training.submit(script=str(write_script(tmp_path, "steps.py", code)))
    chunks = list(job.logs(follow=True))
    assert "".join(chunks).split() == [w for i in range(5) for w in ("step", str(i))]
    assert ml.training.get(job.id).status == "succeeded"  # following ends when the job does

    def logs(**fields):
        return ml._transport.call(GetJobLogs(job_id=job.id, **fields))

    first = logs(offset=0, limit=7)
    assert first.text == "step 0\n"
    assert first.next_offset == 7
    assert not first.complete
    rest = logs(offset=first.next_offset)
    assert rest.text.startswith("step 1")
    assert rest.complete
    assert logs(tail=7).text == "step 4\n"
    with pytest.raises(InvalidParameter, match="offset must be 0 or more"):
        logs(offset=-1)
    with pytest.raises(InvalidParameter, match="tail must be from 1"):
        logs(tail=0)


def test_a_cell_runs_as_a_script_with_its_params(ml, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "helper_module.py").write_text("ANSWER = 42\n")
    cell = "import sys, mlflow\nfrom helper_module import ANSWER\nprint(ANSWER, sys.argv[1:])\n"
    cell += "with mlflow.start_run():\n    mlflow.log_metric('answer', ANSWER)\n"
    done = ml.training.submit(source=cell, params={"lr": 0.1}, name="from-a-cell").wait(timeout=60)
    assert done.status == "succeeded", done.logs()
    assert done.kind == "cell"
    assert done.name == "from-a-cell"
    assert "42 ['--lr', '0.1']" in done.logs()  # run where the notebook is: its modules import
    assert ml.experiments.run(done.run_id).metrics["answer"] == 42


def test_a_notebook_runs_with_injected_parameters(ml, tmp_path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("alpha = 1.0\nlabel = 'default'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print('alpha is', alpha * 2, label)")]
    path = tmp_path / "analysis.ipynb"
    nbformat.write(nb, path)

    done = ml.training.submit(script=str(path), params={"alpha": 2.5, "label": "tuned"}).wait(timeout=120)
    assert done.status == "succeeded", done.logs()
    assert done.kind == "notebook"
    assert "alpha is 5.0 tuned" in done.logs()
    executed = json.loads(Path(done_dir(ml, done.id), "code", "analysis.output.ipynb").read_text())
    assert any("alpha is 5.0" in str(cell.get("outputs")) for cell in executed["cells"])


def done_dir(ml, job_id: str) -> str:
    _, handle = services_of(ml).store.get_job(job_id)
    return str(handle["dir"])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"script": "missing.py"}, NotFound, "No such file"),
        ({"script": "notes.txt"}, InvalidParameter, r"\.py\) or a notebook"),
        ({"source": "def broken(:"}, InvalidParameter, "not valid Python"),
        ({"source": "print(1)", "cpus": -1}, InvalidParameter, "cpus"),
        ({"source": "print(1)", "memory": "lots"}, InvalidParameter, "memory"),
        ({"source": "print(1)", "gpus": -2}, InvalidParameter, "gpus"),
        ({"source": "print(1)", "gpus": 1}, InvalidParameter, "no GPU"),
        ({"source": "print(1)", "workers": 4}, InvalidParameter, "kubernetes"),
        ({"source": "print(1)", "name": "Not_A_DNS_Name"}, InvalidParameter, "DNS-1123"),
        ({"source": "print(1)", "params": {"bad key": 1}}, InvalidParameter, "parameter name"),
        ({"source": "print(1)", "env": {"MLFLOW_RUN_ID": "x"}}, InvalidParameter, "set by Maestro"),
        ({}, InvalidParameter, "script"),
    ],
)
def test_bad_specs_are_refused_before_anything_starts(ml, tmp_path, monkeypatch, kwargs, error, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not code")
    with pytest.raises(error, match=message):
        ml.training.submit(**kwargs)
    # Every check runs before anything exists, the backend's GPU and worker checks too: no record, no MLflow run.
    assert list(ml.training.list()) == []
    assert "maestro-training" not in {experiment.name for experiment in ml.experiments.list()}


def test_only_the_owner_cancels_and_ids_are_checked(ml, tmp_path):
    job = ml.training.submit(source="import time\ntime.sleep(300)\n")
    with pytest.raises(PermissionDenied, match="belongs to"):
        services_of(ml).execute(CancelJob(job_id=job.id), Actor("someone-else"))
    with pytest.raises(InvalidParameter, match="job id"):
        ml.training.get("../../etc")
    with pytest.raises(NotFound):
        ml.training.get("job-00000000")
    assert job.cancel().status == "cancelled"


def test_a_second_process_sees_the_same_jobs(ml, maestro_home):
    """The kernel and the server share the Maestro DB: a client of its own (another process's view) sees the job."""
    from maestro_jupyter import MaestroClient
    from maestro_jupyter.settings import Settings

    job = ml.training.submit(source="print('shared')").wait(timeout=60)
    other = MaestroClient(Settings.from_env({}, home=str(maestro_home)))
    seen = other.training.get(job.id)
    assert seen.status == "succeeded"
    assert "shared" in seen.logs()
    assert [j.id for j in other.training.list(status="finished")] == [job.id]
