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

from scanner.store.fingerprint import Observation, Observed
from scanner.store.models import DeltaFinding, ScanDelta
from scanner.store.schema import ABSENT, check_runs, finding_changes, findings, passing

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
_DETAIL_COLUMNS = (
    findings.c.id,
    findings.c.fingerprint,
    findings.c.check_id,
    findings.c.severity,
    findings.c.message,
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


def split_fingerprints(blob: bytes) -> list[str]:
    """The fingerprints of a ``passing.fingerprints`` value (32 hex digits each)."""
    text = blob.decode("ascii")
    return [text[i : i + 32] for i in range(0, len(text), 32)]


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
    connection.exec_driver_sql(f"INSERT INTO findings ({columns}) VALUES ({marks})", list(rows))


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


#: The stored row's `scanner.store.fingerprint.signature`, computed by the database.
_SIGNATURE = (
    "status || '|' || severity || '|' || CASE WHEN excepted THEN '1' ELSE '0' END || '|' "
    "|| COALESCE(CAST(exception_expires AS TEXT), '') || '|' || COALESCE(resource_name, '')"
)


def _stored_state(connection: Connection, target_id: int) -> list[Any]:
    """(fingerprint, id, status, check_id, signature) of every stored finding of a target."""
    cursor = connection.connection.cursor()  # the driver's own: no row objects per row
    try:
        cursor.execute(
            f"SELECT fingerprint, id, status, check_id, {_SIGNATURE} FROM findings "
            f"WHERE target_id = {int(target_id)}"
        )
        return list(cursor.fetchall())
    finally:
        cursor.close()


def record_findings(
    connection: Connection,
    scan_id: int,
    target_id: int,
    target: str,
    previous_scan_id: int | None,
    current: Observed,
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
    rows = _stored_state(connection, target_id)
    stored = {row[0]: row for row in rows}
    stored_signatures = {row[0]: row[4] for row in rows}
    old_passing = {
        check: bytes(blob)
        for check, blob in connection.execute(
            select(passing.c.check_id, passing.c.fingerprints).where(
                passing.c.target_id == target_id
            )
        )
    }
    was_passing: set[str] = set()
    for blob in old_passing.values():
        was_passing.update(split_fingerprints(blob))
    # PASS kept compactly: what passes and never was anything else goes to its check's list.
    compact: set[str] = set()
    new_passing: dict[str, bytes] = {}
    for check in ran:
        kept = [fp for fp in current.passing(check) if fp not in stored]
        compact.update(kept)
        blob = "".join(sorted(kept)).encode("ascii")
        if old_passing.get(check, b"") != blob:
            new_passing[check] = blob
    # New or changed findings, in C: a set difference of (fingerprint, signature) pairs.
    changed = [
        (key, sig)
        for key, sig in current.signatures.items() - stored_signatures.items()
        if key not in compact
    ]
    delta = ScanDelta(scan_id, target, previous_scan_id)
    delta.unchanged = len(current) - len(compact) - len(changed) + len(compact & was_passing)
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    for key in current.excepted:
        obs = current[key]
        if obs.exception_expires is not None and obs.exception_expires <= soon:
            delta.expiring.append(_delta(obs, None))
    # SQLite takes the booleans and dates as SQLAlchemy stores them: 0/1, ISO text.
    native = connection.dialect.name == "postgresql"
    new_rows: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for key, _ in changed:
        obs = current[key]
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
                    obs.excepted if native else int(obs.excepted),
                    obs.exception_expires
                    if native or obs.exception_expires is None
                    else obs.exception_expires.isoformat(),
                )
            )
            previous = "PASS" if key in was_passing else None
            if obs.status == "FAIL":
                delta.new_failures.append(_delta(obs, previous))
            elif obs.status == "ERROR":
                delta.new_errors.append(_delta(obs, previous))
            continue
        row_id, was = row[1], row[2]
        values: dict[str, Any] = {
            "row_id": row_id,
            "severity": obs.severity,
            "excepted": obs.excepted,
            "exception_expires": obs.exception_expires,
            "resource_name": obs.resource_name,
        }
        if was != obs.status:
            # A message is kept from when the finding entered its status.
            values.update(status=obs.status, status_scan_id=scan_id, last_seen_scan_id=None)
            values["message"] = obs.message
            # Resolved: a failure now passes (or no longer applies); not when it is
            # merely no longer known (ERROR, MANUAL).
            resolves = was == "FAIL" and obs.status in ("PASS", "NOT_APPLICABLE")
            values["resolved_scan_id"] = scan_id if resolves else None
            changes.append(
                {
                    "finding_id": row_id,
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
    gone = [
        stored[key]
        for key in stored_signatures.keys() - current.signatures.keys()
        if stored[key][2] != ABSENT and stored[key][3] in ran
    ]
    if gone:
        delta.fixed.extend(_gone(connection, scan_id, gone, last_run, updates, changes))
    _bulk_insert(connection, new_rows)
    _update_rows(connection, updates)
    if changes:
        connection.execute(insert(finding_changes), changes)
    if new_passing:
        connection.execute(
            delete(passing).where(
                passing.c.target_id == target_id, passing.c.check_id.in_(list(new_passing))
            )
        )
        blobs = [
            {"target_id": target_id, "check_id": c, "scan_id": scan_id, "fingerprints": b}
            for c, b in sorted(new_passing.items())
            if b
        ]
        if blobs:
            connection.execute(insert(passing), blobs)
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


def _gone(
    connection: Connection,
    scan_id: int,
    gone: list[Any],
    last_run: dict[str, int],
    updates: list[dict[str, Any]],
    changes: list[dict[str, Any]],
) -> list[DeltaFinding]:
    """Mark findings that a scan which ran their check no longer reports as ABSENT.

    The resource was removed or no longer applies, which resolves a failure: the failed
    ones are returned as fixed.
    """
    fixed: list[DeltaFinding] = []
    ids = [row[1] for row in gone]
    details: dict[int, Any] = {}
    for start in range(0, len(ids), 10_000):
        chunk = ids[start : start + 10_000]
        query = select(*_DETAIL_COLUMNS).where(findings.c.id.in_(chunk))
        details.update((r.id, r) for r in connection.execute(query))
    for _, row_id, status, check_id, _ in gone:
        updates.append(
            {
                "row_id": row_id,
                "status": ABSENT,
                "status_scan_id": scan_id,
                "last_seen_scan_id": last_run.get(check_id),
                "resolved_scan_id": scan_id if status == "FAIL" else None,
            }
        )
        detail = details[row_id]
        changes.append(
            {
                "finding_id": row_id,
                "scan_id": scan_id,
                "status": ABSENT,
                "previous_status": status,
                "severity": detail.severity,
                "message": None,
            }
        )
        if status == "FAIL":
            fixed.append(
                DeltaFinding(
                    detail.fingerprint,
                    detail.check_id,
                    detail.severity,
                    ABSENT,
                    status,
                    detail.resource_type,
                    detail.resource_id,
                    detail.resource_name,
                    detail.message,
                )
            )
    return fixed
