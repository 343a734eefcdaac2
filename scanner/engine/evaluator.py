"""Evaluate compiled checks over an inventory.

Fail safe throughout: data that was not collected never gives PASS. What cannot be
decided is said once, with its cause (see `scanner.engine.coverage`):

1. A check whose ``platforms`` list leaves the scanned platform out does not run: one
   NOT_APPLICABLE finding says so. (A check without a list runs everywhere.)
2. A required collection the platform structurally cannot provide (capability
   ``no_api`` / ``not_applicable`` without ``known_for``, a ``no_api`` gap, or an
   edition that lacks it) gives one MANUAL finding with what to review — a policy
   attestation may decide it — or one NOT_APPLICABLE, whatever the data says.
3. A gap in a required collection (permission missing, HTTP error, rate limit,
   malformed response) gives one ERROR naming it.
4. Otherwise every resource is judged. A resource the data leaves undecided is ERROR,
   unless every null field its condition read is one the platform cannot provide: those
   resources are then covered by one MANUAL (or NOT_APPLICABLE) finding per cause,
   listing them, instead of one ERROR each. A resource collection the platform lists
   only in part (``known_for`` on the collection) gets one MANUAL for the rest.
5. Counting is three-valued: with ``k`` resources known to match and ``u`` undecided,
   FAIL when ``k > max`` or ``k + u < min``, PASS when ``min <= k`` and ``k + u <= max``,
   and otherwise MANUAL when only the platform's capabilities leave it open, else ERROR.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from scanner.engine.coverage import Cause, Coverage, condition_fields
from scanner.engine.findings import Finding, Status
from scanner.language.compiler import CompiledCheck
from scanner.model.capabilities import Capability
from scanner.model.inventory import Inventory
from scanner.model.resources import getter, resource_items

MAX_LISTED = 100


def _namer(check: CompiledCheck) -> Any:
    """Reads a resource's display name, falling back to its id."""
    name, ident = getter(check.kind.name_field), getter(check.kind.id_field)
    return lambda item: name(item) or ident(item)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while findings are created.

    A large scan allocates a million small findings that form no reference cycles; each
    generational collection they trigger would walk the whole inventory again (measured:
    5.9 s instead of 2.3 s for 100,000 users). Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Undecided:
    """Resources left undecided by one structural cause, to report as one finding."""

    def __init__(self, cause: Cause) -> None:
        self.cause = cause
        self.items: list[Any] = []


class Evaluator:
    """Evaluates checks for one inventory, policy attestations and date."""

    def __init__(self, inventory: Inventory, attestations: Any, today: date) -> None:
        self.inventory = inventory
        self.attestations = attestations  # Policy, or anything with attestation_for()
        self.today = today
        self.coverage = Coverage(inventory)

    def run(self, checks: Iterable[CompiledCheck]) -> list[Finding]:
        """Every finding of every check, with exceptions attached."""
        findings: list[Finding] = []
        with _cyclic_gc_paused():
            for check in checks:
                findings.extend(self._apply_exceptions(check, self.evaluate(check)))
        return findings

    def evaluate(self, check: CompiledCheck) -> list[Finding]:
        """The findings of one check."""
        coverage = self.coverage
        cause = coverage.out_of_scope(check.spec.platforms) or coverage.structural(check.requires)
        if cause is not None:
            return [self._tenant_finding(check, cause)]
        failed = coverage.failed(check.requires)
        if failed is not None:
            return [self._tenant_finding(check, failed)]
        if check.spec.manual:
            return [self._manual(check, f"needs a person's attestation: {check.spec.title}", None)]
        items = resource_items(self.inventory, check.kind)
        if items is None:
            reason = f"{check.kind.path} was not collected"
            return [Finding(check, Status.ERROR, reason=reason)]
        if check.count_min is not None or check.count_max is not None:
            return [self._count(check, items)]
        return self._per_resource(check, items)

    # -- per resource ------------------------------------------------------------------

    def _per_resource(self, check: CompiledCheck, items: list[Any]) -> list[Finding]:
        findings: list[Finding] = []
        append = findings.append
        where, assertion = check.where, check.assertion
        assert assertion is not None  # the schema requires assert unless count/manual
        where_fields = condition_fields(check.spec.where)
        assert_fields = condition_fields(check.spec.assertion)
        undecided: dict[tuple[str, str | None], _Undecided] = {}
        passed, failed = Status.PASS, Status.FAIL
        for item in items:
            if where is not None:
                applies = where(item)
                if applies is False:
                    continue
                if applies is None:
                    cause = self.coverage.undecided(
                        check.kind, item, where_fields, "whether the check applies"
                    )
                    self._hold(undecided, cause, item, append, check)
                    continue
            try:
                verdict = assertion(item)
            except (TypeError, ValueError) as exc:
                append(Finding(check, Status.ERROR, item, f"evaluation failed: {exc}"))
                continue
            if verdict is True:
                append(Finding(check, passed, item))
            elif verdict is False:
                append(Finding(check, failed, item))
            else:
                cause = self.coverage.undecided(check.kind, item, assert_fields, "the verdict")
                self._hold(undecided, cause, item, append, check)
        for group in undecided.values():
            findings.append(self._undecided_finding(check, group.cause, group.items))
        listing = self.coverage.incomplete_listing(check.kind)
        if listing is not None:
            findings.append(self._rest_of_listing(check, listing))
        if not findings:
            reason = f"no {check.kind.path} to which the check applies"
            return [Finding(check, Status.NOT_APPLICABLE, reason=reason)]
        return findings

    @staticmethod
    def _hold(
        undecided: dict[tuple[str, str | None], _Undecided],
        cause: Cause,
        item: Any,
        append: Any,
        check: CompiledCheck,
    ) -> None:
        """ERROR now, or keep ``item`` for its cause's one grouped finding."""
        if cause.status is Status.ERROR:
            append(Finding(check, Status.ERROR, item, cause.text, {"cause": cause.as_details()}))
            return
        key = (cause.kind, cause.collection)
        group = undecided.get(key)
        if group is None:
            group = undecided[key] = _Undecided(cause)
        group.items.append(item)

    def _undecided_finding(self, check: CompiledCheck, cause: Cause, items: list[Any]) -> Finding:
        """One tenant-level finding for the ``items`` a structural cause leaves open."""
        text = cause.text
        if cause.kind == "capability" and cause.capability is not None:
            text = self.coverage.review_text(cause.capability, items)
        if check.kind.path == "tenant":
            reason = text
        else:
            reason = f"{len(items)} {check.kind.path.replace('_', ' ')} undecided: {text}"
        details = self._undecided_details(check, cause, items)
        if cause.status is Status.MANUAL:
            return self._manual(check, reason, details)
        return Finding(check, cause.status, reason=reason, details=details)

    def _rest_of_listing(self, check: CompiledCheck, capability: Capability) -> Finding:
        noun = check.kind.path.replace("_", " ")
        text = self.coverage.review_text(capability, [])
        reason = f"{noun} beyond {capability.known_for} cannot be listed: {text}"
        cause = Cause(Status.MANUAL, "capability", capability.collection, text, capability)
        return self._manual(check, reason, {"cause": cause.as_details()})

    @staticmethod
    def _undecided_details(check: CompiledCheck, cause: Cause, items: list[Any]) -> dict[str, Any]:
        name = getter(check.kind.name_field)
        return {
            "cause": cause.as_details(),
            "undecided_count": len(items),
            "undecided": [name(i) for i in items[:MAX_LISTED]],
        }

    # -- tenant level --------------------------------------------------------------------

    def _tenant_finding(self, check: CompiledCheck, cause: Cause) -> Finding:
        details: dict[str, Any] = {"cause": cause.as_details()}
        if cause.gap is not None:
            details["gap"] = cause.gap
        if cause.kind == "platform":
            details["platform"] = self.coverage.platform
            details["platforms"] = list(check.spec.platforms)
        if cause.status is Status.MANUAL:
            return self._manual(check, cause.text, details)
        return Finding(check, cause.status, reason=cause.text, details=details)

    def _count(self, check: CompiledCheck, items: list[Any]) -> Finding:
        where = check.where
        assert where is not None
        fields = condition_fields(check.spec.where)
        matched: list[Any] = []
        undecided: list[Any] = []
        causes: list[Cause] = []
        for item in items:
            applies = where(item)
            if applies is True:
                matched.append(item)
            elif applies is None:
                undecided.append(item)
                causes.append(
                    self.coverage.undecided(check.kind, item, fields, "whether it counts")
                )
        name = _namer(check)
        details: dict[str, Any] = {
            "count": len(matched),
            "min": check.count_min,
            "max": check.count_max,
            "matched": [name(i) for i in matched[:MAX_LISTED]],
        }
        listing = self.coverage.incomplete_listing(check.kind)
        known, open_ = len(matched), float(len(undecided))
        if listing is not None:
            open_ = float("inf")  # resources the platform does not list may match too
        if undecided:
            details["undecided_count"] = len(undecided)
            details["undecided"] = [name(i) for i in undecided[:MAX_LISTED]]
        low = check.count_min if check.count_min is not None else float("-inf")
        high = check.count_max if check.count_max is not None else float("inf")
        if known > high or known + open_ < low:
            finding = Finding(check, Status.FAIL, details=details)
            finding.sources = matched
            if open_:
                bound = "at least" if known > high else "at most"
                total = known if known > high else int(known + open_)
                finding.reason = (
                    f"{finding.message()} ({bound} {total}: {len(undecided)} "
                    f"{check.kind.path} could not be decided, which cannot change the verdict)"
                )
            return finding
        if low <= known and known + open_ <= high:
            finding = Finding(check, Status.PASS, details=details)
            finding.sources = matched
            return finding
        return self._count_open(check, details, causes, listing, known, len(undecided))

    def _count_open(
        self,
        check: CompiledCheck,
        details: dict[str, Any],
        causes: list[Cause],
        listing: Capability | None,
        known: int,
        open_: int,
    ) -> Finding:
        """Between the bounds: the undecided resources decide the verdict."""
        noun = check.kind.path.replace("_", " ")
        errors = [c for c in causes if c.status is Status.ERROR]
        head = f"cannot count: {known} {noun} known to match, {open_} undecided"
        if errors:
            missing = sorted({c.text for c in errors})
            details["cause"] = errors[0].as_details()
            reason = f"{head} ({'; '.join(missing[:3])})"
            return Finding(check, Status.ERROR, reason=reason, details=details)
        structural = causes[0] if causes else None
        if structural is not None and structural.capability is not None:
            text = self.coverage.review_text(structural.capability, None)
            details["cause"] = structural.as_details()
        elif structural is not None:
            text = structural.text
            details["cause"] = structural.as_details()
        else:
            assert listing is not None
            text = self.coverage.review_text(listing, [])
            head = f"cannot count: {known} {noun} known to match; others cannot be listed"
            details["cause"] = Cause(
                Status.MANUAL, "capability", listing.collection, text, listing
            ).as_details()
        return self._manual(check, f"{head}: {text}", details)

    # -- attestations and exceptions -----------------------------------------------------

    def _manual(self, check: CompiledCheck, reason: str, details: dict[str, Any] | None) -> Finding:
        attestation = self.attestations.attestation_for(check.id, self.inventory.tenant.id)
        if attestation is None:
            return Finding(check, Status.MANUAL, reason=reason, details=details)
        max_age = check.attestation_max_age_days
        age = (self.today - attestation.date).days
        if max_age is not None and age > max_age:
            finding = Finding(
                check,
                Status.MANUAL,
                reason=f"attestation of {attestation.date} is {age} days old "
                f"(older than {max_age:g} days): attest again. {reason}",
                details=details,
            )
        else:
            status = Status.PASS if attestation.outcome == "pass" else Status.FAIL
            finding = Finding(
                check,
                status,
                reason=f"attested by {attestation.attested_by} on {attestation.date}: "
                f"{attestation.statement}",
                details={**(details or {}), "attestation": attestation.as_dict()},
            )
        finding.attestation = attestation
        return finding

    def _apply_exceptions(self, check: CompiledCheck, findings: list[Finding]) -> list[Finding]:
        if not check.exceptions:
            return findings
        tenant = self.inventory.tenant
        for finding in findings:
            if finding.status is Status.PASS:
                continue
            resource_id, resource_name = finding.resource_id(tenant), finding.resource_name(tenant)
            for exception in check.exceptions:
                if exception.matches(check.id, resource_id, resource_name):
                    finding.exception = exception
                    break
        return findings
