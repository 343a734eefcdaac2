"""Move a ``--history DIR`` folder of JSON results into the posture store.

Each tenant folder becomes one target (``<platform>:<tenant id>``, as a scan with
``--store`` names it) and each result one finished scan, oldest first. Importing again
skips results already stored (same scan id), and a result older than the target's newest
stored scan is skipped (the store records changes in time order). The folder is left as
it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from scanner.errors import ConfigError
from scanner.store.posture import PostureStore
from scanner.store.schema import scans, targets


@dataclass
class ImportReport:
    """What an import did: scans added, results skipped and why."""

    imported: int = 0
    targets: set[str] = field(default_factory=set)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _documents(folder: Path, report: ImportReport) -> list[tuple[Path, dict[str, Any]]]:
    loaded: list[tuple[Path, dict[str, Any]]] = []
    for path in sorted(folder.glob("*/*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            report.skipped.append((path, f"unreadable: {type(exc).__name__}"))
            continue
        if not isinstance(document, dict) or not {"findings", "checks", "tenant"} <= set(document):
            report.skipped.append((path, "not a crmscan result"))
            continue
        loaded.append((path, document))
    loaded.sort(key=lambda item: str(item[1].get("started_at")))
    return loaded


def _stored(store: PostureStore, target: str) -> tuple[set[str], datetime | None]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(scans.c.scan_uuid, scans.c.started_at)
            .join(targets, targets.c.id == scans.c.target_id)
            .where(targets.c.name == target, scans.c.state == "finished")
        ).all()
    latest = max((r.started_at for r in rows if r.started_at), default=None)
    return {r.scan_uuid for r in rows if r.scan_uuid}, latest


def import_history(store: PostureStore, folder: Path) -> ImportReport:
    """Import every result under ``folder`` (a ``--history`` folder) into ``store``."""
    from scanner.pipeline import store_target_name

    if not folder.is_dir():
        raise ConfigError(f"history folder {folder} does not exist")
    report = ImportReport()
    for path, document in _documents(folder, report):
        target = store_target_name(document)
        known, latest = _stored(store, target)
        if document.get("scan_id") in known:
            report.skipped.append((path, "already in the store"))
            continue
        started = datetime.fromisoformat(document["started_at"])
        if latest is not None and started.replace(tzinfo=None) < latest.replace(tzinfo=None):
            report.skipped.append((path, "older than the newest stored scan of its target"))
            continue
        scan_id = store.begin_scan(target, str(document["tenant"].get("platform") or "unknown"))
        try:
            store.finish_scan(scan_id, None, document)
        except (KeyError, TypeError, ValueError) as exc:
            store.fail_scan(scan_id, f"import of {path.name} failed: {type(exc).__name__}")
            report.skipped.append((path, f"malformed result ({type(exc).__name__}: {exc})"))
            continue
        report.imported += 1
        report.targets.add(target)
    return report
