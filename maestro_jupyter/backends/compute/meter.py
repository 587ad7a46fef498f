"""Reading what local processes use, from ``/proc``: CPU time and resident memory of a whole process group.

The supervisor integrates a job's memory over its life with :class:`MemoryIntegrator`; the server meters running
deployments' replicas with :func:`group_readings` between two readings. Only the standard library: the supervisor
imports this before its job starts.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

GIB = 2**30
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def proc_stat(pid: int | str) -> list[str] | None:
    """A live process's ``/proc/PID/stat`` fields from the third on (state, ppid, pgrp, ...); ``None`` if there is no
    such process or it has exited (a zombie only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields if fields and fields[0] != "Z" else None


def group_readings(pgids: Iterable[int]) -> dict[int, dict[int, tuple[float, int]]]:
    """Per process group, ``{pid: (CPU seconds, resident bytes)}`` of its live processes, from one pass over
    ``/proc``. CPU seconds include the children a process has reaped, so work done by short-lived helpers is not
    lost."""
    wanted = set(pgids)
    readings: dict[int, dict[int, tuple[float, int]]] = {pgid: {} for pgid in wanted}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = proc_stat(entry.name)
        # fields[2] is pgrp; utime, stime, cutime, cstime are stat fields 14-17; rss (pages) is field 24.
        if fields is None or len(fields) < 22 or int(fields[2]) not in wanted:
            continue
        cpu = sum(int(v) for v in fields[11:15]) / _TICKS
        readings[int(fields[2])][int(entry.name)] = (cpu, int(fields[21]) * _PAGE)
    return readings


class MemoryIntegrator:
    """Samples a process group's resident memory in a background thread and integrates it: GiB-seconds."""

    def __init__(self, pgid: int, interval: float = 0.5) -> None:
        self.pgid = pgid
        self.interval = interval
        self.gib_seconds = 0.0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="maestro-memory")

    def start(self) -> MemoryIntegrator:
        self._thread.start()
        return self

    def stop(self) -> float:
        """Stop sampling; the GiB-seconds measured."""
        self._stop.set()
        self._thread.join(timeout=5)
        return self.gib_seconds

    def _run(self) -> None:
        last = time.monotonic()
        while True:
            resident = sum(rss for _cpu, rss in group_readings([self.pgid])[self.pgid].values())
            now = time.monotonic()
            # The memory held now is taken to have been held since the last reading.
            self.gib_seconds += resident / GIB * (now - last)
            self.samples += 1
            last = now
            if self._stop.wait(self.interval):
                return
