"""GPUs and workers on the local backend, with real jobs.

A request this machine can never satisfy (more GPUs than it has, several workers) is refused before anything exists;
a job asking for N GPUs gets exactly N of its own (``CUDA_VISIBLE_DEVICES``) and waits, queued with the reason, while
they are taken. The machine's GPUs come from ``nvidia-smi``: a fake one, first on the ``PATH`` of this process (the one
that launches jobs), says there are two.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from maestro_jupyter.errors import InvalidParameter
from tests.compute_helpers import poll, write_script
from tests.sdk_helpers import services_of

FAKE_NVIDIA_SMI = """#!/bin/sh
case "$1" in
  --query-gpu=index) printf '0\\n1\\n' ;;
  --query-gpu=name) printf 'Fake GPU 80GB\\nFake GPU 80GB\\n' ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
"""

#: Writes the GPUs it sees to --seen, then waits for --release to exist.
SHOWS_ITS_GPUS = """
import os, pathlib, sys, time
arg = lambda name: pathlib.Path(sys.argv[sys.argv.index(name) + 1])
arg("--seen").write_text(os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>"))
while not arg("--release").exists():
    time.sleep(0.05)
"""


@pytest.fixture
def two_gpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fake-bin"
    folder.mkdir()
    tool = folder / "nvidia-smi"
    tool.write_text(FAKE_NVIDIA_SMI)
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def _nothing_left(ml) -> None:
    assert list(ml.training.list()) == []
    assert list(ml.deployments.list(include_stopped=True)) == []
    assert "maestro-training" not in {experiment.name for experiment in ml.experiments.list()}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gpus": 3}, "This machine has 2 GPUs; the job asks for 3"),
        ({"workers": 2}, "MAESTRO_COMPUTE=kubernetes"),
    ],
)
def test_a_refused_job_leaves_no_record_and_no_run(ml, two_gpus, kwargs, message):
    with pytest.raises(InvalidParameter, match=message):
        ml.training.submit(source="print(1)", **kwargs)
    _nothing_left(ml)


def test_without_nvidia_smi_gpu_jobs_and_deployments_are_refused_before_anything_exists(ml, tmp_path, monkeypatch):
    empty = tmp_path / "no-gpu-bin"
    empty.mkdir()
    # Only a folder without nvidia-smi, and Python's own (jobs run with it).
    monkeypatch.setenv("PATH", f"{empty}{os.pathsep}{Path(sys.executable).parent}")
    with pytest.raises(InvalidParameter, match="This machine has no GPU; the job asks for 1"):
        ml.training.submit(source="print(1)", gpus=1)
    with pytest.raises(InvalidParameter, match="This machine has no GPU; each replica asks for 1"):
        ml.deployments.create("iris-classifier", alias="champion", gpus=1)
    _nothing_left(ml)


async def test_rest_refuses_a_gpu_deployment_on_a_machine_without_one(api, tmp_path, monkeypatch):
    empty = tmp_path / "no-gpu-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    status, error = await api("POST", "deployments", body={"model": "iris-classifier", "alias": "champion", "gpus": 1})
    assert status == 400, error
    assert error == {"error": "INVALID_PARAMETER", "message": "This machine has no GPU; each replica asks for 1"}
    _, listing = await api("GET", "deployments", params={"include_stopped": "true"})
    assert listing["deployments"] == []


def test_each_job_gets_gpus_of_its_own_and_waits_while_they_are_taken(ml, two_gpus, tmp_path):
    script = write_script(tmp_path, "gpus.py", SHOWS_ITS_GPUS)

    def submit(name: str, gpus: int):
        params = {"seen": str(tmp_path / f"{name}.seen"), "release": str(tmp_path / f"{name}.release")}
        return ml.training.submit(script=str(script), name=name, params=params, gpus=gpus)

    def seen(name: str) -> str | None:
        path = tmp_path / f"{name}.seen"
        return path.read_text() if path.exists() else None

    # Two jobs at once, each started by a supervisor of its own: one GPU each, never the same one.
    first, second = submit("first", 1), submit("second", 1)
    poll(lambda: seen("first") and seen("second"), "both jobs to start")
    assert {seen("first"), seen("second")} == {"0", "1"}
    for job in (first, second):
        _, handle = services_of(ml).store.get_job(job.id)
        assert handle["gpus"] == [seen(job.name)]

    # No GPU free: the third waits, queued with the reason, and does not run.
    third = submit("third", 1)
    waiting = poll(
        lambda: (j := ml.training.get(third.id)).status == "queued" and "waiting for 1 GPU" in j.reason and j,
        "the third job to wait for a GPU",
    )
    assert "0 of 2 free" in waiting.reason
    assert first.id in waiting.reason
    assert second.id in waiting.reason
    assert seen("third") is None

    # The first one ends: the third gets its GPU.
    (tmp_path / "first.release").touch()
    done = first.wait(timeout=60)
    assert done.status == "succeeded"
    poll(lambda: seen("third"), "the third job to get the freed GPU")
    assert seen("third") == seen("first")
    assert ml.training.get(third.id).reason == ""
    # A GPU is billed for the time the job held it, with the machine's model.
    assert done.gpu_type == "Fake GPU 80GB"
    assert done.gpu_seconds is not None
    assert 0 < done.gpu_seconds <= done.duration_seconds + 0.5

    # A job asking for both waits for both, and a cancel while it waits stops it without it ever running.
    both = submit("both", 2)
    poll(lambda: ml.training.get(both.id).status == "queued", "the two-GPU job to wait")
    cancelled = both.cancel()
    assert cancelled.status == "cancelled"
    assert cancelled.gpu_seconds == 0
    assert seen("both") is None
    assert ml.experiments.run(both.run_id).status == "KILLED"

    for name in ("second", "third"):
        (tmp_path / f"{name}.release").touch()
    assert second.wait(timeout=60).status == "succeeded"
    assert third.wait(timeout=60).status == "succeeded"


def test_a_job_asking_for_no_gpu_sees_none(ml, two_gpus, tmp_path):
    script = write_script(tmp_path, "gpus.py", SHOWS_ITS_GPUS)
    (tmp_path / "go").touch()
    job = ml.training.submit(
        script=str(script), params={"seen": str(tmp_path / "seen"), "release": str(tmp_path / "go")}
    )
    assert job.wait(timeout=60).status == "succeeded"
    assert (tmp_path / "seen").read_text() == ""
