"""Scan history: keep each result per tenant and compare it with the previous one.

Layout: ``DIR/<platform>-<tenant id>/<UTC start time>-<scan id prefix>.json``, one native
result document per scan, so a scheduled job only needs ``--history DIR`` to learn what
changed since its last run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scanner.redact import redact
from scanner.results.diff import ScanDiff, diff_documents, incomparable
from scanner.safe_write import write_file

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def tenant_folder(history: Path, document: dict[str, Any]) -> Path:
    """The folder holding this tenant's results."""
    tenant = document["tenant"]
    identity = tenant.get("id") or tenant.get("name") or "unknown"
    name = f"{tenant.get('platform') or 'unknown'}-{identity}"
    return history / _UNSAFE.sub("_", name)


def previous_result(folder: Path) -> dict[str, Any] | None:
    """The newest stored result in ``folder``, if any (unreadable files are skipped)."""
    for path in sorted(folder.glob("*.json"), reverse=True):
        try:
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(loaded, dict) and "findings" in loaded and "checks" in loaded:
            return loaded
    return None


def record(history: Path, document: dict[str, Any]) -> tuple[Path, ScanDiff | None]:
    """Store ``document`` and diff it against the tenant's previous result, if any."""
    folder = tenant_folder(history, document)
    previous = previous_result(folder) if folder.is_dir() else None
    # Microseconds keep scans started within one second in order.
    stamp = re.sub(r"[^0-9T]", "", document["started_at"][:26]) + "Z"
    name = _UNSAFE.sub("_", f"{stamp}-{document['scan_id'][:8]}.json")
    text = redact(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    path = write_file(history, f"{folder.name}/{name}", text)
    if previous is None or incomparable(previous, document) is not None:
        return path, None
    return path, diff_documents(previous, document)
