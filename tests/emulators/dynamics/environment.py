"""The data an emulated Dynamics 365 tenant holds: Dataverse tables, Entra ID, Graph.

Everything is plain JSON in Dataverse's and Graph's own shapes (logical names,
``_x_value`` lookups, ``signInActivity``...), loaded from a fixture such as
``adapters/dynamics/demo/sample_environment.json``. Timestamps in a fixture are moved by
``now - anchor`` when it is loaded, so "signed in 200 days ago" stays 200 days ago.

Written from Microsoft's documentation (docs/api/dynamics.md); it never imports the
adapter.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[3] / "adapters/dynamics/demo/sample_environment.json"

#: Entity sets the Web API serves here: primary key and the columns a query may select.
ENTITY_SETS: dict[str, dict[str, Any]] = {
    "organizations": {
        "type": "organization",
        "key": "organizationid",
        "columns": {
            "organizationid",
            "name",
            "isauditenabled",
            "isuseraccessauditenabled",
            "auditretentionperiod",
            "auditretentionperiodv2",
            "useraccessauditinginterval",
            "auditsettings",
            "createdon",
            "modifiedon",
            "versionnumber",
        },
    },
    "businessunits": {
        "type": "businessunit",
        "key": "businessunitid",
        "columns": {
            "businessunitid",
            "name",
            "_parentbusinessunitid_value",
            "isdisabled",
            "createdon",
            "modifiedon",
            "versionnumber",
        },
    },
    "systemusers": {
        "type": "systemuser",
        "key": "systemuserid",
        "columns": {
            "systemuserid",
            "fullname",
            "firstname",
            "lastname",
            "domainname",
            "internalemailaddress",
            "isdisabled",
            "accessmode",
            "applicationid",
            "azureactivedirectoryobjectid",
            "_businessunitid_value",
            "islicensed",
            "userlicensetype",
            "caltype",
            "isintegrationuser",
            "issyncwithdirectory",
            "setupuser",
            "invitestatuscode",
            "createdon",
            "modifiedon",
            "versionnumber",
        },
    },
    "teams": {
        "type": "team",
        "key": "teamid",
        "columns": {
            "teamid",
            "name",
            "teamtype",
            "_businessunitid_value",
            "_administratorid_value",
            "azureactivedirectoryobjectid",
            "createdon",
            "modifiedon",
            "versionnumber",
        },
    },
    "roles": {
        "type": "role",
        "key": "roleid",
        "columns": {
            "roleid",
            "name",
            "_businessunitid_value",
            "_parentrootroleid_value",
            "_parentroleid_value",
            "ismanaged",
            "isinherited",
            "_roletemplateid_value",
            "createdon",
            "modifiedon",
            "versionnumber",
        },
    },
    "privileges": {
        "type": "privilege",
        "key": "privilegeid",
        "columns": {
            "privilegeid",
            "name",
            "accessright",
            "canbebasic",
            "canbelocal",
            "canbedeep",
            "canbeglobal",
            "ismanaged",
            "versionnumber",
        },
    },
    "roleprivilegescollection": {
        "type": "roleprivileges",
        "key": "roleprivilegeid",
        "columns": {
            "roleprivilegeid",
            "roleid",
            "privilegeid",
            "privilegedepthmask",
            "ismanaged",
            "versionnumber",
        },
    },
    "fieldsecurityprofiles": {
        "type": "fieldsecurityprofile",
        "key": "fieldsecurityprofileid",
        "columns": {
            "fieldsecurityprofileid",
            "name",
            "description",
            "createdon",
            "modifiedon",
            "versionnumber",
        },
    },
    "fieldpermissions": {
        "type": "fieldpermission",
        "key": "fieldpermissionid",
        "columns": {
            "fieldpermissionid",
            "entityname",
            "attributelogicalname",
            "canread",
            "canupdate",
            "cancreate",
            "canreadunmasked",
            "_fieldsecurityprofileid_value",
            "versionnumber",
        },
    },
}

#: Collection-valued navigation properties: (entity set, property) -> how to join.
#: ``pairs`` names an N:N intersect list of ``[left id, right id]``; ``lookup`` a 1:N
#: relationship through a column of the related set.
NAVIGATION: dict[tuple[str, str], dict[str, str]] = {
    ("systemusers", "systemuserroles_association"): {"pairs": "systemuserroles", "target": "roles"},
    ("systemusers", "teammembership_association"): {"pairs": "teammembership", "target": "teams"},
    ("systemusers", "systemuserprofiles_association"): {
        "pairs": "systemuserprofiles",
        "target": "fieldsecurityprofiles",
    },
    ("teams", "teamroles_association"): {"pairs": "teamroles", "target": "roles"},
    ("teams", "teammembership_association"): {
        "pairs": "teammembership",
        "target": "systemusers",
        "reverse": "1",
    },
    ("teams", "teamprofiles_association"): {
        "pairs": "teamprofiles",
        "target": "fieldsecurityprofiles",
    },
    ("roles", "systemuserroles_association"): {
        "pairs": "systemuserroles",
        "target": "systemusers",
        "reverse": "1",
    },
    ("roles", "roleprivileges_association"): {
        "pairs": "roleprivileges_pairs",
        "target": "privileges",
    },
    ("fieldsecurityprofiles", "lk_fieldpermission_fieldsecurityprofileid"): {
        "lookup": "_fieldsecurityprofileid_value",
        "target": "fieldpermissions",
    },
}

#: Intersect lists a fixture holds.
PAIR_LISTS = (
    "systemuserroles",
    "teammembership",
    "teamroles",
    "systemuserprofiles",
    "teamprofiles",
)


@dataclass
class App:
    """The app registration the scanner signs in as."""

    client_id: str
    client_secret: str | None
    certificate_pem: str | None = None  #: public certificate for client assertions
    graph_roles: set[str] = field(default_factory=set)  #: consented application permissions
    systemuserid: str | None = None  #: its application user in Dataverse (None: not added)


@dataclass
class Environment:
    """One tenant: its Entra ID, one Dataverse environment and its Graph data."""

    tenant_id: str
    tenant_name: str
    premium: bool  #: the tenant has a Microsoft Entra ID P1 or P2 licence
    app: App
    tables: dict[str, list[dict[str, Any]]]
    pairs: dict[str, list[tuple[str, str]]]
    graph_users: list[dict[str, Any]]
    registrations: list[dict[str, Any]]
    conditional_access: list[dict[str, Any]]
    security_defaults: bool
    anchor: datetime | None = None

    @classmethod
    def from_fixture(cls, data: dict[str, Any], now: datetime | None = None) -> Environment:
        """Build from fixture JSON; timestamps shift by ``now - anchor`` when ``now`` is given."""
        data = copy.deepcopy(data)
        anchor = datetime.fromisoformat(data["anchor"])
        if now is not None:
            data = _shift(data, now - anchor)
        app = data["app"]
        dataverse = data["dataverse"]
        graph = data["graph"]
        tables = {name: dataverse.get(name, []) for name in ENTITY_SETS}
        tables["organizations"] = [dataverse["organization"]]
        pairs = {name: [tuple(p) for p in dataverse.get(name, [])] for name in PAIR_LISTS}
        env = cls(
            tenant_id=data["tenant"]["id"],
            tenant_name=data["tenant"]["name"],
            premium=bool(data["tenant"].get("premium", True)),
            app=App(
                client_id=app["client_id"],
                client_secret=app.get("client_secret"),
                graph_roles=set(app.get("graph_roles", [])),
                systemuserid=app.get("systemuserid"),
            ),
            tables=tables,  # type: ignore[arg-type]
            pairs=pairs,  # type: ignore[arg-type]
            graph_users=graph["users"],
            registrations=graph["registrations"],
            conditional_access=graph["conditional_access"],
            security_defaults=bool(graph["security_defaults"]),
            anchor=now or anchor,
        )
        env.pairs["roleprivileges_pairs"] = [
            (row["roleid"], row["privilegeid"]) for row in env.tables["roleprivilegescollection"]
        ]
        return env

    @classmethod
    def sample(cls, now: datetime | None = None) -> Environment:
        """The bundled sample environment ("Fabrikam Outdoors")."""
        return cls.from_fixture(json.loads(SAMPLE.read_text(encoding="utf-8")), now)

    # -- lookups -----------------------------------------------------------------------
    def row(self, entity_set: str, key: str) -> dict[str, Any] | None:
        """The record of ``entity_set`` whose primary key is ``key``."""
        pk = ENTITY_SETS[entity_set]["key"]
        return next((r for r in self.tables[entity_set] if r.get(pk) == key), None)

    def user(self, systemuserid: str) -> dict[str, Any] | None:
        """A system user by id."""
        return self.row("systemusers", systemuserid)

    def user_named(self, domainname: str) -> dict[str, Any]:
        """A system user by ``domainname`` (tests)."""
        return next(u for u in self.tables["systemusers"] if u.get("domainname") == domainname)

    def role_named(self, name: str) -> dict[str, Any]:
        """The root role called ``name`` (tests)."""
        return next(
            r
            for r in self.tables["roles"]
            if r["name"] == name and r.get("_parentrootroleid_value") in (None, r["roleid"])
        )

    def privileges_of_principal(self, systemuserid: str) -> set[str]:
        """Privilege names a user holds through their roles and teams (any depth)."""
        roles = {r for u, r in self.pairs["systemuserroles"] if u == systemuserid}
        teams = {t for u, t in self.pairs["teammembership"] if u == systemuserid}
        roles |= {r for t, r in self.pairs["teamroles"] if t in teams}
        roots = set()
        for role_id in roles:
            role = self.row("roles", role_id)
            roots.add((role or {}).get("_parentrootroleid_value") or role_id)
        names = {p["privilegeid"]: p["name"] for p in self.tables["privileges"]}
        return {
            names[row["privilegeid"]]
            for row in self.tables["roleprivilegescollection"]
            if row["roleid"] in roots | roles and row["privilegeid"] in names
        }


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _shift(value: Any, delta: timedelta) -> Any:
    if isinstance(value, dict):
        return {k: _shift(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, delta) for v in value]
    if isinstance(value, str) and _TIMESTAMP.match(value) and not value.startswith("0001-"):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + delta
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value
