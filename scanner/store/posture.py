"""The posture store: targets, scans and findings in SQLite or PostgreSQL.

::

    store = open_store("postgresql://postgres@127.0.0.1/crmscan")   # or a file, or None
    scan_id = store.begin_scan("acme-prod", "salesforce")          # row state "running"
    try:
        with store.target_lock("acme-prod"):                        # one scan per target
            ...collect, evaluate...
        delta = store.finish_scan(scan_id, result, document)       # new / fixed findings
    except Exception as exc:
        store.fail_scan(scan_id, str(exc))

The store keeps no evidence and no secrets: finding text is redacted before it is
written (and the pipeline hands over redacted documents). The result JSON stays the
archive of a scan; the store keeps what is needed to tell what changed, when.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from scanner.engine.scan import ScanResult
from scanner.errors import ConfigError
from scanner.redact import redact
from scanner.store import migrate
from scanner.store.fingerprint import Observed, document_observations, observations
from scanner.store.location import default_location, describe, make_engine, store_url
from scanner.store.locks import target_lock
from scanner.store.models import ScanDelta, StoredScan, utc
from scanner.store.record import record_findings
from scanner.store.schema import scans, targets

OUTCOMES = {0: "passed", 1: "failed", 3: "incomplete"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def lock_key(target: str, purpose: str = "target") -> int:
    """A stable signed 64-bit key for ``target`` (PostgreSQL advisory locks).

    ``purpose`` keeps the scan lock (`target_lock`, held by a worker for the whole scan)
    apart from the one `finish_scan` takes: the same key would make a worker holding its
    target's lock wait for itself when it records the scan.
    """
    salt = b"crmscan-target" if purpose == "target" else b"crmscan-" + purpose.encode()
    digest = hashlib.sha256(salt + b"\x1f" + target.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def check_digest(document: dict[str, Any]) -> str:
    """A SHA-256 over the checks that judged the scan (id, severity, text, parameters)."""
    checks = sorted(document.get("checks") or [], key=lambda c: str(c.get("id")))
    canonical = json.dumps(checks, sort_keys=True, default=str, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _scan(row: Any, target: str) -> StoredScan:
    begun = utc(row.begun_at)
    assert begun is not None
    return StoredScan(
        id=row.id,
        target=target,
        state=row.state,
        platform=row.platform,
        begun_at=begun,
        tenant_id=row.tenant_id,
        tenant_name=row.tenant_name,
        scan_uuid=row.scan_uuid,
        started_at=utc(row.started_at),
        finished_at=utc(row.finished_at),
        tool_version=row.tool_version,
        policy_name=row.policy_name,
        policy_digest=row.policy_digest,
        check_digest=row.check_digest,
        exit_code=row.exit_code,
        outcome=row.outcome,
        score=row.score,
        findings=row.findings,
        by_status=dict(row.by_status or {}),
        by_severity=dict(row.by_severity or {}),
        error=row.error,
    )


class PostureStore:
    """One posture store (SQLite file or PostgreSQL database), schema upgraded on open."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.location = location

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> PostureStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _begin(self) -> AbstractContextManager[Connection]:
        return self.engine.begin()

    # -- targets and scans ---------------------------------------------------------------

    def target_id(self, connection: Connection, name: str, platform: str) -> int:
        """The id of target ``name``, created when it is new."""
        found = connection.execute(select(targets.c.id).where(targets.c.name == name)).scalar()
        if found is not None:
            return int(found)
        try:
            with connection.begin_nested():
                created = connection.execute(
                    targets.insert().values(name=name, platform=platform, created_at=_now())
                ).inserted_primary_key
        except IntegrityError:  # created at the same moment by another worker
            found = connection.execute(select(targets.c.id).where(targets.c.name == name)).scalar()
            assert found is not None
            return int(found)
        assert created is not None
        return int(created[0])

    def begin_scan(self, target: str, platform: str) -> int:
        """Add a scan of ``target`` in state ``running``; returns its id."""
        with self._begin() as connection:
            target_id = self.target_id(connection, target, platform)
            inserted = connection.execute(
                scans.insert().values(
                    target_id=target_id, state="running", begun_at=_now(), platform=platform
                )
            ).inserted_primary_key
        assert inserted is not None
        return int(inserted[0])

    def _running(self, connection: Connection, scan_id: int) -> tuple[int, str]:
        row = connection.execute(
            select(scans.c.state, scans.c.target_id, targets.c.name)
            .join(targets, targets.c.id == scans.c.target_id)
            .where(scans.c.id == scan_id)
        ).first()
        if row is None:
            raise ConfigError(f"scan {scan_id} is not in the store {describe(self.location)}")
        if row.state != "running":
            raise ConfigError(f"scan {scan_id} is already {row.state}")
        return int(row.target_id), str(row.name)

    def finish_scan(
        self, scan_id: int, result: ScanResult | None, document: dict[str, Any]
    ) -> ScanDelta:
        """Record the findings of a running scan; returns what changed for its target.

        ``result`` is the in-memory scan result (fast path, no JSON parsing); None records
        from ``document`` alone (importing saved results).
        """
        current = observations(result) if result is not None else document_observations(document)
        ran = (
            [c.id for c in result.checks]
            if result is not None
            else [str(c["id"]) for c in document["checks"]]
        )
        return self._finish(scan_id, current, ran, document)

    def _finish(
        self,
        scan_id: int,
        current: Observed,
        ran: list[str],
        document: dict[str, Any],
    ) -> ScanDelta:
        tenant = document.get("tenant") or {}
        summary = document.get("summary") or {}
        started = datetime.fromisoformat(document["started_at"])
        gate = document.get("gate") or {}
        exit_code = gate.get("exit_code")
        tenant_name = redact(str(tenant["name"])) if tenant.get("name") else None
        with self._begin() as connection:
            target_id, target = self._running(connection, scan_id)
            if connection.dialect.name == "postgresql":
                # Two finishes for one target would both compare with the same old state.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": lock_key(target, "finish")},
                )
            previous = connection.execute(
                select(scans.c.id)
                .where(
                    scans.c.target_id == target_id,
                    scans.c.state == "finished",
                    scans.c.id != scan_id,
                )
                .order_by(scans.c.id.desc())
                .limit(1)
            ).scalar()
            delta = record_findings(
                connection, scan_id, target_id, target, previous, current, ran, started.date()
            )
            connection.execute(
                update(targets)
                .where(targets.c.id == target_id)
                .values(tenant_id=tenant.get("id"), tenant_name=tenant_name)
            )
            connection.execute(
                update(scans)
                .where(scans.c.id == scan_id)
                .values(
                    state="finished",
                    scan_uuid=document.get("scan_id"),
                    tenant_id=tenant.get("id"),
                    tenant_name=tenant_name,
                    started_at=started,
                    finished_at=datetime.fromisoformat(document["finished_at"]),
                    tool_version=(document.get("tool") or {}).get("version"),
                    policy_name=(document.get("policy") or {}).get("name"),
                    policy_digest=(document.get("policy") or {}).get("digest"),
                    check_digest=check_digest(document),
                    fail_on=gate.get("fail_on"),
                    exit_code=exit_code,
                    outcome=OUTCOMES.get(exit_code) if exit_code is not None else None,
                    score=summary.get("score"),
                    findings=summary.get("findings", len(current)),
                    by_status=summary.get("by_status") or {},
                    by_severity=summary.get("by_severity") or {},
                )
            )
        return delta

    def fail_scan(self, scan_id: int, reason: str) -> None:
        """Mark a running scan failed, with why (redacted)."""
        with self._begin() as connection:
            self._running(connection, scan_id)
            connection.execute(
                update(scans)
                .where(scans.c.id == scan_id)
                .values(state="failed", finished_at=_now(), error=redact(reason)[:2000])
            )

    def stuck_scans(self, older_than: timedelta) -> list[StoredScan]:
        """Scans still ``running`` that began more than ``older_than`` ago."""
        cutoff = _now() - older_than
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(scans, targets.c.name.label("target_name"))
                .join(targets, targets.c.id == scans.c.target_id)
                .where(scans.c.state == "running", scans.c.begun_at < cutoff)
                .order_by(scans.c.id)
            ).all()
        return [_scan(row, row.target_name) for row in rows]

    def target_lock(self, target: str) -> AbstractContextManager[None]:
        """Hold ``target`` for one scan, or raise `TargetBusyError` at once.

        PostgreSQL: a session advisory lock (good across workers and machines). SQLite: a
        lock file beside the database (good for the processes of one machine).
        """
        return target_lock(self, target)

    # -- reading -------------------------------------------------------------------------

    def scans(self, target: str | None = None, limit: int | None = None) -> list[StoredScan]:
        """Scans, newest first (of ``target`` only when given)."""
        query = select(scans, targets.c.name.label("target_name")).join(
            targets, targets.c.id == scans.c.target_id
        )
        if target is not None:
            query = query.where(targets.c.name == target)
        query = query.order_by(scans.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [_scan(row, row.target_name) for row in connection.execute(query)]

    def targets(self) -> list[dict[str, Any]]:
        """Every target: name, platform, tenant."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(targets).order_by(targets.c.name)).all()
        return [
            {
                "name": r.name,
                "platform": r.platform,
                "tenant_id": r.tenant_id,
                "tenant_name": r.tenant_name,
            }
            for r in rows
        ]

    def resolve_target(self, given: str) -> str:
        """The target named ``given``: a target name, tenant id or tenant name."""
        known = self.targets()
        for key in ("name", "tenant_id", "tenant_name"):
            matches = [t["name"] for t in known if t[key] == given]
            if len(matches) == 1:
                return str(matches[0])
            if len(matches) > 1:
                raise ConfigError(f"{given!r} names several targets: {', '.join(matches)}")
        names = ", ".join(t["name"] for t in known) or "none yet"
        raise ConfigError(f"no target {given!r} in the store (targets: {names})")

    def trend(self, target: str, limit: int = 30) -> list[dict[str, Any]]:
        """The finished scans of ``target``, oldest first: when, counts by status, score."""
        finished = [s for s in self.scans(target, limit=limit * 3) if s.state == "finished"]
        return [
            {"scanned_at": s.scanned_at.isoformat(), "by_status": s.by_status, "score": s.score}
            for s in reversed(finished[:limit])
        ]


def open_store(location: str | Path | None = None, create: bool = True) -> PostureStore:
    """The posture store at ``location`` (None: ``$CRMSCAN_STORE`` or the default file).

    Creates the database schema, or upgrades it to this version's, on open. With
    ``create=False`` a SQLite file that does not exist yet is an error (commands that
    only read the store say where they looked instead of creating an empty one).
    """
    where = str(location) if location is not None else default_location()
    url = store_url(where)
    if not create and url.get_backend_name() == "sqlite":
        assert url.database is not None
        if not Path(url.database).expanduser().exists():
            raise ConfigError(
                f"no posture store at {where}: scans are recorded with --store PATH|URL or "
                f"CRMSCAN_STORE (see docs/store.md)"
            )
    engine = make_engine(where)
    try:
        migrate.upgrade(engine)
    except ConfigError:
        engine.dispose()
        raise
    except (OperationalError, SQLAlchemyError, OSError) as exc:
        engine.dispose()
        lines = redact(str(getattr(exc, "orig", None) or exc)).strip().splitlines()
        detail = lines[0] if lines else type(exc).__name__
        raise ConfigError(f"cannot open the store {describe(where)}: {detail}") from None
    return PostureStore(engine, where)


def iter_targets(store: PostureStore) -> Iterator[str]:
    """Names of every target in ``store``."""
    for target in store.targets():
        yield str(target["name"])
