"""Findings as the result document stores them: in full, or compactly when they passed.

`finding_document` is one finding as JSON data with every field a reader may want;
`stored_finding` is that finding as a 2.0 document stores it (the check's and the
tenant's fields left out). `StoredFindings` builds the stored form of many findings at
once, as `to_document` does for a scan of 100,000 users: what is the same for every
finding of a check (readers of the resource and of the message's fields, the template)
is looked up once per check, and CRM text is checked for characters to neutralise a
batch at a time (one encoding and one search, `scanner.sanitize.plainly_safe`) rather
than string by string. A batch that holds anything to neutralise is cleaned finding by
finding exactly as `finding_document` does, so both give the same document.

`passed_entries` lists the per-resource PASS verdicts of each check (``passed``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any

from scanner.engine.findings import Finding, Status
from scanner.engine.messages import has_placeholders, placeholders, render_values
from scanner.engine.scan import ScanResult
from scanner.language.compiler import CompiledCheck
from scanner.model.resources import getter
from scanner.model.values import display, to_json
from scanner.sanitize import clean_text, clean_value, plainly_safe

#: Findings whose CRM text is checked in one encoding (`StoredFindings`).
BATCH = 2048
_SCALARS = (str, int, float, bool)


def finding_document(finding: Finding, result: ScanResult, records: bool = True) -> dict[str, Any]:
    """One finding as JSON data, its CRM text neutralised (`scanner.sanitize`).

    ``records``: add ``evidence.records``, the collected records behind the verdict.
    """
    tenant = result.inventory.tenant
    evidence = finding.evidence()
    if records:  # the collected records behind the verdict (scanner.engine.records)
        evidence = {**evidence, "records": finding.records(tenant)}
    check = finding.check
    exception = finding.exception.as_dict(result.today) if finding.exception else None
    return {
        "check_id": check.id,
        "title": check.spec.title,
        "severity": check.severity,
        "domain": check.spec.domain,
        "status": finding.status.value,
        "platform": tenant.platform,
        "tenant_id": clean_text(tenant.id, True),
        "resource": {
            "type": finding.resource_type,
            "id": clean_text(finding.resource_id(tenant), True),
            "name": clean_text(finding.resource_name(tenant), True),
        },
        "message": clean_text(finding.message(), True),
        "evidence": clean_value(evidence, True),
        "remediation": check.spec.remediation.strip(),
        "exception": clean_value(exception),
        "attestation": clean_value(finding.attestation.as_dict()) if finding.attestation else None,
    }


#: Finding fields a 2.0 document does not repeat in each finding: they are the check's
#: (``checks[]``) or the tenant's; `scanner.results.reader` puts them back.
PER_CHECK = ("title", "severity", "domain", "remediation")
PER_TENANT = ("platform", "tenant_id")
#: Finding fields a 2.0 document leaves out when they are null.
OPTIONAL = ("exception", "attestation")


def stored_finding(finding: dict[str, Any], resource_type: str | None) -> dict[str, Any]:
    """``finding`` (as `finding_document` builds it) as a 2.0 document stores it: the
    resource's ``type`` too is left out when it is the check's ``resource``."""
    stored = {
        key: value
        for key, value in finding.items()
        if key not in PER_CHECK
        and key not in PER_TENANT
        and (value is not None or key not in OPTIONAL)
    }
    resource = stored["resource"]
    if resource["type"] == resource_type:
        stored["resource"] = {"id": resource["id"], "name": resource["name"]}
    return stored


def is_compact_pass(finding: Finding) -> bool:
    """True for a PASS verdict on one resource (listed in ``passed`` in schema 2.0)."""
    return finding.status is Status.PASS and finding.resource_type != "tenant"


class _Fields:
    """Reads several fields of a resource at once, as `scanner.model.resources.getter`
    reads each (None when a step of the path is missing): one C-level ``attrgetter``
    call while no read has failed, each field's own getter from the first failure on."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._safe = [getter(name) for name in self.names]
        self._fast: Callable[[Any], Any] | None = attrgetter(*self.names) if self.names else None
        self._single = len(self.names) == 1

    def __call__(self, resource: Any) -> tuple[Any, ...]:
        """The fields' values on ``resource``, in the order of `names`."""
        if self._fast is not None:
            try:
                got = self._fast(resource)
            except AttributeError:  # a None along a dotted path, a field the model lacks
                self._fast = None
            else:
                return (got,) if self._single else tuple(got)
        return tuple(read(resource) for read in self._safe)


def _text(value: Any) -> str | None:
    return value if type(value) is str else None if value is None else str(value)


class _CheckReaders:
    """What every finding of one check reads, looked up once: as `Finding.resource_id`,
    `Finding.resource_name`, `Finding.message` and `Finding.evidence` read it."""

    def __init__(self, check: CompiledCheck, tenant: Any) -> None:
        kind = check.kind
        self.check = check
        self.tenant = tenant
        #: Resources named as `Finding` names them only for plain collections.
        self.plain = kind.path not in ("tenant", "field_permissions")
        self.naming = _Fields((kind.id_field, kind.name_field))
        self.fields = _Fields(check.fields)
        spec = check.spec
        self.fail_text = spec.message.strip() if spec.message else None
        self.pass_text = spec.pass_message.strip() if spec.pass_message else None
        self.templates = {
            text: [(name, getter(name)) for name in placeholders(text)]
            for text in (self.fail_text, self.pass_text)
            if text is not None
        }

    def pair(self, finding: Finding) -> list[str | None]:
        """``[id, name]`` of the finding's resource (text not yet neutralised)."""
        resource = finding.resource
        if not self.plain or resource is None:
            return [finding.resource_id(self.tenant), finding.resource_name(self.tenant)]
        ident, label = self.naming(resource)
        text = _text(ident)
        return [text, text if label is None else _text(label)]

    def message(self, finding: Finding) -> str:
        """`Finding.message`, with the template's field readers looked up once."""
        if finding.reason:
            return finding.reason
        status = finding.status
        if status is Status.FAIL:
            text = self.fail_text
            if text is None:
                return finding.message()
        elif status is Status.PASS:
            text = self.pass_text
            if text is None:
                return f"Passed: {self.check.spec.title}"
        else:
            return str(status.value)
        readers = self.templates[text]
        if not readers:
            return render_values(text, [])
        details, resource = finding.details, finding.resource
        values: list[str | None] = []
        for name, read in readers:
            value = details[name] if details and name in details else read(resource)
            values.append(
                value if type(value) is str else None if value is None else display(value)
            )
        return render_values(text, values)

    def evidence(self, finding: Finding) -> dict[str, Any]:
        """`Finding.evidence`, with the field readers looked up once."""
        observed: dict[str, Any] = {}
        resource = finding.resource
        if resource is not None and self.fields.names:
            for name, value in zip(self.fields.names, self.fields(resource), strict=True):
                observed[name] = (
                    value if value is None or type(value) in _SCALARS else to_json(value)
                )
        if finding.details:
            observed.update(to_json(finding.details))
        return observed


class StoredFindings:
    """The stored form (`stored_finding`) of findings that are not compact PASS verdicts,
    built a check's readers and a batch's neutralisation check at a time.

    ``add`` appends a finding's stored form to `stored` (filled in place: its CRM text is
    made safe when the batch is checked, at the latest by `finish`).
    """

    def __init__(self, result: ScanResult, records: bool) -> None:
        self.result = result
        self.records = records
        self.tenant = result.inventory.tenant
        self.stored: list[dict[str, Any]] = []
        self._readers: dict[str, _CheckReaders] = {}
        self._pending: list[tuple[dict[str, Any], list[Any]]] = []

    def readers(self, check: CompiledCheck) -> _CheckReaders:
        """The readers of ``check`` (built on first use)."""
        known = self._readers.get(check.id)
        if known is None:
            known = self._readers[check.id] = _CheckReaders(check, self.tenant)
        return known

    def add(self, finding: Finding) -> None:
        """Append ``finding`` in its stored form."""
        check = finding.check
        readers = self.readers(check)
        ident, name = readers.pair(finding)
        evidence = readers.evidence(finding)
        if self.records:
            evidence["records"] = finding.records(self.tenant)
        kind = finding.resource_type
        resource: dict[str, Any] = (
            {"id": ident, "name": name}
            if kind == check.spec.resource
            else {"type": kind, "id": ident, "name": name}
        )
        stored: dict[str, Any] = {
            "check_id": check.id,
            "status": finding.status.value,
            "resource": resource,
            "message": readers.message(finding),
            "evidence": evidence,
        }
        if finding.exception is not None:
            stored["exception"] = clean_value(finding.exception.as_dict(self.result.today))
        if finding.attestation is not None:
            stored["attestation"] = clean_value(finding.attestation.as_dict())
        self.stored.append(stored)
        self._pending.append((stored, [ident, name, stored["message"], evidence]))
        if len(self._pending) >= BATCH:
            self._check_batch()

    def add_cleaned(self, stored: dict[str, Any]) -> None:
        """Append a finding already in its stored form, its text already neutralised."""
        self.stored.append(stored)

    def finish(self) -> list[dict[str, Any]]:
        """Every stored finding, its CRM text neutralised."""
        self._check_batch()
        return self.stored

    def _check_batch(self) -> None:
        pending, self._pending = self._pending, []
        if not pending or plainly_safe([text for _, text in pending]):
            return
        for stored, _ in pending:  # the exact path, as finding_document cleans
            resource = stored["resource"]
            resource["id"] = clean_text(resource["id"], True)
            resource["name"] = clean_text(resource["name"], True)
            stored["message"] = clean_text(stored["message"], True)
            stored["evidence"] = clean_value(stored["evidence"], True)


def _pass_message(check: CompiledCheck) -> str:
    """The one message of a check's compact PASS entry: the check's pass message when it
    names no resource field (one filled in for the first resource would misname the rest),
    else "Passed: <title>"."""
    spec = check.spec
    if spec.pass_message and not has_placeholders(spec.pass_message):
        return spec.pass_message.strip()
    return f"Passed: {spec.title}"


def passed_entries(
    findings: Iterable[Finding],
    result: ScanResult,
    readers: Callable[[CompiledCheck], _CheckReaders] | None = None,
) -> list[dict[str, Any]]:
    """The per-resource PASS verdicts, one entry per check, in evaluation order.

    ``readers`` gives a check's readers (`StoredFindings.readers`; built here if None).
    """
    tenant = result.inventory.tenant
    reader_of = readers or (lambda check: _CheckReaders(check, tenant))
    per_check: dict[str, list[Finding]] = {}
    for finding in findings:
        listed = per_check.get(finding.check.id)
        if listed is None:
            listed = per_check[finding.check.id] = []
        listed.append(finding)
    entries = []
    for listed in per_check.values():
        first = listed[0]
        pair = reader_of(first.check).pair
        resources = [pair(finding) for finding in listed]
        if not plainly_safe(resources):
            resources = [[clean_text(i, True), clean_text(n, True)] for i, n in resources]
        entries.append(
            {
                "check_id": first.check.id,
                "resource_type": first.resource_type,
                "message": clean_text(_pass_message(first.check), True),
                "count": len(resources),
                "resources": resources,
            }
        )
    return entries
