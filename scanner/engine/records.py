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

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scanner.evidence.raw import ALL_RECORDS
from scanner.language.compiler import CompiledCheck
from scanner.model.resources import Getter, getter

MAX_RECORDS = 100
#: Fields whose values come from the grant sources (profiles, permission sets, roles).
GRANTED_FIELDS = frozenset(
    {"permissions", "raw_permissions", "grants", "permission_sets", "object_access"}
)
#: Fields whose value is the user's profile.
PROFILE_FIELDS = frozenset({"profile", "profile_id"})
#: Where the grant sources of every platform live.
GRANT_COLLECTION = "permission_sets"


@dataclass(frozen=True)
class _Plan:
    """What one check's pointers are made of, worked out once per check."""

    collection: str
    record_id: Getter
    below: tuple[str, ...]  # required collections below the resource's
    grants: bool
    profile: bool
    settings: tuple[str, ...]  # required collections of a tenant-level verdict


_plans: dict[int, tuple[CompiledCheck, _Plan]] = {}
_plans_lock = threading.Lock()
_MAX_PLANS = 4096


def _plan(check: CompiledCheck) -> _Plan:
    cached = _plans.get(id(check))
    if cached is not None and cached[0] is check:
        return cached[1]
    kind = check.kind
    fields = {name.split(".", 1)[0] for name in check.fields}
    plan = _Plan(
        collection=kind.collection,
        record_id=getter(kind.id_field),
        below=tuple(c for c in check.spec.requires if c.startswith(kind.collection + ".")),
        grants=bool(fields & GRANTED_FIELDS),
        profile=bool(fields & PROFILE_FIELDS),
        settings=tuple(c for c in check.requires if c != "tenant"),
    )
    with _plans_lock:
        if len(_plans) >= _MAX_PLANS:
            _plans.clear()
        _plans[id(check)] = (check, plan)
    return plan


def _resource(out: list[dict[str, str]], plan: _Plan, item: Any) -> None:
    record_id = plan.record_id(item)
    if record_id is None or record_id == "":
        return
    text = str(record_id)
    out.append({"collection": plan.collection, "id": text})
    out.extend({"collection": collection, "id": text} for collection in plan.below)
    sources: list[Any] = []
    if plan.grants:
        sources.extend(
            g.source_id for g in getattr(item, "grants", None) or () if g.source_kind != "user"
        )
    if plan.profile:
        sources.append(getattr(item, "profile_id", None))
    seen: set[str] = set()
    for source in sources:
        if source is not None and source != "" and source not in seen:
            seen.add(source)
            out.append({"collection": GRANT_COLLECTION, "id": str(source)})


def finding_records(
    check: CompiledCheck, resource: Any, sources: Iterable[Any] | None, tenant: Any
) -> list[dict[str, str]]:
    """The ``[{"collection", "id"}]`` pointers of one finding (see the module docstring).

    ``resource`` is the finding's resource (None for a tenant-level verdict), ``sources``
    the resources a count finding counted.
    """
    plan = _plan(check)
    out: list[dict[str, str]] = []
    if resource is not None and check.kind.path != "tenant":
        _resource(out, plan, resource)
    elif sources:
        for item in sources:
            _resource(out, plan, item)
            if len(out) >= MAX_RECORDS:
                break
        unique = {(p["collection"], p["id"]): p for p in out}  # counted resources share grants
        out = list(unique.values())
    else:
        tenant_id = getattr(tenant, "id", None)
        if tenant_id:
            out.append({"collection": "tenant", "id": str(tenant_id)})
        out.extend({"collection": c, "id": ALL_RECORDS} for c in plan.settings)
    del out[MAX_RECORDS:]
    return out
