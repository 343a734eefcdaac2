"""``evidence explain``: from one finding to the check, the rule, the observed values and
the raw API records behind it.

FINDING-ID is ``<CHECK-ID>:<resource id>`` (the finding's ``check_id`` and
``resource.id`` in results.json, e.g. ``AUTH-002:0051x00000AbCdE``; tenant-level findings
carry the tenant id). When several findings share both, the second and later get
``#2``, ``#3``… in document order. A finding document with its own ``id`` field is found
by that too. `finding_ids` lists them (``crmscan evidence explain BUNDLE`` without an id).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from scanner.documents import MAX_JSON_BYTES, MAX_YAML_BYTES, parse_json, parse_text
from scanner.errors import ConfigError
from scanner.evidence.files import BundleFiles
from scanner.evidence.raw import collection_file, find_records, source_collection
from scanner.evidence.verify import Verification

#: Check keys that make up the rule (the rest is prose).
RULE_KEYS = ("resource", "requires", "where", "assert", "count", "manual", "attestation")
#: Most raw records printed per finding.
MAX_RECORDS = 20


def _verdicts(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every verdict of a result document: its findings, then (schema 2.0) the PASS
    verdicts kept compactly per check in ``passed`` (no observed values)."""
    yield from (f for f in document.get("findings") or [] if isinstance(f, dict))
    for entry in document.get("passed") or []:
        if not isinstance(entry, dict):
            continue
        for pair in entry.get("resources") or []:
            ident, name = (
                (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, None)
            )
            yield {
                "check_id": entry.get("check_id"),
                "status": "PASS",
                "message": entry.get("message"),
                "resource": {"type": entry.get("resource_type"), "id": ident, "name": name},
                "evidence": {},
                "compact": True,
            }


def findings_by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every finding of a result document under its FINDING-ID, in document order."""
    found: dict[str, dict[str, Any]] = {}
    for finding in _verdicts(document):
        resource = finding.get("resource") or {}
        base = f"{finding.get('check_id')}:{resource.get('id') or '-'}"
        ident, number = base, 1
        while ident in found:
            number += 1
            ident = f"{base}#{number}"
        found[ident] = finding
        own = finding.get("id")
        if isinstance(own, str) and own not in found:
            found[own] = finding
    return found


@dataclass
class RawRecord:
    """One record of a raw API response that a finding points to."""

    collection: str
    record_id: str
    #: (where: "raw/users.jsonl: GET /path → 200 at …", the matching JSON object or text)
    matches: list[tuple[str, Any]] = field(default_factory=list)
    problem: str | None = None


@dataclass
class Explanation:
    """Everything `explain` found for one finding."""

    finding_id: str
    finding: dict[str, Any]
    check: dict[str, Any] | None
    check_file: str | None
    rule: dict[str, Any] = field(default_factory=dict)
    records: list[RawRecord] = field(default_factory=list)
    raw_note: str | None = None


def _listed(verification: Verification) -> set[str]:
    """The files explain may read: in the bundle and listed in its statement."""
    bundle = verification.bundle
    assert bundle is not None
    statement = verification.statement
    return bundle.names & set(statement.subjects) if statement else set()


def load_results(verification: Verification) -> dict[str, Any]:
    """results.json of the bundle as data (only when the statement lists it)."""
    bundle = verification.bundle
    assert bundle is not None
    if "results.json" not in _listed(verification):
        raise ConfigError(f"{bundle.label}: the bundle holds no results.json")
    text = bundle.read("results.json", MAX_JSON_BYTES).decode("utf-8", "replace")
    data = parse_json(text, f"{bundle.label}/results.json").data
    if not isinstance(data, dict):
        raise ConfigError(f"{bundle.label}/results.json: not a result document")
    return data


def _rule(bundle: BundleFiles, listed: set[str], name: str | None) -> dict[str, Any]:
    if name is None or name not in listed:
        return {}
    text = bundle.read(name, MAX_YAML_BYTES).decode("utf-8", "replace")
    data = parse_text(text, f"{bundle.label}/{name}").data
    return {k: data[k] for k in RULE_KEYS if isinstance(data, dict) and k in data}


def _find_record(
    bundle: BundleFiles, listed: set[str], collection: str, record_id: str
) -> RawRecord:
    """The raw responses holding ``record_id`` (`scanner.evidence.raw.find_records`)."""
    found = RawRecord(collection, record_id)
    # A pointer resolves through its collection's file, else its nearest parent's (or,
    # for a tenant-level setting, the tenant's), then the files below that one.
    raw_names = {n for n in listed if n.startswith("raw/")}
    source = source_collection(dict.fromkeys(raw_names, b""), collection, record_id)
    if source is None:
        found.problem = f"{collection_file(collection)} is not in the bundle"
        return found
    name = collection_file(source)
    below = name[: -len(".jsonl")] + "."
    wanted = sorted(n for n in raw_names if n == name or n.startswith(below))
    try:
        matches = find_records({n: bundle.read(n) for n in wanted}, collection, record_id)
    except (ValueError, UnicodeDecodeError) as exc:
        found.problem = f"{name} cannot be read as JSON lines ({type(exc).__name__})"
        return found
    for line, record in matches[:MAX_RECORDS]:
        source = (
            f"{name}: {line.get('method')} {line.get('path')} "
            f"→ {line.get('status')} at {line.get('received_at')}"
        )
        found.matches.append((source, record))
    if not matches:
        found.problem = f"no response in {name} holds a record with id {record_id}"
    return found


def explain(verification: Verification, finding_id: str) -> Explanation:
    """The explanation of ``finding_id`` in a verified (or at least opened) bundle."""
    bundle = verification.bundle
    assert bundle is not None
    listed = _listed(verification)
    document = load_results(verification)
    findings = findings_by_id(document)
    finding = findings.get(finding_id)
    if finding is None:
        raise ConfigError(
            f"no finding {finding_id!r} in {bundle.label}; FINDING-ID is CHECK-ID:RESOURCE-ID "
            f"(run 'crmscan evidence explain {bundle.label}' to list them)"
        )
    check_id = finding.get("check_id")
    check = next((c for c in document.get("checks") or [] if c.get("id") == check_id), None)
    predicate = verification.statement.predicate if verification.statement else {}
    entries = [c for c in predicate.get("checks") or [] if c.get("id") == check_id]
    check_file = entries[0].get("file") if entries else None
    result = Explanation(finding_id, finding, check, check_file, _rule(bundle, listed, check_file))
    evidence = finding.get("evidence") if isinstance(finding.get("evidence"), dict) else {}
    pointers = evidence.get("records") if isinstance(evidence, dict) else None
    if not any(name.startswith("raw/") for name in listed):
        result.raw_note = (
            "this bundle holds no raw API responses (raw/*.jsonl): it was written from a "
            "snapshot, or by a crmscan or adapter that does not capture them; the observed "
            "values above are what the check judged"
        )
    elif not isinstance(pointers, list) or not pointers:
        result.raw_note = (
            "the finding names no raw records (evidence.records): a tenant-level or grouped "
            "verdict, decided by the observed values above"
        )
    else:
        for pointer in pointers[:MAX_RECORDS]:
            if isinstance(pointer, dict):
                collection, ident = str(pointer.get("collection")), str(pointer.get("id"))
                result.records.append(_find_record(bundle, listed, collection, ident))
        if len(pointers) > MAX_RECORDS:
            result.raw_note = f"{len(pointers) - MAX_RECORDS} more records not shown"
    return result


def render(explanation: Explanation) -> list[str]:
    """The explanation as text lines for the terminal."""
    f = explanation.finding
    resource = f.get("resource") or {}
    lines = [
        f"Finding {explanation.finding_id}: {f.get('status')} ({f.get('severity')})",
        f"  resource: {resource.get('type')} {resource.get('id')} ({resource.get('name')})",
        f"  message:  {f.get('message')}",
    ]
    check = explanation.check or {}
    lines.append(f"Check {f.get('check_id')}: {check.get('title', f.get('title'))}")
    if explanation.check_file:
        lines.append(f"  file: {explanation.check_file}")
    if explanation.rule:
        lines.append("  rule:")
        dumped = yaml.safe_dump(explanation.rule, sort_keys=False, allow_unicode=True)
        lines.extend("    " + line for line in dumped.rstrip().splitlines())
    if check.get("parameters"):
        lines.append(f"  parameters: {json.dumps(check['parameters'], ensure_ascii=False)}")
    lines.append("Observed values:")
    evidence = f.get("evidence") if isinstance(f.get("evidence"), dict) else {}
    observed = {k: v for k, v in (evidence or {}).items() if k != "records"}
    if not observed:
        lines.append("  (none recorded)")
    for key, value in observed.items():
        lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("Raw records:")
    for record in explanation.records:
        lines.append(f"  {record.collection} {record.record_id}")
        if record.problem:
            lines.append(f"    not found: {record.problem}")
            continue
        for source, match in record.matches:
            lines.append(f"    from {source}")
            text = json.dumps(match, indent=2, ensure_ascii=False, sort_keys=True)
            lines.extend("      " + line for line in text.splitlines())
    if explanation.raw_note:
        lines.append(f"  {explanation.raw_note}")
    return lines
