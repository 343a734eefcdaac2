"""Alembic environment: migrations run programmatically on a connection crmscan opened.

`scanner.store.migrate` passes the connection in ``config.attributes["connection"]``;
no alembic.ini is needed (nor read) by users.
"""

from __future__ import annotations

from alembic import context

from scanner.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
