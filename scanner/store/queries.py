"""Questions asked of the posture store: current findings, what changed between scans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, or_, select
from sqlalchemy.orm import aliased

from scanner.errors import ConfigError
from scanner.results.diff import ScanDiff
from scanner.store.models import StoredFinding, utc
from scanner.store.posture import PostureStore
from scanner.store.schema import ABSENT, check_runs, finding_changes, findings, scans, targets


def _scan_times(connection: Connection, target_id: int) -> dict[int, datetime]:
    rows = connection.execute(
        select(scans.c.id, scans.c.started_at, scans.c.begun_at).where(
            scans.c.target_id == target_id
        )
    )
    times: dict[int, datetime] = {}
    for row in rows:
        when = utc(row.started_at or row.begun_at)
        assert when is not None
        times[row.id] = when
    return times


def _target_id(connection: Connection, target: str) -> int:
    found = connection.execute(select(targets.c.id).where(targets.c.name == target)).scalar()
    if found is None:
        raise ConfigError(f"no target {target!r} in the store")
    return int(found)


def current_findings(
    store: PostureStore,
    target: str,
    statuses: Sequence[str] = (),
    severities: Sequence[str] = (),
    new_since: date | None = None,
    expiring_within: int | None = None,
    today: date | None = None,
) -> list[StoredFinding]:
    """The current findings of ``target`` (gone ones only when ``statuses`` has ABSENT).

    ``new_since``: only findings whose current status began on or after that day (e.g.
    FAIL since). ``expiring_within``: only findings under an exception that expires
    within that many days of ``today`` (or has expired).
    """
    with store.engine.connect() as connection:
        target_id = _target_id(connection, target)
        times = _scan_times(connection, target_id)
        query = select(findings, check_runs.c.scan_id.label("last_run")).outerjoin(
            check_runs,
            (check_runs.c.target_id == findings.c.target_id)
            & (check_runs.c.check_id == findings.c.check_id),
        )
        query = query.where(findings.c.target_id == target_id)
        if statuses:
            query = query.where(findings.c.status.in_(list(statuses)))
        else:
            query = query.where(findings.c.status != ABSENT)
        if severities:
            query = query.where(findings.c.severity.in_(list(severities)))
        if expiring_within is not None:
            limit = (today or date.today()).toordinal() + expiring_within
            query = query.where(
                findings.c.exception_expires.is_not(None),
                findings.c.exception_expires <= date.fromordinal(limit),
            )
        query = query.order_by(findings.c.check_id, findings.c.resource_name)
        rows = connection.execute(query).all()
    result: list[StoredFinding] = []
    for row in rows:
        since = times[row.status_scan_id]
        if new_since is not None and since.date() < new_since:
            continue
        last = row.last_seen_scan_id if row.status == ABSENT else row.last_run
        result.append(
            StoredFinding(
                fingerprint=row.fingerprint,
                target=target,
                check_id=row.check_id,
                severity=row.severity,
                status=row.status,
                resource_type=row.resource_type,
                resource_id=row.resource_id,
                resource_name=row.resource_name,
                message=row.message,
                first_seen=times[row.first_scan_id],
                status_since=since,
                last_seen=times.get(last) if last is not None else None,
                resolved_at=times.get(row.resolved_scan_id) if row.resolved_scan_id else None,
                excepted=bool(row.excepted),
                exception_expires=row.exception_expires,
            )
        )
    return result


def _finding_dict(row: Any, status: str, message: str | None) -> dict[str, Any]:
    return {
        "check_id": row.check_id,
        "severity": row.severity,
        "status": status,
        "resource": {"type": row.resource_type, "id": row.resource_id, "name": row.resource_name},
        "message": message or "",
        "exception": (
            {"expires": row.exception_expires.isoformat(), "expired": not row.excepted}
            if row.exception_expires
            else None
        ),
    }


def diff_scans(store: PostureStore, before: int, after: int) -> ScanDiff:
    """What changed from scan ``before`` to scan ``after`` of one target (as `crmscan diff`)."""
    if before >= after:
        raise ConfigError(f"scan {before} is not older than scan {after}")
    with store.engine.connect() as connection:
        pair = connection.execute(
            select(scans.c.id, scans.c.target_id, scans.c.state).where(
                scans.c.id.in_([before, after])
            )
        ).all()
        if len(pair) != 2 or len({row.target_id for row in pair}) != 1:
            raise ConfigError(f"scans {before} and {after} are not two scans of one target")
        if any(row.state != "finished" for row in pair):
            raise ConfigError(f"scans {before} and {after} must both be finished")
        target_id = pair[0].target_id
        change = aliased(finding_changes)
        changed = (
            select(change.c.finding_id)
            .where(change.c.scan_id <= after)
            .join(scans, scans.c.id == change.c.scan_id)
            .where(scans.c.target_id == target_id)
        )
        candidates = connection.execute(
            select(findings).where(
                findings.c.target_id == target_id,
                findings.c.first_scan_id <= after,
                or_(findings.c.first_status != "PASS", findings.c.id.in_(changed)),
            )
        ).all()
        history: dict[int, list[Any]] = {}
        for row in connection.execute(
            select(finding_changes)
            .where(
                finding_changes.c.finding_id.in_(changed),
                finding_changes.c.scan_id <= after,
            )
            .order_by(finding_changes.c.scan_id)
        ):
            history.setdefault(row.finding_id, []).append(row)
    diff = ScanDiff()
    for row in candidates:
        was, _ = _status_at(row, history.get(row.id, []), before)
        now, message = _status_at(row, history.get(row.id, []), after)
        if now == "FAIL":
            kind = diff.still_failing if was == "FAIL" else diff.new_failures
            kind.append(_finding_dict(row, now, message))
        elif was == "FAIL" and now in ("PASS", ABSENT):
            diff.fixed.append(_finding_dict(row, now, message))
        if now == "ERROR" and was != "ERROR":
            diff.new_errors.append(_finding_dict(row, now, message))
        elif was == "ERROR" and now not in ("ERROR", None):
            diff.resolved_errors.append(_finding_dict(row, now, message))
    return diff


def _status_at(row: Any, changes: list[Any], scan_id: int) -> tuple[str | None, str | None]:
    """A finding's status and message as of ``scan_id`` (None: not seen yet)."""
    if row.first_scan_id > scan_id:
        return None, None
    status: str = row.first_status
    message = row.message if not changes else None
    for change in changes:
        if change.scan_id > scan_id:
            break
        status, message = change.status, change.message
    if message is None and status == row.status:
        message = row.message
    return status, message
