"""What a platform can provide, declared by its adapter before anything is collected.

Each adapter states, per collection or field, how the platform provides it:

* ``provided``         — the adapter collects it (the default for anything not declared);
* ``needs_permission`` — collected only when the scanning identity holds ``requirement``
  (a permission, scope or admin role); without it the adapter records a
  ``permission_missing`` gap and the checks say ERROR naming the requirement;
* ``needs_edition``    — exists only on some editions or licences (``requirement`` names
  them); on others the adapter records a ``not_available`` gap and the checks give one
  MANUAL finding saying which edition has it (a person decides how the control is met);
* ``no_api``           — the platform has the thing but no API to read it: a check that
  needs it gives one tenant-level MANUAL finding whose text is ``review`` (what a person
  must review, and where in the platform's UI), unless a policy attestation decides it;
* ``not_applicable``   — the concept does not exist on the platform: one
  NOT_APPLICABLE finding saying ``review`` (why).

**Names.** ``collection`` is a name from `scanner.model.inventory.COLLECTIONS`
(``auth.mfa``, ``users.mfa``, ``integrations``) or a field under a resource collection
(``users.permissions``, ``users.created_at``, ``permission_sets.permissions``). Lookup
falls back to the parent: a declaration of ``users.mfa`` covers ``users.mfa.status``.

**Partly provided.** ``known_for`` says for which resources the platform does provide a
``no_api`` / ``not_applicable`` item (HubSpot: the permissions of *super admins* are
known, those granted by roles are not). The engine then judges every resource whose
verdict the data decides, and replaces the ERRORs of the resources it cannot decide by
one MANUAL finding. Without ``known_for`` the item is unavailable for every resource and
a check that requires it gives the one MANUAL / NOT_APPLICABLE finding without looking
at the data, so it can never PASS on data the platform cannot provide. On a resource
collection itself (``integrations``), ``known_for`` means the listing is incomplete: the
resources seen are judged and one MANUAL finding covers the rest.

**Review text** may name the undecided resources' values: ``{field}`` placeholders are
filled with the distinct values of that field across the resources the engine could not
decide (``review the roles {permission_sets} in Settings > Users & Teams > Roles``).

Declare with the helpers, for example::

    capabilities = Capabilities([
        no_api("users.mfa", "HubSpot has no API for per-user 2FA; review ... in Settings > ..."),
        no_api("users.permissions", "review the roles {permission_sets} ...",
               known_for="super admins"),
        needs_permission("users.login", "the scope account-info.security.read"),
        needs_edition("monitoring.audit_log", "Enterprise"),
        not_applicable("roles", "HubSpot has no role hierarchy"),
    ])

The declarations travel inside the inventory (``Inventory.capabilities``), so a saved
snapshot is judged exactly as the live scan was, and ``crmscan checks show ID`` and the
docs can show, per platform, which checks are automated, attested or not applicable.
Failures to collect something that is provided stay gaps (ERROR), never capabilities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import Enum

from pydantic import BaseModel, ConfigDict, model_validator

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


class Support(str, Enum):
    """How a platform provides one collection."""

    PROVIDED = "provided"
    NEEDS_PERMISSION = "needs_permission"
    NEEDS_EDITION = "needs_edition"
    NO_API = "no_api"
    NOT_APPLICABLE = "not_applicable"


#: Supports under which the platform structurally cannot provide the data.
STRUCTURAL = frozenset({Support.NO_API, Support.NOT_APPLICABLE})


class Capability(BaseModel):
    """How the platform provides ``collection``; see the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    collection: str
    support: Support
    requirement: str | None = None  # permission, scope, role, edition or licence
    review: str | None = None  # no_api: what to review and where; not_applicable: why
    known_for: str | None = None  # no_api / not_applicable: which resources it IS known for

    @model_validator(mode="after")
    def _complete(self) -> Capability:
        if self.support in STRUCTURAL and not (self.review or "").strip():
            raise ValueError(
                f"capability {self.collection!r} ({self.support.value}) needs a review text: "
                "what a person must review and where (no_api), or why (not_applicable)"
            )
        if (
            self.support in (Support.NEEDS_PERMISSION, Support.NEEDS_EDITION)
            and not (self.requirement or "").strip()
        ):
            raise ValueError(
                f"capability {self.collection!r} ({self.support.value}) needs a requirement: "
                "the permission, scope, edition or licence"
            )
        if self.known_for is not None and self.support not in STRUCTURAL:
            raise ValueError(
                f"capability {self.collection!r}: known_for only qualifies no_api or not_applicable"
            )
        return self

    @property
    def structural(self) -> bool:
        """True when the platform cannot provide it (no API, or no such concept)."""
        return self.support in STRUCTURAL

    @property
    def partial(self) -> bool:
        """True when the platform provides it for some resources (``known_for``)."""
        return self.structural and self.known_for is not None

    def review_fields(self) -> list[str]:
        """The ``{field}`` placeholders of the review text."""
        return _PLACEHOLDER.findall(self.review or "")

    def describe(self) -> str:
        """One line for tables: how the platform provides it."""
        text = self.support.value.replace("_", " ")
        if self.requirement:
            text += f" ({self.requirement})"
        if self.known_for:
            text += f"; known for {self.known_for}"
        return text


def no_api(collection: str, review: str, *, known_for: str | None = None) -> Capability:
    """The platform has ``collection`` but no API for it; ``review`` says what to check."""
    return Capability(
        collection=collection, support=Support.NO_API, review=review, known_for=known_for
    )


def not_applicable(collection: str, why: str, *, known_for: str | None = None) -> Capability:
    """The concept ``collection`` does not exist on the platform; ``why`` says so."""
    return Capability(
        collection=collection, support=Support.NOT_APPLICABLE, review=why, known_for=known_for
    )


def needs_permission(collection: str, requirement: str, review: str | None = None) -> Capability:
    """``collection`` is collected only when the scanning identity holds ``requirement``."""
    return Capability(
        collection=collection,
        support=Support.NEEDS_PERMISSION,
        requirement=requirement,
        review=review,
    )


def needs_edition(collection: str, requirement: str, review: str | None = None) -> Capability:
    """``collection`` exists only on the editions or licences ``requirement`` names."""
    return Capability(
        collection=collection, support=Support.NEEDS_EDITION, requirement=requirement, review=review
    )


class Capabilities:
    """An adapter's declarations, looked up by collection with parent fallback.

    ``lookup("users.mfa")`` finds a declaration of ``users.mfa`` or, failing that, of
    ``users``; anything undeclared is `Support.PROVIDED`.
    """

    def __init__(self, declared: Iterable[Capability] = ()) -> None:
        self._by_collection: dict[str, Capability] = {}
        for capability in declared:
            if capability.collection in self._by_collection:
                raise ValueError(f"capability {capability.collection!r} is declared twice")
            self._by_collection[capability.collection] = capability

    def lookup(self, collection: str) -> Capability:
        """The declaration covering ``collection`` (itself or its nearest parent)."""
        name = collection
        while True:
            found = self._by_collection.get(name)
            if found is not None:
                return found
            if "." not in name:
                return Capability(collection=collection, support=Support.PROVIDED)
            name = name.rsplit(".", 1)[0]

    def __iter__(self) -> Iterator[Capability]:
        return iter(self._by_collection.values())

    def __len__(self) -> int:
        return len(self._by_collection)
