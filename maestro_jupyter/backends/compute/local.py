"""The embedded compute backend: jobs and serving replicas as processes on this machine.

A job runs under a detached :mod:`supervisor` that owns its outcome, so neither a kernel's nor the server's
restart loses it; any process can tell whether that supervisor is still alive from the pid and start time in the
job's handle. Whoever finds it gone marks the job lost, and first stops what the job left running: nothing of a
lost job goes on unmetered and out of a cancel's reach. A job gets the GPUs it asks for to itself (see :mod:`.gpus`).

A deployment is one ``mlflow models serve`` process per replica, each in a session of its own, on a free local port;
health is ``GET /ping``. An update starts the new version's replicas and retires the old ones only
once the new ones answer, so predictions never stop.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...entities import Deployment, Job
from ...errors import BackendUnavailable, InvalidParameter, first_line
from .accounts import MemberAccount, give, member_account, open_path
from .base import (
    BackendResponse,
    ComputeBackend,
    DeploymentLaunch,
    DeploymentUpdate,
    Handle,
    JobLaunch,
    JobUpdate,
    Usage,
    slice_utf8,
)
from .commands import job_argv, serving_argv
from .gpus import gpu_indices, gpu_model
from .meter import GIB, group_readings
from .supervisor import LAUNCH_FILE, LOG_FILE, job_group, proc_start_time, signal_group

if TYPE_CHECKING:
    from ...entities import Resources
    from ...settings import Settings
    from ..store import MaestroStore

#: How long a cancel waits for the supervisor to record the outcome before killing the group itself.
CANCEL_WAIT_S = 10.0
#: A replica's health check: a local ``GET /ping`` answers in milliseconds once the model is loaded.
PING_TIMEOUT_S = 0.5
STOP_GRACE_S = 5.0
#: How long the one who finds a job's supervisor gone waits for the job's killed processes to vanish.
KILL_WAIT_S = 5.0


class LocalCompute(ComputeBackend):
    """Jobs under supervisors and deployments as ``mlflow models serve`` processes, all on this machine."""

    name = "local"
    store: MaestroStore  # required here: the supervisors record the jobs' outcomes in it

    def __init__(self, settings: Settings, store: MaestroStore) -> None:
        super().__init__(settings, store)
        self.python = sys.executable
        self._turns: dict[str, itertools.count[int]] = {}
        self._turns_lock = threading.Lock()

    # --- jobs ------------------------------------------------------------------------------------------------------

    def check_job(self, resources: Resources) -> None:
        """One worker, and no more GPUs than this machine has (``nvidia-smi``; none without it)."""
        if resources.workers > 1:
            raise InvalidParameter(
                "Multi-worker training needs MAESTRO_COMPUTE=kubernetes (a Kubeflow PyTorchJob); "
                "run with workers=1 here"
            )
        _check_gpus(resources.gpus, "the job asks")

    def check_deployment(self, resources: Resources, replicas: int) -> None:
        """No more GPUs per replica than this machine has."""
        _check_gpus(resources.gpus, "each replica asks")

    def submit_job(self, launch: JobLaunch) -> Handle:
        self.check_job(launch.resources)
        account = member_account(self.settings, launch.user)
        home = self.settings.ensure_home()
        job_dir = home / "jobs" / launch.job_id
        code_dir = job_dir / "code"
        code_dir.mkdir(parents=True)
        script = code_dir / launch.file_name
        script.write_bytes(launch.code)
        handle: Handle = {"dir": str(job_dir), "log": str(job_dir / LOG_FILE)}
        # The script runs where it came from, so its relative paths and sibling modules work as they did there; as a
        # member's account, in its own folder (where it came from is the service's).
        cwd, env = launch.workdir or str(code_dir), {**launch.env, **_import_path(launch.workdir)}
        if account is not None:
            give(code_dir, account)
            open_path(job_dir, home)
            cwd, env = str(code_dir), {**launch.env, **_account_env(account)}
        launch_doc = {
            "job_id": launch.job_id,
            "db_url": self.store.url,
            "argv": job_argv(self.python, launch.kind, str(script), launch.params),
            "cwd": cwd,
            "env": {**env, "PYTHONUNBUFFERED": "1", "MAESTRO_JOB_DIR": str(job_dir)},
            "run_as": account.popen() if account is not None else None,
            "handle": handle,
            # Which of this machine's GPUs exist, as this process sees them: the supervisor hands them out.
            "home": str(home),
            "gpus": launch.resources.gpus,
            "gpu_indices": gpu_indices() if launch.resources.gpus else [],
            "gpu_type": gpu_model() if launch.resources.gpus else None,
        }
        # The service's alone (the DB's URL is in it), whatever the umask.
        descriptor = os.open(job_dir / LAUNCH_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(json.dumps(launch_doc))
        with open(job_dir / "supervisor.log", "ab") as errors:
            process = subprocess.Popen(
                [self.python, "-m", "maestro_jupyter.backends.compute.supervisor", str(job_dir)],
                stdin=subprocess.DEVNULL,
                stdout=errors,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives whoever submitted it
                env=_child_env(self.settings.team),
            )
        _reap_later(process)
        return {**handle, "supervisor_pid": process.pid, "supervisor_start": proc_start_time(process.pid)}

    def refresh_job(self, job: Job, handle: Handle) -> JobUpdate | None:
        pid = handle.get("supervisor_pid")
        if pid is None or _alive(pid, handle.get("supervisor_start")):
            return None
        # The supervisor records the outcome before it exits: read again in case it just did.
        fresh, fresh_handle = self.store.get_job(job.id)
        if not fresh.active:
            return None
        tail = _tail(Path(handle.get("dir", "")) / "supervisor.log")
        reason = f"its supervisor (pid {pid}) is gone without recording an outcome"
        # What it left running would go on unseen: logging into a closed run, unmetered, past any cancel. It stops
        # before the job is called lost; until it is seen stopped, the job stays active (and cancellable).
        if not _stop_job_group({**handle, **fresh_handle}):
            return JobUpdate(status=fresh.status, reason=f"{reason}, and its processes did not stop yet")
        reason += "; its processes were stopped"
        return JobUpdate(status="lost", reason=f"{reason}: {tail}" if tail else reason, finished_at=time.time())

    def job_logs(self, job: Job, handle: Handle, offset: int, limit: int) -> tuple[str, int]:
        path = handle.get("log")
        if not path or not Path(path).exists():
            return "", max(offset, 0)
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            # An offset past the end reads nothing from the end (seeking there fails for offsets beyond what the
            # file system can address); a negative one counts back from the end.
            start = max(0, size + offset) if offset < 0 else min(offset, size)
            fh.seek(start)
            data = fh.read(limit + 3)  # up to a whole character more, to see where the last one ends
        text, used = slice_utf8(data, 0, limit)
        return text, start + used

    def cancel_job(self, job: Job, handle: Handle) -> JobUpdate:
        pid = handle.get("supervisor_pid")
        if pid is not None and _alive(pid, handle.get("supervisor_start")):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + CANCEL_WAIT_S
            while time.monotonic() < deadline:
                fresh, _ = self.store.get_job(job.id)
                if not fresh.active:
                    return JobUpdate(status=fresh.status, exit_code=fresh.exit_code, reason=fresh.reason)
                time.sleep(0.05)
        # No supervisor to do it (or it hangs): stop the job's group ourselves.
        _, fresh_handle = self.store.get_job(job.id)
        _stop_job_group({**handle, **fresh_handle})
        return JobUpdate(status="cancelled", finished_at=time.time())

    # --- deployments ---------------------------------------------------------------------------------------------

    def create_deployment(self, launch: DeploymentLaunch) -> Handle:
        folder = self.settings.ensure_home() / "deployments" / launch.deployment_id
        folder.mkdir(parents=True, exist_ok=True)
        replicas = [self._start_replica(launch, folder, i) for i in range(launch.replicas)]
        return {
            "dir": str(folder),
            "model_uri": launch.model_uri,
            # What a replica started later (a scale-up) needs to find the model: the same tracking settings.
            "env": launch.env,
            "replicas": replicas,
            "retiring": [],
            "next": len(replicas),
        }

    def refresh_deployment(self, deployment: Deployment, handle: Handle) -> DeploymentUpdate:
        replicas = handle.get("replicas", [])
        states = [self._replica_state(r) for r in replicas]
        ready = sum(1 for s in states if s == "ready")
        dead = [r for r, s in zip(replicas, states, strict=True) if s == "exited"]
        if handle.get("retiring") and ready == len(replicas):
            self._stop_replicas(handle["retiring"])  # the new version answers: retire the old one
            handle["retiring"] = []
        if dead:
            reason = f"replica {dead[0]['name']} exited: {_tail(Path(dead[0]['log']))}"
            status = "degraded" if ready else "failed"
        elif ready == len(replicas):
            status, reason = "ready", ""
        else:
            status, reason = ("updating" if handle.get("retiring") else "starting"), ""
        instances = [
            {"name": r["name"], "status": s, "url": _url(r), "pid": r["pid"]}
            for r, s in zip(replicas, states, strict=True)
        ]
        url = _url(replicas[0]) if replicas else None
        return DeploymentUpdate(status=status, ready_replicas=ready, reason=reason, url=url, instances=instances)

    def scale_deployment(self, deployment: Deployment, handle: Handle, replicas: int) -> Handle:
        current: list[dict[str, Any]] = list(handle.get("replicas", []))
        if replicas < len(current):
            self._stop_replicas(current[replicas:])
            current = current[:replicas]
        else:
            launch = _relaunch(deployment, handle["model_uri"], handle.get("env", {}))
            folder = Path(handle["dir"])
            start = handle.get("next", len(current))
            current += [self._start_replica(launch, folder, start + i) for i in range(replicas - len(current))]
            handle["next"] = start + replicas
        return {**handle, "replicas": current}

    def update_deployment(self, deployment: Deployment, handle: Handle, launch: DeploymentLaunch) -> Handle:
        folder = Path(handle["dir"])
        start = handle.get("next", len(handle.get("replicas", [])))
        fresh = [self._start_replica(launch, folder, start + i) for i in range(launch.replicas)]
        retiring = list(handle.get("retiring", [])) + list(handle.get("replicas", []))
        return {**handle, "model_uri": launch.model_uri, "env": launch.env, "replicas": fresh, "retiring": retiring,
                "next": start + launch.replicas}  # fmt: skip

    def delete_deployment(self, deployment: Deployment, handle: Handle) -> None:
        self._stop_replicas(list(handle.get("replicas", [])) + list(handle.get("retiring", [])))

    def predict(self, deployment: Deployment, handle: Handle, body: bytes, timeout: float) -> BackendResponse:
        # Replicas that answered the last health check first, round robin; the retiring version serves until the new
        # one is up.
        candidates = [r for r in handle.get("replicas", []) if _alive(r["pid"], r.get("start"))]
        candidates += [r for r in handle.get("retiring", []) if _alive(r["pid"], r.get("start"))]
        if not candidates:
            raise BackendUnavailable(f"Deployment '{deployment.id}' has no running replica")
        with self._turns_lock:
            turn = next(self._turns.setdefault(deployment.id, itertools.count()))
        last_error = ""
        for i in range(len(candidates)):
            replica = candidates[(turn + i) % len(candidates)]
            try:
                status, answer = _request("POST", replica["port"], "/invocations", body, timeout)
            except OSError as exc:  # refused while starting, or gone: try the next one
                last_error = f"{replica['name']}: {exc}"
                continue
            return BackendResponse(status=status, body=answer, replica=replica["name"])
        raise BackendUnavailable(f"No replica of '{deployment.id}' answered ({last_error})")

    # --- replicas ------------------------------------------------------------------------------------------------

    # --- usage ---------------------------------------------------------------------------------------------------

    def job_usage(self, job: Job, handle: Handle) -> Usage | None:
        if job.cpu_seconds is None:
            return None  # lost before its supervisor could measure it
        memory = job.memory_gb_seconds
        if memory is None:  # recorded before memory was metered: its peak held throughout
            memory = (job.peak_memory_mb or 0) / 1024 * (job.duration_seconds or 0)
        return Usage(job.cpu_seconds, memory, job.gpu_seconds or 0.0, job.gpu_type, "rusage")

    def deployment_usage(
        self, deployment: Deployment, handle: Handle, since: float, until: float, meter: dict[str, Any]
    ) -> tuple[Usage | None, dict[str, Any]]:
        before: dict[str, float] = meter.get("cpu", {})
        replicas = [
            r
            for r in list(handle.get("replicas", [])) + list(handle.get("retiring", []))
            if _alive(r["pid"], r.get("start"))
        ]
        groups = group_readings(int(r["pid"]) for r in replicas)  # each replica and its uvicorn worker
        now: dict[str, float] = {}
        cpu = resident = 0.0
        for replica in replicas:
            key = f"{replica['pid']}:{replica.get('start')}"
            readings = groups[int(replica["pid"])]
            now[key] = sum(seconds for seconds, _rss in readings.values())
            # A replica first seen now started within the stretch: all its CPU time belongs to it.
            cpu += max(0.0, now[key] - before.get(key, 0.0))
            resident += sum(rss for _seconds, rss in readings.values())
        usage = Usage(cpu, resident / GIB * max(0.0, until - since), measured_by="proc")
        return usage, {"cpu": now}

    def _start_replica(self, launch: DeploymentLaunch, folder: Path, index: int) -> dict[str, Any]:
        port = _free_port()
        name = f"{launch.deployment_id}-{index}"
        log = folder / f"{name}.log"
        env = {**_child_env(self.settings.team), **launch.env}
        as_member: dict[str, Any] = {}
        if (account := member_account(self.settings, launch.user)) is not None:
            # The model's code is the member's: it runs as them, from their home.
            env.update(_account_env(account))
            as_member = {**account.popen(), "cwd": account.home}
        with open(log, "ab") as out:
            process = subprocess.Popen(
                serving_argv(self.python, launch.model_uri, "127.0.0.1", port),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
                **as_member,
            )
        _reap_later(process)
        return {"name": name, "pid": process.pid, "start": proc_start_time(process.pid), "port": port, "log": str(log)}

    def _replica_state(self, replica: dict[str, Any]) -> str:
        if not _alive(replica["pid"], replica.get("start")):
            return "exited"
        try:
            status, _ = _request("GET", replica["port"], "/ping", None, PING_TIMEOUT_S)
        except OSError:
            return "starting"
        return "ready" if status == 200 else "starting"

    def _stop_replicas(self, replicas: list[dict[str, Any]]) -> None:
        live = [r for r in replicas if _alive(r["pid"], r.get("start"))]
        for replica in live:
            signal_group(replica["pid"], signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while time.monotonic() < deadline and any(_alive(r["pid"], r.get("start")) for r in live):
            time.sleep(0.05)
        for replica in live:
            signal_group(replica["pid"], signal.SIGKILL)  # and uvicorn's worker with it


def _check_gpus(wanted: int, who: str) -> None:
    if not wanted:
        return
    have = len(gpu_indices())
    if wanted > have:
        machine = "This machine has no GPU" if not have else f"This machine has {have} GPU{'s' if have > 1 else ''}"
        raise InvalidParameter(f"{machine}; {who} for {wanted}")


def _stop_job_group(handle: Handle) -> bool:
    """Kill what is left of a job whose supervisor is gone (its process group) and wait for it to vanish; whether
    nothing of it runs any more. A group whose leader's pid now names another process is not the job's: a pid is
    only reused once no process of its group is left."""
    group = job_group(handle)
    if group is None:
        return True  # it never started
    pgid, start = group
    leader = proc_start_time(pgid)
    if leader is not None and start is not None and leader != start:
        return True
    signal_group(pgid, signal.SIGKILL)
    deadline = time.monotonic() + KILL_WAIT_S
    # Killed processes linger as zombies until their new parent reaps them: only live ones count.
    while group_readings([pgid])[pgid]:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _account_env(account: MemberAccount) -> dict[str, str]:
    """Where a process of a member's account lives: its home, and the machine's temporary folder (the service's is
    its own)."""
    return {"HOME": account.home, "USER": account.name, "TMPDIR": "/tmp"}  # noqa: S108 - the system's, on purpose


#: What a team's job or replica keeps of the service's environment: the locale, the time zone and where things are.
TEAM_JOB_ENV = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR"})


def _relaunch(deployment: Deployment, model_uri: str, env: dict[str, str]) -> DeploymentLaunch:
    return DeploymentLaunch(
        deployment_id=deployment.id,
        model=deployment.model,
        version=deployment.version,
        model_uri=model_uri,
        replicas=deployment.replicas,
        user=deployment.user,
        project=deployment.project,
        resources=deployment.resources,
        env=env,
    )


def _import_path(workdir: str | None) -> dict[str, str]:
    """The script runs from its snapshot, so Python would look for its imports there: look where it came from too."""
    if not workdir:
        return {}
    return {"PYTHONPATH": os.pathsep.join(p for p in (workdir, os.environ.get("PYTHONPATH", "")) if p)}


def _child_env(team: bool) -> dict[str, str]:
    """The environment of a job or replica: this process's, without Jupyter's own kernel/server variables, and with
    this Python's scripts folder first on ``PATH`` (``mlflow models serve`` runs ``uvicorn`` from there), which a
    server started as ``.venv/bin/jupyter`` does not have.

    On a team (``team``: this is the Maestro service) only the variables of :data:`TEAM_JOB_ENV` pass: the service's
    own hold the team's keys (the Maestro DB, MLflow's admin account, the hub's token), and a job or a model runs a
    member's code. What the job needs comes with its launch: its member's own MLflow account, its run."""
    if team:
        env = {k: v for k, v in os.environ.items() if k in TEAM_JOB_ENV or k.startswith("LC_")}
    else:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_SERVER", "KERNEL_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    return env


def _alive(pid: int, start: int | None) -> bool:
    """Whether the process ``pid`` that started at ``start`` (``None``: unknown) still runs."""
    now = proc_start_time(int(pid))
    return now is not None and (start is None or now == start)


def _reap_later(process: subprocess.Popen[bytes]) -> None:
    """Wait for a detached child in the background, so that when it exits it does not linger as a zombie of ours."""
    threading.Thread(target=process.wait, daemon=True, name=f"reap-{process.pid}").start()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _url(replica: dict[str, Any]) -> str:
    return f"http://127.0.0.1:{replica['port']}"


def _request(method: str, port: int, path: str, body: bytes | None, timeout: float) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _tail(path: Path, limit: int = 300) -> str:
    """The last meaningful line of a log, for a reason shown to the user."""
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return first_line(lines[-1], limit) if lines else ""
