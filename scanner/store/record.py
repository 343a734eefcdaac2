"""Record one scan's findings: compare with the target's stored state, write only changes.

A rescan of an unchanged org inserts no finding rows and updates none: only the scan
row and the per-check "last run" rows are written. New findings go in with one bulk
statement (``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL), never one ORM
object per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from scanner.store.fingerprint import Observation
from scanner.store.models import DeltaFinding, ScanDelta
from scanner.store.schema import ABSENT, check_runs, finding_changes, findings

#: `ScanDelta.expiring` lists exceptions that expire within this many days.
EXPIRY_WARNING_DAYS = 30

_NEW_COLUMNS = (
    "target_id",
    "fingerprint",
    "check_id",
    "resource_type",
    "resource_id",
    "resource_name",
    "severity",
    "status",
    "first_status",
    "first_scan_id",
    "status_scan_id",
    "message",
    "excepted",
    "exception_expires",
)
_STATE_COLUMNS = (
    findings.c.id,
    findings.c.fingerprint,
    findings.c.check_id,
    findings.c.status,
    findings.c.severity,
    findings.c.message,
    findings.c.excepted,
    findings.c.exception_expires,
    findings.c.resource_type,
    findings.c.resource_id,
    findings.c.resource_name,
)


def _delta(obs: Observation, previous: str | None) -> DeltaFinding:
    return DeltaFinding(
        obs.fingerprint,
        obs.check_id,
        obs.severity,
        obs.status,
        previous,
        obs.resource_type,
        obs.resource_id,
        obs.resource_name,
        obs.message,
        obs.excepted,
        obs.exception_expires,
    )


def _bulk_insert(connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert new finding rows in bulk (COPY on PostgreSQL, executemany on SQLite)."""
    if not rows:
        return
    columns = ", ".join(_NEW_COLUMNS)
    if connection.dialect.name == "postgresql":
        raw: Any = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY findings ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in _NEW_COLUMNS)
    sqlite_rows = [
        (*row[:12], int(row[12]), row[13].isoformat() if row[13] else None) for row in rows
    ]
    connection.exec_driver_sql(f"INSERT INTO findings ({columns}) VALUES ({marks})", sqlite_rows)


def _update_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Rewrite changed finding rows (by id), in one executemany per set of columns."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(row)), []).append(row)
    for columns, batch in by_columns.items():
        values: dict[str, Any] = {c: bindparam(f"v_{c}") for c in columns if c != "row_id"}
        statement = update(findings).where(findings.c.id == bindparam("row_id")).values(values)
        params = [
            {("row_id" if k == "row_id" else f"v_{k}"): v for k, v in r.items()} for r in batch
        ]
        connection.execute(statement, params)


def record_findings(
    connection: Connection,
    scan_id: int,
    target_id: int,
    target: str,
    previous_scan_id: int | None,
    current: dict[str, Observation],
    ran_checks: Iterable[str],
    today: date,
) -> ScanDelta:
    """Compare ``current`` with the stored state of ``target_id`` and write the changes."""
    ran = set(ran_checks)
    runs = connection.execute(
        select(check_runs.c.check_id, check_runs.c.scan_id).where(
            check_runs.c.target_id == target_id
        )
    ).all()
    last_run = {check: scan for check, scan in runs}
    stored = {
        row.fingerprint: row
        for row in connection.execute(
            select(*_STATE_COLUMNS).where(findings.c.target_id == target_id)
        )
    }
    delta = ScanDelta(scan_id, target, previous_scan_id)
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    new_rows: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for key, obs in current.items():
        if obs.exception_expires is not None and obs.exception_expires <= soon:
            delta.expiring.append(_delta(obs, None))
        row = stored.get(key)
        if row is None:
            new_rows.append(
                (
                    target_id,
                    key,
                    obs.check_id,
                    obs.resource_type,
                    obs.resource_id,
                    obs.resource_name,
                    obs.severity,
                    obs.status,
                    obs.status,
                    scan_id,
                    scan_id,
                    obs.message,
                    obs.excepted,
                    obs.exception_expires,
                )
            )
            if obs.status == "FAIL":
                delta.new_failures.append(_delta(obs, None))
            elif obs.status == "ERROR":
                delta.new_errors.append(_delta(obs, None))
            continue
        was = row.status
        same = (
            was == obs.status
            and row.severity == obs.severity
            and row.message == obs.message
            and bool(row.excepted) == obs.excepted
            and row.exception_expires == obs.exception_expires
            and row.resource_name == obs.resource_name
        )
        if same:
            delta.unchanged += 1
            continue
        values: dict[str, Any] = {
            "row_id": row.id,
            "severity": obs.severity,
            "message": obs.message,
            "excepted": obs.excepted,
            "exception_expires": obs.exception_expires,
            "resource_name": obs.resource_name,
        }
        if was != obs.status:
            values.update(status=obs.status, status_scan_id=scan_id, last_seen_scan_id=None)
            values["resolved_scan_id"] = scan_id if was == "FAIL" else None
            changes.append(
                {
                    "finding_id": row.id,
                    "scan_id": scan_id,
                    "status": obs.status,
                    "previous_status": was,
                    "severity": obs.severity,
                    "message": obs.message,
                }
            )
            if obs.status == "FAIL":
                delta.new_failures.append(_delta(obs, was))
            elif was == "FAIL" and obs.status == "PASS":
                delta.fixed.append(_delta(obs, was))
            if obs.status == "ERROR":
                delta.new_errors.append(_delta(obs, was))
        updates.append(values)
    for key, row in stored.items():
        if key in current or row.status == ABSENT or row.check_id not in ran:
            continue
        # Gone from a scan that ran its check: the resource was removed or no longer
        # applies, which resolves a failure.
        updates.append(
            {
                "row_id": row.id,
                "status": ABSENT,
                "status_scan_id": scan_id,
                "last_seen_scan_id": last_run.get(row.check_id),
                "resolved_scan_id": scan_id if row.status == "FAIL" else None,
            }
        )
        changes.append(
            {
                "finding_id": row.id,
                "scan_id": scan_id,
                "status": ABSENT,
                "previous_status": row.status,
                "severity": row.severity,
                "message": None,
            }
        )
        if row.status == "FAIL":
            delta.fixed.append(
                DeltaFinding(
                    row.fingerprint,
                    row.check_id,
                    row.severity,
                    ABSENT,
                    row.status,
                    row.resource_type,
                    row.resource_id,
                    row.resource_name,
                    row.message,
                )
            )
    _bulk_insert(connection, new_rows)
    _update_rows(connection, updates)
    if changes:
        connection.execute(insert(finding_changes), changes)
    connection.execute(
        delete(check_runs).where(
            check_runs.c.target_id == target_id, check_runs.c.check_id.in_(ran)
        )
    )
    if ran:
        connection.execute(
            insert(check_runs),
            [{"target_id": target_id, "check_id": c, "scan_id": scan_id} for c in sorted(ran)],
        )
    return delta
