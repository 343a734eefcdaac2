"""Read a result document of any schema version (1.0, 1.1, 2.0) the same way.

Every reader of saved results (``crmscan report`` and its formats, ``crmscan diff``,
history, evidence) goes through `ResultReader` instead of ``document["findings"]``:

* `attention` yields the findings that are not PASS, always in full;
* `passed` yields, per check, the resources that passed (id, name) — from the compact
  ``passed`` list of a 2.0 document, or from the PASS findings of a 1.x document or of
  a 2.0 document written with ``--full-pass``;
* `findings` yields every finding the document holds in full (1.x: all of them);
* every finding comes back in the complete 1.x shape (`complete`): a 2.0 document does
  not repeat the check's title, severity, domain and remediation, the tenant, nor the
  resource type when it is the check's, in each finding;
* `every_finding` yields one finding per verdict: the full ones and, for each compactly
  kept PASS, a finding built from its check (``evidence`` empty, ``compact: true``), for
  formats that write one row per verdict (CSV, JUnit, OCSF) and for diffs.

Finding dicts are passed through as they are stored: extra keys (``evidence.records``
and others later versions add) reach every reader unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

PASS = "PASS"

Finding = dict[str, Any]


@dataclass(frozen=True)
class PassedResources:
    """The resources that passed one check."""

    check_id: str
    resource_type: str
    message: str
    resources: list[tuple[str | None, str | None]]

    @property
    def count(self) -> int:
        """How many resources passed."""
        return len(self.resources)


def schema_major(document: Mapping[str, Any]) -> int:
    """The major schema version of ``document`` (1 for 1.0 and 1.1, 2 for 2.x)."""
    version = str(document.get("schema_version", "1.0"))
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 1


class ResultReader:
    """A result document of any version, read as verdicts."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.version = str(document.get("schema_version", "1.0"))
        self.major = schema_major(document)
        self._checks: dict[str, Mapping[str, Any]] = {c["id"]: c for c in document["checks"]}
        self._by_check: dict[str, list[Finding]] | None = None
        self._defaults: dict[str, Finding] = {}
        self._kinds = {c["id"]: c.get("resource") for c in document["checks"]}
        self._passes: dict[str, Mapping[str, Any]] = {}

    @property
    def compact(self) -> bool:
        """True when per-resource PASS verdicts are kept compactly (2.0, default)."""
        return self.major >= 2 and self.document.get("pass_detail", "compact") == "compact"

    def check(self, check_id: str) -> Mapping[str, Any] | None:
        """The ``checks[]`` entry of ``check_id``."""
        return self._checks.get(check_id)

    def complete(self, finding: Finding) -> Finding:
        """``finding`` with every field of the 1.x finding shape: a 2.0 document stores
        the check's title, severity, domain and remediation once in ``checks[]``, the
        tenant's platform and id once in ``tenant``, and leaves null exception and
        attestation out. Extra keys are kept; a complete finding is returned as it is."""
        if (
            "title" in finding
            and "exception" in finding
            and "attestation" in finding
            and "type" in finding["resource"]
        ):
            return finding
        defaults = self._defaults.get(finding["check_id"])
        if defaults is None:
            check = self._checks.get(finding["check_id"]) or {}
            tenant = self.document.get("tenant") or {}
            defaults = self._defaults[finding["check_id"]] = {
                "check_id": finding["check_id"],
                "title": check.get("title", finding["check_id"]),
                "severity": check.get("severity", "info"),
                "domain": check.get("domain", ""),
                "platform": tenant.get("platform"),
                "tenant_id": tenant.get("id"),
                "remediation": check.get("remediation", ""),
                "exception": None,
                "attestation": None,
            }
        complete = {**defaults, **finding}
        resource = finding["resource"]
        if "type" not in resource:
            complete["resource"] = {"type": self._kinds.get(finding["check_id"]), **resource}
        return complete

    def findings(self) -> Iterator[Finding]:
        """Every finding the document holds in full, in document order (complete)."""
        complete = self.complete
        return (complete(f) for f in self.document["findings"])

    def attention(self) -> Iterator[Finding]:
        """The findings that are not PASS (FAIL, ERROR, MANUAL, NOT_APPLICABLE), in full."""
        complete = self.complete
        return (complete(f) for f in self.document["findings"] if f["status"] != PASS)

    def _stored_passed(self) -> list[Mapping[str, Any]]:
        stored = self.document.get("passed") if self.major >= 2 else None
        return list(stored) if isinstance(stored, list) else []

    def passed(self) -> Iterator[PassedResources]:
        """Per check, the resources that passed (tenant-level PASS verdicts included)."""
        derived: dict[str, PassedResources] = {}
        complete = self.complete
        for stored_finding in self.document["findings"]:
            if stored_finding["status"] != PASS:  # as complete() would give it: stored
                continue
            finding = complete(stored_finding)
            resource = finding.get("resource") or {}
            entry = derived.get(finding["check_id"])
            if entry is None:
                entry = derived[finding["check_id"]] = PassedResources(
                    finding["check_id"], str(resource.get("type")), finding["message"], []
                )
            entry.resources.append((resource.get("id"), resource.get("name")))
        for stored in self._stored_passed():
            pairs = [(pair[0], pair[1]) for pair in stored["resources"]]
            entry = derived.get(stored["check_id"])
            if entry is None:
                derived[stored["check_id"]] = PassedResources(
                    stored["check_id"], stored["resource_type"], stored["message"], pairs
                )
            else:
                entry.resources.extend(pairs)
        yield from derived.values()

    def pass_count(self) -> int:
        """How many PASS verdicts the document records, compact or in full."""
        return sum(entry.count for entry in self.passed())

    def compact_passes(self) -> Iterator[tuple[str, str, str | None, str | None]]:
        """``(check_id, resource_type, id, name)`` of each compactly kept PASS."""
        for entry in self._stored_passed():
            for ident, name in entry["resources"]:
                yield entry["check_id"], entry["resource_type"], ident, name

    def compact_finding(
        self, check_id: str, resource_type: str, ident: str | None, name: str | None
    ) -> Finding:
        """The finding a compactly kept PASS stands for (``evidence`` empty)."""
        entry = self._index()[1].get(check_id) or {
            "check_id": check_id,
            "resource_type": resource_type,
            "message": "PASS",
        }
        one = {**entry, "resources": [[ident, name]]}
        return next(self._compact_findings(one))

    def _compact_findings(self, stored: Mapping[str, Any]) -> Iterator[Finding]:
        check = self._checks.get(stored["check_id"]) or {}
        tenant = self.document.get("tenant") or {}
        base: Finding = {
            "check_id": stored["check_id"],
            "title": check.get("title", stored["check_id"]),
            "severity": check.get("severity", "info"),
            "domain": check.get("domain", ""),
            "status": PASS,
            "platform": tenant.get("platform"),
            "tenant_id": tenant.get("id"),
            "message": stored["message"],
            "evidence": {},
            "remediation": check.get("remediation", ""),
            "exception": None,
            "attestation": None,
            "compact": True,
        }
        kind = stored["resource_type"]
        for ident, name in stored["resources"]:
            yield {**base, "resource": {"type": kind, "id": ident, "name": name}}

    def _index(self) -> tuple[dict[str, list[Finding]], dict[str, Mapping[str, Any]]]:
        if self._by_check is None:
            by_check: dict[str, list[Finding]] = defaultdict(list)
            for finding in self.findings():
                by_check[finding["check_id"]].append(finding)
            self._by_check = dict(by_check)
            self._passes = {entry["check_id"]: entry for entry in self._stored_passed()}
        return self._by_check, self._passes

    def stored_findings_of(self, check_id: str) -> list[Finding]:
        """The findings of ``check_id`` the document holds in full."""
        return self._index()[0].get(check_id, [])

    def compact_count_of(self, check_id: str) -> int:
        """How many PASS verdicts of ``check_id`` are kept compactly (not in findings)."""
        entry = self._index()[1].get(check_id)
        return len(entry["resources"]) if entry is not None else 0

    def findings_of(self, check_id: str) -> Iterator[Finding]:
        """Every verdict of ``check_id``: its full findings, then its compact PASS ones."""
        by_check, passes = self._index()
        yield from by_check.get(check_id, [])
        entry = passes.get(check_id)
        if entry is not None:
            yield from self._compact_findings(entry)

    def every_finding(self) -> Iterator[Finding]:
        """One finding per verdict, per check in ``checks[]`` order: the full findings
        first, then the compactly kept PASS verdicts built from their check."""
        if not self._stored_passed():
            yield from self.findings()
            return
        by_check, passes = self._index()
        for check_id in [*self._checks, *(c for c in by_check if c not in self._checks)]:
            yield from self.findings_of(check_id)
        for check_id, entry in passes.items():
            if check_id not in self._checks:
                yield from self._compact_findings(entry)

    def finding_count(self) -> int:
        """How many verdicts the document records (``summary.findings``)."""
        return len(self.document["findings"]) + sum(
            len(entry["resources"]) for entry in self._stored_passed()
        )


def read(document: Mapping[str, Any]) -> ResultReader:
    """A `ResultReader` over ``document``."""
    return ResultReader(document)
