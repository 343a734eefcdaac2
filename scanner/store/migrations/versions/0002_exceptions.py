"""Findings remember whether a policy exception covers them and when it expires.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

So ``crmscan findings --expiring-within DAYS`` can list exceptions about to lapse.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add findings.excepted and findings.exception_expires."""
    with op.batch_alter_table("findings") as batch:
        batch.add_column(
            sa.Column("excepted", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("exception_expires", sa.Date))


def downgrade() -> None:
    """Remove the exception columns."""
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("exception_expires")
        batch.drop_column("excepted")
