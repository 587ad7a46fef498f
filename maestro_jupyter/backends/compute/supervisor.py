"""The supervisor of one local training job: ``python -m maestro_jupyter.backends.compute.supervisor JOB_DIR``.

The local backend starts it detached (a session of its own), so a job outlives the kernel or server that submitted
it. It starts the job's command in a process group of its own, writes the job's output to ``output.log``, records
"running" and then the outcome (exit status, CPU seconds, peak memory, memory GiB-seconds) in the Maestro DB, and
closes the job's MLflow run. SIGTERM from a cancel stops the job's whole process group: politely first, then by force.

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

from .meter import MemoryIntegrator, local_gpus, proc_stat

#: How long a cancelled job may take to exit on SIGTERM before its process group is killed.
CANCEL_GRACE_S = 5.0
LAUNCH_FILE = "launch.json"
LOG_FILE = "output.log"


def proc_start_time(pid: int) -> int | None:
    """When a process started (clock ticks since boot): with the pid it names a process for sure, since pids are
    reused. ``None`` if there is no such live process."""
    fields = proc_stat(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


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

    @cached_property
    def store(self) -> Any:
        """The Maestro DB, opened only once the job has started: SQLAlchemy takes a few hundred milliseconds to
        import, and the job should not wait for that."""
        from ..store import MaestroStore

        return MaestroStore(self.launch["db_url"])

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        log = open(self.job_dir / LOG_FILE, "ab", buffering=0)  # noqa: SIM115 - the child writes to it until it exits
        env = {**os.environ, **self.launch["env"]}
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
            started = self.started = time.time()
            self.memory = MemoryIntegrator(self.child.pid).start()
        except OSError as exc:
            log.write(f"maestro: could not start the job: {exc}\n".encode())
            self._finish("failed", None, f"could not start: {exc}")
            return 1
        me = os.getpid()
        handle = {
            **self.launch["handle"],
            "supervisor_pid": me,
            "supervisor_start": proc_start_time(me),
            "pid": self.child.pid,
            "pgid": self.child.pid,
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
        gpus, gpu_type = local_gpus() if self.launch.get("gpus") else (0, None)
        metered = {
            "memory_gb_seconds": round(measured, 6),
            # GPUs are billed for the time they are held, as in a cloud; a GPU-less machine holds none.
            "gpu_seconds": round(min(gpus, int(self.launch.get("gpus") or 0)) * wall, 3),
            "gpu_type": gpu_type,
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
