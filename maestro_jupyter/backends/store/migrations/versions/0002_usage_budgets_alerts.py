"""Usage ledger (with daily sums), budgets and alerts; measured usage on jobs, meter readings on deployments.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("maestro_jobs", sa.Column("memory_gb_seconds", sa.Float))
    op.add_column("maestro_jobs", sa.Column("gpu_seconds", sa.Float))
    op.add_column("maestro_jobs", sa.Column("gpu_type", sa.String(100)))
    op.add_column("maestro_jobs", sa.Column("settled_at", sa.Float))
    op.add_column("maestro_jobs", sa.Column("cost", sa.Float))
    op.create_index("ix_maestro_jobs_settled_at", "maestro_jobs", ["settled_at"])
    op.add_column("maestro_deployments", sa.Column("metered_at", sa.Float))
    op.add_column("maestro_deployments", sa.Column("meter", sa.JSON))
    op.create_table(
        "maestro_usage",
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
        sa.Column("cost_micros", sa.BigInteger, nullable=False),
        sa.Column("rates", sa.JSON, nullable=False),
        sa.Column("measured_by", sa.String(20), nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.UniqueConstraint("kind", "source_id", "period_start", name="uq_maestro_usage_stretch"),
    )
    op.create_table(
        "maestro_usage_daily",
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
    op.create_table(
        "maestro_budgets",
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
    op.create_table(
        "maestro_alerts",
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


def downgrade() -> None:
    op.drop_table("maestro_alerts")
    op.drop_table("maestro_budgets")
    op.drop_table("maestro_usage_daily")
    op.drop_table("maestro_usage")
    op.drop_column("maestro_deployments", "meter")
    op.drop_column("maestro_deployments", "metered_at")
    op.drop_index("ix_maestro_jobs_settled_at", "maestro_jobs")
    for column in ("cost", "settled_at", "gpu_type", "gpu_seconds", "memory_gb_seconds"):
        op.drop_column("maestro_jobs", column)
