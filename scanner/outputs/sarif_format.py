"""SARIF 2.1.0: failing, non-excepted findings, for code-scanning dashboards.

Each check is a rule (``tool.driver.rules``) with its remediation as help text; each
failing finding without a valid exception is a result. A finding whose exception has
expired is failing again and is reported. Severity maps to the SARIF ``level`` and to the
``security-severity`` property (a CVSS-like 0.0-10.0 score GitHub uses to rank alerts).

CRM resources are not files: a result names its resource as a logical location and as a
``crmscan://platform/tenant/type/id`` artifact URI, and carries a stable
``partialFingerprints`` entry so a dashboard matches it across scans.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import quote

from scanner.outputs import Document, OutputFormat, register
from scanner.outputs.json_format import PLACEHOLDER, write_skeleton
from scanner.results.reader import read

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/crmscan/crmscan"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def is_reported(finding: dict[str, Any]) -> bool:
    """FAIL and not under an exception that still applies."""
    if finding["status"] != "FAIL":
        return False
    exception = finding.get("exception")
    return not (isinstance(exception, dict) and not exception.get("expired"))


def _rule_name(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Check"


def _rule(check: dict[str, Any]) -> dict[str, Any]:
    severity = check["severity"]
    urls = [r["url"] for r in check.get("references", []) if r.get("url")]
    frameworks = [f"{m['framework']} {m['requirement']}" for m in check.get("frameworks", [])]
    text = check.get("description") or check["title"]
    help_text = check.get("remediation") or "See the check description."
    rule: dict[str, Any] = {
        "id": check["id"],
        "name": _rule_name(check["title"]),
        "shortDescription": {"text": check["title"]},
        "fullDescription": {"text": text},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[severity],
            "severity": severity,
            "domain": check.get("domain"),
            "risk": check.get("risk", ""),
            "frameworks": frameworks,
            "tags": ["security", "crm", str(check.get("domain", "")).lower(), *frameworks],
        },
    }
    if urls:
        rule["helpUri"] = urls[0]
    return rule


def resource_uri(finding: dict[str, Any]) -> str:
    """``crmscan://platform/tenant/type/id`` for the finding's resource."""
    resource = finding["resource"]
    parts = [
        finding["platform"],
        finding["tenant_id"] or "-",
        resource.get("type") or "-",
        resource.get("id") or resource.get("name") or "-",
    ]
    return "crmscan://" + "/".join(quote(str(p), safe="") for p in parts)


def _fingerprint(finding: dict[str, Any]) -> str:
    return hashlib.sha256(
        resource_uri(finding).encode() + b"|" + finding["check_id"].encode()
    ).hexdigest()


def _result(finding: dict[str, Any], rule_index: int) -> dict[str, Any]:
    resource = finding["resource"]
    label = resource.get("name") or resource.get("id") or resource.get("type")
    result: dict[str, Any] = {
        "ruleId": finding["check_id"],
        "ruleIndex": rule_index,
        "level": LEVELS[finding["severity"]],
        "kind": "fail",
        "message": {"text": finding["message"] or finding["title"]},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": resource_uri(finding)}},
                "logicalLocations": [
                    {
                        "name": str(label),
                        "fullyQualifiedName": resource_uri(finding)[len("crmscan://") :],
                        "kind": "resource",
                    }
                ],
            }
        ],
        "partialFingerprints": {"crmscanFinding/v1": _fingerprint(finding)},
        "properties": {
            "security-severity": SECURITY_SEVERITY[finding["severity"]],
            "severity": finding["severity"],
            "platform": finding["platform"],
            "tenant": finding["tenant_id"],
            "resource": resource,
            "evidence": finding.get("evidence") or {},
        },
    }
    exception = finding.get("exception")
    if exception:
        result["properties"]["expiredException"] = exception
    return result


def _results(document: Document) -> Iterator[dict[str, Any]]:
    index = {c["id"]: i for i, c in enumerate(document["checks"])}
    for finding in read(document).attention():
        if is_reported(finding):
            yield _result(finding, index.get(finding["check_id"], -1))


def to_sarif(document: Document, results: Any = None) -> dict[str, Any]:
    """The SARIF 2.1.0 log for ``document`` (``results``: what stands for its results)."""
    checks = document["checks"]
    tenant = document["tenant"]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "crmscan",
                "version": document["tool"]["version"],
                "semanticVersion": document["tool"]["version"],
                "informationUri": INFORMATION_URI,
                "rules": [_rule(c) for c in checks],
            }
        },
        "automationDetails": {
            "id": f"crmscan/{tenant.get('platform')}-{tenant.get('id')}/{document['scan_id']}",
            "guid": document["scan_id"] if _is_guid(document["scan_id"]) else None,
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "startTimeUtc": document["started_at"],
                "endTimeUtc": document["finished_at"],
                "exitCode": (document.get("gate") or {}).get("exit_code", 0),
            }
        ],
        "results": list(_results(document)) if results is None else results,
        "properties": {
            "tenant": tenant,
            "policy": document["policy"],
            "score": document["summary"].get("score"),
            "byStatus": document["summary"]["by_status"],
        },
    }
    if run["automationDetails"]["guid"] is None:
        del run["automationDetails"]["guid"]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _is_guid(text: str) -> bool:
    pattern = (
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    )
    return re.fullmatch(pattern, text) is not None


def write_sarif(document: Document, out: BinaryIO, indent: bool = False) -> None:
    """The SARIF log as JSON, its results streamed one at a time."""
    log = to_sarif(document, PLACEHOLDER)
    write_skeleton(out, log, _results(document), indent, depth=3)
    out.write(b"\n")


SARIF_FORMAT = register(
    OutputFormat(
        "sarif",
        "crmscan.sarif",
        "SARIF 2.1.0 (failing, non-excepted findings)",
        write=write_sarif,
        options=("indent",),
    )
)
