"""Why a check, or one resource, cannot be decided: the platform, its capabilities, a gap.

Three different facts, said once each:

* the check does not cover the platform (its ``platforms`` list) → NOT_APPLICABLE;
* the platform structurally cannot provide what the verdict needs (a ``no_api`` or
  ``not_applicable`` capability, or a ``needs_edition`` capability on an edition without
  it) → one MANUAL (what a person reviews, and where) or one NOT_APPLICABLE;
* the adapter failed to collect something the platform provides (a gap, or a null it
  did not explain) → ERROR, naming the gap and what it needs.

`Coverage` answers those questions for one inventory. The engine asks it once per check
(platform, required collections) and, for resources the data leaves undecided, once per
resource with the null fields the undecided condition read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.engine.findings import Status
from scanner.model.capabilities import Capabilities, Capability, Support
from scanner.model.inventory import Gap, GapReason, Inventory
from scanner.model.resources import RESOURCE_KINDS, ResourceKind, getter

#: Field paths whose capability name differs from the path (prefix → collection).
#: Everything else maps to ``<resource collection>.<field path>``, so ``users.mfa.status``
#: falls back to a declaration of ``users.mfa`` and ``users.created_at`` to ``users``.
FIELD_ALIASES: dict[str, str] = {
    "auth.mfa_enforced": "auth.mfa",
    "auth.sso_enforced": "auth.sso",
    "auth.sso_providers": "auth.sso",
    "auth.trusted_networks": "auth.network",
    "encryption.at_rest_enabled": "encryption.at_rest",
    "encryption.deterministic_enabled": "encryption.at_rest",
    "encryption.keys": "encryption.at_rest",
    "monitoring.audit_log_days": "monitoring.audit_log",
    "monitoring.audit_log_available": "monitoring.audit_log",
    "users.login.successes_without_mfa": "users.login_mfa",
    "users.raw_permissions": "users.permissions",
    "users.grants": "users.permissions",
    "permission_sets.login_ip_ranges": "permission_sets.ip_ranges",
    "permission_sets.raw_permissions": "permission_sets.permissions",
}


def capability_name(kind: ResourceKind, field: str) -> str:
    """The capability / gap name covering ``field`` of a ``kind`` resource."""
    name = field if kind.path == "tenant" else f"{kind.collection}.{field}"
    for prefix, target in FIELD_ALIASES.items():
        if name == prefix or name.startswith(prefix + "."):
            return target + name[len(prefix) :]
    return name


def condition_fields(node: Any) -> list[str]:
    """The field paths a condition tree reads at its own level (quantifiers: the list)."""
    found: list[str] = []
    if isinstance(node, dict):
        if "field" in node:
            found.append(str(node["field"]))
        for key in ("all", "any"):
            for child in node.get(key, ()):
                found.extend(f for f in condition_fields(child) if f not in found)
        if "not" in node:
            found.extend(f for f in condition_fields(node["not"]) if f not in found)
    return found


def _kind_of(capability: Capability) -> ResourceKind:
    """The resource kind whose items a capability's review placeholders are read from."""
    best: ResourceKind = RESOURCE_KINDS["tenant"]
    for kind in RESOURCE_KINDS.values():
        prefix = kind.collection
        if kind.path != "tenant" and (
            capability.collection == prefix or capability.collection.startswith(prefix + ".")
        ):
            if best.path == "tenant" or len(prefix) > len(best.collection):
                best = kind
    return best


@dataclass(frozen=True)
class Cause:
    """Why something cannot be decided; ``status`` is what the engine reports for it."""

    status: Status
    kind: str  # "platform", "capability", "edition", "gap", "missing"
    collection: str | None
    text: str
    capability: Capability | None = None
    gap: Gap | None = None

    def as_details(self) -> dict[str, Any]:
        """The cause as finding evidence (``details["cause"]``)."""
        cause: dict[str, Any] = {"kind": self.kind, "collection": self.collection}
        if self.capability is not None:
            cause["support"] = self.capability.support.value
            if self.capability.requirement:
                cause["requirement"] = self.capability.requirement
            if self.capability.known_for:
                cause["known_for"] = self.capability.known_for
        if self.gap is not None:
            cause["reason"] = self.gap.reason.value
        return cause


class Coverage:
    """Capability and gap questions about one inventory."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.platform = inventory.tenant.platform
        self.capabilities: Capabilities = inventory.capability_table()

    def out_of_scope(self, platforms: Sequence[str]) -> Cause | None:
        """NOT_APPLICABLE when a check's ``platforms`` list leaves this platform out."""
        if not platforms or self.platform in platforms:
            return None
        text = f"not applicable to {self.platform}: the check covers {', '.join(platforms)} only"
        return Cause(Status.NOT_APPLICABLE, "platform", None, text)

    def structural(self, requires: Iterable[str]) -> Cause | None:
        """The first required collection the platform cannot provide for any resource.

        A ``no_api`` / ``not_applicable`` declaration without ``known_for``, a legacy
        ``no_api`` gap, or a ``needs_edition`` declaration whose collection this tenant's
        edition lacks (a ``not_available`` gap).
        """
        for collection in requires:
            capability = self.capabilities.lookup(collection)
            if capability.structural and not capability.partial:
                return self._capability_cause(capability, collection)
            gap = self.inventory.gap_for(collection)
            if gap is None:
                continue
            if gap.reason is GapReason.NO_API:
                return Cause(Status.MANUAL, "gap", gap.collection, gap.detail, gap=gap)
            edition = self.capabilities.lookup(gap.collection)
            if edition.support is Support.NEEDS_EDITION and gap.reason is GapReason.NOT_AVAILABLE:
                return self._edition_cause(edition, gap)
        return None

    def failed(self, requires: Iterable[str]) -> Cause | None:
        """The first gap in a required collection that is a collection failure (ERROR)."""
        for collection in requires:
            gap = self.inventory.gap_for(collection)
            if gap is not None:
                return self._gap_cause(gap)
        return None

    def incomplete_listing(self, kind: ResourceKind) -> Capability | None:
        """A ``known_for`` declaration on the resource collection itself (partial listing)."""
        if kind.path == "tenant":
            return None
        capability = self.capabilities.lookup(kind.collection)
        return capability if capability.partial else None

    def undecided(self, kind: ResourceKind, item: Any, fields: Sequence[str], stage: str) -> Cause:
        """Why ``item`` is undecided, from the null ``fields`` its condition read."""
        missing = [name for name in fields if getter(name)(item) is None]
        if not missing:
            return Cause(
                Status.ERROR,
                "missing",
                None,
                f"cannot decide {stage}: a value it depends on was not collected",
            )
        names = [capability_name(kind, name) for name in missing]
        declared = [self._field_capability(kind, name) for name in names]
        if all(c.structural for c in declared):
            first = declared[0]
            status = (
                Status.NOT_APPLICABLE
                if all(c.support is Support.NOT_APPLICABLE for c in declared)
                else Status.MANUAL
            )
            return Cause(status, "capability", first.collection, first.review or "", first)
        edition = self._edition_gap(names, declared)
        if edition is not None:
            return edition
        return self._missing_cause(missing, names, declared, stage)

    def review_text(self, capability: Capability, items: Sequence[Any] | None) -> str:
        """``capability.review`` with ``{field}`` filled from ``items`` (distinct values)."""
        from scanner.engine.messages import render_template

        kind = _kind_of(capability)
        pool: Sequence[Any] = items if items is not None else self._items(kind)

        def values(name: str) -> str | None:
            seen: list[str] = []
            read = getter(name)
            for item in pool:
                value = read(item)
                for one in value if isinstance(value, (list, tuple, set)) else [value]:
                    text = _value_text(one)
                    if text and text not in seen:
                        seen.append(text)
            if not seen:
                return None
            seen.sort()
            shown = ", ".join(seen[:8])
            return shown + (f" and {len(seen) - 8} more" if len(seen) > 8 else "")

        return render_template(capability.review or "", values)

    # -- internals ---------------------------------------------------------------------

    def _field_capability(self, kind: ResourceKind, name: str) -> Capability:
        """The declaration covering field ``name``; a partial listing is not about fields.

        ``known_for`` on the resource collection itself says which resources can be
        listed at all: the fields of a listed resource are provided like any other.
        """
        capability = self.capabilities.lookup(name)
        if capability.partial and capability.collection == kind.collection:
            return Capability(collection=name, support=Support.PROVIDED)
        return capability

    def _items(self, kind: ResourceKind) -> Sequence[Any]:
        if kind.path == "tenant":
            return [self.inventory]
        found = getter(kind.path)(self.inventory)
        return list(found) if found is not None else []

    def _capability_cause(self, capability: Capability, collection: str) -> Cause:
        status = (
            Status.NOT_APPLICABLE if capability.support is Support.NOT_APPLICABLE else Status.MANUAL
        )
        text = self.review_text(capability, None)
        return Cause(status, "capability", capability.collection or collection, text, capability)

    def _edition_cause(self, capability: Capability, gap: Gap) -> Cause:
        edition = self.inventory.tenant.edition
        tenant = f" (this tenant: {edition})" if edition else ""
        text = f"{gap.collection} exists only on {capability.requirement}{tenant}: {gap.detail}"
        if capability.review:
            text += f". {capability.review}"
        return Cause(Status.MANUAL, "edition", gap.collection, text, capability, gap)

    def _edition_gap(self, names: Sequence[str], declared: Sequence[Capability]) -> Cause | None:
        """A not_available gap on an edition-bound collection explains every null field."""
        causes: list[Cause] = []
        for name, capability in zip(names, declared, strict=True):
            if capability.structural:
                continue
            gap = self.inventory.gap_for(name)
            if not (
                gap is not None
                and capability.support is Support.NEEDS_EDITION
                and gap.reason is GapReason.NOT_AVAILABLE
            ):
                return None
            causes.append(self._edition_cause(capability, gap))
        return causes[0] if causes else None

    def _gap_cause(self, gap: Gap) -> Cause:
        capability = self.capabilities.lookup(gap.collection)
        text = f"{gap.collection} not collected ({gap.reason.value}): {gap.detail}"
        requirement = capability.requirement
        if capability.support is Support.NEEDS_PERMISSION and requirement:
            # The adapter's detail often names it already ("needs the scope X"): its most
            # specific word (the scope or API name) tells.
            key = max(re.findall(r"[\w.-]+", requirement), key=len, default=requirement)
            if key.lower() not in gap.detail.lower():
                text += f"; needs {requirement}"
        return Cause(Status.ERROR, "gap", gap.collection, text, capability, gap)

    def _missing_cause(
        self,
        missing: Sequence[str],
        names: Sequence[str],
        declared: Sequence[Capability],
        stage: str,
    ) -> Cause:
        text = f"cannot decide {stage}: not collected: {', '.join(missing)}"
        for name, capability in zip(names, declared, strict=True):
            gap = self.inventory.gap_for(name)
            if gap is not None:
                cause = self._gap_cause(gap)
                return Cause(
                    Status.ERROR, "gap", gap.collection, f"{text} ({cause.text})", capability, gap
                )
        return Cause(Status.ERROR, "missing", None, text)


def _value_text(value: Any) -> str | None:
    if value is None:
        return None
    name = getattr(value, "name", None)
    return str(name if name is not None else value)
