"""The normalized inventory of one CRM tenant: what adapters fill and checks read.

Conventions every adapter follows:

* ``None`` (JSON ``null``) means *not collected*. It is never the same as ``False``,
  ``0`` or an empty list, and the engine never evaluates it as a pass.
* What could not be collected is also recorded in ``Inventory.gaps`` under a collection
  name from `COLLECTIONS`, with the reason. Checks name the collections they require.
* Permissions are normalized to the vocabulary in `PERMISSIONS`; each adapter keeps the
  platform's own names in ``raw_permissions``.
* Timestamps are timezone-aware UTC datetimes.

The JSON Schema of the serialized form is generated from these models
(``scanner/schemas/inventory.schema.json``; ``python -m scanner.schemas`` rewrites it and a
test fails when it is stale).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from scanner.model.capabilities import Capabilities, Capability

if TYPE_CHECKING:
    from scanner.evidence.raw import RawCapture

SCHEMA_VERSION = "1.0"

#: The normalized permission vocabulary. Adapters map platform permissions onto these.
PERMISSIONS: dict[str, str] = {
    "data.modify_all": "Create, edit and delete every record regardless of sharing",
    "data.view_all": "Read every record regardless of sharing",
    "data.export": "Export data in bulk (weekly export, reports export, data loader)",
    "data.mass_update": "Update many records in one operation (mass update)",
    "data.mass_delete": "Delete many records in one operation (mass delete)",
    "data.view_encrypted": "See the plain-text value of encrypted fields",
    "data.manage_encryption": "Manage encryption keys and encryption settings",
    "users.manage": "Create, edit and deactivate users and assign permissions",
    "users.reset_passwords": "Reset other users' passwords and unlock users",
    "setup.customize": "Customize the application and its configuration",
    "setup.view": "View setup and configuration",
    "setup.manage_sharing": "Change the sharing model and sharing rules",
    "setup.manage_profiles": "Create and edit profiles and permission sets",
    "setup.manage_ip_ranges": "Edit login IP ranges and trusted networks",
    "setup.manage_auth": "Manage authentication providers, SSO and MFA settings",
    "code.author": "Write and deploy code (Apex, Visualforce, workflows)",
    "api.enabled": "Access the CRM through its APIs",
    "api.any_client": "Use any API client, including unapproved connected apps",
    "apps.approve_uninstalled": "Approve connected apps that are not installed",
    "apps.manage": "Install, configure and manage connected or private apps",
    "mfa.bypass": "Sign in to the UI without multi-factor authentication",
    "sso.bypass": "Sign in with a password where SSO is otherwise required",
    "account.super_admin": "Super admin of the account (every permission)",
    "billing.manage": "Manage billing and subscriptions",
    "audit.view": "View audit logs and setup audit trail",
    "users.impersonate": "Act on behalf of another user (impersonation)",
}

#: Collection names used in gaps and in a check's ``requires``. Dotted names narrow a
#: collection; a gap on ``users`` also covers ``users.mfa``.
COLLECTIONS: dict[str, str] = {
    "tenant": "Organization details",
    "users": "Users, their profiles and status",
    "users.permissions": "Each user's effective permissions and the grants behind them",
    "users.mfa": "Each user's MFA / 2FA enrolment",
    "users.login": "Login history summaries per user",
    "users.login_mfa": "Whether each login passed MFA (Salesforce VerificationHistory)",
    "users.frozen": "Which users are frozen (cannot sign in although active)",
    "users.teams": "Each user's teams (HubSpot)",
    "users.active": "Whether each user is active, or deactivated / removed (HubSpot owners)",
    "users.object_access": "What each user can read or edit on sensitive objects",
    "permission_sets": "Profiles, permission sets, groups and roles with their permissions",
    "permission_sets.ip_ranges": "Login IP ranges per profile",
    "permission_sets.password_policy": "Per-profile password policy overrides",
    "roles": "Role hierarchy",
    "departments": "Organisation units (departments) and their tree (Fxiaoke)",
    "field_permissions": "Field-level access to sensitive fields",
    "auth.mfa": "Org-wide MFA enforcement",
    "auth.sso": "Org-wide SSO enforcement",
    "auth.password_policy": "Org-wide password policy",
    "auth.session_policy": "Session settings",
    "auth.network": "Trusted networks",
    "encryption.at_rest": "Encryption at rest status and keys",
    "encryption.fields": "Which fields are encrypted and how",
    "encryption.transport": "TLS and certificate of the instance endpoint",
    "integrations": "Connected apps, private apps, named credentials and remote sites",
    "integrations.oauth_tokens": "OAuth tokens issued to users",
    "health_check": "Platform security health check",
    "monitoring": "Login and audit history retention",
    "monitoring.security_activity": "Security activity log (user adds, removals, setting changes)",
    "monitoring.audit_log": "Audit log API availability and contents",
    "data": "Data integrity, privacy and backup settings",
    "data.quality": "Validation and duplicate/matching rules on the policy's key objects",
    "data.field_history": "Field history tracking of the policy's sensitive fields",
    "data.history_retention": "How long field history is kept (Field Audit Trail policies)",
    "data.consent": "The consent model and email opt-out fields",
    "data.backup": "Backups and scheduled data exports, and when they last ran",
    "data.retention": "Counts of personal-data records older than the retention period",
}


class GapReason(str, Enum):
    """Why a collection is missing from the inventory."""

    PERMISSION_MISSING = "permission_missing"
    RATE_LIMITED = "rate_limited"
    API_LIMIT_RESERVE = "api_limit_reserve"
    API_ERROR = "api_error"
    MALFORMED_RESPONSE = "malformed_response"
    NOT_AVAILABLE = "not_available"
    NO_API = "no_api"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Gap(_Model):
    """A part of the inventory that could not be collected.

    ``reason == no_api`` means the platform has no API for it at all: checks that need it
    report MANUAL (a person must attest) instead of ERROR.
    """

    collection: str
    reason: GapReason
    detail: str


class Tenant(_Model):
    """The scanned org, portal or account."""

    platform: str
    id: str | None = None
    name: str | None = None
    edition: str | None = None
    is_sandbox: bool | None = None
    instance_url: str | None = None
    api_version: str | None = None
    collected_at: datetime | None = None


UserKind = Literal["human", "integration", "guest", "portal", "automated", "system"]


class Grant(_Model):
    """Where a user's permission comes from."""

    permission: str
    source_kind: Literal["profile", "permission_set", "permission_set_group", "role", "user"]
    source_id: str | None = None
    source_name: str


class Mfa(_Model):
    """A user's multi-factor enrolment."""

    status: Literal["enrolled", "not_enrolled", "unknown"] | None = None
    methods: list[str] | None = None
    phishing_resistant: bool | None = None


class LoginSummary(_Model):
    """A user's logins over the last ``window_days`` days."""

    window_days: int
    successes: int | None = None
    successes_without_mfa: int | None = None
    failures: int | None = None
    max_failures_per_hour: int | None = None
    last_failure_at: datetime | None = None
    ip_addresses: list[str] | None = None  # distinct source IPs of successful logins
    countries: list[str] | None = None  # distinct ISO country codes of successful logins


class ObjectAccess(_Model):
    """Which sensitive objects a user can read or edit."""

    readable: list[str] = Field(default_factory=list)
    editable: list[str] = Field(default_factory=list)


class User(_Model):
    """A user and, derived by the adapter, everything the checks ask about them."""

    id: str
    username: str | None = None
    name: str | None = None
    email: str | None = None
    active: bool | None = None
    kind: UserKind | None = None
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    never_logged_in: bool | None = None
    profile: str | None = None
    profile_id: str | None = None
    role: str | None = None
    #: The organisation unit the user belongs to, by name (Fxiaoke department, Dynamics
    #: business unit).
    department: str | None = None
    manager_id: str | None = None  # the user's reporting line (leader), by user id
    #: How the account may sign in, in the platform's terms (Dynamics access mode:
    #: ``read_write``, ``administrative``, ``read``, ``support``, ``non_interactive``,
    #: ``application``, ``delegated_admin``).
    access_mode: str | None = None
    license: str | None = None  # the user's licence as the platform reports it
    teams: list[str] | None = None
    permission_sets: list[str] | None = None
    permissions: list[str] | None = None
    raw_permissions: list[str] | None = None
    grants: list[Grant] | None = None
    mfa: Mfa | None = None
    sso: bool | None = None
    login: LoginSummary | None = None
    object_access: ObjectAccess | None = None


class IpRange(_Model):
    """An inclusive IPv4/IPv6 address range."""

    start: str
    end: str
    description: str | None = None


class PasswordPolicy(_Model):
    """Password rules, org-wide or as a per-profile override."""

    min_length: int | None = None
    complexity: (
        Literal[
            "none",
            "alpha_numeric",
            "special",
            "upper_lower_numeric",
            "upper_lower_numeric_special",
            "any3_upper_lower_numeric_special",  # three of the four character classes
        ]
        | None
    ) = None
    expiry_days: int | None = None  # 0 = never expires
    history: int | None = None
    lockout_attempts: int | None = None  # 0 = never locks out
    lockout_minutes: int | None = None  # 0 = until an admin unlocks
    question_may_contain_password: bool | None = None


class PermissionSet(_Model):
    """A profile, permission set, permission set group or role: anything granting access."""

    id: str
    name: str
    label: str | None = None
    kind: Literal["profile", "permission_set", "permission_set_group", "role"]
    custom: bool | None = None
    license: str | None = None
    permissions: list[str] | None = None
    raw_permissions: list[str] | None = None
    assignee_count: int | None = None
    active_assignee_count: int | None = None
    login_ip_ranges: list[IpRange] | None = None
    password_policy: PasswordPolicy | None = None
    session_timeout_minutes: int | None = None


class Role(_Model):
    """A node of the role hierarchy."""

    id: str
    name: str
    parent_id: str | None = None
    user_count: int | None = None


class Department(_Model):
    """An organisation unit (department) of the tenant's directory tree."""

    id: str
    name: str
    parent_id: str | None = None
    active: bool | None = None
    user_count: int | None = None


class FieldPermission(_Model):
    """Access a permission set gives to one sensitive field."""

    field: str  # "Object.Field"
    permission_set: str
    permission_set_kind: str | None = None
    read: bool
    edit: bool
    active_assignee_count: int | None = None


class SessionPolicy(_Model):
    """Session settings."""

    timeout_minutes: int | None = None
    lock_to_ip: bool | None = None
    lock_to_domain: bool | None = None
    http_only: bool | None = None
    force_logout_on_timeout: bool | None = None
    require_https: bool | None = None
    clickjack_protection: bool | None = None
    csrf_protection: bool | None = None


class Auth(_Model):
    """Org-wide authentication settings."""

    mfa_enforced: bool | None = None
    sso_enforced: bool | None = None
    sso_providers: list[str] | None = None
    password_policy: PasswordPolicy | None = None
    session_policy: SessionPolicy | None = None
    trusted_networks: list[IpRange] | None = None


class EncryptionKey(_Model):
    """A tenant secret / encryption key."""

    id: str
    type: str | None = None
    status: Literal["active", "archived", "destroyed", "inactive"] | None = None
    version: int | None = None
    created_at: datetime | None = None
    customer_managed: bool | None = None


class FieldEncryption(_Model):
    """Encryption state of one field (``name`` is ``Object.Field``)."""

    name: str
    encrypted: bool | None = None
    scheme: Literal["probabilistic", "deterministic", "none"] | None = None
    exists: bool | None = None


class Certificate(_Model):
    """The TLS certificate the instance endpoint presents."""

    subject: str | None = None
    issuer: str | None = None
    not_after: datetime | None = None
    key_type: Literal["RSA", "EC", "DSA", "Ed25519", "Ed448", "other"] | None = None
    key_bits: int | None = None


class Transport(_Model):
    """What the instance endpoint offers on the wire."""

    host: str | None = None
    tls_versions: list[str] | None = None  # e.g. ["TLSv1.2", "TLSv1.3"]
    min_tls_version: str | None = None
    hsts: bool | None = None
    hsts_max_age: int | None = None
    certificate: Certificate | None = None


class Encryption(_Model):
    """Encryption at rest and in transit."""

    at_rest_enabled: bool | None = None
    deterministic_enabled: bool | None = None
    keys: list[EncryptionKey] | None = None
    fields: list[FieldEncryption] | None = None
    transport: Transport | None = None


class Integration(_Model):
    """A connected app, private app, OAuth token, named credential or remote site."""

    id: str
    name: str
    kind: Literal[
        "connected_app",
        "private_app",
        "oauth_token",
        "named_credential",
        "remote_site",
        "api_token",
    ]
    admin_approved_only: bool | None = None
    refresh_token_policy: str | None = None  # "infinite", "expire_after", "zero", ...
    scopes: list[str] | None = None
    user: str | None = None
    app: str | None = None
    endpoint: str | None = None
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    use_count: int | None = None
    active: bool | None = None


class HealthCheckRisk(_Model):
    """One Health Check setting that deviates from the baseline."""

    setting: str
    group: str | None = None
    risk_type: Literal["HIGH_RISK", "MEDIUM_RISK", "LOW_RISK", "INFORMATIONAL", "MEETS_STANDARD"]
    org_value: str | None = None
    standard_value: str | None = None


class HealthCheck(_Model):
    """The platform's own security health check."""

    score: float | None = None
    baseline: str | None = None
    risks: list[HealthCheckRisk] | None = None


class Monitoring(_Model):
    """How long login and audit history is kept."""

    login_history_days: int | None = None
    audit_log_days: int | None = None
    #: The oldest audit-log entry the scan could read (evidence behind audit_log_days).
    audit_log_oldest_at: datetime | None = None
    audit_log_available: bool | None = None  # the tier has an audit log API (e.g. HubSpot)
    event_monitoring_enabled: bool | None = None


class ObjectDataQuality(_Model):
    """Data-quality rules on one object (``object`` is its API name)."""

    object: str
    exists: bool | None = None
    validation_rules: list[str] | None = None  # names of the active validation rules
    duplicate_rules: list[str] | None = None  # names of the active duplicate rules
    matching_rules: list[str] | None = None  # names of the active matching rules


class FieldHistory(_Model):
    """Whether changes to one field (``Object.Field``) are recorded."""

    name: str
    exists: bool | None = None
    tracked: bool | None = None


class HistoryRetention(_Model):
    """How long one object's field history is kept."""

    object: str
    months: int | None = None  # in the CRM plus any archive
    archive_policy: bool | None = None  # a retention policy (Field Audit Trail) is set
    source: str | None = None  # where the figure comes from


class Consent(_Model):
    """The consent model the platform offers and whether it is in use."""

    model_enabled: bool | None = None  # e.g. Salesforce Individual / data protection records
    opt_out_fields: list[str] | None = None  # email opt-out fields present ("Object.Field")
    #: Records of the consent model (counted), or active subscription types where consent
    #: is kept as subscriptions (HubSpot).
    consent_records: int | None = None


class Backup(_Model):
    """Backups or scheduled exports, as far as the platform shows them."""

    scheduled: bool | None = None
    last_completed_at: datetime | None = None
    source: str | None = None


class RetentionCount(_Model):
    """How many records of one personal-data object are older than the retention period.

    Counted with one aggregate query; the records themselves are never read.
    """

    object: str
    older_than_days: int
    count: int | None = None
    date_field: str | None = None  # the field the age is measured on


class DataGovernance(_Model):
    """Data integrity, privacy and backup: what the DATA checks read."""

    objects: list[ObjectDataQuality] | None = None
    field_history: list[FieldHistory] | None = None
    history_retention: list[HistoryRetention] | None = None
    consent: Consent | None = None
    backup: Backup | None = None
    retention: list[RetentionCount] | None = None


class ApiUsage(_Model):
    """API calls the scan used, as the platform reported them."""

    requests: int = 0
    daily_used: int | None = None
    daily_limit: int | None = None
    #: Units the platform charges for the scan's calls where it meters units rather than
    #: requests (Zoho CRM API credits); None where the platform counts requests.
    credits_used: int | None = None


class Inventory(_Model):
    """Everything collected from one tenant. ``None`` anywhere means *not collected*."""

    schema_version: str = SCHEMA_VERSION
    tenant: Tenant
    users: list[User] | None = None
    permission_sets: list[PermissionSet] | None = None
    roles: list[Role] | None = None
    departments: list[Department] | None = None
    field_permissions: list[FieldPermission] | None = None
    auth: Auth = Field(default_factory=Auth)
    encryption: Encryption = Field(default_factory=Encryption)
    integrations: list[Integration] | None = None
    health_check: HealthCheck | None = None
    monitoring: Monitoring = Field(default_factory=Monitoring)
    data: DataGovernance = Field(default_factory=DataGovernance)
    api_usage: ApiUsage | None = None
    gaps: list[Gap] = Field(default_factory=list)
    #: What the platform provides, as its adapter declared it (see scanner.model.capabilities).
    capabilities: list[Capability] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    #: The raw API responses behind this inventory (`raw`); never serialized.
    _raw: RawCapture | None = PrivateAttr(default=None)

    @property
    def raw(self) -> RawCapture | None:
        """The redacted raw API responses of the collection, when they were captured.

        Set by `scanner.pipeline.collect` when an evidence bundle is asked for; not part
        of the serialized inventory (a snapshot holds none), so None after loading one.
        """
        return self._raw

    @raw.setter
    def raw(self, capture: RawCapture | None) -> None:
        self._raw = capture

    def capability_table(self) -> Capabilities:
        """The adapter's declarations, for lookup by collection."""
        return Capabilities(self.capabilities)

    def add_gap(self, collection: str, reason: GapReason, detail: str) -> None:
        """Record that ``collection`` could not be collected, once per collection."""
        if not any(g.collection == collection for g in self.gaps):
            self.gaps.append(Gap(collection=collection, reason=reason, detail=detail))

    def gap_for(self, collection: str) -> Gap | None:
        """The gap covering ``collection`` (itself or a parent such as ``users``)."""
        for gap in self.gaps:
            if collection == gap.collection or collection.startswith(gap.collection + "."):
                return gap
        return None
