"""Turning the fetched collections into the Inventory, recording a gap for each failure.

Each collection task's result is either its value or a `Failed` holding the
CollectionError that stopped it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from adapters.salesforce import collect_encryption as enc
from adapters.salesforce import collect_permissions as perms
from adapters.salesforce import collect_users as users_mod
from adapters.salesforce.permission_map import SSO_PERMISSION
from scanner.adapter_api import CollectionScope
from scanner.errors import CollectionError
from scanner.model.inventory import (
    GapReason,
    Integration,
    Inventory,
    LoginSummary,
    Mfa,
    Role,
    User,
)

#: Salesforce keeps login history for six months and "changes ... made in your org's
#: Setup area for at least the last 180 days" (SetupAuditTrail); the figure is reported
#: only when the scan could read that history, else ``monitoring`` is a gap.
PLATFORM_RETENTION_DAYS = 180


class Failed:
    """The result of a collection task that raised a CollectionError."""

    def __init__(self, error: CollectionError) -> None:
        self.error = error


def _gap(inventory: Inventory, collection: str, failure: Failed) -> None:
    inventory.add_gap(collection, failure.error.gap_reason, str(failure.error))


def _ok(results: dict[str, Any], *names: str) -> bool:
    return not any(isinstance(results[n], Failed) for n in names)


def _first_failure(results: dict[str, Any], *names: str) -> Failed | None:
    return next((results[n] for n in names if isinstance(results[n], Failed)), None)


def assemble(
    inv: Inventory,
    results: dict[str, Any],
    scope: CollectionScope,
    prepared: list[tuple[User, dict[str, Any]]] | None,
) -> None:
    users_raw: list[dict[str, Any]] | None = (
        None if isinstance(results["users"], Failed) else results["users"]
    )

    resolver: perms.Resolver | None = None
    failure = _first_failure(results, "profiles", "permsets", "groups")
    if failure is None:
        profiles, licenses = results["profiles"]
        permsets, raw = results["permsets"]
        groups, components = results["groups"]
        resolver = perms.Resolver(
            perms.PermissionData(profiles, licenses, permsets, raw, groups, components)
        )
    else:
        _gap(inv, "permission_sets", failure)
        _gap(inv, "users.permissions", failure)
    assignments = None if isinstance(results["assignments"], Failed) else results["assignments"]
    if assignments is None:
        _gap(inv, "users.permissions", results["assignments"])

    field_failure = _first_failure(results, "field_perms") or failure
    if field_failure is not None:
        _gap(inv, "field_permissions", field_failure)
    if resolver is not None:
        permission_sets = resolver.permission_sets(users_raw, assignments)
        _attach_profile_settings(inv, permission_sets, results)
        inv.permission_sets = permission_sets
        if field_failure is None:
            inv.field_permissions = resolver.field_permissions(
                results["field_perms"], permission_sets
            )

    if _ok(results, "roles"):
        role_counts: dict[str, int] = defaultdict(int)
        for user in users_raw or []:
            if user.get("UserRoleId") and user.get("IsActive"):
                role_counts[user["UserRoleId"]] += 1
        inv.roles = [
            Role(
                id=r["Id"],
                name=r["Name"],
                parent_id=r.get("ParentRoleId"),
                user_count=role_counts[r["Id"]] if users_raw is not None else None,
            )
            for r in results["roles"]
        ]
    else:
        _gap(inv, "roles", results["roles"])

    if prepared is not None:
        inv.users = _apply_permissions(inv, prepared, resolver, assignments, results, scope)
    _settings(inv, results)
    _encryption(inv, results)
    _integrations(inv, results, users_raw)
    _monitoring(inv, results)


def _monitoring(inv: Inventory, results: dict[str, Any]) -> None:
    """Retention only where the history itself was read; otherwise a gap (never 180)."""
    if isinstance(results["logins"], Failed):
        _gap(inv, "monitoring", results["logins"])
    else:
        inv.monitoring.login_history_days = PLATFORM_RETENTION_DAYS
    if isinstance(results["audit_trail"], Failed):
        _gap(inv, "monitoring", results["audit_trail"])
    else:
        inv.monitoring.audit_log_days = PLATFORM_RETENTION_DAYS
        inv.monitoring.audit_log_oldest_at = results["audit_trail"]


def _attach_profile_settings(
    inv: Inventory, permission_sets: list[Any], results: dict[str, Any]
) -> None:
    ranges = None if isinstance(results["ip_ranges"], Failed) else results["ip_ranges"]
    policies = (
        None if isinstance(results["password_policies"], Failed) else results["password_policies"]
    )
    if ranges is None:
        _gap(inv, "permission_sets.ip_ranges", results["ip_ranges"])
    if policies is None:
        _gap(inv, "permission_sets.password_policy", results["password_policies"])
    for entry in permission_sets:
        if entry.kind != "profile":
            continue
        if ranges is not None:
            entry.login_ip_ranges = ranges.get(entry.id, [])
        if policies is not None:
            entry.password_policy = policies.get(entry.id)


def prepare_users(
    inv: Inventory, results: dict[str, Any], scope: CollectionScope
) -> list[tuple[User, dict[str, Any]]] | None:
    """Users with everything that does not depend on permission assignments.

    Runs while the assignments (the longest collection) are still being read, so only
    the permission part remains for after the last page.
    """
    if isinstance(results["users"], Failed):
        _gap(inv, "users", results["users"])
        return None
    mfa = None if isinstance(results["mfa"], Failed) else results["mfa"]
    if mfa is None:
        _gap(inv, "users.mfa", results["mfa"])
    logins = None
    frozen: set[str] = set()
    if isinstance(results["frozen"], Failed):
        _gap(inv, "users.frozen", results["frozen"])
    else:
        frozen = results["frozen"]
    if isinstance(results["logins"], Failed):
        _gap(inv, "users.login", results["logins"])
    else:
        found: users_mod.Logins = results["logins"]
        verified = results["verified_logins"]
        if isinstance(verified, Failed):
            # Not a gap on users.login: the users whose verdict does not depend on
            # VerificationHistory keep it; the others get a null count (ERROR).
            _gap(inv, "users.login_mfa", verified)
            verified = None
        sso_config = results["sso"]
        mfa_services = None if isinstance(sso_config, Failed) else sso_config.mfa_services
        users_mod.apply_verifications(found, verified, mfa_services)
        logins = found.summaries
    roles = (
        {}
        if isinstance(results["roles"], Failed)
        else {r["Id"]: r["Name"] for r in results["roles"]}
    )
    profiles = {} if isinstance(results["profiles"], Failed) else results["profiles"][0]
    no_mfa = Mfa(status="not_enrolled", methods=[], phishing_resistant=False)
    no_logins = LoginSummary(
        window_days=scope.login_history_days,
        successes=0,
        successes_without_mfa=0,
        failures=0,
        max_failures_per_hour=0,
    )
    # Copying a template is several times cheaper than constructing 50,000 models.
    template = User.model_construct(_fields_set=set(User.model_fields), id="")
    out = []
    for u in results["users"]:
        profile = profiles.get(u.get("ProfileId") or "")
        last_login = users_mod.parse_datetime(u.get("LastLoginDate"))
        user = template.model_copy(
            update={
                "id": u["Id"],
                "username": u.get("Username"),
                "name": u.get("Name"),
                "email": u.get("Email"),
                "active": False if u["Id"] in frozen else u.get("IsActive"),
                "created_at": users_mod.parse_datetime(u.get("CreatedDate")),
                "last_login_at": last_login,
                "never_logged_in": last_login is None,
                "profile": profile["Name"] if profile else None,
                "profile_id": u.get("ProfileId"),
                "role": roles.get(u.get("UserRoleId") or ""),
                "mfa": mfa.get(u["Id"], no_mfa) if mfa is not None else None,
                "sso": None,  # set with the permissions: needs IsSsoEnabled
                "login": logins.get(u["Id"], no_logins) if logins is not None else None,
            }
        )
        out.append((user, u))
    return out


def _apply_permissions(
    inv: Inventory,
    prepared: list[tuple[User, dict[str, Any]]],
    resolver: perms.Resolver | None,
    assignments: list[tuple[str, str, str | None]] | None,
    results: dict[str, Any],
    scope: CollectionScope,
) -> list[User]:
    """Fill each user's kind, permissions, grants and sensitive-object access."""
    by_user: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for user_id, ps_id, group_id in assignments or []:
        by_user[user_id].append((ps_id, group_id))
    object_perms = None if isinstance(results["object_perms"], Failed) else results["object_perms"]
    if object_perms is None:
        _gap(inv, "users.object_access", results["object_perms"])
    elif resolver is None or assignments is None:
        inv.add_gap(
            "users.object_access",
            GapReason.API_ERROR,
            "permission sets or assignments could not be read",
        )
    profiles = resolver.data.profiles if resolver else {}
    licenses = resolver.data.licenses if resolver else {}
    security = results["security"]
    sso_enforced = None if isinstance(security, Failed) else security.auth.sso_enforced
    # Users mostly share a handful of profile + permission-set combinations: resolve
    # each combination once. The lists are shared between those users, read-only.
    resolved: dict[tuple[str, ...], tuple[frozenset[str], dict[str, Any]]] = {}
    for user, u in prepared:
        profile = profiles.get(u.get("ProfileId") or "")
        license_name = licenses.get(profile.get("UserLicenseId") or "") if profile else None
        values: dict[str, Any] = {}
        kind_raw: frozenset[str] | None = None
        if resolver is not None:
            sources = resolver.user_sources(u.get("ProfileId"), by_user.get(u["Id"], []))
            key = tuple(s.id for s in sources)
            if key not in resolved:
                resolved[key] = _resolve(resolver, sources, assignments, object_perms, scope)
            kind_raw, shared = resolved[key]
            values.update(shared)
        values["kind"] = users_mod.user_kind(u, user.profile, license_name, kind_raw)
        # Signs in through SSO only: password logins are off org-wide ("Disable login
        # with Salesforce credentials") and the user holds "Is Single Sign-On Enabled".
        if sso_enforced is False:
            values["sso"] = False
        elif sso_enforced is True and assignments is not None and kind_raw is not None:
            values["sso"] = SSO_PERMISSION in kind_raw
        # Every field was set at construction; updating __dict__ skips per-field
        # assignment overhead, which adds up over tens of thousands of users.
        user.__dict__.update(values)
    return [user for user, _ in prepared]


def _resolve(
    resolver: perms.Resolver,
    sources: list[perms.Source],
    assignments: list[tuple[str, str, str | None]] | None,
    object_perms: dict[str, dict[str, tuple[bool, bool]]] | None,
    scope: CollectionScope,
) -> tuple[frozenset[str], dict[str, Any]]:
    """Raw permissions and the permission fields of users with these sources."""
    raw = frozenset().union(*(s.raw for s in sources))
    if assignments is None:  # the profile alone is known: enough for the kind only
        return raw, {}
    permissions, raw_permissions, grants = resolver.grants(sources)
    values: dict[str, Any] = {
        "permissions": permissions,
        "raw_permissions": raw_permissions,
        "grants": grants,
        "permission_sets": [s.name for s in sources if s.kind != "profile"],
    }
    if object_perms is not None:
        values["object_access"] = resolver.object_access(
            sources, raw_permissions, scope.sensitive_objects, object_perms
        )
    return raw, values


def _settings(inv: Inventory, results: dict[str, Any]) -> None:
    security = results["security"]
    if isinstance(security, Failed):
        for collection in (
            "auth.mfa",
            "auth.sso",
            "auth.password_policy",
            "auth.session_policy",
            "auth.network",
        ):
            _gap(inv, collection, security)
    else:
        inv.auth = security.auth
        for collection, detail in security.problems.items():
            inv.add_gap(collection, GapReason.MALFORMED_RESPONSE, detail)
    if isinstance(results["sso"], Failed):
        _gap(inv, "auth.sso", results["sso"])
    else:
        inv.auth.sso_providers = results["sso"].providers
    if isinstance(results["health_check"], Failed):
        _gap(inv, "health_check", results["health_check"])
    else:
        inv.health_check = results["health_check"]


def _encryption(inv: Inventory, results: dict[str, Any]) -> None:
    probed = results["transport"]
    if isinstance(probed, Failed):
        _gap(inv, "encryption.transport", probed)
    else:
        inv.encryption.transport = probed.encryption.transport
        for gap in probed.gaps:
            inv.add_gap(gap.collection, gap.reason, gap.detail)
    if isinstance(results["keys"], Failed):
        _gap(inv, "encryption.at_rest", results["keys"])
    else:
        inv.encryption.keys = results["keys"]
        inv.encryption.at_rest_enabled = enc.at_rest_enabled(results["keys"])
    if not isinstance(results["deterministic"], Failed):
        inv.encryption.deterministic_enabled = results["deterministic"]
    if isinstance(results["field_encryption"], Failed):
        _gap(inv, "encryption.fields", results["field_encryption"])
    else:
        inv.encryption.fields = results["field_encryption"]


def _integrations(
    inv: Inventory, results: dict[str, Any], users_raw: list[dict[str, Any]] | None
) -> None:
    parts = ("connected_apps", "named_credentials", "remote_sites")
    found: list[Integration] = []
    for name in parts:
        if isinstance(results[name], Failed):
            _gap(inv, "integrations", results[name])
        else:
            found.extend(results[name])
    tokens = results["oauth_tokens"]
    if isinstance(tokens, Failed):
        _gap(inv, "integrations.oauth_tokens", tokens)
    elif tokens.all_users is not True:
        inv.add_gap(
            "integrations.oauth_tokens",
            GapReason.PERMISSION_MISSING,
            "the scanning user lacks Customize Application (or it could not be read from "
            "UserPermissionAccess): OauthToken then shows only the user's own tokens",
        )
    else:
        usernames = {u["Id"]: u.get("Username") for u in users_raw or []}
        for token in results["oauth_tokens"]:
            token.user = usernames.get(token.user or "") or token.user
        found.extend(results["oauth_tokens"])
    if _ok(results, *parts) or found:
        inv.integrations = found
