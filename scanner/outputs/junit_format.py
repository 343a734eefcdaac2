"""JUnit XML: one test case per check and resource, for CI test dashboards.

One ``<testsuite>`` per check. Each finding is a ``<testcase>`` named after its resource:
FAIL becomes ``<failure>``, ERROR ``<error>``, MANUAL and NOT_APPLICABLE ``<skipped>``.
A FAIL under a valid exception is ``<skipped>`` too (it does not fail the gate) and says
why; an expired exception no longer applies, so that finding is a failure. A check that
found no resource to evaluate has one skipped test case. Follows the structure Jenkins,
GitLab and GitHub test reporters read (the de-facto JUnit schema).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.etree import ElementTree as ET

from scanner.outputs import Document, OutputFormat, register, text_stream
from scanner.results.reader import read

# Characters XML 1.0 cannot carry at all; CRM data may contain them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", "" if value is None else str(value))


def _resource_label(finding: dict[str, Any]) -> str:
    resource = finding["resource"]
    name = resource.get("name") or resource.get("id") or resource.get("type")
    if resource.get("id") and resource.get("name") and resource["id"] != resource["name"]:
        return f"{resource['type']}/{name} ({resource['id']})"
    return f"{resource.get('type')}/{name}"


def _details(finding: dict[str, Any]) -> str:
    lines = [
        finding["message"],
        "",
        "Evidence: "
        + json.dumps(finding.get("evidence") or {}, ensure_ascii=False, sort_keys=True),
        "",
        "Remediation:",
        finding.get("remediation") or "-",
    ]
    exception = finding.get("exception")
    if exception:
        state = "EXPIRED" if exception.get("expired") else "active"
        lines += [
            "",
            f"Exception ({state}): {exception['reason']} - approved by "
            f"{exception['approved_by']} until {exception['expires']}",
        ]
    return "\n".join(lines)


def _testcase(suite: ET.Element, check: dict[str, Any], finding: dict[str, Any] | None) -> str:
    """Append one test case; returns its outcome (passed, failure, error, skipped)."""
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "name": _text(_resource_label(finding) if finding else "(no resource evaluated)"),
            "classname": _text(f"crmscan.{check.get('domain', 'checks')}.{check['id']}"),
            "time": "0",
        },
    )
    if finding is None:
        ET.SubElement(case, "skipped", {"message": "NOT_APPLICABLE: no resource to evaluate"})
        return "skipped"
    status = finding["status"]
    exception = finding.get("exception")
    message = _text(finding["message"])
    if status == "FAIL" and exception and not exception.get("expired"):
        reason = _text(exception["reason"])
        ET.SubElement(case, "skipped", {"message": f"FAIL under exception: {reason}"})
        outcome = "skipped"
    elif status == "FAIL":
        node = ET.SubElement(case, "failure", {"message": message, "type": finding["severity"]})
        node.text = _text(_details(finding))
        outcome = "failure"
    elif status == "ERROR":
        node = ET.SubElement(case, "error", {"message": message, "type": "ERROR"})
        node.text = _text(_details(finding))
        outcome = "error"
    elif status in ("MANUAL", "NOT_APPLICABLE"):
        ET.SubElement(case, "skipped", {"message": f"{status}: {message}"})
        outcome = "skipped"
    else:
        outcome = "passed"
    if outcome not in ("failure", "error"):
        ET.SubElement(case, "system-out").text = _text(_details(finding))
    return outcome


def _outcome(finding: dict[str, Any] | None) -> str:
    """The test-case outcome of ``finding`` (as `_testcase` writes it)."""
    if finding is None:
        return "skipped"
    status = finding["status"]
    exception = finding.get("exception")
    if status == "FAIL":
        return "skipped" if exception and not exception.get("expired") else "failure"
    if status == "ERROR":
        return "error"
    return "skipped" if status in ("MANUAL", "NOT_APPLICABLE") else "passed"


def _suites(document: Document) -> Iterator[tuple[ET.Element, dict[str, int]]]:
    """One ``<testsuite>`` per check, built one at a time, with its counts."""
    reader = read(document)
    tenant = document["tenant"]
    for number, check in enumerate(document["checks"]):
        suite = ET.Element(
            "testsuite",
            {
                "name": _text(f"{check['id']} {check['title']}"),
                "timestamp": document["started_at"][:19],
                "hostname": _text(tenant.get("id") or "-"),
                "id": str(number),
                "package": f"crmscan.{check.get('domain', 'checks')}",
                "time": "0",
            },
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("severity", check["severity"]),
            ("scan_id", document["scan_id"]),
            ("policy", document["policy"]["name"]),
            ("policy_digest", document["policy"]["digest"]),
        ):
            ET.SubElement(properties, "property", {"name": name, "value": _text(value)})
        counts = {"tests": 0, "failure": 0, "error": 0, "skipped": 0}
        findings: list[dict[str, Any] | None] = list(reader.findings_of(check["id"])) or [None]
        for finding in findings:
            outcome = _testcase(suite, check, finding)
            counts["tests"] += 1
            if outcome in counts:
                counts[outcome] += 1
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", str(counts["error"]))
        suite.set("skipped", str(counts["skipped"]))
        # <system-out>/<system-err> follow the test cases in the JUnit schema.
        ET.SubElement(suite, "system-out").text = _text(check.get("remediation"))
        ET.SubElement(suite, "system-err")
        yield suite, counts


def _totals(document: Document) -> dict[str, int]:
    """``tests``, ``failures``, ``errors`` and ``skipped`` over every check."""
    reader = read(document)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    names = {"failure": "failures", "error": "errors", "skipped": "skipped"}
    for check in document["checks"]:
        findings: list[dict[str, Any] | None] = list(reader.stored_findings_of(check["id"]))
        compact = reader.compact_count_of(check["id"])
        if not findings and not compact:
            findings = [None]  # the one "(no resource evaluated)" case
        totals["tests"] += len(findings) + compact
        for finding in findings:
            outcome = _outcome(finding)
            if outcome in names:
                totals[names[outcome]] += 1
    return totals


def _root(document: Document) -> ET.Element:
    tenant = document["tenant"]
    return ET.Element(
        "testsuites",
        {
            "name": _text(
                f"crmscan {tenant.get('platform')} {tenant.get('name') or tenant.get('id')}"
            )
        },
    )


def to_junit(document: Document) -> ET.Element:
    """The ``<testsuites>`` element for ``document`` (whole, in memory: for tests)."""
    root = _root(document)
    for key, value in _totals(document).items():
        root.set(key, str(value))
    root.set("time", "0")
    for suite, _ in _suites(document):
        root.append(suite)
    return root


def write_junit(document: Document, out: BinaryIO) -> None:
    """The JUnit XML report, streamed one ``<testsuite>`` at a time."""
    root = _root(document)
    for key, value in _totals(document).items():
        root.set(key, str(value))
    root.set("time", "0")
    start = ET.tostring(root, encoding="unicode")
    assert start.endswith(" />")
    with text_stream(out) as text:
        text.write('<?xml version="1.0" encoding="UTF-8"?>\n' + start[:-3] + ">\n")
        for suite, _ in _suites(document):
            ET.indent(suite, space="  ", level=1)
            text.write("  " + ET.tostring(suite, encoding="unicode").rstrip("\n") + "\n")
        text.write("</testsuites>\n")


JUNIT_FORMAT = register(
    OutputFormat(
        "junit",
        "crmscan-junit.xml",
        "JUnit XML (one test per check and resource)",
        write=write_junit,
    )
)
