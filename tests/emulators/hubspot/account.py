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
        "crm.objects.owners.read",
        "crm.objects.contacts.read",
    }
)


@dataclass
class Credential:
    """A token the account accepts: a legacy private app's or a service key."""

    kind: str  # "private_app" or "service_key"
    app_id: int
    user_id: int
    scopes: set[str]


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
    owners: list[dict[str, Any]] = field(default_factory=list)
    scopes: set[str] = field(default_factory=lambda: set(ALL_SCOPES))
    app_id: int = 777001
    app_user_id: int = 0
    daily_usage: int = 1234
    daily_limit: int = 500_000
    #: Requests per rolling 10 seconds (Professional / Enterprise private apps: 190).
    burst_per_10s: int = 190
    #: A service key the account also accepts, with its own scopes (None: none).
    service_key: str | None = None
    service_key_scopes: set[str] = field(default_factory=lambda: set(ALL_SCOPES))
    service_key_id: int = 880002

    def credential(self, token: str | None) -> Credential | None:
        """What ``token`` is to this account (None: not a token it accepts).

        The legacy private app's scopes are `scopes` (tests change them in place).
        """
        if token and token == self.token:
            return Credential("private_app", self.app_id, self.app_user_id, self.scopes)
        if token and self.service_key and token == self.service_key:
            return Credential(
                "service_key", self.service_key_id, self.app_user_id, self.service_key_scopes
            )
        return None


TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
#: The sample account's service key (HubSpot documents no format for the key itself).
SERVICE_KEY = "svc-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

# User ids of the sample account, named for what each one is there to show.
ADMIN = "1001"  # super admin, logs in every few days
ALICE = "1002"  # Sales Rep role, logs in
BOB = "1003"  # Marketing role, one success and a burst of failed logins
CAROL = "1004"  # super admin, no login in the 90-day window
DAVE = "1005"  # added 10 days ago, never logged in
ERIN = "1006"  # super admin, deactivated 20 days ago: an archived owner, not active


def owner_record(
    owner_id: int, user_id: str, email: str, now: datetime, *, archived: bool = False
) -> dict[str, Any]:
    """A CRM owner; an archived one names its user only in ``userIdIncludingInactive``."""
    owner: dict[str, Any] = {
        "id": str(owner_id),
        "email": email,
        "type": "PERSON",
        "firstName": email.split("@")[0].title(),
        "lastName": "Acme",
        "userIdIncludingInactive": int(user_id),
        "createdAt": iso(now - timedelta(days=400)),
        "updatedAt": iso(now - timedelta(days=20 if archived else 100)),
        "archived": archived,
        "teams": [],
    }
    if not archived:
        owner["userId"] = int(user_id)
    return owner


def _event(
    event_id: int, kind: str, actor: str, email: str, target: str | None, at: datetime
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": str(event_id),
        "type": kind,
        "userId": int(actor),
        "actingUser": email,
        "createdAt": iso(at),
        "infoUrl": "app.hubspot.com/settings/62515/users",
        "ipAddress": "203.0.113.7",
        "countryCode": "ie",
        "regionCode": "d",
    }
    if target is not None:
        event["objectId"] = target
    return event


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
        ERIN: "erin@acme.test",
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
        {"id": ERIN, "email": emails[ERIN], "roleIds": [], "superAdmin": True},
    ]  # fmt: skip
    owners = [
        owner_record(31000 + i, uid, emails[uid], now)
        for i, uid in enumerate((ADMIN, ALICE, BOB, CAROL, DAVE))
    ]
    owners.append(owner_record(31009, ERIN, emails[ERIN], now, archived=True))
    owners.append(  # a queue owns records but is no user
        {"id": "31010", "type": "QUEUE", "firstName": "Support", "lastName": "Queue",
         "createdAt": iso(now - timedelta(days=300)),
         "updatedAt": iso(now - timedelta(days=300)), "archived": False}
    )  # fmt: skip
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
    admin = emails[ADMIN]
    security = [
        _event(9001, "ADD_USER", ADMIN, admin, DAVE, now - timedelta(days=10)),
        _event(9002, "PRIVATE_APP_ACCESS_TOKEN_CREATE", ADMIN, admin, "777001",
               now - timedelta(days=40)),
        _event(9003, "SERVICE_KEY_CREATE", ADMIN, admin, "880002", now - timedelta(days=30)),
        _event(9004, "DEACTIVATE_USER", ADMIN, admin, ERIN, now - timedelta(days=20)),
        _event(9005, "ADD_TWO_FACTOR_AUTHENTICATION", ADMIN, admin, None,
               now - timedelta(days=60)),
        _event(9006, "ADD_TWO_FACTOR_AUTHENTICATION", ALICE, emails[ALICE], None,
               now - timedelta(days=50)),
        _event(9007, "REMOVE_TWO_FACTOR_AUTHENTICATION", BOB, emails[BOB], None,
               now - timedelta(days=8)),
        _event(9008, "IP_RESTRICTIONS_ENABLED", ADMIN, admin, None, now - timedelta(days=70)),
        _event(9009, "REQUIRE_SINGLE_SIGN_ON", ADMIN, admin, None, now - timedelta(days=80)),
        _event(9010, "UNREQUIRE_SINGLE_SIGN_ON", ADMIN, admin, None, now - timedelta(days=75)),
    ]  # fmt: skip
    security.sort(key=lambda e: e["createdAt"], reverse=True)  # newest first
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
        owners=owners,
        app_user_id=int(ADMIN),
        service_key=SERVICE_KEY,
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
    owners = [
        owner_record(500000 + i, str(100000 + i), f"user{i}@big.test", now) for i in range(users)
    ]
    return Account(
        token=TOKEN,
        details={
            "portalId": 99999,
            "accountType": "STANDARD",
            "timeZone": "US/Eastern",
            "companyCurrency": "USD",
            "additionalCurrencies": [],
            "utcOffset": "-05:00",
            "utcOffsetMilliseconds": -18000000,
            "uiDomain": "app.hubspot.com",
            "dataHostingLocation": "na1",
        },  # fmt: skip
        users=user_rows,
        roles=[{"id": "201", "name": "Everyone", "requiresBillingWrite": False}],
        teams=[{"id": "11", "name": "All", "userIds": [], "secondaryUserIds": []}],
        logins=events,
        security=[],
        audit_logs=[],
        enterprise=False,
        owners=owners,
        app_user_id=100000,
    )
