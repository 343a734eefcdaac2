"""A result document for a big org, built in seconds instead of a minute-long scan.

`big_document` scans a real synthetic org of ``users / factor`` users with every shipped
check, then repeats each finding and passing resource on a user or permission set
``factor`` times, renumbered the way `benchmarks.synthetic_org` numbers them (id
``005`` + 12 digits, name ``user<N>@synthetic.example``; ``0PS`` + 12 digits,
``PermSet <N>``), in its message and evidence too. Tenant-level findings stay once. The
summary, groups and coverage are recounted, so the document is what a scan of the big
org says, with the engine's own messages and evidence: a 100,000-user org has about
320,000 findings that did not pass and 700,000 passing resources, as a real scan does.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from benchmarks.synthetic_org import make_inventory
from scanner.engine.findings import REPORT_ORDER
from scanner.engine.scan import run_checks
from scanner.language.check_spec import load_checks
from scanner.language.policy import load_policy
from scanner.results.document import to_document
from scanner.results.grouping import coverage, finding_groups
from scanner.results.reader import ResultReader

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
_KINDS = {"users": ("005", "user{}@synthetic.example"), "permission_sets": ("0PS", "PermSet {}")}


def _renamer(kind: str, ident: str, offset: int) -> tuple[str, str, str] | None:
    """(old name, new id, new name) for copy ``offset`` of resource ``ident``."""
    prefix, pattern = _KINDS[kind]
    number = int(ident[len(prefix) :])
    return (
        pattern.format(number),
        f"{prefix}{number + offset:012d}",
        pattern.format(number + offset),
    )


def _copy(finding: dict[str, Any], kind: str, offset: int) -> dict[str, Any]:
    resource = finding["resource"]
    old_name, new_id, new_name = _renamer(kind, resource["id"], offset)  # type: ignore[misc]

    def rename(text: str) -> str:
        return text.replace(resource["id"], new_id).replace(old_name, new_name)

    evidence = finding["evidence"]
    text = json.dumps(evidence)
    if resource["id"] in text or old_name in text:
        evidence = json.loads(rename(text))
    return {
        **finding,
        "resource": {**resource, "id": new_id, "name": rename(resource["name"])},
        "message": rename(finding["message"]),
        "evidence": evidence,
    }


def big_document(users: int = 100_000, permission_sets: int = 5_000, factor: int = 100) -> Any:
    """A schema 2.0 result document of an org with ``users`` users (module docstring)."""
    inventory = make_inventory(users=users // factor, permission_sets=permission_sets // factor)
    result = run_checks(inventory, load_policy(), tuple(sorted(load_checks())), now=NOW)
    document = to_document(result, "low")
    unit = {"users": users // factor, "permission_sets": permission_sets // factor}
    reader = ResultReader(document)
    findings = []
    for finding in document["findings"]:
        kind = reader.complete(finding)["resource"]["type"]
        if kind not in unit:
            findings.append(finding)
            continue
        findings.extend(_copy(finding, kind, k * unit[kind]) for k in range(factor))
    document["findings"] = findings
    for entry in document["passed"]:
        kind = entry["resource_type"]
        if kind not in unit:
            continue
        copies = []
        for k in range(factor):
            for ident, _name in entry["resources"]:
                _, new_id, new_name = _renamer(kind, ident, k * unit[kind])  # type: ignore[misc]
                copies.append([new_id, new_name])
        entry["resources"], entry["count"] = copies, len(copies)
    checks = {c["id"]: c for c in document["checks"]}
    complete = ResultReader(document).complete
    passes = (
        {"status": "PASS", "domain": checks[e["check_id"]]["domain"], "check_id": e["check_id"]}
        for e in document["passed"]
        for _ in e["resources"]
    )
    verdicts = [*map(complete, findings), *passes]
    summary = document["summary"]
    summary["findings"] = len(verdicts)
    summary["by_status"] = dict(Counter(f["status"] for f in verdicts))
    by_severity: dict[str, Counter[str]] = {}
    for finding in verdicts:
        severity = finding.get("severity") or checks[finding["check_id"]]["severity"]
        by_severity.setdefault(severity, Counter())[finding["status"]] += 1
    summary["by_severity"] = {
        severity: {s: counts.get(s, 0) for s in REPORT_ORDER}
        for severity, counts in by_severity.items()
    }
    summary["coverage"] = coverage(verdicts)
    document["groups"] = finding_groups(map(complete, findings))
    return document


def _sources_digest() -> str:
    """A digest of what the document depends on: the scanner but its output formats."""
    root = Path(__file__).resolve().parents[3]
    digest = hashlib.sha256()
    files = [*sorted((root / "scanner").rglob("*")), root / "benchmarks" / "synthetic_org.py"]
    for path in [*files, Path(__file__).resolve()]:
        if "outputs" in path.relative_to(root).parts:
            continue
        if path.is_file() and path.suffix in (".py", ".yaml", ".yml", ".json"):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_big_document(users: int = 100_000, permission_sets: int = 5_000) -> Any:
    """`big_document`, kept under the temporary directory between test sessions.

    The file is named by a digest of the scanner's sources, so any change to the code
    builds it again; files of other digests older than a day are removed.
    """
    folder = Path(tempfile.gettempdir()) / "crmscan-test-cache"
    folder.mkdir(exist_ok=True)
    path = folder / f"big-document-{users}-{permission_sets}-{_sources_digest()}.json"
    if path.exists():
        return orjson.loads(path.read_bytes())
    document = big_document(users, permission_sets)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(orjson.dumps(document))
    partial.replace(path)
    for old in folder.glob("big-document-*.json"):
        if old != path and time.time() - old.stat().st_mtime > 86_400:
            old.unlink(missing_ok=True)
    return document
