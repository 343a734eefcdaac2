"""Findings: one verdict of one check on one resource.

A finding keeps a reference to the resource and derives its message and evidence on
demand, so a scan of 100,000 users does not copy every observed value up front.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from scanner.engine.messages import render_template
from scanner.engine.records import finding_records
from scanner.language.compiler import CompiledCheck
from scanner.language.policy import Attestation, PolicyException
from scanner.model.resources import getter
from scanner.model.values import display, to_json


class Status(str, Enum):
    """The verdict of a check on a resource."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    MANUAL = "MANUAL"
    NOT_APPLICABLE = "NOT_APPLICABLE"


#: Statuses in the order reports list them: what needs action first.
REPORT_ORDER = ("FAIL", "ERROR", "MANUAL", "PASS", "NOT_APPLICABLE")


class Finding:
    """The verdict of ``check`` on ``resource``.

    ``resource`` is an inventory item, or None for a tenant-level verdict (gap, count,
    manual control, nothing applicable). ``reason`` explains ERROR, MANUAL and
    NOT_APPLICABLE verdicts; ``details`` holds evidence that is not a resource field
    (counts, gaps, attestations).
    """

    __slots__ = (
        "check",
        "status",
        "resource",
        "reason",
        "details",
        "exception",
        "attestation",
        "sources",
    )

    def __init__(
        self,
        check: CompiledCheck,
        status: Status,
        resource: Any = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.check = check
        self.status = status
        self.resource = resource
        self.reason = reason
        self.details = details
        self.exception: PolicyException | None = None
        self.attestation: Attestation | None = None
        #: The resources a resource-less verdict counted (count checks): its records.
        self.sources: list[Any] | None = None

    @property
    def resource_type(self) -> str:
        """The collection of the resource, or ``tenant``."""
        return self.check.kind.path if self.resource is not None else "tenant"

    def resource_id(self, tenant: Any) -> str | None:
        """The resource's id (the tenant's for tenant-level verdicts)."""
        if self.resource is None or self.check.kind.path == "tenant":
            return tenant.id if tenant is not None else None
        value = getter(self.check.kind.id_field)(self.resource)
        return None if value is None else str(value)

    def resource_name(self, tenant: Any) -> str | None:
        """The resource's display name (the tenant's for tenant-level verdicts)."""
        if self.resource is None or self.check.kind.path == "tenant":
            return tenant.name if tenant is not None else None
        value = getter(self.check.kind.name_field)(self.resource)
        if value is None:
            return self.resource_id(tenant)
        if self.check.kind.path == "field_permissions":
            return f"{value}: {getter('field')(self.resource)}"
        return str(value)

    def message(self) -> str:
        """What a person reads: the explanation when there is one, else the check's text."""
        if self.reason:
            return self.reason
        if self.status is Status.FAIL:
            return render_template(self.check.spec.message.strip(), self._observed)
        if self.status is Status.PASS:
            if self.check.spec.pass_message:
                return render_template(self.check.spec.pass_message.strip(), self._observed)
            return f"Passed: {self.check.spec.title}"
        return str(self.status.value)

    def _observed(self, name: str) -> str | None:
        """A placeholder's value as message text; None when it was not collected."""
        if self.details and name in self.details:
            value = self.details[name]
        else:
            value = getter(name)(self.resource)
        return None if value is None else display(value)

    @property
    def represents(self) -> int:
        """How many resources this finding stands for (a grouped verdict stands for many)."""
        if self.details and isinstance(self.details.get("undecided_count"), int):
            return max(1, int(self.details["undecided_count"]))
        return 1

    def evidence(self) -> dict[str, Any]:
        """The observed values that decided the verdict."""
        observed: dict[str, Any] = {}
        if self.resource is not None:
            for name in self.check.fields:
                observed[name] = to_json(getter(name)(self.resource))
        if self.details:
            observed.update(to_json(self.details))
        return observed

    def records(self, tenant: Any) -> list[dict[str, str]]:
        """The records that decided the verdict: ``[{"collection", "id"}]``.

        See `scanner.engine.records`; the ids are the raw records' in an evidence bundle.
        """
        return finding_records(self.check, self.resource, self.sources, tenant)

    def gate_exempt(self, today: date) -> bool:
        """True when a valid (unexpired) exception covers this finding."""
        return self.exception is not None and not self.exception.expired(today)
