"""What every adapter's raw evidence must satisfy (used by each adapter's test_raw_capture).

`captured` collects inside a raw capture; `assert_raw_evidence` checks the files and the
findings' record pointers against them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from scanner.engine.scan import run_checks
from scanner.evidence.raw import (
    ALL_RECORDS,
    RawCapture,
    capturing,
    collection_file,
    find_records,
    source_collection,
)
from scanner.language.policy import load_policy
from scanner.model.inventory import Inventory
from scanner.results.document import to_document
from scanner.results.reader import ResultReader

#: Methods that change data: none may appear in the raw evidence (the guard refuses them).
WRITES = frozenset({"PUT", "PATCH", "DELETE"})


def captured(collect: Callable[[], Inventory]) -> tuple[Inventory, dict[str, bytes]]:
    """``collect()`` inside a raw capture: the inventory and the raw files."""
    capture = RawCapture()
    with capturing(capture):
        inventory = collect()
    inventory.raw = capture
    return inventory, capture.files()


def lines(files: dict[str, bytes]) -> list[dict[str, Any]]:
    """Every recorded response, checked to be one JSON object per line in its file."""
    out: list[dict[str, Any]] = []
    for name, data in files.items():
        assert name.startswith("raw/") and name.endswith(".jsonl"), name
        for text in data.decode("utf-8").splitlines():
            line = json.loads(text)
            assert collection_file(line["collection"]) == name
            out.append(line)
    return out


def assert_raw_evidence(
    inventory: Inventory,
    files: dict[str, bytes],
    *,
    collections: Iterable[str],
    secrets: Iterable[str],
    now: datetime | None = None,
    policy: str = "baseline",
    failing: bool = True,
) -> dict[str, Any]:
    """Check the raw files of one scan and the FAIL findings' pointers; the result document.

    * a file for each of ``collections``, every line with the contract's keys, an HTTP
      status and a body, no write method;
    * none of ``secrets`` anywhere in the files;
    * (``failing``: there is a FAIL finding, and) every FAIL finding points to records,
      and each pointer's collection is answered by a raw file; its own record (the first pointer) and the grant sources it names
      (``permission_sets``) are records found in the raw bodies.
    """
    recorded = lines(files)
    assert recorded, "nothing was captured"
    names = {line["collection"] for line in recorded}
    missing = set(collections) - names
    assert not missing, f"no raw responses for {sorted(missing)} (have {sorted(names)})"
    for line in recorded:
        assert set(line) >= {"collection", "method", "path", "status", "received_at", "body"}
        assert isinstance(line["status"], int) and 100 <= line["status"] < 600
        assert line["body"] is not None
        assert line["method"] not in WRITES
        assert "://" not in line["path"]
    everything = b"".join(files.values()).decode("utf-8")
    for secret in secrets:
        assert secret and secret not in everything, f"{secret[:10]}... is in the raw evidence"
    result = run_checks(inventory, load_policy(policy), now=now)
    document = to_document(result)
    fails = [f for f in ResultReader(document).attention() if f["status"] == "FAIL"]
    assert fails or not failing, "no FAIL finding to follow"
    for finding in fails:
        records = finding["evidence"]["records"]
        assert records, f"{finding['check_id']} on {finding['resource']} points to nothing"
        where = f"{finding['check_id']} {finding['resource']['id']}"
        for pointer in records:
            assert source_collection(files, pointer["collection"], pointer["id"]), (
                f"{where}: no raw file answers {pointer}"
            )
        own = records[0]
        decisive = [own, *(p for p in records[1:] if p["collection"] == "permission_sets")]
        for pointer in decisive:
            if _natural_key(finding, pointer):
                continue
            assert find_records(files, pointer["collection"], pointer["id"]), (
                f"{where}: {pointer} is in no raw record"
            )
    return document


def _natural_key(finding: dict[str, Any], pointer: dict[str, str]) -> bool:
    """Resources named by ``Object.Field`` (field permissions, field history) carry no
    record id of their own: the platform answers the object and field apart."""
    return pointer["id"] != ALL_RECORDS and finding["resource"]["type"] in (
        "field_permissions",
        "encryption.fields",
        "data.field_history",
    )
