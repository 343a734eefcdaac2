"""The auditor report's data: requirements, the checks behind them, attestations.

Built by `scanner.reports.framework_report.build_report`; rendered by the html, csv and
md writers. Text in it comes from the cleaned result document (redacted, neutralised);
each writer escapes it for its format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.language.frameworks import Framework
from scanner.reports.proof import ProofLink, merge_links

#: Requirement statuses, worst first.
STATUSES = ("FAIL", "ERROR", "MANUAL", "PASS", "NOT_APPLICABLE")


@dataclass(frozen=True)
class Attested:
    """A person's attestation of a check, as the scan applied it."""

    check_id: str
    statement: str
    attested_by: str
    date: str
    outcome: str
    evidence: str | None
    age_days: int | None
    max_age_days: float | None
    current: bool

    @property
    def evidence_url(self) -> str | None:
        """The evidence as a link when it is an http(s) URL, else None (shown as text)."""
        text = (self.evidence or "").strip()
        return (
            text if text.lower().startswith(("https://", "http://")) and " " not in text else None
        )


@dataclass(frozen=True)
class Resource:
    """A failing or excepted resource of a check."""

    type: str
    id: str | None
    name: str | None
    message: str
    exception: Mapping[str, Any] | None = None

    @property
    def label(self) -> str:
        """Name, with the id when it differs."""
        if self.name and self.id and self.name != self.id:
            return f"{self.name} ({self.id})"
        return str(self.name or self.id or self.type)

    @property
    def text(self) -> str:
        """The message, naming the resource once (with its id when that differs)."""
        if self.name and self.name in self.message:
            ident = f" ({self.id})" if self.id and self.id != self.name else ""
            return f"{self.message}{ident}"
        return f"{self.label}: {self.message}" if self.message else self.label


@dataclass(frozen=True)
class Undecided:
    """ERROR or MANUAL findings of a check that share one cause."""

    status: str
    message: str
    resources: int
    examples: tuple[str, ...]


@dataclass
class CheckEvidence:
    """One check behind a requirement, and what the scan found."""

    id: str
    title: str
    severity: str
    outcome: str
    passed: int = 0
    failing: list[Resource] = field(default_factory=list)
    excepted: list[Resource] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    not_applicable: str = ""
    attestations: list[Attested] = field(default_factory=list)
    proof: list[ProofLink] = field(default_factory=list)


@dataclass
class RequirementEntry:
    """One requirement: its status, why, and the checks behind it."""

    id: str
    title: str
    description: str
    status: str
    reason: str
    checks: list[CheckEvidence]
    attested: Attested | None = None

    @property
    def manual(self) -> bool:
        """True when no automated check is mapped to the requirement."""
        return not self.checks

    @property
    def open(self) -> bool:
        """True while a person still has to close it (status MANUAL)."""
        return self.status == "MANUAL"

    @property
    def attestations(self) -> list[Attested]:
        """The requirement's own attestation, then those of every check behind it."""
        own = [self.attested] if self.attested else []
        return own + [a for check in self.checks for a in check.attestations]

    @property
    def proof(self) -> list[ProofLink]:
        """The bundle files of every check, each file once with the checks it proves."""
        return merge_links(link for check in self.checks for link in check.proof)


@dataclass
class AuditReport:
    """A framework's requirements judged against one scan."""

    framework: Framework
    scan: dict[str, Any]
    requirements: list[RequirementEntry]
    bundle: str | None = None

    @property
    def summary(self) -> dict[str, int]:
        """Requirements per status, every status listed."""
        counts = Counter(r.status for r in self.requirements)
        return {status: counts.get(status, 0) for status in STATUSES}

    @property
    def open_manual(self) -> list[RequirementEntry]:
        """Requirements still open: MANUAL status (manual, unattested or not run)."""
        return [r for r in self.requirements if r.open]
