"""Parsing OData records: documented shapes only."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from adapters.dynamics.clouds import CLOUDS, cloud_for_host, cloud_named
from adapters.dynamics.fields import timestamp
from adapters.dynamics.records import (
    parse_conditional_access_policy,
    parse_field_security_profile,
    parse_organization,
    parse_registration,
    parse_role_privilege,
    parse_sign_in,
    parse_system_user,
)
from scanner.errors import ConfigError, MalformedResponseError

USER: dict[str, Any] = {
    "systemuserid": "0FE32609-C022-5957-ACD2-CC5E29BFE98D",
    "fullname": "Umar Farooq",
    "isdisabled": False,
    "accessmode": 0,
    "applicationid": None,
    "_businessunitid_value": "6f4497a3-d9f3-5b13-b814-4208b2b5fcbd",
    "createdon": "2025-01-02T03:04:05Z",
    "systemuserroles_association": [{"roleid": "c1396d7e-5b91-5b4d-b885-8dd6697e5efa"}],
    "teammembership_association": [],
    "systemuserprofiles_association": [],
}


def test_a_system_user() -> None:
    user = parse_system_user(USER)
    assert user.id == "0fe32609-c022-5957-acd2-cc5e29bfe98d"  # GUIDs are lower-cased
    assert user.role_ids == ("c1396d7e-5b91-5b4d-b885-8dd6697e5efa",)
    assert user.created_on == datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert user.email is None and user.licensed is None  # absent stays unknown


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"systemuserid": None}, "systemuserid is missing"),
        ({"systemuserid": "not-a-guid"}, "is not a GUID"),
        ({"isdisabled": "false"}, "not a boolean"),
        ({"accessmode": True}, "not an integer"),
        ({"createdon": "yesterday"}, "not an ISO 8601"),
        ({"teammembership_association": None}, "was not expanded"),
        ({"systemuserroles_association": [{"roleid": 3}]}, "not a GUID string"),
    ],
)
def test_undocumented_shapes_are_malformed(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(MalformedResponseError, match=problem):
        parse_system_user({**USER, **change})
    with pytest.raises(MalformedResponseError):
        parse_system_user(["not", "an", "object"])


def test_graph_timestamps() -> None:
    rec = {"a": "2023-03-13T19:15:41.6195833Z", "b": "0001-01-01T00:00:00Z", "c": None}
    assert timestamp(rec, "a", "x") == datetime(
        2023, 3, 13, 19, 15, 41, 619583, tzinfo=timezone.utc
    )
    assert timestamp(rec, "b", "x") is None and timestamp(rec, "c", "x") is None


def test_organization_and_role_privilege() -> None:
    org = parse_organization(
        {"organizationid": "3a3e5e96-a2b4-5127-89b8-9283fb0c761d", "isauditenabled": True,
         "auditretentionperiodv2": -1}
    )  # fmt: skip
    assert org.audit_enabled is True and org.audit_retention_days == -1
    with pytest.raises(MalformedResponseError, match="privilegedepthmask"):
        parse_role_privilege({"roleid": org.id, "privilegeid": org.id, "privilegedepthmask": None})


def test_field_permission_choices() -> None:
    profile = parse_field_security_profile(
        {
            "fieldsecurityprofileid": "3a3e5e96-a2b4-5127-89b8-9283fb0c761d",
            "name": "Sensitive",
            "lk_fieldpermission_fieldsecurityprofileid": [
                {"entityname": "contact", "attributelogicalname": "birthdate",
                 "canread": 4, "canupdate": 0, "cancreate": 0},
            ],
        }
    )  # fmt: skip
    (row,) = profile.permissions
    assert row.can_read and not row.can_update and not row.can_create


def test_graph_records() -> None:
    oid = "86462606-fde0-4fc4-9e0c-a20eb73e54c6"
    reg = parse_registration({"id": oid, "isMfaRegistered": True, "methodsRegistered": ["fido2"]})
    assert reg.mfa_registered and reg.methods == ("fido2",)
    sign_in = parse_sign_in(
        {"id": oid, "signInActivity": {"lastSignInDateTime": "0001-01-01T00:00:00Z"}}
    )  # noqa: E501
    assert sign_in.has_activity and sign_in.last_interactive is None
    assert not parse_sign_in({"id": oid}).has_activity
    policy = parse_conditional_access_policy(
        {"id": "p", "state": "enabled", "conditions": {"users": {"includeUsers": ["All"]},
         "applications": {"includeApplications": ["All"]}},
         "grantControls": {"builtInControls": [], "authenticationStrength": {"requirementsSatisfied": "mfa"}}}  # noqa: E501
    )  # fmt: skip
    assert policy.requires_mfa and policy.include_users == ("All",)


def test_clouds() -> None:
    assert cloud_named(None).name == "public"
    assert cloud_named("GCC-High").graph_url == "https://graph.microsoft.us"
    assert cloud_named("dod").graph_scope == "https://dod-graph.microsoft.us/.default"
    assert cloud_named("china").authority_host == "https://login.chinacloudapi.cn"
    assert cloud_for_host("contoso.crm9.dynamics.com") is CLOUDS["gcc"]
    assert cloud_for_host("contoso.crm.appsplatform.us") is CLOUDS["dod"]
    assert cloud_for_host("example.org") is None
    with pytest.raises(ConfigError, match="public, gcc, gcc-high, dod, china"):
        cloud_named("mars")
