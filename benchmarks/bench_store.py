"""Posture store benchmark: store the result of a 100,000-user org in SQLite and PostgreSQL.

Targets (issue #16): each first store under 30 s, and a rescan of an unchanged org adds
little (the store keeps changes, not a copy of every result). Prints figures; it is not
a test, so a slow machine cannot make the suite flaky.

    python -m benchmarks.bench_store [--users 100000] [--permission-sets 5000]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--no-json]

PostgreSQL runs in a throwaway database (random name) created on that server and
dropped afterwards.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import text

from benchmarks.bench_engine import MIN_CHECKS, padded_checks
from benchmarks.synthetic_org import NOW, make_inventory
from scanner.engine.scan import ScanResult, evaluate
from scanner.language.policy import load_policy
from scanner.model.values import to_json
from scanner.results.document import finding_document, summarize, to_document
from scanner.store import PostureStore, open_store
from scanner.store.fingerprint import observations

TARGET_SECONDS = 30.0


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def _sqlite_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def _pg_size(store: PostureStore) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r'"
                )
            ).scalar_one()
        )


def _record(store: PostureStore, result: ScanResult, document: dict[str, Any]) -> tuple[str, Any]:
    """Record one scan; returns 'wall s (this process's CPU s)' and the delta."""
    started, cpu = time.perf_counter(), time.process_time()
    scan_id = store.begin_scan("bench-org", "salesforce")
    delta = store.finish_scan(scan_id, result, document)
    wall = time.perf_counter() - started
    return f"{wall:.1f} s (CPU {time.process_time() - cpu:.1f} s)", delta


def _changed(result: ScanResult, users: int) -> ScanResult:
    """A rescan where 1 % of the users' verdicts of one check flipped."""
    from scanner.engine.findings import Finding, Status

    flipped = 0
    findings: list[Finding] = []
    for finding in result.findings:
        if (
            flipped < users // 100
            and finding.status is Status.PASS
            and finding.resource is not None
        ):
            twin = Finding(finding.check, Status.FAIL, finding.resource)
            findings.append(twin)
            flipped += 1
        else:
            findings.append(finding)
    return ScanResult(
        result.inventory,
        result.policy,
        result.checks,
        findings,
        result.started_at,
        result.finished_at,
    )


def _run(
    label: str,
    store: PostureStore,
    size: Callable[[], int],
    result: ScanResult,
    document: dict[str, Any],
    changed: ScanResult,
) -> None:
    before = size()
    first, delta = _record(store, result, document)
    after_first = size()
    wall = float(first.split()[0])
    print(
        f"{label}: first store {first}, target < {TARGET_SECONDS:.0f} s "
        f"{'OK' if wall < TARGET_SECONDS else 'MISSED'}; {_mb(after_first - before)}, "
        f"{len(delta.new_failures):,} new failures"
    )
    again, delta = _record(store, result, document)
    after_again = size()
    print(
        f"{label}: unchanged rescan {again}, +{_mb(after_again - after_first)} "
        f"({delta.unchanged:,} unchanged, {len(delta.new_failures)} new)"
    )
    third, delta = _record(store, changed, document)
    print(
        f"{label}: rescan with {len(delta.new_failures):,} new failures {third}, "
        f"+{_mb(size() - after_again)}; total {_mb(size())}"
    )


def _document(result: ScanResult) -> dict[str, Any]:
    """What the store reads of the result document: all of it but the findings."""
    summary = summarize(result)
    return {
        "schema_version": "1.1",
        "tool": {"name": "crmscan", "version": result.tool_version},
        "scan_id": result.scan_id,
        "started_at": result.started_at.isoformat(),
        "finished_at": result.finished_at.isoformat(),
        "tenant": to_json(result.inventory.tenant),
        "policy": {"name": result.policy.name, "digest": result.policy.digest()},
        "summary": summary,
        "checks": [{"id": c.id, "severity": c.severity} for c in result.checks],
        "findings": [],
        "gate": {"fail_on": "low", "exit_code": result.exit_code("low")},
    }


def _json_size(result: ScanResult, full: bool) -> int:
    """The size of the JSON result document (from every 20th finding unless ``full``)."""
    if full:
        return len(json.dumps(to_document(result, "low"), ensure_ascii=False).encode("utf-8"))
    sample = result.findings[::20]
    size = sum(
        len(json.dumps(finding_document(f, result), ensure_ascii=False).encode("utf-8"))
        for f in sample
    )
    return size * len(result.findings) // max(1, len(sample))


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--permission-sets", type=int, default=5_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--full-json",
        action="store_true",
        help="Measure the JSON result's size exactly (slow) instead of from a sample.",
    )
    args = parser.parse_args()

    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    inventory = make_inventory(users=args.users, permission_sets=args.permission_sets)
    checks = padded_checks(MIN_CHECKS)
    result = evaluate(inventory, load_policy(), checks, now=NOW)
    started = time.perf_counter()
    document = _document(result)
    print(f"result JSON (schema 1.1, findings in full): {_mb(_json_size(result, args.full_json))}")
    document_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fingerprints = len(observations(result))
    print(
        f"org: {args.users:,} users, {args.permission_sets:,} permission sets, {len(checks)} "
        f"checks, {len(result.findings):,} findings ({fingerprints:,} fingerprints, computed "
        f"in {time.perf_counter() - started:.1f} s; document {document_seconds:.1f} s)"
    )
    changed = _changed(result, args.users)
    gc.collect()

    with tempfile.TemporaryDirectory(prefix="crmscan-bench-") as folder:
        path = Path(folder) / "posture.sqlite"
        with open_store(path) as store:
            _run("SQLite", store, lambda: _sqlite_size(path), result, document, changed)

    name = f"crmscan_bench_{secrets.token_hex(4)}"
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = args.postgres.rsplit("/", 1)[0] + "/" + name
        with open_store(url) as store:
            _run("PostgreSQL", store, lambda: _pg_size(store), result, document, changed)
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


if __name__ == "__main__":
    main()
