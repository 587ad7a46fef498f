"""The audit trail: one row per gate override or card approval (they were a JSON list in a version tag, read,
appended to and written back, so concurrent overrides lost each other's entries).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maestro_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("model", sa.String(500), nullable=False),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("alias", sa.String(255)),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_maestro_audit_actor", "maestro_audit", ["actor"])
    op.create_index("ix_maestro_audit_at", "maestro_audit", ["at"])
    op.create_index("ix_maestro_audit_subject", "maestro_audit", ["model", "version", "kind"])


def downgrade() -> None:
    op.drop_index("ix_maestro_audit_subject", "maestro_audit")
    op.drop_index("ix_maestro_audit_at", "maestro_audit")
    op.drop_index("ix_maestro_audit_actor", "maestro_audit")
    op.drop_table("maestro_audit")
