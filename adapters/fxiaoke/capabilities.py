"""What Fxiaoke's open API provides, per inventory collection (docs/api/fxiaoke.md).

The open API reads the directory (departments, employees) and CRM roles with their
holders. It has no read for login history, MFA, IP allowlists, password or session
policy, field or object permissions of a role, or the enterprise's other apps: those
are ``no_api``, and each says what a person reviews instead and where. Console
locations are given in Chinese with an English gloss; where Fxiaoke's open-platform
documentation names no menu path, the review text says so instead of guessing one.
"""

from __future__ import annotations

from scanner.model.capabilities import Capabilities, Capability, Support

#: Where an enterprise administrator reviews what the API cannot read. The documentation
#: names the console (纷享销客网页版 → 管理后台) but no menu path for these settings.
ADMIN = "the admin console (纷享销客网页版 → 管理后台; the open-platform docs name no menu for it)"


def _no_api(collection: str, review: str) -> Capability:
    return Capability(collection=collection, support=Support.NO_API, review=review)


def _not_applicable(collection: str, why: str) -> Capability:
    return Capability(collection=collection, support=Support.NOT_APPLICABLE, review=why)


DECLARATIONS: tuple[Capability, ...] = (
    Capability(
        collection="users",
        support=Support.NEEDS_PERMISSION,
        requirement=(
            "a self-built app (企业自建应用) in developer mode (开发模式) whose data "
            "range covers every department (otherwise errorCode 20023)"
        ),
    ),
    Capability(
        collection="permission_sets",
        support=Support.NEEDS_PERMISSION,
        requirement=(
            "--open-user-id naming a CRM administrator (CRM管理员): role calls run with "
            "that employee's permissions"
        ),
    ),
    _no_api(
        "users.mfa",
        "Fxiaoke's open API has no read for whether an employee signs in with two-factor "
        f"verification; review each employee's login security in {ADMIN}, or attest it "
        "in the policy",
    ),
    _no_api(
        "users.last_login_at",
        f"Fxiaoke's open API has no read for an employee's last sign-in; review the login "
        f"log (登录日志) in {ADMIN}",
    ),
    _no_api(
        "users.never_logged_in",
        "Fxiaoke's open API has no read for whether an employee ever signed in; review the "
        f"login log (登录日志) in {ADMIN}",
    ),
    _no_api(
        "users.login",
        "Fxiaoke's open API has no read for login history; review the login log (登录日志) "
        f"in {ADMIN}",
    ),
    _no_api(
        "users.object_access",
        "Fxiaoke's open API lists CRM roles but not their function permissions (功能权限) "
        "per object; review each role's permissions in the CRM role pages (角色) of the "
        "admin console",
    ),
    _no_api(
        "field_permissions",
        "Fxiaoke's open API has no read for a role's field permissions (字段权限); review "
        "them in the CRM role pages (角色) of the admin console",
    ),
    _no_api(
        "permission_sets.ip_ranges",
        f"Fxiaoke's open API has no read for login IP restrictions; review them in {ADMIN}",
    ),
    _no_api(
        "permission_sets.password_policy",
        f"Fxiaoke's open API has no read for password rules; review them in {ADMIN}",
    ),
    _no_api(
        "auth.mfa",
        "Fxiaoke's open API has no read for whether two-factor verification is enforced "
        f"for the enterprise; review it in {ADMIN}, or attest it in the policy",
    ),
    _no_api(
        "auth.sso",
        "Fxiaoke's open API has no read for single sign-on enforcement; review the "
        "纷享免登 (Fxiaoke single sign-on) configuration in the admin console",
    ),
    _no_api(
        "auth.password_policy",
        f"Fxiaoke's open API has no read for the enterprise password policy; review it in {ADMIN}",
    ),
    _no_api(
        "auth.session_policy",
        f"Fxiaoke's open API has no read for session timeout settings; review them in {ADMIN}",
    ),
    _no_api(
        "auth.network",
        "Fxiaoke's open API has no read for the enterprise's login IP allowlist; review it "
        f"in {ADMIN}. The scanning app's own IP allowlist (白名单 IP) is set in 管理后台 → "
        "应用列表 (app list) → the app → 开发模式 (developer mode)",
    ),
    _no_api(
        "encryption.at_rest",
        "Fxiaoke manages storage encryption itself; the open API has no read for it",
    ),
    _no_api(
        "encryption.fields",
        "Fxiaoke's open API has no read for field-level encryption settings",
    ),
    _no_api(
        "integrations",
        "Fxiaoke's open API has no read that lists the enterprise's apps; review them in "
        "管理后台 → 应用列表 (admin console → app list): each app's developer mode "
        "(开发模式), IP allowlist and CRM interface permissions (CRM 接口查询权限设置)",
    ),
    _no_api(
        "integrations.oauth_tokens",
        "Fxiaoke's open API has no read for tokens issued to apps or employees",
    ),
    _no_api(
        "monitoring",
        "Fxiaoke's open API has no read for how long login and audit logs are kept; review "
        f"retention in {ADMIN}",
    ),
    _not_applicable(
        "roles",
        "Fxiaoke has no role hierarchy: CRM roles are in permission_sets and the "
        "department tree is in departments",
    ),
    _not_applicable("health_check", "Fxiaoke has no security health check score"),
)

CAPABILITIES = Capabilities(DECLARATIONS)
