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
