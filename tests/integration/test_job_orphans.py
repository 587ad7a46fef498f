"""A local job whose supervisor is killed (``kill -9``) is not left running unseen: whoever finds the supervisor gone
stops the job's whole process group before recording the job lost, closes its MLflow run and puts its run time in the
ledger. Real processes throughout."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from maestro_jupyter.errors import Conflict
from tests.compute_helpers import alive, group_alive, poll, write_script
from tests.sdk_helpers import services_of

#: A job that starts a grandchild ignoring SIGTERM (only the group kill stops it), says who they are, and loops.
LOOPS = """
import os, subprocess, sys, time
child = subprocess.Popen(["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"])
with open(sys.argv[sys.argv.index("--pids") + 1], "w") as fh:
    fh.write(f"{os.getpid()} {child.pid}")
print("looping", flush=True)
while True:
    time.sleep(0.1)
"""


def _running_job(ml, tmp_path: Path):
    script = write_script(tmp_path, "loops.py", LOOPS)
    pids = tmp_path / "pids.txt"
    job = ml.training.submit(script=str(script), params={"pids": str(pids)})
    poll(lambda: pids.exists() and pids.read_text().strip(), "the job to start its grandchild")
    poll(lambda: ml.training.get(job.id).status == "running", "the job to be recorded running")
    leader, grandchild = (int(p) for p in pids.read_text().split())
    _, handle = services_of(ml).store.get_job(job.id)
    assert handle["pgid"] == leader
    return job, handle, leader, grandchild


def test_a_job_whose_supervisor_is_killed_is_lost_with_nothing_left_running(ml, tmp_path):
    job, handle, leader, grandchild = _running_job(ml, tmp_path)

    os.kill(handle["supervisor_pid"], signal.SIGKILL)
    lost = poll(lambda: (j := ml.training.get(job.id)).status == "lost" and j, "the job to be reported lost", 30)

    assert f"supervisor (pid {handle['supervisor_pid']}) is gone" in lost.reason
    assert "its processes were stopped" in lost.reason
    assert not alive(leader)
    assert not alive(grandchild)
    assert not group_alive(leader)
    with pytest.raises(ProcessLookupError):
        # Nothing of the group is left but, at most, zombies waiting for their new parent: signal 0 reaches those
        # too, so ask until they are reaped (bounded) rather than assume.
        poll(lambda: os.killpg(leader, 0) and False, "the job's group to be reaped", 10)
    # Its run is closed (nothing of the job can reopen it) and its run time, up to the kill, is in the ledger.
    run = ml.experiments.run(lost.run_id)
    assert run.status == "FAILED"
    assert run.tags["maestro.job.status"] == "lost"
    assert lost.finished_at is not None
    assert lost.cost is not None
    [row] = services_of(ml).store.ledger.rows("job", job.id)
    assert row["period_end"] == pytest.approx(lost.finished_at)
    assert row["period_start"] == pytest.approx(lost.started_at)
    with pytest.raises(Conflict, match="already been lost"):
        job.cancel()


def test_a_supervisor_killed_before_it_recorded_the_job_still_gets_it_stopped(ml, tmp_path):
    """The supervisor writes where the job's processes are to the job's folder at once, before the DB (which takes
    longer to open) hears of them: a supervisor killed in between leaves a job that can still be found and stopped."""
    job, handle, leader, grandchild = _running_job(ml, tmp_path)
    store = services_of(ml).store
    # As the DB reads when the supervisor dies before recording "running": no process ids in the handle.
    unrecorded = {k: v for k, v in handle.items() if k not in ("pid", "pgid", "job_start")}
    store.update_job(job.id, status="starting", handle=unrecorded)

    os.kill(handle["supervisor_pid"], signal.SIGKILL)
    lost = poll(lambda: (j := ml.training.get(job.id)).status == "lost" and j, "the job to be reported lost", 30)

    assert "its processes were stopped" in lost.reason
    assert not alive(leader)
    assert not alive(grandchild)
    assert not group_alive(leader)
