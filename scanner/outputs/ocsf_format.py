"""OCSF 1.5: a Detection Finding (2004) per finding, a Compliance Finding (2003) per
finding and framework requirement.

Events are built with the ``py-ocsf-models`` classes (which follow OCSF 1.5.0), so a
missing required attribute fails here rather than in a SIEM. The file is a JSON array of
events; ``time`` and the other ``*_time`` attributes are epoch milliseconds.

``finding_info.uid`` is stable across scans (platform, tenant, check, resource), so a SIEM
can track one finding over time; ``metadata.uid`` is unique per event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

import orjson
from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.events.findings.compliance_finding_type_id import ComplianceFindingTypeID
from py_ocsf_models.events.findings.detection_finding import DetectionFinding
from py_ocsf_models.events.findings.detection_finding_type_id import DetectionFindingTypeID
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.compliance import Compliance
from py_ocsf_models.objects.compliance_status import StatusID as ComplianceStatusID
from py_ocsf_models.objects.evidence_artifacts import EvidenceArtifacts
from py_ocsf_models.objects.finding_info import FindingInformation
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.remediation import Remediation
from py_ocsf_models.objects.resource_details import ResourceDetails

from scanner.outputs import Document, OutputFormat, register
from scanner.results.reader import read

SEVERITY_IDS = {
    "info": SeverityID.Informational,
    "low": SeverityID.Low,
    "medium": SeverityID.Medium,
    "high": SeverityID.High,
    "critical": SeverityID.Critical,
}
COMPLIANCE_STATUS = {
    "PASS": ComplianceStatusID.Pass,
    "FAIL": ComplianceStatusID.Fail,
    "ERROR": ComplianceStatusID.Warning,
    "MANUAL": ComplianceStatusID.Warning,
    "NOT_APPLICABLE": ComplianceStatusID.Unknown,
}


def epoch_ms(timestamp: str) -> int:
    """An ISO 8601 timestamp as milliseconds since the epoch."""
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000)


def finding_uid(finding: dict[str, Any]) -> str:
    """A stable id of one finding: the same check on the same resource in the same tenant."""
    resource = finding["resource"]
    key = "|".join(
        str(part)
        for part in (
            finding["platform"],
            finding["tenant_id"],
            finding["check_id"],
            resource.get("type"),
            resource.get("id") or resource.get("name"),
        )
    )
    return "crmscan-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _excepted(finding: dict[str, Any]) -> bool:
    exception = finding.get("exception")
    return isinstance(exception, dict) and not exception.get("expired")


class _Context:
    """What every event of one document shares."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.time = epoch_ms(document["finished_at"])
        self.start = epoch_ms(document["started_at"])
        self.product = Product(
            name="crmscan",
            vendor_name="crmscan",
            version=document["tool"]["version"],
            uid="crmscan",
        )
        self.checks = {c["id"]: c for c in document["checks"]}

    def metadata(self, finding: dict[str, Any], suffix: str) -> Metadata:
        scan_id = self.document["scan_id"]
        return Metadata(
            product=self.product,
            version=OCSF_VERSION,
            uid=f"{scan_id}:{finding_uid(finding)}{suffix}",
            correlation_uid=scan_id,
            event_code=finding["check_id"],
            tenant_uid=finding["tenant_id"],
            labels=[f"policy:{self.document['policy']['name']}", f"platform:{finding['platform']}"],
        )

    def finding_info(self, finding: dict[str, Any]) -> FindingInformation:
        check = self.checks.get(finding["check_id"], {})
        return FindingInformation(
            uid=finding_uid(finding),
            title=finding["title"],
            desc=check.get("description") or finding["title"],
            types=[finding["domain"]],
            created_time=self.time,
            data_sources=[f"{finding['platform']} API"],
        )

    def common(self, finding: dict[str, Any], suffix: str) -> dict[str, Any]:
        resource = finding["resource"]
        check = self.checks.get(finding["check_id"], {})
        urls = [r["url"] for r in check.get("references", []) if r.get("url")]
        excepted = _excepted(finding)
        return {
            "metadata": self.metadata(finding, suffix),
            "finding_info": self.finding_info(finding),
            "activity_id": ActivityID.Create,
            "activity_name": "Create",
            "message": finding["message"],
            "severity_id": SEVERITY_IDS.get(finding["severity"], SeverityID.Unknown),
            "severity": finding["severity"].capitalize(),
            "status_id": StatusID.Suppressed if excepted else StatusID.New,
            "status": "Suppressed" if excepted else "New",
            "status_code": finding["status"],
            "status_detail": (finding.get("exception") or {}).get("reason"),
            "time": self.time,
            "start_time": self.start,
            "end_time": self.time,
            "resources": [
                ResourceDetails(
                    type=resource.get("type"),
                    uid=resource.get("id"),
                    name=resource.get("name"),
                    namespace=f"{finding['platform']}:{finding['tenant_id']}",
                )
            ],
            "evidences": [EvidenceArtifacts(name="observed values", data=finding["evidence"])],
            "remediation": Remediation(desc=finding["remediation"] or "-", references=urls or None),
            "unmapped": {
                "crmscan": {
                    "check_id": finding["check_id"],
                    "status": finding["status"],
                    "exception": finding.get("exception"),
                    "attestation": finding.get("attestation"),
                }
            },
        }


def _dump(event: Any) -> dict[str, Any]:
    data: dict[str, Any] = event.model_dump(mode="json", exclude_none=True)
    return data


def detection_finding(context: _Context, finding: dict[str, Any]) -> dict[str, Any]:
    """One finding as an OCSF Detection Finding (class 2004)."""
    event = DetectionFinding(
        **context.common(finding, ""),
        class_name="Detection Finding",
        type_uid=DetectionFindingTypeID.Create,
        type_name="Detection Finding: Create",
    )
    return _dump(event)


def compliance_findings(context: _Context, finding: dict[str, Any]) -> list[dict[str, Any]]:
    """One OCSF Compliance Finding (class 2003) per framework requirement of the check."""
    check = context.checks.get(finding["check_id"], {})
    events = []
    for mapping in check.get("frameworks", []):
        compliance = Compliance(
            standards=[mapping["framework"]],
            requirements=[mapping["requirement"]],
            control=finding["check_id"],
            desc=mapping.get("title") or check.get("title"),
            status_id=COMPLIANCE_STATUS.get(finding["status"], ComplianceStatusID.Unknown),
        )
        suffix = f":{mapping['framework']}:{mapping['requirement']}"
        event = ComplianceFinding(
            **context.common(finding, suffix),
            class_name="Compliance Finding",
            compliance=compliance,
            type_uid=ComplianceFindingTypeID.Create,
            type_name="Compliance Finding: Create",
        )
        events.append(_dump(event))
    return events


def _patched(template: dict[str, Any], finding: dict[str, Any], suffix: str) -> dict[str, Any]:
    """``template`` (the event of another compact PASS of the same check, built and
    validated by the OCSF classes) for ``finding``: only its ids and resource differ."""
    uid = finding_uid(finding)
    scan_id = template["metadata"]["correlation_uid"]
    resource = finding["resource"]
    details = {**template["resources"][0], "uid": resource.get("id"), "name": resource.get("name")}
    return {
        **template,
        "metadata": {**template["metadata"], "uid": f"{scan_id}:{uid}{suffix}"},
        "finding_info": {**template["finding_info"], "uid": uid},
        "resources": [{k: v for k, v in details.items() if v is not None}],
    }


def _events(document: Document) -> Iterator[dict[str, Any]]:
    """Every OCSF event for ``document``: detections first, then compliance findings.

    One event per verdict (`scanner.results.reader`): a compactly kept PASS reuses the
    event of the check's first one with its own ids and resource, so a million PASS
    verdicts do not build a million event models.
    """
    context = _Context(document)
    reader = read(document)
    templates: dict[str, dict[str, Any]] = {}
    for finding in reader.every_finding():
        if finding.get("compact"):
            template = templates.get(finding["check_id"])
            if template is None:
                template = templates[finding["check_id"]] = detection_finding(context, finding)
                yield template
            else:
                yield _patched(template, finding, "")
        else:
            yield detection_finding(context, finding)
    compliance: dict[str, list[dict[str, Any]]] = {}
    for finding in reader.every_finding():
        if not finding.get("compact"):
            yield from compliance_findings(context, finding)
            continue
        events = compliance.get(finding["check_id"])
        if events is None:
            events = compliance[finding["check_id"]] = compliance_findings(context, finding)
            yield from events
            continue
        for event in events:
            mapping = event["compliance"]
            suffix = f":{mapping['standards'][0]}:{mapping['requirements'][0]}"
            yield _patched(event, finding, suffix)


def to_events(document: Document) -> list[dict[str, Any]]:
    """Every OCSF event for ``document``: detections first, then compliance findings."""
    return list(_events(document))


def write_ocsf(document: Document, out: BinaryIO, indent: bool = False) -> None:
    """The OCSF events as a JSON array, streamed one event at a time."""
    option = orjson.OPT_INDENT_2 if indent else 0
    out.write(b"[")
    for number, event in enumerate(_events(document)):
        if number:
            out.write(b",")
        if indent:
            out.write(b"\n  " + orjson.dumps(event, option=option).replace(b"\n", b"\n  "))
        else:
            out.write(orjson.dumps(event))
    out.write(b"\n]\n" if indent else b"]\n")


OCSF_FORMAT = register(
    OutputFormat(
        "ocsf",
        "crmscan-ocsf.json",
        "OCSF 1.5 Detection and Compliance Findings (JSON array)",
        write=write_ocsf,
        options=("indent",),
    )
)
