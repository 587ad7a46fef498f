"""The usage ledger, its daily sums, budgets and alerts in the Maestro DB.

Concurrency is the database's job, not ours: a ledger row and its day's sums are written in one transaction (the
sums with ``INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x``, atomic in SQLite and PostgreSQL), the ledger's
unique stretch key makes a second writer of the same stretch a no-op, and an alert's unique key makes it fire once.
Money is kept in millionths of a dollar (integers), so that sums are exact to the cent and beyond.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from . import schema

DAY_S = 86400
#: The columns a cost summary may group by.
GROUPS = {"user", "project", "model", "version", "kind"}


@dataclass(frozen=True)
class UsageRow:
    """One measured stretch of a job's or deployment's life, priced."""

    kind: str
    source_id: str
    period_start: float
    period_end: float
    user: str
    project: str
    cpu_seconds: float
    memory_gb_seconds: float
    gpu_seconds: float
    cost_micros: int
    rates: dict[str, Any]
    measured_by: str
    model: str = ""
    version: str = ""
    gpu_type: str | None = None


@dataclass
class Totals:
    """Sums over some usage rows."""

    cost_micros: int = 0
    cpu_seconds: float = 0.0
    memory_gb_seconds: float = 0.0
    gpu_seconds: float = 0.0
    records: int = 0

    def add(self, other: Totals) -> None:
        self.cost_micros += other.cost_micros
        self.cpu_seconds += other.cpu_seconds
        self.memory_gb_seconds += other.memory_gb_seconds
        self.gpu_seconds += other.gpu_seconds
        self.records += other.records


@dataclass
class Grouped:
    """Totals per group key, and overall."""

    groups: dict[str, Totals] = field(default_factory=dict)
    total: Totals = field(default_factory=Totals)


def day_of(epoch: float) -> int:
    """The UTC day (days since 1970-01-01) an instant falls in."""
    return int(epoch // DAY_S)


class Ledger:
    """Usage rows, budgets and alerts of one Maestro DB engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- usage ---------------------------------------------------------------------------------------------------

    def record(self, row: UsageRow) -> bool:
        """Add a stretch to the ledger and its day's sums; ``False`` if that stretch was recorded already."""
        values = {
            **row.__dict__,
            "recorded_at": time.time(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(schema.usage.insert().values(**values))
                self._add_to_day(conn, row)
        except sa.exc.IntegrityError:
            return False
        return True

    def _add_to_day(self, conn: sa.Connection, row: UsageRow) -> None:
        t = schema.usage_daily
        insert = _upsert(conn)(t).values(
            day=day_of(row.period_end),
            user=row.user,
            project=row.project,
            model=row.model,
            version=row.version,
            kind=row.kind,
            cost_micros=row.cost_micros,
            cpu_seconds=row.cpu_seconds,
            memory_gb_seconds=row.memory_gb_seconds,
            gpu_seconds=row.gpu_seconds,
            records=1,
        )
        sums = ("cost_micros", "cpu_seconds", "memory_gb_seconds", "gpu_seconds", "records")
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=["day", "user", "project", "model", "version", "kind"],
                set_={name: t.c[name] + insert.excluded[name] for name in sums},
            )
        )

    def grouped(
        self,
        by: str,
        since: float,
        until: float,
        *,
        user: str | None = None,
        project: str | None = None,
    ) -> Grouped:
        """Totals per ``by`` over stretches that ended in ``[since, until)``.

        Whole days inside the window come from the daily sums; the part-days at its edges from the ledger itself
        (found by its ``period_end`` index), so the answer is exact for any window and reads few rows.
        """
        if by not in GROUPS:
            raise ValueError(by)
        first_full = day_of(since) + (0 if since % DAY_S == 0 else 1)
        end_day = day_of(until)  # days before this one are whole
        result = Grouped()
        with self.engine.connect() as conn:
            if first_full < end_day:
                self._merge(result, conn, self._daily_query(by, first_full, end_day, user, project))
                edges = [(since, first_full * DAY_S), (end_day * DAY_S, until)]
            else:
                edges = [(since, until)]
            for start, end in edges:
                if start < end:
                    self._merge(result, conn, self._raw_query(by, start, end, user, project))
        return result

    def _daily_query(self, by: str, first: int, end: int, user: str | None, project: str | None) -> sa.Select[Any]:
        t = schema.usage_daily
        return _sums(t, by, t.c.day >= first, t.c.day < end, sa.func.sum(t.c.records), user, project)

    def _raw_query(self, by: str, start: float, end: float, user: str | None, project: str | None) -> sa.Select[Any]:
        t = schema.usage
        return _sums(t, by, t.c.period_end >= start, t.c.period_end < end, sa.func.count(), user, project)

    @staticmethod
    def _merge(result: Grouped, conn: sa.Connection, query: sa.Select[Any]) -> None:
        for key, cost, cpu, mem, gpu, records in conn.execute(query):
            totals = Totals(int(cost or 0), float(cpu or 0), float(mem or 0), float(gpu or 0), int(records or 0))
            result.groups.setdefault(str(key or ""), Totals()).add(totals)
            result.total.add(totals)

    def spent_since(self, scope: str, subject: str, since: float) -> int:
        """Micro-dollars a user or project has spent since a period start (a UTC midnight)."""
        return self.grouped(scope, since, time.time() + DAY_S, **{scope: subject}).total.cost_micros

    def rows(self, kind: str, source_id: str) -> list[dict[str, Any]]:
        """The ledger rows of one job or deployment, oldest first."""
        t = schema.usage
        query = t.select().where(t.c.kind == kind, t.c.source_id == source_id).order_by(t.c.period_start)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(schema.usage)).scalar_one())

    def totals_by(self, columns: Sequence[str]) -> list[dict[str, Any]]:
        """All-time sums per combination of ``columns`` (for the metrics exposition's counters)."""
        t = schema.usage_daily
        keys = [t.c[c] for c in columns]
        query = sa.select(
            *keys,
            sa.func.sum(t.c.cost_micros).label("cost_micros"),
            sa.func.sum(t.c.cpu_seconds).label("cpu_seconds"),
            sa.func.sum(t.c.memory_gb_seconds).label("memory_gb_seconds"),
            sa.func.sum(t.c.gpu_seconds).label("gpu_seconds"),
        ).group_by(*keys)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # --- budgets -------------------------------------------------------------------------------------------------

    def put_budget(self, scope: str, subject: str, **values: Any) -> None:
        t = schema.budgets
        with self.engine.begin() as conn:
            insert = _upsert(conn)(t).values(scope=scope, subject=subject, **values)
            conn.execute(insert.on_conflict_do_update(index_elements=["scope", "subject"], set_=values))

    def get_budget(self, scope: str, subject: str) -> dict[str, Any] | None:
        t = schema.budgets
        with self.engine.connect() as conn:
            row = conn.execute(t.select().where(t.c.scope == scope, t.c.subject == subject)).mappings().first()
        return None if row is None else dict(row)

    def list_budgets(self, pairs: Iterable[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
        """Every budget, or those of the given ``(scope, subject)`` pairs."""
        t = schema.budgets
        query = t.select().order_by(t.c.scope, t.c.subject)
        if pairs is not None:
            wanted = list(pairs)
            if not wanted:
                return []
            query = query.where(sa.or_(*(sa.and_(t.c.scope == s, t.c.subject == n) for s, n in wanted)))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def delete_budget(self, scope: str, subject: str) -> bool:
        t = schema.budgets
        with self.engine.begin() as conn:
            return bool(conn.execute(t.delete().where(t.c.scope == scope, t.c.subject == subject)).rowcount)

    # --- alerts --------------------------------------------------------------------------------------------------

    def fire_alert(self, **values: Any) -> dict[str, Any] | None:
        """Record an alert; the row written, or ``None`` when that threshold already fired in that period."""
        values["created_at"] = time.time()
        try:
            with self.engine.begin() as conn:
                result = conn.execute(schema.alerts.insert().values(**values))
        except sa.exc.IntegrityError:
            return None
        key: Any = result.inserted_primary_key  # always set for an INSERT of one row
        return {**values, "id": int(key[0])}

    def set_delivery(self, alert_id: int, delivery: str) -> None:
        t = schema.alerts
        with self.engine.begin() as conn:
            conn.execute(t.update().where(t.c.id == alert_id).values(delivery=delivery))

    def list_alerts(
        self, *, after: int = 0, limit: int = 100, pairs: Iterable[tuple[str, str]] | None = None
    ) -> list[dict[str, Any]]:
        """Alerts newer than id ``after``, newest first; only those of the given budgets when ``pairs`` is given."""
        t = schema.alerts
        query = t.select().where(t.c.id > after).order_by(t.c.id.desc()).limit(limit)
        if pairs is not None:
            wanted = list(pairs)
            if not wanted:
                return []
            query = query.where(sa.or_(*(sa.and_(t.c.scope == s, t.c.subject == n) for s, n in wanted)))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def alert_counts(self) -> list[dict[str, Any]]:
        t = schema.alerts
        query = sa.select(t.c.scope, t.c.subject, t.c.threshold, sa.func.count().label("count")).group_by(
            t.c.scope, t.c.subject, t.c.threshold
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


def _key(table: sa.Table, by: str) -> sa.ColumnElement[Any]:
    if by == "version":
        # "name/version", or "" for usage tied to no model.
        return sa.case(
            (table.c.model == "", sa.literal("")),
            else_=table.c.model + sa.literal("/") + table.c.version,
        )
    return table.c[by]


def _sums(
    table: sa.Table,
    by: str,
    after: sa.ColumnElement[bool],
    before: sa.ColumnElement[bool],
    records: sa.ColumnElement[Any],
    user: str | None,
    project: str | None,
) -> sa.Select[Any]:
    """Cost, usage and record count per ``by`` over the rows of ``table`` (the ledger or its daily sums) between
    ``after`` and ``before``, for one user or project if given."""
    key = _key(table, by)
    query = sa.select(
        key.label("key"),
        sa.func.sum(table.c.cost_micros),
        sa.func.sum(table.c.cpu_seconds),
        sa.func.sum(table.c.memory_gb_seconds),
        sa.func.sum(table.c.gpu_seconds),
        records,
    ).where(after, before)
    if user:
        query = query.where(table.c.user == user)
    if project:
        query = query.where(table.c.project == project)
    return query.group_by(key)


def _upsert(conn: sa.Connection) -> Any:
    """The dialect's ``insert`` with ``on_conflict_do_update`` (SQLite and PostgreSQL spell it the same)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
