"""What HubSpot's security activity log proves, read as change events. Pure functions.

``/account-info/v3/activity/security`` lists security events (``HydratedCriticalAction``:
``type`` from a documented enum, ``createdAt``, the acting ``userId``, the affected
``objectId``). A setting without a read API still leaves a change event, and the latest
event of a kind in the log is the setting's current state: the log is read in full and
HubSpot keeps it oldest-first, so nothing newer can be missing. The event's age does not
weaken it; its absence proves nothing (the setting may predate what HubSpot returns).

Which events decide what (docs/api/hubspot.md lists each type with its source):

* ``ADD_USER`` — when a user was added (``objectId``: the user).
* ``DEACTIVATE_USER`` / ``REACTIVATE_USER`` / ``REMOVE_USER`` — whether a user may sign in.
* ``ADD_TWO_FACTOR_AUTHENTICATION`` / ``REMOVE_TWO_FACTOR_AUTHENTICATION`` — a user's 2FA;
  ``PASSKEY_ADDED`` / ``PASSKEY_DELETED`` — a user's passkey (phishing-resistant). The
  reference does not say whose: ``objectId`` when it names a user, else the acting user.
* ``REQUIRE_SINGLE_SIGN_ON`` / ``UNREQUIRE_SINGLE_SIGN_ON`` — the account's SSO requirement.
* ``IP_RESTRICTIONS_ENABLED`` / ``IP_RESTRICTIONS_DISABLED`` — login IP restrictions (the
  ranges themselves have no API).
* ``PRIVATE_APP_ACCESS_TOKEN_*``, ``SERVICE_KEY_*`` — credential changes, for review.

An event the adapter cannot read (no ``type``, no ``createdAt``) makes the whole log
unusable as evidence: a missing ``REMOVE_TWO_FACTOR_AUTHENTICATION`` could hide there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.hubspot.timestamps import parse_time

ADD_USER = "ADD_USER"
#: User status changes: True = may sign in, False = may not.
STATUS_EVENTS: dict[str, bool] = {
    "DEACTIVATE_USER": False,
    "REMOVE_USER": False,
    "REACTIVATE_USER": True,
}
#: Per-user second factors: (method, phishing resistant, added?).
FACTOR_EVENTS: dict[str, tuple[str, bool, bool]] = {
    "ADD_TWO_FACTOR_AUTHENTICATION": ("2fa", False, True),
    "REMOVE_TWO_FACTOR_AUTHENTICATION": ("2fa", False, False),
    "PASSKEY_ADDED": ("passkey", True, True),
    "PASSKEY_DELETED": ("passkey", True, False),
}
SSO_EVENTS: dict[str, bool] = {"REQUIRE_SINGLE_SIGN_ON": True, "UNREQUIRE_SINGLE_SIGN_ON": False}
IP_RESTRICTION_EVENTS: dict[str, bool] = {
    "IP_RESTRICTIONS_ENABLED": True,
    "IP_RESTRICTIONS_DISABLED": False,
}
CREDENTIAL_EVENT_PREFIXES = ("PRIVATE_APP_", "SERVICE_KEY_", "PERSONAL_ACCESS_KEY_", "HAPIKEY_")


@dataclass(frozen=True)
class Change:
    """One change event: what it set, when, by whom (the evidence a finding can cite)."""

    type: str
    at: datetime
    event_id: str
    actor: str | None
    value: bool


@dataclass
class Evidence:
    """What the security log proves; empty maps and None mean "no evidence"."""

    #: When each user was last added (ADD_USER).
    added: dict[str, datetime] = field(default_factory=dict)
    #: The latest status change per user (deactivated, removed, reactivated).
    status: dict[str, Change] = field(default_factory=dict)
    #: Per user and factor ("2fa", "passkey"): its latest change.
    factors: dict[str, dict[str, Change]] = field(default_factory=dict)
    sso_required: Change | None = None
    ip_restrictions: Change | None = None
    #: Private-app, service-key and other credential changes, newest first.
    credential_changes: list[Change] = field(default_factory=list)


class UnreadableLog(ValueError):
    """An event without a type or a readable time: the log proves nothing."""


def read(events: Iterable[Mapping[str, Any]], user_ids: Iterable[str]) -> Evidence:
    """The evidence in ``events`` about the account and the users ``user_ids``.

    Raises `UnreadableLog` when an event cannot be placed (see the module docstring).
    """
    known = set(user_ids)
    found = Evidence()
    for event in events:
        kind = event.get("type")
        at = parse_time(event.get("createdAt"))
        if not isinstance(kind, str) or not kind or at is None:
            raise UnreadableLog(
                f"security event {event.get('id')!r} has no type or no readable createdAt"
            )
        kind = kind.upper()
        change = Change(kind, at, str(event.get("id")), _text(event.get("actingUser")), True)
        target = _text(event.get("objectId"))
        actor = _text(event.get("userId"))
        if kind == ADD_USER and target is not None:
            if target not in found.added or at > found.added[target]:
                found.added[target] = at
        elif kind in STATUS_EVENTS and target is not None:
            _latest(found.status, target, _with(change, STATUS_EVENTS[kind]))
        elif kind in FACTOR_EVENTS:
            method, _, added = FACTOR_EVENTS[kind]
            subject = target if target in known else actor
            if subject is not None:
                _latest(found.factors.setdefault(subject, {}), method, _with(change, added))
        elif kind in SSO_EVENTS:
            found.sso_required = _newer(found.sso_required, _with(change, SSO_EVENTS[kind]))
        elif kind in IP_RESTRICTION_EVENTS:
            found.ip_restrictions = _newer(
                found.ip_restrictions, _with(change, IP_RESTRICTION_EVENTS[kind])
            )
        elif kind.startswith(CREDENTIAL_EVENT_PREFIXES):
            found.credential_changes.append(change)
    found.credential_changes.sort(key=lambda c: c.at, reverse=True)
    return found


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _with(change: Change, value: bool) -> Change:
    return Change(change.type, change.at, change.event_id, change.actor, value)


def _newer(current: Change | None, candidate: Change) -> Change:
    return candidate if current is None or candidate.at > current.at else current


def _latest(into: dict[str, Change], key: str, change: Change) -> None:
    into[key] = _newer(into.get(key), change)
