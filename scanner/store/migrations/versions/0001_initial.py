"""Targets, scans, findings by fingerprint, finding status changes, check runs.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the first store schema."""
    op.create_table(
        "targets",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("platform", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(255)),
        sa.Column("tenant_name", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "scans",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("target_id", Id, sa.ForeignKey("targets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("begun_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scan_uuid", sa.String(64)),
        sa.Column("platform", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(255)),
        sa.Column("tenant_name", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("tool_version", sa.String(64)),
        sa.Column("policy_name", sa.String(255)),
        sa.Column("policy_digest", sa.String(80)),
        sa.Column("check_digest", sa.String(80)),
        sa.Column("fail_on", sa.String(16)),
        sa.Column("exit_code", sa.Integer),
        sa.Column("outcome", sa.String(16)),
        sa.Column("score", sa.Float),
        sa.Column("findings", sa.Integer),
        sa.Column("by_status", sa.JSON),
        sa.Column("by_severity", sa.JSON),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_scans_target_state", "scans", ["target_id", "state", "id"])
    op.create_table(
        "findings",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("target_id", Id, sa.ForeignKey("targets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("check_id", sa.String(64), nullable=False),
        sa.Column("resource_type", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.Text),
        sa.Column("resource_name", sa.Text),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("first_status", sa.String(16), nullable=False),
        sa.Column("first_scan_id", Id, nullable=False),
        sa.Column("status_scan_id", Id, nullable=False),
        sa.Column("resolved_scan_id", Id),
        sa.Column("last_seen_scan_id", Id),
        sa.Column("message", sa.Text),
        sa.UniqueConstraint("target_id", "fingerprint", name="uq_findings_target_fingerprint"),
    )
    op.create_index("ix_findings_target_status", "findings", ["target_id", "status"])
    op.create_table(
        "finding_changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "finding_id", Id, sa.ForeignKey("findings.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("scan_id", Id, sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("previous_status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("message", sa.Text),
    )
    op.create_index("ix_finding_changes_scan", "finding_changes", ["scan_id"])
    op.create_index("ix_finding_changes_finding", "finding_changes", ["finding_id", "scan_id"])
    op.create_table(
        "check_runs",
        sa.Column(
            "target_id",
            Id,
            sa.ForeignKey("targets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("check_id", sa.String(64), primary_key=True),
        sa.Column("scan_id", Id, nullable=False),
    )


def downgrade() -> None:
    """Drop everything (the store is empty again)."""
    for table in ("check_runs", "finding_changes", "findings", "scans", "targets"):
        op.drop_table(table)
