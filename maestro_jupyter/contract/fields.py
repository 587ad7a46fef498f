"""Field types that several request models share: what a job or a replica asks for.

Each carries its rule from :mod:`.rules` (run first, for today's message) and pydantic's bounds (which document the
API in OpenAPI and feed the fuzz test).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from . import rules


def _memory(value: object) -> str | None:
    if value is None:
        return None
    rules.memory_bytes(value)
    return str(value).strip()


def _count(what: str, low: int, high: int) -> BeforeValidator:
    return BeforeValidator(lambda value: rules.count(value, what, low, high))


#: CPU cores (``None``: the backend's default), at most :data:`~.rules.MAX_CPUS`.
Cpus = Annotated[
    Annotated[float, Field(ge=0.001, le=rules.MAX_CPUS)] | None,
    BeforeValidator(rules.cpus),
    Field(description=f"CPU cores, more than 0 and at most {rules.MAX_CPUS} (default: the backend's)"),
]
#: A Kubernetes memory quantity, kept as written (``512Mi``, ``4Gi``), at most :data:`~.rules.MAX_MEMORY`.
Memory = Annotated[
    Annotated[str, Field(max_length=32)] | None,
    BeforeValidator(_memory),
    Field(description=f"A Kubernetes quantity: 512Mi, 4Gi; at most {rules.MAX_MEMORY}"),
]
Gpus = Annotated[
    Annotated[int, Field(ge=0, le=rules.MAX_GPUS)],
    _count("gpus", 0, rules.MAX_GPUS),
    Field(description=f"GPUs, 0 to {rules.MAX_GPUS}"),
]
Workers = Annotated[
    Annotated[int, Field(ge=1, le=rules.MAX_WORKERS)],
    _count("workers", 1, rules.MAX_WORKERS),
    Field(description="More than 1: a distributed run (Kubernetes)"),
]
Replicas = Annotated[
    Annotated[int, Field(ge=1, le=rules.MAX_REPLICAS)],
    _count("replicas", 1, rules.MAX_REPLICAS),
    Field(description=f"Model servers, 1 to {rules.MAX_REPLICAS}"),
]
