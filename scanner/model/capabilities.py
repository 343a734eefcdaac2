"""What a platform can provide, declared by its adapter before anything is collected.

Each adapter states, per collection (a name from `scanner.model.inventory.COLLECTIONS`,
dotted names narrowing a parent), how the platform provides it:

* ``provided``         — the adapter collects it (the default for anything not declared);
* ``needs_permission`` — collected only when the scanning identity holds ``requirement``
  (a permission, scope or admin role); without it the adapter records a
  ``permission_missing`` gap and the checks say ERROR naming it;
* ``needs_edition``    — exists only on some editions or licences (``requirement`` names
  them); on others the adapter records a ``not_available`` gap;
* ``no_api``           — the platform has the thing but no API to read it: a check that
  needs it gives one tenant-level MANUAL finding whose text is ``review`` (what a person
  must review, and where in the platform's UI), unless a policy attestation decides it;
* ``not_applicable``   — the concept does not exist on the platform: one
  NOT_APPLICABLE finding saying ``review`` (why).

The declarations travel inside the inventory (``Inventory.capabilities``), so a saved
snapshot is judged exactly as the live scan was, and ``crmscan checks show ID`` and the
docs can show, per platform, which checks are automated, attested or not applicable.
Failures to collect something that is provided stay gaps (ERROR), never capabilities.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import Enum

from pydantic import BaseModel, ConfigDict


class Support(str, Enum):
    """How a platform provides one collection."""

    PROVIDED = "provided"
    NEEDS_PERMISSION = "needs_permission"
    NEEDS_EDITION = "needs_edition"
    NO_API = "no_api"
    NOT_APPLICABLE = "not_applicable"


class Capability(BaseModel):
    """How the platform provides ``collection``; see the module docstring."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    collection: str
    support: Support
    requirement: str | None = None  # permission, scope, role, edition or licence
    review: str | None = None  # no_api: what to review and where; not_applicable: why


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
