"""Dataverse privileges and their depths mapped onto crmscan's normalized vocabulary.

A security role holds privileges (``prvReadAccount``, ``prvExportToExcel``, ...), each at
a depth: Basic (the user's own records), Local (their business unit), Deep (their
business unit and its children) or Global (the whole organization). A user holds the
privileges of every role assigned to them directly and through their teams; where two
roles grant the same privilege, the deeper depth counts.

The table below says what a privilege means for the checks; ``minimum`` is the depth
from which it counts (editing only one's own user record is not managing users).
Everything a role grants is kept in the role's ``raw_permissions`` as
``privilege:depth``; a user's ``raw_permissions`` lists the privileges that decided one of
their normalized permissions.

Two permissions are structural rather than one privilege: ``data.view_all`` is Global
read, and ``data.modify_all`` Global write and delete, on every core business table
present in the environment (`CORE_TABLES`). ``account.super_admin`` is the System
Administrator role itself. Sources: docs/api/dynamics.md (privilege names and the
depth bits of ``roleprivileges.privilegedepthmask``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from scanner.model.inventory import PERMISSIONS


class Depth(IntEnum):
    """A privilege's depth, ordered from narrowest to widest."""

    BASIC = 1  #: the user's own records ("User" in the role editor)
    LOCAL = 2  #: the user's business unit ("Business Unit")
    DEEP = 3  #: the business unit and its children ("Parent: Child Business Units")
    GLOBAL = 4  #: the whole organization ("Organization")

    @property
    def label(self) -> str:
        """The lower-case name used in raw permission names."""
        return self.name.lower()


#: ``roleprivileges.privilegedepthmask`` bits, widest first.
_MASK_BITS: tuple[tuple[int, Depth], ...] = (
    (8, Depth.GLOBAL),
    (4, Depth.DEEP),
    (2, Depth.LOCAL),
    (1, Depth.BASIC),
)


def depth_of_mask(mask: int) -> Depth | None:
    """The widest depth a ``privilegedepthmask`` grants; None for a mask with no depth bit."""
    for bit, depth in _MASK_BITS:
        if mask & bit:
            return depth
    return None


@dataclass(frozen=True)
class Rule:
    """A privilege that means ``permission`` from depth ``minimum`` on."""

    permission: str
    minimum: Depth = Depth.BASIC


#: Privilege name -> what it means. Names are Dataverse's ``privilege.name``.
PRIVILEGE_RULES: dict[str, tuple[Rule, ...]] = {
    # Miscellaneous privileges (no table of their own).
    "prvExportToExcel": (Rule("data.export"),),
    "prvBulkDelete": (Rule("data.mass_delete"),),
    "prvActOnBehalfOfAnotherUser": (Rule("users.impersonate"),),
    # Users and security roles: at Basic depth a user can only edit their own record.
    "prvCreateUser": (Rule("users.manage", Depth.LOCAL),),
    "prvWriteUser": (Rule("users.manage", Depth.LOCAL),),
    "prvCreateRole": (Rule("setup.manage_profiles", Depth.LOCAL),),
    "prvWriteRole": (Rule("setup.manage_profiles", Depth.LOCAL),),
    # Customization (organization-owned tables: Global is their only depth).
    "prvCreateEntity": (Rule("setup.customize"),),
    "prvWriteEntity": (Rule("setup.customize"),),
    "prvCreateAttribute": (Rule("setup.customize"),),
    "prvWriteAttribute": (Rule("setup.customize"),),
    "prvWriteOrganization": (Rule("setup.customize"),),
    # Code that runs inside Dataverse.
    "prvCreatePluginAssembly": (Rule("code.author"),),
    "prvWritePluginAssembly": (Rule("code.author"),),
    "prvCreateSdkMessageProcessingStep": (Rule("code.author"),),
    # Auditing.
    "prvReadAuditSummary": (Rule("audit.view"),),
    "prvReadRecordAuditHistory": (Rule("audit.view"),),
}

#: Core business tables (privilege name suffix, as in ``prvReadAccount``). Global read on
#: all of those present is view-all; Global write and delete on all of them, modify-all.
CORE_TABLES: tuple[str, ...] = ("Account", "Contact", "Lead", "Opportunity", "Incident")

#: The built-in role that is every permission at once.
SYSTEM_ADMINISTRATOR = "System Administrator"

assert all(r.permission in PERMISSIONS for rules in PRIVILEGE_RULES.values() for r in rules)
assert {"data.view_all", "data.modify_all", "account.super_admin"} <= PERMISSIONS.keys()


@dataclass
class Holding:
    """What one principal holds: per privilege, the depth each granting role gives."""

    grants: dict[str, dict[str, Depth]] = field(default_factory=dict)

    def add(self, privilege: str, depth: Depth, source: str) -> None:
        """Record that ``source`` (a role, possibly through a team) grants ``privilege``."""
        by_source = self.grants.setdefault(privilege, {})
        current = by_source.get(source)
        if current is None or depth > current:
            by_source[source] = depth

    def depth(self, privilege: str) -> Depth | None:
        """The widest depth at which ``privilege`` is held; None when it is not."""
        by_source = self.grants.get(privilege)
        return max(by_source.values()) if by_source else None

    @property
    def depths(self) -> dict[str, Depth]:
        """Widest depth per held privilege."""
        return {p: max(s.values()) for p, s in self.grants.items() if s}

    def sources(self, privileges: Iterable[str], minimum: Depth) -> set[str]:
        """The sources granting any of ``privileges`` at ``minimum`` depth or wider."""
        return {
            source
            for privilege in privileges
            for source, depth in self.grants.get(privilege, {}).items()
            if depth >= minimum
        }


@dataclass(frozen=True)
class Meaning:
    """A normalized permission, the privileges behind it and the sources granting them."""

    permission: str
    privileges: tuple[str, ...]
    sources: tuple[str, ...]


def _core_present(available: Iterable[str]) -> tuple[str, ...]:
    names = set(available)
    return tuple(t for t in CORE_TABLES if f"prvRead{t}" in names)


def interpret(
    holding: Holding,
    available_privileges: Iterable[str],
    role_sources: Mapping[str, Iterable[str]],
) -> list[Meaning]:
    """The normalized permissions ``holding`` amounts to, each with its evidence.

    ``available_privileges`` are the privilege names the environment defines (which core
    tables exist); ``role_sources`` maps each role name the principal holds to the
    source keys that hold it (direct assignment, or a team).
    """
    found: dict[str, tuple[set[str], set[str]]] = {}

    def grant(permission: str, privileges: Iterable[str], sources: Iterable[str]) -> None:
        evidence, by = found.setdefault(permission, (set(), set()))
        evidence.update(privileges)
        by.update(sources)

    depths = holding.depths
    for privilege, depth in depths.items():
        for rule in PRIVILEGE_RULES.get(privilege, ()):
            if depth >= rule.minimum:
                grant(rule.permission, [privilege], holding.sources([privilege], rule.minimum))
    core = _core_present(available_privileges)
    if core:
        reads = [f"prvRead{t}" for t in core]
        if all(depths.get(p) is Depth.GLOBAL for p in reads):
            grant("data.view_all", reads, holding.sources(reads, Depth.GLOBAL))
        changes = [f"prv{verb}{t}" for t in core for verb in ("Write", "Delete")]
        if all(depths.get(p) is Depth.GLOBAL for p in changes):
            grant("data.modify_all", changes, holding.sources(changes, Depth.GLOBAL))
    if SYSTEM_ADMINISTRATOR in role_sources:
        grant("account.super_admin", [], role_sources[SYSTEM_ADMINISTRATOR])
    return [
        Meaning(permission, tuple(sorted(evidence)), tuple(sorted(by)))
        for permission, (evidence, by) in sorted(found.items())
    ]


def raw_name(privilege: str, depth: Depth) -> str:
    """``prvReadAccount:global``: how a held privilege is kept in ``raw_permissions``."""
    return f"{privilege}:{depth.label}"


def raw_names(depths: Mapping[str, Depth]) -> list[str]:
    """Every held privilege as a raw name, sorted."""
    return sorted(raw_name(p, d) for p, d in depths.items())
