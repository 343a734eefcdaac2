"""A mid-sized HubSpot account, as a new user's first scan would meet it.

``team_account(now)`` has 130 users by default: six super admins (one more than the
baseline's five), users spread over seven roles and four teams, a few without any role,
90 days of login activity (regular users, stale users, a failed-login burst) and
``ADD_USER`` security events for users added inside the window, some of whom never
signed in. Deterministic: the same ``now`` and size give the same account.

Shapes are those of `tests.emulators.hubspot.account` (HubSpot's settings/v3 and
account-info/v3 responses); only the numbers differ.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.emulators.hubspot.account import TOKEN, Account, iso, owner_record

ROLES = (
    ("301", "Sales Rep"),
    ("302", "Sales Manager"),
    ("303", "Marketing"),
    ("304", "Service Agent"),
    ("305", "Ops Admin"),
    ("306", "Finance"),
    ("307", "Read Only"),
)
TEAMS = (("21", "Sales"), ("22", "Marketing"), ("23", "Service"), ("24", "Operations"))
SUPER_ADMINS = 6
PORTAL_ID = 48213


def _login(n: int, user_id: str, email: str, at: datetime, ok: bool) -> dict[str, Any]:
    return {
        "id": str(n),
        "userId": int(user_id),
        "email": email,
        "loginAt": iso(at),
        "loginSucceeded": ok,
        "ipAddress": "203.0.113.40" if ok else "198.51.100.9",
        "countryCode": "de" if ok else "br",
        "regionCode": "be",
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)",
    }


def team_account(now: datetime, *, users: int = 130) -> Account:
    """``users`` users in the shape described in the module docstring."""
    rows: list[dict[str, Any]] = []
    logins: list[dict[str, Any]] = []
    security: list[dict[str, Any]] = []
    members: dict[str, list[str]] = {team_id: [] for team_id, _ in TEAMS}
    n = 70_000_000
    for i in range(users):
        user_id = str(2000 + i)
        email = f"user{i:03d}@northwind.test"
        super_admin = i < SUPER_ADMINS
        role_ids = [] if super_admin or i % 23 == 0 else [ROLES[i % len(ROLES)][0]]
        team_id = TEAMS[i % len(TEAMS)][0]
        members[team_id].append(user_id)
        rows.append(
            {
                "id": user_id,
                "email": email,
                "roleIds": role_ids,
                "primaryTeamId": team_id,
                "secondaryTeamIds": [TEAMS[(i + 1) % len(TEAMS)][0]] if i % 9 == 0 else [],
                "superAdmin": super_admin,
            }
        )
        if i % 17 == 5:  # added inside the window
            added = now - timedelta(days=5 + i % 60)
            security.append(
                {
                    "id": str(9_500_000 + i),
                    "type": "ADD_USER",
                    "userId": 2000,
                    "actingUser": "user000@northwind.test",
                    "objectId": user_id,
                    "createdAt": iso(added),
                    "infoUrl": f"app.hubspot.com/settings/{PORTAL_ID}/users",
                    "ipAddress": "203.0.113.40",
                    "countryCode": "de",
                    "regionCode": "be",
                }
            )
            if i % 2 == 0:
                continue  # added and never signed in
        if i % 11 == 3 or i == SUPER_ADMINS - 1:
            continue  # no sign-in in the 90 days (stale, or older than the window)
        for day in range(1 + i % 4, 89, 6 + i % 5):
            n += 1
            logins.append(_login(n, user_id, email, now - timedelta(days=day, hours=i % 9), True))
        if i % 29 == 7:  # a burst of failed logins
            start = now - timedelta(days=3, hours=i % 5)
            for minute in range(0, 35, 5):
                n += 1
                logins.append(_login(n, user_id, email, start + timedelta(minutes=minute), False))
    logins.sort(key=lambda e: e["loginAt"], reverse=True)  # newest first, as HubSpot does
    return Account(
        token=TOKEN,
        details={
            "portalId": PORTAL_ID,
            "accountType": "STANDARD",
            "timeZone": "Europe/Berlin",
            "companyCurrency": "EUR",
            "additionalCurrencies": [],
            "utcOffset": "+01:00",
            "utcOffsetMilliseconds": 3600000,
            "uiDomain": "app-eu1.hubspot.com",
            "dataHostingLocation": "eu1",
        },
        users=rows,
        roles=[
            {"id": rid, "name": name, "requiresBillingWrite": rid == "306"} for rid, name in ROLES
        ],
        teams=[
            {"id": tid, "name": name, "userIds": members[tid], "secondaryUserIds": []}
            for tid, name in TEAMS
        ],
        logins=logins,
        security=security,
        audit_logs=[],
        enterprise=False,
        # Every user is an active CRM owner: the owners API is what says they are active.
        owners=[
            owner_record(40_000 + i, row["id"], row["email"], now) for i, row in enumerate(rows)
        ],
        app_user_id=2000,
    )
