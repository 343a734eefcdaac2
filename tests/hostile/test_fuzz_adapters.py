"""Property-based fuzzing of what each adapter makes of a server's answers.

A hostile or broken server can put anything in a field: numbers far out of range, NaN,
text where a date belongs, missing keys, wrong types. The adapters' parsing functions
must turn that into the normalized inventory (unknown values stay ``None``) or a
`CollectionError` (a gap), never crash, and never invent a value that a check would
read as PASS.

Fixed budget (``derandomize=True``, bounded examples) so CI time is predictable.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.hubspot import evidence as hs_evidence
from adapters.hubspot import normalize
from adapters.hubspot.sdk import HsRole, HsTeam, HsUser
from adapters.salesforce import collect_users, permission_map
from scanner.errors import CollectionError
from scanner.model.inventory import User

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
BUDGET = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

hostile_numbers = st.sampled_from(
    [1e20, -1e20, float("nan"), float("inf"), float("-inf"), 2**70, -1, 0, 10**13]
)
any_scalar = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | hostile_numbers
    | st.text(max_size=40)
    | st.sampled_from(
        ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-13-45", "Z", "now"]
    )
)
any_json = st.recursive(
    any_scalar,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

LOGIN_KEYS = ["userId", "email", "loginAt", "loginSucceeded", "ipAddress", "countryCode"]
SECURITY_KEYS = ["type", "objectId", "createdAt", "actingUser"]


def _events(keys: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Event records with the keys the adapter reads, each holding anything (or absent)."""
    event = st.dictionaries(st.sampled_from(keys), any_json, max_size=len(keys))
    return st.lists(event, max_size=6)


ids = st.sampled_from(["1", "2", "3", "42"])
hs_users = st.lists(
    st.builds(
        HsUser,
        id=ids,
        email=st.none() | st.text(max_size=20) | st.just("a@acme.example"),
        role_ids=st.tuples() | st.tuples(ids),
        primary_team_id=st.none() | ids,
        secondary_team_ids=st.tuples() | st.tuples(ids),
        super_admin=st.none() | st.booleans(),
    ),
    max_size=4,
)


def _normalized(
    users: list[HsUser],
    roles: list[HsRole] | None,
    teams: list[HsTeam] | None,
    logins: list[dict[str, Any]],
    security: list[dict[str, Any]] | None,
) -> list[User] | None:
    """The adapter's path from answers to users; None where it refuses them on purpose
    (an unreadable security log or an unattributable login become gaps in the adapter)."""
    evidence = None
    if security is not None:
        try:
            evidence = hs_evidence.read(security, [u.id for u in users])
        except hs_evidence.UnreadableLog:
            evidence = None
    status = normalize.user_status(
        users, active_owners=None, archived_owners=None, evidence=evidence
    )
    try:
        return normalize.users(
            users,
            roles=roles,
            teams=teams,
            logins=logins,
            evidence=evidence,
            status=status,
            now=NOW,
        )
    except (CollectionError, normalize.UnattributedLogin):
        return None


@BUDGET
@example(1e20)
@example(float("nan"))
@example("9999-12-31T23:59:59-14:00")
@given(any_json)
def test_hubspot_timestamps_never_crash(value: Any) -> None:
    parsed = normalize.parse_time(value)
    assert parsed is None or parsed.tzinfo is not None


@BUDGET
@example([{"userId": "1", "loginAt": 1e20, "loginSucceeded": True}], [])
@example([{"userId": "1", "loginAt": float("nan"), "loginSucceeded": True}], [])
@example([], [{"type": "ADD_USER", "objectId": "1", "createdAt": float("inf")}])
@given(_events(LOGIN_KEYS), _events(SECURITY_KEYS))
def test_hubspot_users_from_any_events(
    logins: list[dict[str, Any]], security: list[dict[str, Any]]
) -> None:
    """Whatever the login and security events hold, users normalize to valid models and
    what HubSpot does not tell stays unknown."""
    users = [
        HsUser("1", "a@acme.example", ("7",), None, (), None),
        HsUser("2", None, (), None, (), True),
    ]
    roles = [HsRole("7", "Sales", None)]
    teams = [HsTeam("9", "EMEA", ("1",), ())]
    result = _normalized(users, roles, teams, logins, security)
    if result is None:
        return
    for user in result:
        User.model_validate(user.model_dump())  # a valid model, round-trips
    assert result[0].permissions is None, "a non-super-admin's permissions are unknown"


@BUDGET
@given(hs_users, _events(LOGIN_KEYS))
def test_hubspot_users_any_directory(users: list[HsUser], logins: list[dict[str, Any]]) -> None:
    result = _normalized(users, None, None, logins, None)
    if result is None:
        return
    for hs, user in zip(users, result, strict=True):
        assert user.permission_sets is None and user.teams is None  # not collected
        if hs.super_admin is not True:
            assert user.permissions is None


@BUDGET
@given(
    st.none()
    | st.dictionaries(st.sampled_from(["portalId", "accountType", "portalName"]), any_json)
)
def test_hubspot_tenant_from_any_details(details: dict[str, Any] | None) -> None:
    try:
        normalize.tenant(details, "https://api.hubapi.com", NOW)
    except CollectionError:
        pass


@BUDGET
@example("9999-12-31T23:59:59-14:00")
@example("0001-01-01T00:00:00+14:00")
@given(any_json)
def test_salesforce_datetimes_never_crash(value: Any) -> None:
    parsed = collect_users.parse_datetime(value)
    assert parsed is None or parsed.tzinfo is not None


# Salesforce records come from SOQL JSON: scalar fields are text, numbers, booleans or
# null (checking a record's field types is the record mapping's job: issue 10 item 2).
@BUDGET
@given(
    st.dictionaries(st.sampled_from(["UserType", "ContactId", "Id"]), any_scalar, max_size=3),
    st.none() | st.text(max_size=20),
    st.none() | st.text(max_size=20),
    st.none() | st.frozensets(st.text(max_size=12), max_size=4),
)
def test_salesforce_user_kind_from_any_record(
    record: dict[str, Any], profile: str | None, license_name: str | None, raw: Any
) -> None:
    try:
        kind = collect_users.user_kind(record, profile, license_name, raw)
    except CollectionError:
        return
    assert kind in ("human", "integration", "guest", "portal", "automated")


@BUDGET
@given(st.lists(st.text(max_size=30), max_size=8))
def test_salesforce_permission_names_map_into_the_vocabulary(raw: list[str]) -> None:
    from scanner.model.inventory import PERMISSIONS

    assert set(permission_map.normalize(raw)) <= set(PERMISSIONS)
