"""What Fxiaoke's open API provides, per inventory collection (docs/api/fxiaoke.md).

The open API reads the directory (departments, employees) and CRM roles with their
holders. It has no read for login history, MFA, IP allowlists, password or session
policy, what a role other than the CRM administrator allows (its function and field
permissions), or the enterprise's other apps: those are ``no_api``, and each says what a
person reviews instead and where. Console locations are given in Chinese with an English
gloss; where Fxiaoke's open-platform documentation names no menu path, the review text
says so instead of guessing one. The engine reads these declarations: a check that needs
something unavailable gives one MANUAL (or NOT_APPLICABLE) finding, never a PASS.
"""

from __future__ import annotations

from scanner.model.capabilities import (
    Capabilities,
    Capability,
    needs_permission,
    no_api,
    not_applicable,
)

#: Where an enterprise administrator reviews what the API cannot read. The documentation
#: names the console (纷享销客网页版 → 管理后台) but no menu path for these settings.
ADMIN = "the admin console (纷享销客网页版 → 管理后台; the open-platform docs name no menu for it)"
#: Where CRM roles are managed.
ROLE_PAGES = "the CRM role pages (角色) of 纷享销客网页版 → 管理后台 (admin console)"
#: Whose permissions the API does tell: the documented CRM administrator role.
KNOWN_ADMINS = "holders of CRM管理员 (and of the roles named with --admin-roles)"

ROLE_REVIEW = (
    "Fxiaoke's open API lists the CRM roles an employee holds but not what a role other "
    "than CRM管理员 allows (its function permissions, 功能权限). Review the roles "
    f"{{permission_sets}} in {ROLE_PAGES}, and name the ones that make their holders "
    "administrators with --admin-roles"
)
ROLE_SET_REVIEW = (
    "Fxiaoke's open API lists the CRM roles but not what a role other than CRM管理员 "
    f"allows (its function permissions, 功能权限). Review the roles {{name}} in {ROLE_PAGES}"
)
LOGIN_REVIEW = (
    "Fxiaoke's open API has no read for sign-ins or last login; review the login log "
    f"(登录日志) in {ADMIN}"
)

DECLARATIONS: tuple[Capability, ...] = (
    needs_permission(
        "users",
        "a self-built app (企业自建应用) in developer mode (开发模式) whose data range covers "
        "every department (otherwise errorCode 20023)",
    ),
    needs_permission(
        "permission_sets",
        "--open-user-id naming a CRM administrator (CRM管理员): role calls run with that "
        "employee's permissions",
    ),
    no_api("users.permissions", ROLE_REVIEW, known_for=KNOWN_ADMINS),
    no_api("permission_sets.permissions", ROLE_SET_REVIEW, known_for="CRM管理员 and --admin-roles"),
    no_api(
        "users.mfa",
        "Fxiaoke's open API has no read for whether an employee signs in with two-factor "
        f"verification; review each employee's login security in {ADMIN}, or attest it in "
        "the policy",
    ),
    no_api("users.last_login_at", LOGIN_REVIEW),
    no_api("users.never_logged_in", LOGIN_REVIEW),
    no_api("users.login", LOGIN_REVIEW),
    no_api(
        "users.object_access",
        "Fxiaoke's open API has no read for what a role allows on each object (功能权限); "
        f"review the roles in {ROLE_PAGES}",
    ),
    no_api(
        "field_permissions",
        "Fxiaoke's open API has no read for a role's field permissions (字段权限); review "
        f"them in {ROLE_PAGES}",
    ),
    no_api(
        "permission_sets.ip_ranges",
        f"Fxiaoke's open API has no read for login IP restrictions; review them in {ADMIN}",
    ),
    no_api(
        "permission_sets.password_policy",
        f"Fxiaoke's open API has no read for password rules; review them in {ADMIN}",
    ),
    no_api(
        "auth.mfa",
        "Fxiaoke's open API has no read for whether two-factor verification is enforced "
        f"for the enterprise; review it in {ADMIN}, or attest it in the policy",
    ),
    no_api(
        "auth.sso",
        "Fxiaoke's open API has no read for single sign-on enforcement; review the "
        "纷享免登 (Fxiaoke single sign-on) configuration in the admin console",
    ),
    no_api(
        "auth.password_policy",
        f"Fxiaoke's open API has no read for the enterprise password policy; review it in {ADMIN}",
    ),
    no_api(
        "auth.session_policy",
        f"Fxiaoke's open API has no read for session timeout settings; review them in {ADMIN}",
    ),
    no_api(
        "auth.network",
        "Fxiaoke's open API has no read for the enterprise's login IP allowlist; review it "
        f"in {ADMIN}. The scanning app's own IP allowlist (白名单 IP) is set in 管理后台 → "
        "应用列表 (app list) → the app → 开发模式 (developer mode)",
    ),
    no_api(
        "encryption.at_rest",
        "Fxiaoke manages storage encryption itself; the open API has no read for it. "
        "Attest it from Fxiaoke's security documentation or contract",
    ),
    no_api(
        "encryption.fields",
        "Fxiaoke's open API has no read for field-level encryption settings",
    ),
    no_api(
        "integrations",
        "Fxiaoke's open API has no read that lists the enterprise's apps; review them in "
        "管理后台 → 应用列表 (admin console → app list): each app's developer mode "
        "(开发模式), IP allowlist and CRM interface permissions (CRM 接口查询权限设置)",
    ),
    no_api(
        "integrations.oauth_tokens",
        "Fxiaoke's open API has no read for tokens issued to apps or employees",
    ),
    no_api(
        "monitoring",
        "Fxiaoke's open API has no read for how long login and audit logs are kept; review "
        f"retention in {ADMIN}",
    ),
    not_applicable(
        "roles",
        "Fxiaoke has no role hierarchy: CRM roles are in permission_sets and the "
        "department tree is in departments",
    ),
    not_applicable("health_check", "Fxiaoke has no security health check score"),
)

CAPABILITIES = Capabilities(DECLARATIONS)
