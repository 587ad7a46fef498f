"""Alembic environment: run by :func:`maestro_jupyter.backends.store.migrate.upgrade` on the connection it passes."""

from __future__ import annotations

from alembic import context

from maestro_jupyter.backends.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table="maestro_alembic_version")
with context.begin_transaction():
    context.run_migrations()
