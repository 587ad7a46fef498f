"""The Maestro DB's tables as they are at the newest migration (SQLAlchemy Core).

The migrations in ``migrations/versions`` create and change them; this module describes the result, for queries.
Times are seconds since the epoch (floats), JSON columns hold small documents (params, resources, handles).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

jobs = sa.Table(
    "maestro_jobs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("user", sa.String(200), nullable=False, index=True),
    sa.Column("project", sa.String(200), nullable=False, index=True),
    sa.Column("backend", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("resources", sa.JSON, nullable=False),
    sa.Column("experiment", sa.String(500), nullable=False),
    sa.Column("experiment_id", sa.String(64)),
    sa.Column("run_id", sa.String(64)),
    sa.Column("handle", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("started_at", sa.Float),
    sa.Column("finished_at", sa.Float),
    sa.Column("exit_code", sa.Integer),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("cpu_seconds", sa.Float),
    sa.Column("peak_memory_mb", sa.Float),
)

deployments = sa.Table(
    "maestro_deployments",
    metadata,
    sa.Column("id", sa.String(63), primary_key=True),
    sa.Column("model", sa.String(500), nullable=False),
    sa.Column("version", sa.String(20), nullable=False),
    sa.Column("alias", sa.String(255)),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("user", sa.String(200), nullable=False, index=True),
    sa.Column("project", sa.String(200), nullable=False, index=True),
    sa.Column("backend", sa.String(20), nullable=False),
    sa.Column("replicas", sa.Integer, nullable=False),
    sa.Column("ready_replicas", sa.Integer, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("resources", sa.JSON, nullable=False),
    sa.Column("instances", sa.JSON, nullable=False),
    sa.Column("handle", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

# --- costs (migration 0002) ----------------------------------------------------------------------------------------

jobs.append_column(sa.Column("memory_gb_seconds", sa.Float))
jobs.append_column(sa.Column("gpu_seconds", sa.Float))
jobs.append_column(sa.Column("gpu_type", sa.String(100)))
#: When the job's usage went into the ledger (``None``: not yet).
jobs.append_column(sa.Column("settled_at", sa.Float, index=True))
#: What the job cost, in dollars, once settled.
jobs.append_column(sa.Column("cost", sa.Float))
#: Until when the deployment's usage is in the ledger, and the backend's meter readings at that moment.
deployments.append_column(sa.Column("metered_at", sa.Float))
deployments.append_column(sa.Column("meter", sa.JSON))

#: The ledger: one row per measured stretch of a job's or deployment's life, priced with the rates of its time.
#: ``(kind, source_id, period_start)`` is unique, so two processes settling the same stretch write it once.
usage = sa.Table(
    "maestro_usage",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("source_id", sa.String(63), nullable=False),
    sa.Column("period_start", sa.Float, nullable=False),
    sa.Column("period_end", sa.Float, nullable=False, index=True),
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("project", sa.String(200), nullable=False),
    sa.Column("model", sa.String(500), nullable=False),
    sa.Column("version", sa.String(20), nullable=False),
    sa.Column("cpu_seconds", sa.Float, nullable=False),
    sa.Column("memory_gb_seconds", sa.Float, nullable=False),
    sa.Column("gpu_seconds", sa.Float, nullable=False),
    sa.Column("gpu_type", sa.String(100)),
    #: Millionths of a dollar: sums are exact.
    sa.Column("cost_micros", sa.BigInteger, nullable=False),
    sa.Column("rates", sa.JSON, nullable=False),
    #: ``rusage``/``proc`` (measured locally), ``prometheus``, or ``requested`` (requests x run time).
    sa.Column("measured_by", sa.String(20), nullable=False),
    sa.Column("recorded_at", sa.Float, nullable=False),
    sa.UniqueConstraint("kind", "source_id", "period_start", name="uq_maestro_usage_stretch"),
)

#: Daily sums of the ledger (UTC days since the epoch), kept in the same transaction as each ledger row, so that a
#: summary over a month reads thousands of rows, not millions.
usage_daily = sa.Table(
    "maestro_usage_daily",
    metadata,
    sa.Column("day", sa.Integer, primary_key=True),
    sa.Column("user", sa.String(200), primary_key=True),
    sa.Column("project", sa.String(200), primary_key=True),
    sa.Column("model", sa.String(500), primary_key=True),
    sa.Column("version", sa.String(20), primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("cost_micros", sa.BigInteger, nullable=False),
    sa.Column("cpu_seconds", sa.Float, nullable=False),
    sa.Column("memory_gb_seconds", sa.Float, nullable=False),
    sa.Column("gpu_seconds", sa.Float, nullable=False),
    sa.Column("records", sa.Integer, nullable=False),
)

budgets = sa.Table(
    "maestro_budgets",
    metadata,
    sa.Column("scope", sa.String(10), primary_key=True),
    sa.Column("subject", sa.String(200), primary_key=True),
    sa.Column("amount_micros", sa.BigInteger, nullable=False),
    sa.Column("period", sa.String(10), nullable=False),
    sa.Column("thresholds", sa.JSON, nullable=False),
    sa.Column("hard_limit", sa.Boolean, nullable=False),
    sa.Column("webhook", sa.Text),
    sa.Column("updated_by", sa.String(200), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

#: One row per threshold a budget crossed in one period: the unique key is what makes an alert fire once.
alerts = sa.Table(
    "maestro_alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(10), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("period", sa.String(10), nullable=False),
    sa.Column("period_start", sa.Float, nullable=False),
    sa.Column("threshold", sa.Integer, nullable=False),
    sa.Column("spent_micros", sa.BigInteger, nullable=False),
    sa.Column("amount_micros", sa.BigInteger, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("delivery", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.UniqueConstraint("scope", "subject", "period_start", "threshold", name="uq_maestro_alert_once"),
)

# --- audit (migration 0003) ----------------------------------------------------------------------------------------

#: The audit trail: one row per recorded event (a gate override, a card approval), each inserted in a transaction of
#: its own and never updated, so that concurrent writers cannot lose each other's records. ``details`` holds what
#: only some kinds have (an override's action, verdict and failed checks; an approval's fingerprint).
audit = sa.Table(
    "maestro_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("model", sa.String(500), nullable=False),
    sa.Column("version", sa.String(20), nullable=False),
    sa.Column("alias", sa.String(255)),
    sa.Column("actor", sa.String(200), nullable=False, index=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Index("ix_maestro_audit_subject", "model", "version", "kind"),
)
