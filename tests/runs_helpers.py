"""A run to look into, logged with MLflow's own client: a long learning curve with a spike and a dip, a one-step
metric, source tags, and artifacts of every kind a run view previews (text, PNG, CSV, bytes, HTML, a fake PNG)."""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Steps of the ``loss`` curve, and where it jumps up and dips down (what a downsampling must keep).
STEPS = 5000
SPIKE_STEP, SPIKE = 1234, 50.0
DIP_STEP, DIP = 3210, -5.0
EXPERIMENT = "runs-api"
GIT_COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class LoggedRun:
    run_id: str
    experiment_id: str
    other_run_id: str  # in the same experiment, without a loss curve


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image (grey pixels), made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def loss_at(step: int) -> float:
    if step == SPIKE_STEP:
        return SPIKE
    if step == DIP_STEP:
        return DIP
    return 1.0 / (1 + step / 100)


def log_run(client: Any, artifacts: Path, experiment: str = EXPERIMENT) -> LoggedRun:
    """Log the run (and a second one beside it) into ``experiment`` with its artifacts under ``artifacts``."""
    from mlflow.entities import Metric

    artifacts.mkdir(parents=True, exist_ok=True)
    found = client.get_experiment_by_name(experiment)
    experiment_id = (
        found.experiment_id
        if found
        else client.create_experiment(experiment, artifact_location=(artifacts / "store").as_uri())
    )
    tags = {"mlflow.source.type": "LOCAL", "mlflow.source.name": "/home/ana/train.py"}
    tags["mlflow.source.git.commit"] = GIT_COMMIT
    tags["team"] = "vision"
    run_id = client.create_run(experiment_id, run_name="long-curve", tags=tags).info.run_id
    start = int(time.time() * 1000)
    for first in range(0, STEPS, 1000):
        batch = [Metric("loss", loss_at(s), start + s, s) for s in range(first, min(first + 1000, STEPS))]
        client.log_batch(run_id, metrics=batch)
    client.log_metric(run_id, "accuracy", 0.91, step=0)
    client.log_param(run_id, "lr", "0.01")

    files = artifacts / "files"
    (files / "eval").mkdir(parents=True, exist_ok=True)
    (files / "notes.txt").write_text("first line\nsecond line\n", encoding="utf-8")
    (files / "eval" / "plot.png").write_bytes(png())
    (files / "eval" / "table.csv").write_text(
        "feature,importance\n" + "".join(f"f{i},{1 / (i + 1):.4f}\n" for i in range(150)), encoding="utf-8"
    )
    (files / "blob.bin").write_bytes(bytes(range(256)) * 4)
    (files / "page.html").write_text("<script>alert('x')</script>", encoding="utf-8")
    (files / "fake.png").write_text("<svg onload=alert(1)>not an image</svg>", encoding="utf-8")
    client.log_artifacts(run_id, str(files))
    client.set_terminated(run_id)

    other = client.create_run(experiment_id, run_name="short", tags={"maestro.job.id": "job-0a1b2c3d"}).info.run_id
    client.log_metric(other, "accuracy", 0.95)
    client.set_terminated(other)
    return LoggedRun(run_id=run_id, experiment_id=str(experiment_id), other_run_id=other)


def log_many_runs(client: Any, count: int, experiment: str = "many-runs") -> list[str]:
    """``count`` runs in ``experiment``, each with a param and two metrics."""
    from mlflow.entities import Metric, Param

    experiment_id = client.create_experiment(experiment)
    now = int(time.time() * 1000)
    ids = []
    for i in range(count):
        run_id = client.create_run(experiment_id, run_name=f"r{i}").info.run_id
        client.log_batch(
            run_id,
            metrics=[Metric("accuracy", 0.5 + i / (2 * count), now, 0), Metric("loss", 1.0 / (i + 1), now, 0)],
            params=[Param("i", str(i))],
        )
        ids.append(run_id)
    return ids
