"""The HubSpot account an emulator serves: a small realistic one and a large one.

Shapes follow HubSpot's public API reference (settings/v3/users, account-info/v3);
timestamps are ISO 8601 strings with milliseconds and ``Z``, as HubSpot sends them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

ALL_SCOPES = frozenset(
    {
        "oauth",
        "settings.users.read",
        "settings.users.teams.read",
        "account-info.security.read",
        "crm.objects.contacts.read",
    }
)


def iso(at: datetime) -> str:
    """``at`` as HubSpot writes timestamps."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{at.microsecond // 1000:03d}Z"
    )


@dataclass
class Account:
    """Everything the emulator knows about one HubSpot account."""

    token: str
    details: dict[str, Any]
    users: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    logins: list[dict[str, Any]]
    security: list[dict[str, Any]]
    audit_logs: list[dict[str, Any]]
    enterprise: bool
    scopes: set[str] = field(default_factory=lambda: set(ALL_SCOPES))
    app_id: int = 777001
    app_user_id: int = 0
    daily_usage: int = 1234
    daily_limit: int = 500_000


TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"

# User ids of the sample account, named for what each one is there to show.
ADMIN = "1001"  # super admin, logs in every few days
ALICE = "1002"  # Sales Rep role, logs in
BOB = "1003"  # Marketing role, one success and a burst of failed logins
CAROL = "1004"  # super admin, no login in the 90-day window
DAVE = "1005"  # added 10 days ago, never logged in


def _login(event_id: int, user_id: str, email: str, at: datetime, ok: bool) -> dict[str, Any]:
    return {
        "id": str(event_id),
        "userId": int(user_id),
        "email": email,
        "loginAt": iso(at),
        "loginSucceeded": ok,
        "ipAddress": "203.0.113.7" if ok else "198.51.100.66",
        "countryCode": "ie" if ok else "ru",
        "regionCode": "d",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
    }


def sample_account(now: datetime, *, enterprise: bool = False) -> Account:
    """Five users, three roles, two teams, 90 days of activity (see the ids above)."""
    emails = {
        ADMIN: "admin@acme.test",
        ALICE: "alice@acme.test",
        BOB: "bob@acme.test",
        CAROL: "carol@acme.test",
        DAVE: "dave@acme.test",
    }
    users = [
        {"id": ADMIN, "email": emails[ADMIN], "roleIds": [], "primaryTeamId": "11",
         "secondaryTeamIds": [], "superAdmin": True},
        {"id": ALICE, "email": emails[ALICE], "roleIds": ["201"], "primaryTeamId": "11",
         "secondaryTeamIds": ["12"], "superAdmin": False},
        {"id": BOB, "email": emails[BOB], "roleIds": ["202"], "primaryTeamId": "12",
         "secondaryTeamIds": [], "superAdmin": False},
        {"id": CAROL, "email": emails[CAROL], "roleIds": [], "superAdmin": True,
         "secondaryTeamIds": []},
        {"id": DAVE, "email": emails[DAVE], "roleIds": ["201"], "primaryTeamId": "11",
         "secondaryTeamIds": [], "superAdmin": False},
    ]  # fmt: skip
    roles = [
        {"id": "201", "name": "Sales Rep", "requiresBillingWrite": False},
        {"id": "202", "name": "Marketing Manager", "requiresBillingWrite": False},
        {"id": "203", "name": "Finance", "requiresBillingWrite": True},
    ]
    teams = [
        {"id": "11", "name": "Sales", "userIds": [ADMIN, ALICE, DAVE], "secondaryUserIds": []},
        {"id": "12", "name": "Marketing", "userIds": [BOB], "secondaryUserIds": [ALICE]},
    ]
    logins: list[dict[str, Any]] = []
    n = 5_000_000
    for day in range(1, 89, 3):
        n += 1
        logins.append(_login(n, ADMIN, emails[ADMIN], now - timedelta(days=day, hours=2), True))
    for day in (2, 30, 60):
        n += 1
        logins.append(_login(n, ALICE, emails[ALICE], now - timedelta(days=day), True))
    burst = now - timedelta(days=5)
    for minute in range(0, 30, 5):  # six failures in 25 minutes
        n += 1
        logins.append(_login(n, BOB, emails[BOB], burst + timedelta(minutes=minute), False))
    n += 1
    logins.append(_login(n, BOB, emails[BOB], burst + timedelta(minutes=40), True))
    logins.sort(key=lambda e: e["loginAt"], reverse=True)  # newest first, as HubSpot does
    security = [
        {
            "id": "9001",
            "type": "ADD_USER",
            "userId": int(ADMIN),
            "actingUser": emails[ADMIN],
            "objectId": DAVE,
            "createdAt": iso(now - timedelta(days=10)),
            "infoUrl": "app.hubspot.com/settings/62515/users",
            "ipAddress": "203.0.113.7",
            "countryCode": "ie",
            "regionCode": "d",
        },
        {
            "id": "9002",
            "type": "PRIVATE_APP_CREATED",
            "userId": int(ADMIN),
            "actingUser": emails[ADMIN],
            "objectId": "777001",
            "createdAt": iso(now - timedelta(days=40)),
            "infoUrl": "app.hubspot.com/private-apps/62515",
            "ipAddress": "203.0.113.7",
            "countryCode": "ie",
            "regionCode": "d",
        },
    ]
    audit_logs = [
        {
            "id": "jAzNiQgaEZUTlJISRtESldLGFNM",
            "category": "PIPELINE",
            "subCategory": "DEAL",
            "action": "UPDATE",
            "targetObjectId": "Sales Pipeline",
            "occurredAt": iso(now - timedelta(days=3)),
            "actingUser": {"userId": int(ADMIN), "userEmail": emails[ADMIN]},
        }
    ]
    return Account(
        token=TOKEN,
        details={
            "portalId": 62515,
            "accountType": "STANDARD",
            "timeZone": "US/Eastern",
            "companyCurrency": "USD",
            "additionalCurrencies": [],
            "utcOffset": "-05:00",
            "utcOffsetMilliseconds": -18000000,
            "uiDomain": "app.hubspot.com",
            "dataHostingLocation": "na1",
        },
        users=users,
        roles=roles,
        teams=teams,
        logins=logins,
        security=security,
        audit_logs=audit_logs if enterprise else [],
        enterprise=enterprise,
        app_user_id=int(ADMIN),
    )


def large_account(now: datetime, *, users: int, logins: int) -> Account:
    """``users`` users and ``logins`` login events spread over 90 days (benchmarks)."""
    user_rows = [
        {"id": str(100000 + i), "email": f"user{i}@big.test", "roleIds": ["201"],
         "primaryTeamId": "11", "secondaryTeamIds": [], "superAdmin": i < 3}
        for i in range(users)
    ]  # fmt: skip
    step = timedelta(days=89) / max(logins, 1)
    events = [
        _login(
            10_000_000 + i,
            str(100000 + i % max(users, 1)),
            f"user{i % max(users, 1)}@big.test",
            now - step * i,
            i % 17 != 0,
        )
        for i in range(logins)
    ]
    return Account(
        token=TOKEN,
        details={"portalId": 99999, "accountType": "STANDARD", "uiDomain": "app.hubspot.com"},
        users=user_rows,
        roles=[{"id": "201", "name": "Everyone", "requiresBillingWrite": False}],
        teams=[{"id": "11", "name": "All", "userIds": [], "secondaryUserIds": []}],
        logins=events,
        security=[],
        audit_logs=[],
        enterprise=False,
        app_user_id=100000,
    )
