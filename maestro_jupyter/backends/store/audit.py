"""The audit trail in the Maestro DB: who overrode the promotion gate or approved a model card, when, why.

Each event is one row, inserted in a transaction of its own and never updated or deleted: two writers (two replicas
of the service, a kernel and a server) each add their row, and neither can lose the other's, as a JSON list read,
appended to and written back (a version tag) did. Reads come back oldest first.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from . import schema

#: Someone let a version through the promotion gate despite its tests (details: action, verdict, failed_checks).
GATE_OVERRIDE = "gate_override"
#: Someone approved a version's model card (details: the fingerprint of the facts the approval saw).
CARD_APPROVAL = "card_approval"
#: Someone withdrew a card's approval (the card is a draft again).
CARD_REOPEN = "card_reopen"


@dataclass(frozen=True)
class AuditEvent:
    """One recorded event about a model version. ``at`` is seconds since the epoch; ``id`` is set once stored."""

    kind: str
    model: str
    version: str
    actor: str
    reason: str
    at: float = field(default_factory=time.time)
    alias: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


class AuditLog:
    """The audit rows of one Maestro DB engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def record(self, event: AuditEvent) -> int:
        """Add ``event`` (one ``INSERT``, committed on its own); its row id."""
        values = {
            "kind": event.kind,
            "model": event.model,
            "version": event.version,
            "alias": event.alias,
            "actor": event.actor,
            "reason": event.reason,
            "at": event.at,
            "details": dict(event.details),
        }
        with self.engine.begin() as conn:
            key = conn.execute(schema.audit.insert().values(**values)).inserted_primary_key
        assert key is not None  # an INSERT of one row always has one
        return int(key[0])

    def events(
        self,
        model: str,
        version: str | None = None,
        *,
        kinds: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[AuditEvent]:
        """The newest ``limit`` events of a model (or of one of its versions), oldest first."""
        t = schema.audit
        query = t.select().where(t.c.model == model).order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)
        if version is not None:
            query = query.where(t.c.version == version)
        if kinds:
            query = query.where(t.c.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_event(row) for row in reversed(rows)]


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        kind=row["kind"],
        model=row["model"],
        version=row["version"],
        actor=row["actor"],
        reason=row["reason"],
        at=float(row["at"]),
        alias=row["alias"],
        details=dict(row["details"] or {}),
        id=int(row["id"]),
    )
