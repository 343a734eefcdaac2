"""The posture store's tables (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

The Alembic migrations under ``scanner/store/migrations/versions/`` create exactly these
tables; a test compares the two, so a change here without a migration fails the suite.

* ``targets``: one row per scanned target (a name from targets.yaml, or
  ``<platform>:<tenant id>`` for a scan of one org).
* ``scans``: one row per scan: target, tenant, begin/start/end times, tool version,
  policy and check digests, state (running / finished / failed) and outcome, the counts
  by status and severity and the posture score.
* ``findings``: the current state of each finding of a target, keyed by its stable
  fingerprint (`scanner.store.fingerprint`): first seen, current status and since when,
  resolved. PASS findings are one narrow row each and are never rewritten while they
  stay PASS, so a rescan of an unchanged org writes nothing here.
* ``finding_changes``: one row per change of a finding's status after its first
  sighting (the first status lives in ``findings.first_status``). The status of any
  finding at any scan is rebuilt from these two tables.
* ``check_runs``: per target and check, the last scan that ran the check; a finding that
  is not ``ABSENT`` was last seen in that scan.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

#: The status a finding gets when a scan that ran its check no longer reports it.
ABSENT = "ABSENT"

# SQLite's INTEGER PRIMARY KEY is its rowid only when the type is exactly INTEGER.
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

targets = Table(
    "targets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("platform", String(64), nullable=False),
    Column("tenant_id", String(255)),
    Column("tenant_name", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

scans = Table(
    "scans",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("target_id", Id, ForeignKey("targets.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(16), nullable=False),  # running, finished, failed
    Column("begun_at", DateTime(timezone=True), nullable=False),
    Column("scan_uuid", String(64)),
    Column("platform", String(64), nullable=False),
    Column("tenant_id", String(255)),
    Column("tenant_name", Text),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("tool_version", String(64)),
    Column("policy_name", String(255)),
    Column("policy_digest", String(80)),
    Column("check_digest", String(80)),
    Column("fail_on", String(16)),
    Column("exit_code", Integer),
    Column("outcome", String(16)),  # passed, failed, incomplete
    Column("score", Float),
    Column("findings", Integer),
    Column("by_status", JSON),
    Column("by_severity", JSON),
    Column("error", Text),
    Index("ix_scans_target_state", "target_id", "state", "id"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("target_id", Id, ForeignKey("targets.id", ondelete="CASCADE"), nullable=False),
    Column("fingerprint", String(32), nullable=False),
    Column("check_id", String(64), nullable=False),
    Column("resource_type", String(64), nullable=False),
    Column("resource_id", Text),
    Column("resource_name", Text),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("first_status", String(16), nullable=False),
    Column("first_scan_id", Id, nullable=False),
    Column("status_scan_id", Id, nullable=False),
    Column("resolved_scan_id", Id),
    Column("last_seen_scan_id", Id),  # set when the finding becomes ABSENT
    Column("message", Text),  # non-PASS only
    Column("excepted", Boolean, nullable=False, server_default=false()),
    Column("exception_expires", Date),
    UniqueConstraint("target_id", "fingerprint", name="uq_findings_target_fingerprint"),
    Index("ix_findings_target_status", "target_id", "status"),
)

finding_changes = Table(
    "finding_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("finding_id", Id, ForeignKey("findings.id", ondelete="CASCADE"), nullable=False),
    Column("scan_id", Id, ForeignKey("scans.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("previous_status", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message", Text),
    Index("ix_finding_changes_scan", "scan_id"),
    Index("ix_finding_changes_finding", "finding_id", "scan_id"),
)

check_runs = Table(
    "check_runs",
    metadata,
    Column("target_id", Id, ForeignKey("targets.id", ondelete="CASCADE"), primary_key=True),
    Column("check_id", String(64), primary_key=True),
    Column("scan_id", Id, nullable=False),
)
