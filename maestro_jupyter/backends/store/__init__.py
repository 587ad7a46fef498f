"""The Maestro DB: training jobs, deployments, (in :mod:`.ledger`) usage, budgets and alerts, and (in :mod:`.audit`)
the audit trail of gate overrides and card approvals, shared by every process.

The kernel, the Jupyter server and a job's supervisor open the same database (``MAESTRO_DB_URL``; SQLite under
``MAESTRO_HOME`` by default, PostgreSQL for a team), so a job submitted from a notebook shows in the sidebar and a
server restart loses nothing. State changes are single conditional ``UPDATE``s (``only_if``), so two writers (a
supervisor recording an exit, a user cancelling) cannot overwrite each other's outcome.

A database that cannot be reached (refused, gone away mid-session, too many connections, a file that cannot be
opened) is :class:`~maestro_jupyter.errors.BackendUnavailable` (HTTP 503) wherever it happens, mapped once by the
engine's ``handle_error`` hook; its message names the database without its password.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ...entities import Deployment, Job, Resources
from ...errors import BackendUnavailable, NotFound, first_line
from . import schema
from .audit import AuditLog
from .ledger import Ledger
from .migrate import upgrade

Handle = dict[str, Any]

_engines: dict[str, sa.Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> sa.Engine:
    """One migrated engine per URL and process."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_engine(url)
            try:
                upgrade(engine)
            except BaseException:
                engine.dispose()
                raise
            _engines[url] = engine
        return engine


def _create_engine(url: str) -> sa.Engine:
    try:
        return _new_engine(url)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        where = sa.make_url(url).render_as_string(hide_password=True)
        raise BackendUnavailable(
            f"The Maestro DB ({where}) needs a database driver that is not installed ({first_line(exc)}); for "
            "PostgreSQL, install maestro_jupyter[postgres]."
        ) from None


def _new_engine(url: str) -> sa.Engine:
    if not url.startswith("sqlite"):
        engine = sa.create_engine(url, pool_pre_ping=True)
        sa.event.listen(engine, "handle_error", _unreachable)
        return engine
    # Several processes write one SQLite file: wait for a lock rather than fail, and let readers read while a writer
    # writes (WAL).
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    sa.event.listen(engine, "handle_error", _unreachable)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _unreachable(context: sa.engine.ExceptionContext) -> BaseException | None:
    """The engine's error hook: a failure to connect, or a connection lost, becomes ``BackendUnavailable``; every
    other error (a constraint, a bad statement) stays what it is. A pre-ping's failure is left to the pool, which
    then reconnects (and a failure of that is mapped)."""
    if context.is_pre_ping:
        return None
    connecting = context.connection is None and isinstance(context.sqlalchemy_exception, sa.exc.OperationalError)
    if not (connecting or context.is_disconnect):
        return None
    url = context.engine.url if context.engine is not None else None
    where = url.render_as_string(hide_password=True) if url is not None else "the configured URL"
    reason = first_line(context.original_exception)
    if url is not None and url.password:
        reason = reason.replace(str(url.password), "***")
    if url is not None and url.get_backend_name() == "sqlite":
        advice = "check that its folder exists and may be written"
    else:
        advice = "check that the database server is running and that MAESTRO_DB_URL names it"
    return BackendUnavailable(f"The Maestro DB ({where}) cannot be reached: {reason}; {advice}.")


class MaestroStore:
    """Job and deployment records. Records come back as the entities the API returns, with their handle."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)
        #: Usage, budgets and alerts.
        self.ledger = Ledger(self.engine)
        #: Gate overrides and card approvals, one row each.
        self.audit = AuditLog(self.engine)

    # --- jobs ----------------------------------------------------------------------------------------------------

    def insert_job(self, job: Job, handle: Handle) -> None:
        row = job.model_dump(mode="json", exclude={"duration_seconds", "estimate"})
        with self.engine.begin() as conn:
            conn.execute(schema.jobs.insert().values(**row, handle=handle))

    def get_job(self, job_id: str) -> tuple[Job, Handle]:
        with self.engine.connect() as conn:
            row = conn.execute(schema.jobs.select().where(schema.jobs.c.id == job_id)).mappings().first()
        if row is None:
            raise NotFound(f"Training job '{job_id}' not found")
        return _job(row), dict(row["handle"] or {})

    def list_jobs(
        self,
        *,
        user: str | None = None,
        project: str | None = None,
        statuses: Sequence[str] | None = None,
        limit: int = 100,
    ) -> list[tuple[Job, Handle]]:
        t = schema.jobs
        query = t.select().order_by(t.c.created_at.desc()).limit(limit)
        if user:
            query = query.where(t.c.user == user)
        if project:
            query = query.where(t.c.project == project)
        if statuses:
            query = query.where(t.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [(_job(r), dict(r["handle"] or {})) for r in rows]

    def unsettled_jobs(self, final: Sequence[str], limit: int = 500) -> list[tuple[Job, Handle]]:
        """Finished jobs whose usage is not in the ledger yet, oldest first."""
        t = schema.jobs
        query = (
            t.select()
            .where(t.c.settled_at.is_(None), t.c.status.in_(list(final)))
            .order_by(t.c.finished_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [(_job(r), dict(r["handle"] or {})) for r in rows]

    def job_timings(self) -> list[tuple[str, str, float | None, float | None]]:
        """``(project, status, started_at, finished_at)`` of every job: just what the metrics need, no documents."""
        t = schema.jobs
        query = sa.select(t.c.project, t.c.status, t.c.started_at, t.c.finished_at)
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]  # type: ignore[misc]

    def update_job(self, job_id: str, *, only_if: Sequence[str] | None = None, **values: Any) -> bool:
        """Set ``values``; with ``only_if``, only while the job's status is one of those. True if a row changed."""
        return self._update(schema.jobs, job_id, only_if, values)

    # --- deployments ---------------------------------------------------------------------------------------------

    def insert_deployment(self, deployment: Deployment, handle: Handle) -> None:
        row = deployment.model_dump(mode="json", exclude={"endpoint", "estimate", "alias_version"})
        with self.engine.begin() as conn:
            conn.execute(schema.deployments.insert().values(**row, handle=handle))

    def get_deployment(self, deployment_id: str) -> tuple[Deployment, Handle]:
        t = schema.deployments
        with self.engine.connect() as conn:
            row = conn.execute(t.select().where(t.c.id == deployment_id)).mappings().first()
        if row is None:
            raise NotFound(f"Deployment '{deployment_id}' not found")
        return _deployment(row), dict(row["handle"] or {})

    def list_deployments(
        self, *, user: str | None = None, statuses: Sequence[str] | None = None, limit: int = 100
    ) -> list[tuple[Deployment, Handle]]:
        t = schema.deployments
        query = t.select().order_by(t.c.created_at.desc()).limit(limit)
        if user:
            query = query.where(t.c.user == user)
        if statuses:
            query = query.where(t.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [(_deployment(r), dict(r["handle"] or {})) for r in rows]

    def update_deployment(
        self,
        deployment_id: str,
        *,
        only_if: Sequence[str] | None = None,
        unchanged_since: float | None = None,
        **values: Any,
    ) -> bool:
        """Set ``values``; ``False`` (nothing written) if the status is not in ``only_if``, or if the deployment was
        changed (its ``updated_at`` moved) since ``unchanged_since``: a health check must not write back a handle
        that an update replaced while it ran."""
        table = schema.deployments
        extra = [] if unchanged_since is None else [table.c.updated_at == unchanged_since]
        return self._update(table, deployment_id, only_if, values, extra)

    def deployment_meter(self, deployment_id: str) -> tuple[float | None, dict[str, Any]]:
        """Until when a deployment's usage is in the ledger, and the meter readings taken then."""
        t = schema.deployments
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.c.metered_at, t.c.meter).where(t.c.id == deployment_id)).first()
        if row is None:
            raise NotFound(f"Deployment '{deployment_id}' not found")
        return row[0], dict(row[1] or {})

    def advance_meter(
        self, deployment_id: str, previous: float | None, metered_at: float, meter: dict[str, Any]
    ) -> bool:
        """Move a deployment's meter on from ``previous``; ``False`` if another process moved it first."""
        t = schema.deployments
        same = t.c.metered_at.is_(None) if previous is None else t.c.metered_at == previous
        query = t.update().where(t.c.id == deployment_id, same).values(metered_at=metered_at, meter=meter)
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)

    def delete_deployment_record(self, deployment_id: str) -> None:
        """Forget a stopped deployment (its id can be used again)."""
        t = schema.deployments
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.id == deployment_id))

    def _update(
        self,
        table: sa.Table,
        key: str,
        only_if: Sequence[str] | None,
        values: dict[str, Any],
        extra: Sequence[Any] = (),
    ) -> bool:
        query = table.update().where(table.c.id == key, *extra).values(**values)
        if only_if is not None:
            query = query.where(table.c.status.in_(list(only_if)))
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)


def _job(row: Any) -> Job:
    data = {k: row[k] for k in Job.model_fields if k in row}
    data["resources"] = Resources.model_validate(row["resources"] or {})
    return Job.model_validate(data)


def _deployment(row: Any) -> Deployment:
    data = {k: row[k] for k in Deployment.model_fields if k in row}
    data["resources"] = Resources.model_validate(row["resources"] or {})
    data["endpoint"] = deployment_endpoint(row["id"])
    return Deployment.model_validate(data)


def deployment_endpoint(deployment_id: str) -> str:
    """The REST path that proxies a deployment's predictions."""
    return f"maestro/api/v1/deployments/{deployment_id}/predict"
