"""The supervisor of one local training job: ``python -m maestro_jupyter.backends.compute.supervisor JOB_DIR``.

The local backend starts it detached (a session of its own), so a job outlives the kernel or server that submitted
it. It starts the job's command in a process group of its own, writes the job's output to ``output.log``, records
"running" and then the outcome (exit status, CPU seconds, peak memory, memory GiB-seconds) in the Maestro DB, and
closes the job's MLflow run. SIGTERM from a cancel stops the job's whole process group: politely first, then by force.
A job that asks for GPUs first waits for that many of this machine's to be free (see :mod:`.gpus`) and sees only
those; one that asks for none sees none.

The job's process group is written to ``group.json`` in the job's folder the moment it exists, before the DB hears of
it: whoever finds this supervisor gone can stop what it left running (see :func:`job_group`).

It imports as little as it can (no MLflow until the job is over) so that a job is running well within a second of
its submission.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from functools import cached_property
from pathlib import Path
from types import FrameType
from typing import Any

from .meter import MemoryIntegrator, proc_stat

#: How long a cancelled job may take to exit on SIGTERM before its process group is killed.
CANCEL_GRACE_S = 5.0
LAUNCH_FILE = "launch.json"
LOG_FILE = "output.log"
GROUP_FILE = "group.json"
#: How often a job waiting for GPUs looks again, at most (it starts polling faster).
GPU_POLL_S = 1.0


def proc_start_time(pid: int) -> int | None:
    """When a process started (clock ticks since boot): with the pid it names a process for sure, since pids are
    reused. ``None`` if there is no such live process."""
    fields = proc_stat(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def job_group(handle: dict[str, Any]) -> tuple[int, int | None] | None:
    """The job's process group id and its leader's start time (``None``: unknown), from its handle or, when the
    supervisor vanished before recording them, from ``group.json``; ``None`` if the job never started."""
    if handle.get("pgid"):
        return int(handle["pgid"]), handle.get("job_start")
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        found = json.loads((Path(handle["dir"]) / GROUP_FILE).read_text())
        return int(found["pgid"]), found.get("start")
    return None


def describe_exit(code: int) -> str:
    """``exit code 3`` or ``killed by signal 9 (SIGKILL)``."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown"
        return f"killed by signal {-code} ({name})"
    return f"exit code {code}"


class Supervisor:
    def __init__(self, job_dir: Path) -> None:
        self.job_dir = job_dir
        self.launch: dict[str, Any] = json.loads((job_dir / LAUNCH_FILE).read_text())
        self.job_id: str = self.launch["job_id"]
        self.cancelled = threading.Event()
        self._mlflow_import: threading.Thread | None = None
        self.child: subprocess.Popen[bytes] | None = None
        self.memory: MemoryIntegrator | None = None
        self.started = time.time()
        #: The GPU indices the job holds (``CUDA_VISIBLE_DEVICES``) and where, as its handle records them; and since
        #: when it has run on them.
        self.gpus: list[str] = []
        self.allocation: dict[str, Any] = {}
        self.ran_from: float | None = None

    @cached_property
    def store(self) -> Any:
        """The Maestro DB, opened only once the job has started: SQLAlchemy takes a few hundred milliseconds to
        import, and the job should not wait for that."""
        from ..store import MaestroStore

        return MaestroStore(self.launch["db_url"])

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        wanted = int(self.launch.get("gpus") or 0)
        if wanted and not self._claim_gpus(wanted):
            return 0  # cancelled while it waited, or it can never get them: recorded
        log = open(self.job_dir / LOG_FILE, "ab", buffering=0)  # noqa: SIM115 - the child writes to it until it exits
        # Exactly the GPUs it holds (none when it asked for none), whatever the job's environment says.
        env = {**os.environ, **self.launch["env"], "CUDA_VISIBLE_DEVICES": ",".join(self.gpus)}
        try:
            self.child = subprocess.Popen(
                self.launch["argv"],
                cwd=self.launch["cwd"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,  # its own group: a cancel stops the job and whatever it started, not us
                **(self.launch.get("run_as") or {}),  # a member's account, on a team's machine
            )
            started = self.started = self.ran_from = time.time()
            job_start = proc_start_time(self.child.pid)
            _write_group(self.job_dir, self.child.pid, job_start)
            self.memory = MemoryIntegrator(self.child.pid).start()
        except OSError as exc:
            log.write(f"maestro: could not start the job: {exc}\n".encode())
            self._finish("failed", None, f"could not start: {exc}")
            return 1
        handle = {
            **self._own_handle(),
            "pid": self.child.pid,
            "pgid": self.child.pid,
            "job_start": job_start,
            **self.allocation,
        }
        self.store.update_job(
            self.job_id,
            only_if=("queued", "starting"),
            status="running",
            started_at=started,
            handle=handle,
        )
        if self.cancelled.is_set():  # a cancel arrived before the child existed
            self._stop_group()
        # Import MLflow while the job runs, so that closing its run at the end delays the outcome by milliseconds.
        if self._mlflow_import is None:
            self._mlflow_import = threading.Thread(target=_import_mlflow, daemon=True)
            self._mlflow_import.start()
        code = self.child.wait()
        self._kill_leftovers()  # what the job left running in its group dies with it, as in a pod
        log.close()
        if self.cancelled.is_set():
            status, reason = "cancelled", None  # the canceller wrote who cancelled it
        elif code == 0:
            status, reason = "succeeded", ""
        else:
            status, reason = "failed", describe_exit(code)
        self._finish(status, code, reason)
        return 0

    def _own_handle(self) -> dict[str, Any]:
        me = os.getpid()
        return {**self.launch["handle"], "supervisor_pid": me, "supervisor_start": proc_start_time(me)}

    def _claim_gpus(self, wanted: int) -> bool:
        """Wait until ``wanted`` of this machine's GPUs are free and take them: chosen and recorded in the job's
        handle under the allocation lock, so no other job gets them. False when the job ends instead (cancelled while
        it waited, or it asks for more than the machine has), its outcome recorded."""
        from ...entities import JOB_ACTIVE
        from . import gpus

        machine = [str(i) for i in self.launch.get("gpu_indices") or []]
        if wanted > len(machine):  # the machine changed since the submission was checked
            self._finish("failed", None, f"the job asks for {wanted} GPUs; this machine has {len(machine)}")
            return False
        here, home = gpus.host(), Path(self.launch["home"])
        delay = 0.05
        while not self.cancelled.is_set():
            with gpus.allocation_lock(home):
                held = gpus.held_gpus(self.store.list_jobs(statuses=JOB_ACTIVE, limit=100_000), self.job_id, here)
                free = [index for index in machine if index not in held]
                if len(free) >= wanted:
                    allocation = {gpus.GPUS_KEY: free[:wanted], gpus.HOST_KEY: here}
                    # Recorded before the lock is let go: the next one to count sees them taken. Not over a cancel.
                    if not self.store.update_job(
                        self.job_id,
                        only_if=("queued", "starting"),
                        status="starting",
                        reason="",
                        handle={**self._own_handle(), **allocation},
                    ):
                        break
                    self.gpus, self.allocation = free[:wanted], allocation
                    return True
            if self._mlflow_import is None:  # a cancel while it waits closes the run: have MLflow ready for it
                self._mlflow_import = threading.Thread(target=_import_mlflow, daemon=True)
                self._mlflow_import.start()
            holders = ", ".join(sorted(set(held.values())))
            self._queued(f"waiting for {wanted} GPU(s): {len(free)} of {len(machine)} free, held by {holders}")
            self.cancelled.wait(delay)
            delay = min(delay * 2, GPU_POLL_S)
        self._finish("cancelled", None, None)
        return False

    def _queued(self, reason: str) -> None:
        """Show the job queued with ``reason`` (again, if the submitter's "starting" came after)."""
        job, _ = self.store.get_job(self.job_id)
        if (job.status, job.reason) != ("queued", reason):
            self.store.update_job(self.job_id, only_if=("queued", "starting"), status="queued", reason=reason)

    def _on_term(self, _signum: int, _frame: FrameType | None) -> None:
        self.cancelled.set()
        if self.child is not None:
            threading.Thread(target=self._stop_group, daemon=True).start()

    def _stop_group(self) -> None:
        child = self.child
        if child is None:
            return
        signal_group(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=CANCEL_GRACE_S)
        except subprocess.TimeoutExpired:
            signal_group(child.pid, signal.SIGKILL)

    def _kill_leftovers(self) -> None:
        if self.child is not None:
            signal_group(self.child.pid, signal.SIGKILL)

    def _finish(self, status: str, code: int | None, reason: str | None) -> None:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = round(usage.ru_utime + usage.ru_stime, 3)
        peak_mb = round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes
        wall = time.time() - self.started
        measured = self.memory.stop() if self.memory is not None else 0.0
        if self.memory is None or self.memory.samples < 2:
            measured = peak_mb / 1024 * wall  # too short to sample: its peak held throughout, an upper bound
        held = time.time() - self.ran_from if self.ran_from is not None else 0.0
        metered = {
            "memory_gb_seconds": round(measured, 6),
            # GPUs are billed for the time the job ran on them, as in a cloud; not while it waited for them.
            "gpu_seconds": round(len(self.gpus) * held, 3),
            "gpu_type": self.launch.get("gpu_type") if self.gpus else None,
        }
        # The run is closed first: whoever sees the job over also finds its run closed.
        self._close_run(status, cpu, peak_mb)
        outcome = {"reason": reason} if reason is not None else {}
        self.store.update_job(
            self.job_id,
            only_if=("queued", "starting", "running", "cancelling"),
            status=status,
            exit_code=code,
            finished_at=time.time(),
            cpu_seconds=cpu,
            peak_memory_mb=peak_mb,
            **metered,
            **outcome,
        )

    def _close_run(self, status: str, cpu: float, peak_mb: float) -> None:
        run_id = self.launch["env"].get("MLFLOW_RUN_ID")
        if not run_id:
            return
        if self._mlflow_import is not None:
            self._mlflow_import.join(timeout=60)
        try:
            from mlflow.tracking import MlflowClient

            # As the job's member on a team (the launch carries their MLflow account; this process has no other).
            account = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")
            os.environ.update({k: v for k, v in self.launch["env"].items() if k in account})
            client = MlflowClient(tracking_uri=self.launch["env"]["MLFLOW_TRACKING_URI"])
            client.log_metric(run_id, "maestro.job.cpu_seconds", cpu)
            client.log_metric(run_id, "maestro.job.peak_memory_mb", peak_mb)
            client.set_tag(run_id, "maestro.job.status", status)
            if client.get_run(run_id).info.status == "RUNNING":
                mlflow_status = {"succeeded": "FINISHED", "cancelled": "KILLED"}.get(status, "FAILED")
                client.set_terminated(run_id, mlflow_status)
        except Exception as exc:  # the job's outcome is recorded; closing its run is a courtesy
            print(f"maestro supervisor: could not close MLflow run {run_id}: {exc}", file=sys.stderr)


def _import_mlflow() -> None:
    import mlflow.tracking  # noqa: F401


def _write_group(job_dir: Path, pgid: int, start: int | None) -> None:
    """Where the job's processes are, on disk at once (the DB takes longer to open): atomically, so a reader never
    sees half of it."""
    scratch = job_dir / f"{GROUP_FILE}.tmp"
    with contextlib.suppress(OSError):  # a fallback only: the job runs all the same, and the DB records it next
        scratch.write_text(json.dumps({"pgid": pgid, "start": start}))
        scratch.replace(job_dir / GROUP_FILE)


def signal_group(pgid: int, sig: int) -> None:
    """Send ``sig`` to a process group; one that is gone already is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: python -m maestro_jupyter.backends.compute.supervisor JOB_DIR", file=sys.stderr)
        return 2
    return Supervisor(Path(sys.argv[1])).run()


if __name__ == "__main__":
    sys.exit(main())
