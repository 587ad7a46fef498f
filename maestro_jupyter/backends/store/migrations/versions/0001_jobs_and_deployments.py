"""Training jobs and deployments.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maestro_jobs",
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
    op.create_table(
        "maestro_deployments",
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


def downgrade() -> None:
    op.drop_table("maestro_deployments")
    op.drop_table("maestro_jobs")
