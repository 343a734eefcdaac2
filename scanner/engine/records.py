"""Which collected records decided a finding: ``evidence.records`` of the result document.

Every finding points to the records behind its verdict as ``{"collection", "id"}`` pairs,
the same collection names the adapters use for gaps and for the raw API responses of an
evidence bundle (``raw/<collection>.jsonl``, `scanner.evidence.raw`), so ``crmscan
evidence explain`` can show the raw record a verdict stands on. Pointers are derived from
the inventory alone, for every platform alike, so a demo, a snapshot or a scan without
raw capture gets them too:

* a resource finding points to the resource's own record (its collection and id);
* for each collection the check requires below the resource's (``users.mfa``,
  ``users.login``, ``users.permissions`` for a user), the records there that name the
  resource: the same id in that collection;
* when the check reads permissions (``permissions``, ``raw_permissions``, ``grants``,
  ``object_access``,
  ``permission_sets``), the profiles, permission sets, groups and roles that granted the
  resource's permissions (``Grant.source_id`` in ``permission_sets``); when it reads the
  profile, the profile (``profile_id``);
* a count finding (no resource) points to the resources it counted;
* a tenant-level finding points to the tenant record and to every settings collection
  the check requires, with the id `ALL_RECORDS` (``"*"``: the collection's responses are
  the settings record; a gap's ERROR then points to the refused answer).

At most `MAX_RECORDS` pointers per finding, in that order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.evidence.raw import ALL_RECORDS
from scanner.language.compiler import CompiledCheck
from scanner.model.resources import getter

MAX_RECORDS = 100
#: Fields whose values come from the grant sources (profiles, permission sets, roles).
GRANTED_FIELDS = frozenset(
    {"permissions", "raw_permissions", "grants", "permission_sets", "object_access"}
)
#: Fields whose value is the user's profile.
PROFILE_FIELDS = frozenset({"profile", "profile_id"})
#: Where the grant sources of every platform live.
GRANT_COLLECTION = "permission_sets"


class _Pointers:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, collection: str, record_id: Any) -> None:
        if record_id is None or record_id == "" or len(self.items) >= MAX_RECORDS:
            return
        key = (collection, str(record_id))
        if key not in self._seen:
            self._seen.add(key)
            self.items.append({"collection": collection, "id": key[1]})


def _top_field(name: str) -> str:
    return name.split(".", 1)[0]


def _resource(out: _Pointers, check: CompiledCheck, item: Any) -> None:
    kind = check.kind
    record_id = getter(kind.id_field)(item)
    out.add(kind.collection, record_id)
    below = kind.collection + "."
    for collection in check.spec.requires:
        if collection.startswith(below):
            out.add(collection, record_id)
    fields = {_top_field(name) for name in check.fields}
    if fields & GRANTED_FIELDS:
        for grant in getattr(item, "grants", None) or ():
            if grant.source_kind != "user":
                out.add(GRANT_COLLECTION, grant.source_id)
    if fields & PROFILE_FIELDS:
        out.add(GRANT_COLLECTION, getattr(item, "profile_id", None))


def _tenant(out: _Pointers, check: CompiledCheck, tenant: Any) -> None:
    out.add("tenant", getattr(tenant, "id", None))
    for collection in check.requires:
        if collection != "tenant":
            out.add(collection, ALL_RECORDS)


def finding_records(
    check: CompiledCheck, resource: Any, sources: Iterable[Any] | None, tenant: Any
) -> list[dict[str, str]]:
    """The ``[{"collection", "id"}]`` pointers of one finding (see the module docstring).

    ``resource`` is the finding's resource (None for a tenant-level verdict), ``sources``
    the resources a count finding counted.
    """
    out = _Pointers()
    if resource is not None and check.kind.path != "tenant":
        _resource(out, check, resource)
    elif sources:
        for item in sources:
            _resource(out, check, item)
    else:
        _tenant(out, check, tenant)
    return out.items
