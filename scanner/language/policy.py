"""Policy packs: parameters, check selection, severity overrides, exceptions, attestations.

A pack may ``extends`` another (a shipped name or a relative path), up to
`MAX_EXTENDS` packs deep. Parameters merge deeply (the child wins; lists are replaced,
not appended); selection and severity overrides merge; exceptions and attestations
accumulate.

Attestations and exception approvals record what a person saw and decided: one dated
after today (anywhere on Earth) is refused, so it cannot override a real result forever.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.documents import LoadedDocument, load_file, validate
from scanner.errors import ConfigError

DEFAULT_POLICY = "baseline"
#: Longest ``extends`` chain.
MAX_EXTENDS = 16
#: UTC+14 (Line Islands) is the first time zone to reach a date: a date later than
#: today there is in the future everywhere.
_EARLIEST_ZONE = timedelta(hours=14)


def latest_today(now: datetime | None = None) -> date:
    """The latest calendar date it is anywhere on Earth at ``now`` (default: now)."""
    return ((now or datetime.now(timezone.utc)).astimezone(timezone.utc) + _EARLIEST_ZONE).date()


@dataclass(frozen=True)
class PolicyException:
    """An approved exception: matching findings keep their status but pass the gate."""

    check: str
    resources: tuple[str, ...]
    reason: str
    approved_by: str
    expires: date
    ticket: str | None = None
    approved_on: date | None = None

    def matches(self, check_id: str, resource_id: str | None, resource_name: str | None) -> bool:
        """Whether this exception names the check and the resource (by id or name)."""
        if not fnmatchcase(check_id, self.check):
            return False
        names = [n for n in (resource_id, resource_name) if n]
        return any(fnmatchcase(n, pattern) for n in names for pattern in self.resources)

    def expired(self, today: date) -> bool:
        """True once the expiry date has passed."""
        return today > self.expires

    def as_dict(self, today: date) -> dict[str, Any]:
        """JSON form, with whether it has expired."""
        return {
            "check": self.check,
            "resources": list(self.resources),
            "reason": self.reason,
            "approved_by": self.approved_by,
            "expires": self.expires.isoformat(),
            "ticket": self.ticket,
            "approved_on": self.approved_on.isoformat() if self.approved_on else None,
            "expired": self.expired(today),
        }


@dataclass(frozen=True)
class Attestation:
    """A person's statement that a control holds (or does not)."""

    control: str
    statement: str
    date: date
    attested_by: str
    outcome: str
    evidence: str | None = None
    tenant: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "control": self.control,
            "statement": self.statement,
            "date": self.date.isoformat(),
            "attested_by": self.attested_by,
            "outcome": self.outcome,
            "evidence": self.evidence,
            "tenant": self.tenant,
        }


@dataclass
class Policy:
    """A resolved policy pack (after ``extends``)."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    exceptions: list[PolicyException] = field(default_factory=list)
    attestations: list[Attestation] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def selects(self, check_id: str) -> bool:
        """Whether the pack's include/exclude globs select ``check_id``."""
        included = any(fnmatchcase(check_id, p) for p in self.include)
        return included and not any(fnmatchcase(check_id, p) for p in self.exclude)

    def attestation_for(self, check_id: str, tenant_id: str | None) -> Attestation | None:
        """The newest attestation of ``check_id`` that applies to the tenant."""
        candidates = [
            a
            for a in self.attestations
            if a.control == check_id and (a.tenant is None or a.tenant == tenant_id)
        ]
        return max(candidates, key=lambda a: a.date, default=None)

    def digest(self) -> str:
        """A SHA-256 over the resolved pack, so a report says exactly which policy judged."""
        document = {
            "name": self.name,
            "parameters": self.parameters,
            "include": self.include,
            "exclude": self.exclude,
            "severity": self.severity,
            "exceptions": [e.as_dict(date.min) for e in self.exceptions],
            "attestations": [a.as_dict() for a in self.attestations],
        }
        canonical = json.dumps(document, sort_keys=True, default=str).encode("utf-8")
        return "sha256:" + hashlib.sha256(canonical).hexdigest()


def builtin_policy_path(name: str) -> Path | None:
    """Path of a shipped pack called ``name``, or None."""
    candidate = Path(str(resources.files("policies"))) / f"{name}.yaml"
    return candidate if candidate.is_file() else None


def builtin_policy_names() -> list[str]:
    """Names of the shipped packs."""
    return sorted(p.stem for p in Path(str(resources.files("policies"))).glob("*.yaml"))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _locate(reference: str, relative_to: Path | None) -> Path:
    builtin = builtin_policy_path(reference)
    if builtin is not None and not reference.endswith((".yaml", ".yml")):
        return builtin
    path = Path(reference)
    if relative_to is not None and not path.is_absolute():
        path = relative_to.parent / path
    if path.is_file():
        return path
    known = ", ".join(builtin_policy_names())
    raise ConfigError(f"policy {reference!r} not found (shipped packs: {known}; or give a file)")


def _parse_date(document: LoadedDocument, parts: list[str | int], text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise document.error(parts, f"'{text}' is not a date (YYYY-MM-DD)") from None


def _past_date(
    document: LoadedDocument, parts: list[str | int], text: str, today: date, what: str
) -> date:
    """A date that is not in the future (an attestation, an approval)."""
    parsed = _parse_date(document, parts, text)
    if parsed > today:
        raise document.error(
            parts, f"{what} dated {parsed.isoformat()} is in the future (today is {today})"
        )
    return parsed


def _exception(
    document: LoadedDocument, index: int, e: dict[str, Any], today: date
) -> PolicyException:
    where: list[str | int] = ["exceptions", index]
    expires = _parse_date(document, [*where, "expires"], e["expires"])
    approved_on = None
    if "approved_on" in e:
        approved_on = _past_date(
            document, [*where, "approved_on"], e["approved_on"], today, "an approval"
        )
        if approved_on > expires:
            raise document.error(
                [*where, "approved_on"], f"approved on {approved_on} after it expires ({expires})"
            )
    return PolicyException(
        check=e["check"],
        resources=tuple(e["resources"]),
        reason=e["reason"],
        approved_by=e["approved_by"],
        expires=expires,
        ticket=e.get("ticket"),
        approved_on=approved_on,
    )


def _read(path: Path, seen: tuple[Path, ...], today: date) -> Policy:
    resolved_path = path.resolve()
    if resolved_path in seen:
        chain = " -> ".join(str(p) for p in (*seen, resolved_path))
        raise ConfigError(f"policy extends itself: {chain}")
    document = load_file(path)
    if not isinstance(document.data, dict):
        raise document.error([], "a policy file must be a mapping of fields")
    validate(document, "policy")
    data: dict[str, Any] = document.data
    if "extends" in data and len(seen) + 1 >= MAX_EXTENDS:
        raise document.error(["extends"], f"extends chain longer than {MAX_EXTENDS} packs")
    parent = Policy(name="(root)")
    if "extends" in data:
        try:
            parent_path = _locate(data["extends"], path)
        except ConfigError as exc:
            raise document.error(["extends"], str(exc)) from None
        parent = _read(parent_path, (*seen, resolved_path), today)
    selection = data.get("checks", {})
    exceptions = [
        _exception(document, i, e, today) for i, e in enumerate(data.get("exceptions", []))
    ]
    attestations = [
        Attestation(
            control=a["control"],
            statement=a["statement"],
            date=_past_date(
                document, ["attestations", i, "date"], a["date"], today, "an attestation"
            ),
            attested_by=a["attested_by"],
            outcome=a["outcome"],
            evidence=a.get("evidence"),
            tenant=a.get("tenant"),
        )
        for i, a in enumerate(data.get("attestations", []))
    ]
    return Policy(
        name=data["name"],
        description=data.get("description", parent.description),
        parameters=_merge(parent.parameters, data.get("parameters", {})),
        include=tuple(selection.get("include", parent.include)),
        exclude=tuple(selection.get("exclude", parent.exclude)),
        severity={**parent.severity, **selection.get("severity", {})},
        exceptions=[*parent.exceptions, *exceptions],
        attestations=[*parent.attestations, *attestations],
        sources=[*parent.sources, str(path)],
    )


def load_policy(reference: str | None = None, now: datetime | None = None) -> Policy:
    """Load a shipped pack by name or a pack file by path (default: baseline).

    Attestations and approvals dated after ``now`` (default: now) are refused.
    """
    return _read(_locate(reference or DEFAULT_POLICY, None), (), latest_today(now))
