"""The emulated org: records per sObject, Tooling records, and metadata components.

An org fixture is JSON (see ``adapters/salesforce/demo/sample_org.json``)::

    {"anchor": "<datetime all dates are relative to>",
     "permission_fields": ["ApiEnabled", ...],          # PermissionSet.Permissions<Name>
     "sobjects": {"User": [{...}], "PermissionSet": [{..., "grants": ["ApiEnabled"]}]},
     "tooling": {"SecurityHealthCheck": [...], ...},
     "metadata": {"SecuritySettings": {"Security": {...}}, ...},
     "schemas": {"Contact": [{"name": "SSN__c", "type": "string", "encrypted": false}]}}

Datetimes are shifted by ``now - anchor`` when the org is loaded, so a user who last
logged in "200 days before the anchor" is always 200 days stale.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tests.emulators.salesforce.schema import PERMISSION_FIELD_COUNT, PICKLISTS, properties
from tests.emulators.salesforce.soql import SF_DATETIME, parse_datetime

#: Fields each sObject has, whether or not the fixture's records set them.
STANDARD_FIELDS: dict[str, list[str]] = {
    # Object Reference: DuplicateRule (API 32.0+; IsActive 35.0+) and MatchingRule (33.0+).
    "DuplicateRule": ["Id", "DeveloperName", "MasterLabel", "IsActive", "SobjectType"],
    "MatchingRule": ["Id", "DeveloperName", "MasterLabel", "RuleStatus", "SobjectType"],
    "Organization": [
        "Id",
        "Name",
        "OrganizationType",
        "IsSandbox",
        "InstanceName",
        "NamespacePrefix",
        "TrialExpirationDate",
        "CreatedDate",
    ],
    "User": [
        "Id",
        "Username",
        "Name",
        "Email",
        "IsActive",
        "UserType",
        "CreatedDate",
        "LastLoginDate",
        "ProfileId",
        "UserRoleId",
        "ContactId",
        "AccountId",
        "FederationIdentifier",
        "IsPortalEnabled",
    ],
    "Profile": ["Id", "Name", "UserLicenseId", "UserType", "Description"],
    "UserLicense": ["Id", "Name", "LicenseDefinitionKey", "Status"],
    "PermissionSetLicense": ["Id", "MasterLabel", "DeveloperName"],
    "PermissionSet": [
        "Id",
        "Name",
        "Label",
        "IsOwnedByProfile",
        "ProfileId",
        "IsCustom",
        "Type",
        "LicenseId",
        "PermissionSetGroupId",
        "NamespacePrefix",
    ],
    "PermissionSetGroup": ["Id", "DeveloperName", "MasterLabel", "Status"],
    "PermissionSetGroupComponent": ["Id", "PermissionSetGroupId", "PermissionSetId"],
    "PermissionSetAssignment": [
        "Id",
        "AssigneeId",
        "PermissionSetId",
        "PermissionSetGroupId",
        "IsActive",
        "ExpirationDate",
    ],
    "UserRole": ["Id", "Name", "DeveloperName", "ParentRoleId", "PortalType"],
    "ObjectPermissions": [
        "Id",
        "ParentId",
        "SobjectType",
        "PermissionsRead",
        "PermissionsCreate",
        "PermissionsEdit",
        "PermissionsDelete",
        "PermissionsViewAllRecords",
        "PermissionsModifyAllRecords",
    ],
    "FieldPermissions": [
        "Id",
        "ParentId",
        "SobjectType",
        "Field",
        "PermissionsRead",
        "PermissionsEdit",
    ],
    "TwoFactorMethodsInfo": [
        "Id",
        "UserId",
        "ExternalId",
        "HasBuiltInAuthenticator",
        "HasSalesforceAuthenticator",
        "HasSecurityKey",
        "HasTempCode",
        "HasTotp",
        "HasU2F",
        "HasUserVerifiedEmailAddress",
        "HasUserVerifiedMobileNumber",
        "HasVerifiedMobileNumber",
        "LastVerifiedMobileNumberDate",
    ],
    "LoginHistory": [
        "Id",
        "UserId",
        "LoginTime",
        "LoginType",
        "Status",
        "SourceIp",
        "Application",
        "AuthMethodReference",
        "AuthenticationServiceId",
        "LoginUrl",
        "CipherSuite",
        "CountryIso",
        "TlsProtocol",
        "Browser",
        "Platform",
    ],
    "UserLogin": ["Id", "UserId", "IsFrozen", "IsPasswordLocked"],
    "UserPermissionAccess": ["LastCacheUpdate"],
    "SetupAuditTrail": [
        "Id",
        "Action",
        "Section",
        "Display",
        "CreatedDate",
        "CreatedById",
        "DelegateUser",
        "CreatedByContext",
        "CreatedByIssuer",
    ],
    "SamlSsoConfig": [
        "Id",
        "DeveloperName",
        "MasterLabel",
        "Issuer",
        "LoginUrl",
        "OptionsRequireMfaSaml",
        "OptionsUserProvisioning",
    ],
    "AuthProvider": [
        "Id",
        "DeveloperName",
        "FriendlyName",
        "ProviderType",
        "OptionsRequireMfa",
        "CreatedDate",
    ],
    "VerificationHistory": [
        "Id",
        "UserId",
        "Activity",
        "Status",
        "VerificationMethod",
        "VerificationTime",
        "LoginHistoryId",
        "EventGroup",
        "Policy",
        "SourceIp",
    ],
    "LoginIpRange": ["Id", "ProfileId", "StartAddress", "EndAddress", "Description"],
    "TenantSecret": [
        "Id",
        "Type",
        "Status",
        "Version",
        "Source",
        "KeyDerivationMode",
        "Description",
        "CreatedDate",
    ],
    "ConnectedApplication": [
        "Id",
        "Name",
        "CreatedDate",
        "OptionsAllowAdminApprovedUsersOnly",
        "OptionsRefreshTokenValidityMetric",
        "RefreshTokenValidityPeriod",
        "OptionsHasSessionLevelPolicy",
        "StartUrl",
    ],
    "OauthToken": [
        "Id",
        "AccessToken",
        "AppName",
        "AppMenuItemId",
        "DeleteToken",
        "RequestToken",
        "UserId",
        "CreatedDate",
        "LastUsedDate",
        "UseCount",
    ],
    "NamedCredential": [
        "Id",
        "DeveloperName",
        "MasterLabel",
        "Endpoint",
        "PrincipalType",
        "CreatedDate",
    ],
}
TOOLING_FIELDS: dict[str, list[str]] = {
    # Tooling API: EntityDefinition (DurableId is the API name for standard objects).
    "EntityDefinition": ["Id", "DurableId", "QualifiedApiName", "IsCustomizable"],
    # Tooling API: ValidationRule (API 34.0+): Active, EntityDefinitionId, ValidationName.
    "ValidationRule": ["Id", "ValidationName", "Active", "EntityDefinitionId", "ErrorMessage"],
    # Tooling API: FieldDefinition.
    "FieldDefinition": [
        "Id",
        "DurableId",
        "EntityDefinitionId",
        "QualifiedApiName",
        "IsFieldHistoryTracked",
        "DataType",
    ],
    "SecurityHealthCheck": ["Id", "DurableId", "Score", "CustomBaselineId"],
    "SecurityHealthCheckRisks": [
        "Id",
        "DurableId",
        "Setting",
        "SettingGroup",
        "RiskType",
        "SettingRiskCategory",
        "OrgValue",
        "OrgValueRaw",
        "StandardValue",
        "StandardValueRaw",
        "SecurityHealthCheckId",
    ],
    "RemoteProxy": [
        "Id",
        "SiteName",
        "EndpointUrl",
        "IsActive",
        "DisableProtocolSecurity",
        "CreatedDate",
    ],
}
_DATETIME_VALUE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


@dataclass
class SObject:
    """One sObject type: its fields (for describe) and records."""

    name: str
    fields: list[dict[str, Any]]
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def field_names(self) -> set[str]:
        """Names of every field."""
        return {f["name"] for f in self.fields}


@dataclass
class Org:
    """An emulated org."""

    sobjects: dict[str, SObject]
    tooling: dict[str, SObject]
    metadata: dict[str, dict[str, Any]]
    org_id: str = "00D000000000001EAA"

    @classmethod
    def from_fixture(cls, data: dict[str, Any], now: datetime | None = None) -> Org:
        """Build an org from fixture data, shifting datetimes to ``now``."""
        anchor = parse_datetime(data.get("anchor", "2026-01-01T00:00:00.000+0000"))
        # Whole days, so times of day (and hourly buckets) stay as the fixture has them.
        delta = timedelta(days=((now or anchor) - anchor).days)
        perm_fields = [f"Permissions{p}" for p in data.get("permission_fields", [])]
        # Pad to a realistic count: the fixture names the permissions it grants, a real
        # org describes hundreds more (all false here).
        padding = [
            f"PermissionsEmulatedFeature{i:03d}"
            for i in range(max(0, PERMISSION_FIELD_COUNT - len(perm_fields)))
        ]
        schemas = data.get("schemas", {})

        def shift(value: Any) -> Any:
            if isinstance(value, str) and _DATETIME_VALUE.match(value) and delta:
                return (parse_datetime(value) + delta).strftime(SF_DATETIME)
            return value

        def build(name: str, records: list[dict[str, Any]], standard: list[str]) -> SObject:
            names = list(standard)
            if name in ("PermissionSet", "UserPermissionAccess"):
                names += perm_fields + padding
            extra = [f for f in schemas.get(name, []) if f["name"] not in names]
            fields = [_field(name, n, PICKLISTS.get((name, n))) for n in names] + extra
            known = {f["name"] for f in fields}
            out = []
            for raw in records:
                record = {k: shift(v) for k, v in raw.items() if k != "grants"}
                if name == "PermissionSet":
                    granted = set(raw.get("grants", []))
                    for perm in perm_fields + padding:
                        record[perm] = perm[len("Permissions") :] in granted
                for key in record:
                    if key not in known:
                        known.add(key)
                        fields.append(_field(name, key))
                out.append(record)
            return SObject(name, fields, out)

        sobjects = {
            name: build(name, data.get("sobjects", {}).get(name, []), standard)
            for name, standard in STANDARD_FIELDS.items()
        }
        for name, schema in schemas.items():
            if name not in sobjects:
                rows = [
                    {k: shift(v) for k, v in r.items()}
                    for r in data.get("sobjects", {}).get(name, [])
                ]
                sobjects[name] = SObject(name, list(schema), rows)
        tooling = {
            name: build(name, data.get("tooling", {}).get(name, []), standard)
            for name, standard in TOOLING_FIELDS.items()
        }
        org_rows = sobjects["Organization"].records
        org_id = org_rows[0]["Id"] if org_rows else cls.org_id
        return cls(sobjects, tooling, data.get("metadata", {}), org_id)

    @classmethod
    def load(cls, path: str | Path, now: datetime | None = None) -> Org:
        """Load an org fixture file."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls.from_fixture(data, now or datetime.now(timezone.utc))


def _field(obj: str, name: str, picklist: list[str] | None = None) -> dict[str, Any]:
    kind = _kind(name) if picklist is None else "picklist"
    props = properties(obj, name, kind)
    out: dict[str, Any] = {
        "name": name,
        "type": kind,
        "label": name,
        "encrypted": False,
        "nillable": "N" in props,
        "filterable": "F" in props,
        "groupable": "G" in props,
    }
    if picklist is not None:
        out["restrictedPicklist"] = True
        out["picklistValues"] = [
            {"value": v, "label": v, "active": True, "defaultValue": False} for v in picklist
        ]
    return out


def _kind(name: str) -> str:
    if name == "Id":
        kind = "id"
    elif name.startswith(("Is", "Has", "Permissions", "Options")):
        kind = "boolean"
    elif name.endswith("Date") or name in ("LoginTime", "VerificationTime"):
        kind = "datetime"
    elif name.endswith("Id"):
        kind = "reference"
    else:
        kind = "string"
    return kind
