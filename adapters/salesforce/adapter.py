"""The Salesforce adapter: signs in, runs the collections concurrently, assembles them."""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib import resources
from typing import Any, ClassVar

import requests

from adapters.salesforce import collect_encryption as enc
from adapters.salesforce import collect_integrations as integ
from adapters.salesforce import collect_permissions as perms
from adapters.salesforce import collect_settings as settings_mod
from adapters.salesforce import collect_users as users_mod
from adapters.salesforce.auth import connect
from adapters.salesforce.baseline import Baseline
from adapters.salesforce.client import SfClient
from adapters.salesforce.replay import ReplayAdapter
from adapters.transport_probe import record_transport
from scanner.adapter_api import (
    ADAPTERS,
    Adapter,
    AdapterOption,
    AdapterSettings,
    CollectionScope,
    ProgressReporter,
)
from scanner.errors import CollectionError, MalformedResponseError
from scanner.inventory import (
    ApiUsage,
    GapReason,
    Integration,
    Inventory,
    LoginSummary,
    Mfa,
    Role,
    Tenant,
    Transport,
    User,
)

_log = logging.getLogger(__name__)

#: Salesforce keeps LoginHistory and the Setup Audit Trail for six months on every org.
PLATFORM_RETENTION_DAYS = 180
DEMO_INSTANCE = "https://acme-outfitters.my.salesforce.com"
DEMO_TOKEN = "demo-session-token-not-a-secret"


class _Failed:
    """The result of a collection task that raised a CollectionError."""

    def __init__(self, error: CollectionError) -> None:
        self.error = error


@ADAPTERS.register("salesforce")
class SalesforceAdapter(Adapter):
    """Collects a Salesforce org through simple-salesforce (REST, Tooling, Metadata APIs)."""

    platform: ClassVar[str] = "salesforce"
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(
            "instance_url", "Instance URL, e.g. https://acme.my.salesforce.com", "SF_INSTANCE_URL"
        ),
        AdapterOption(
            "access_token", "OAuth access token / session id", "SF_ACCESS_TOKEN", secret=True
        ),
        AdapterOption("username", "Username of the scanning user", "SF_USERNAME"),
        AdapterOption("password", "Password of the scanning user", "SF_PASSWORD", secret=True),
        AdapterOption(
            "security_token",
            "Security token of the scanning user",
            "SF_SECURITY_TOKEN",
            secret=True,
        ),
        AdapterOption("client_id", "Connected app consumer key", "SF_CLIENT_ID"),
        AdapterOption(
            "client_secret", "Connected app consumer secret", "SF_CLIENT_SECRET", secret=True
        ),
        AdapterOption(
            "jwt_key_file", "Private key file for the OAuth JWT bearer flow", "SF_JWT_KEY_FILE"
        ),
        AdapterOption(
            "domain",
            "login (production), test (sandbox) or your My Domain (e.g. acme.my)",
            "SF_DOMAIN",
        ),
        AdapterOption("api_version", "Salesforce API version (default 62.0)", "SF_API_VERSION"),
        AdapterOption(
            "health_check_baseline",
            "Health Check custom baseline XML to judge the settings against",
            "SF_HEALTH_CHECK_BASELINE",
        ),
    )

    def __init__(
        self,
        settings: AdapterSettings,
        *,
        session: requests.Session | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(settings)
        self.session = session
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self.fixed_scope: dict[str, Any] | None = None
        self.recorded_transport: Transport | None = None

    @classmethod
    def demo(cls) -> SalesforceAdapter:
        """An adapter that replays the bundled recording of the "Acme Outfitters" org.

        No network and no certificates: every request is answered from
        ``adapters/salesforce/demo/recording.json``. The scope (sensitive objects and
        fields, login window) is the recording's, whatever the caller asks for.
        """
        text = (
            resources.files("adapters.salesforce")
            .joinpath("demo/recording.json")
            .read_text(encoding="utf-8")
        )
        recording = json.loads(text)
        session = requests.Session()
        session.trust_env = False
        session.mount("https://", ReplayAdapter(recording))
        adapter = cls(
            AdapterSettings(
                {
                    "instance_url": recording["instance_url"],
                    "access_token": DEMO_TOKEN,
                    "api_version": recording["api_version"],
                }
            ),
            session=session,
            retries=0,
        )
        adapter.fixed_scope = recording["scope"]
        adapter.recorded_transport = Transport.model_validate(recording["transport"])
        return adapter

    def _probe(self, url: str) -> Inventory:
        """TLS facts of the instance endpoint, in a scratch inventory (value or gap)."""
        scratch = Inventory(tenant=Tenant(platform=self.platform))
        if self.recorded_transport is not None:  # the offline demo: probed when recorded
            scratch.encryption.transport = self.recorded_transport
        else:
            record_transport(scratch, url, timeout=self.timeout)
        return scratch

    # -- collection --------------------------------------------------------------------
    def collect(self, scope: CollectionScope, progress: ProgressReporter) -> Inventory:
        """Sign in, fetch every collection, and normalize them into an Inventory."""
        if self.fixed_scope:
            scope = dataclasses.replace(
                scope,
                sensitive_objects=tuple(self.fixed_scope["sensitive_objects"]),
                sensitive_fields=tuple(self.fixed_scope["sensitive_fields"]),
                login_history_days=self.fixed_scope["login_history_days"],
            )
        baseline_path = scope.health_check_baseline or self.settings.get("health_check_baseline")
        baseline = Baseline.load(baseline_path) if baseline_path else None
        sf = connect(self.settings, self.session)
        client = SfClient(
            sf,
            reserve_percent=scope.api_reserve_percent,
            retries=self.retries,
            backoff=self.backoff,
            timeout=self.timeout,
        )
        progress.started("tenant")
        instance_url = self.settings.get("instance_url") or f"https://{sf.sf_instance}"
        inventory = Inventory(tenant=users_mod.fetch_tenant(client, instance_url))
        progress.finished("tenant", True)

        tasks: dict[str, tuple[str, Callable[[], Any]]] = {
            # longest first, so the critical path starts at once
            "assignments": ("users.permissions", lambda: perms.fetch_assignments(client)),
            "users": ("users", lambda: users_mod.fetch_users(client)),
            "mfa": ("users.mfa", lambda: users_mod.fetch_mfa(client)),
            "logins": (
                "users.login",
                lambda: users_mod.fetch_logins(client, scope.login_history_days),
            ),
            "permsets": ("permission_sets", lambda: perms.fetch_permission_sets(client)),
            "profiles": ("permission_sets", lambda: perms.fetch_profiles(client)),
            "groups": ("permission_sets", lambda: perms.fetch_groups(client)),
            "roles": ("roles", lambda: client.query("UserRole", ["Id", "Name", "ParentRoleId"])),
            "object_perms": (
                "users.object_access",
                lambda: perms.fetch_object_permissions(client, scope.sensitive_objects),
            ),
            "field_perms": (
                "field_permissions",
                lambda: perms.fetch_field_permissions(client, scope.sensitive_fields),
            ),
            "ip_ranges": (
                "permission_sets.ip_ranges",
                lambda: settings_mod.fetch_login_ip_ranges(client),
            ),
            "password_policies": (
                "permission_sets.password_policy",
                lambda: settings_mod.fetch_profile_password_policies(client),
            ),
            "security": (
                "auth.session_policy",
                lambda: settings_mod.fetch_security_settings(client),
            ),
            "health_check": (
                "health_check",
                lambda: settings_mod.fetch_health_check(client, baseline),
            ),
            "keys": ("encryption.at_rest", lambda: enc.fetch_keys(client)),
            "deterministic": (
                "encryption.at_rest",
                lambda: enc.fetch_deterministic_setting(client),
            ),
            "field_encryption": (
                "encryption.fields",
                lambda: enc.fetch_field_encryption(client, scope.sensitive_fields),
            ),
            "connected_apps": ("integrations", lambda: integ.fetch_connected_apps(client)),
            "named_credentials": ("integrations", lambda: integ.fetch_named_credentials(client)),
            "remote_sites": ("integrations", lambda: integ.fetch_remote_sites(client)),
            "oauth_tokens": ("integrations.oauth_tokens", lambda: integ.fetch_oauth_tokens(client)),
            "transport": ("encryption.transport", lambda: self._probe(instance_url)),
        }

        def run(name: str) -> Any:
            collection, fn = tasks[name]
            progress.started(collection)
            try:
                result = fn()
            except CollectionError as exc:
                _log.info("salesforce %s not collected: %s", name, exc)
                progress.finished(collection, False)
                return _Failed(exc)
            except (KeyError, TypeError, AttributeError) as exc:
                progress.finished(collection, False)
                return _Failed(
                    MalformedResponseError(
                        f"unexpected response shape ({type(exc).__name__}: {exc})"
                    )
                )
            progress.finished(collection, True)
            return result

        with _cyclic_gc_paused(), ThreadPoolExecutor(max_workers=max(1, scope.max_workers)) as pool:
            futures = {name: pool.submit(run, name) for name in tasks}
            early = ("users", "profiles", "roles", "mfa", "logins")
            prepared = _prepare_users(
                inventory, {name: futures[name].result() for name in early}, scope
            )
            results = {name: future.result() for name, future in futures.items()}
            _assemble(inventory, results, scope, prepared)
        inventory.api_usage = ApiUsage(
            requests=client.usage.requests,
            daily_used=client.usage.daily_used,
            daily_limit=client.usage.daily_limit,
        )
        return inventory


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large org is read and assembled.

    Hundreds of thousands of records and models are created and none of them form
    cycles; repeated full collections over them would double the assembly time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _gap(inventory: Inventory, collection: str, failure: _Failed) -> None:
    inventory.add_gap(collection, failure.error.gap_reason, str(failure.error))


def _ok(results: dict[str, Any], *names: str) -> bool:
    return not any(isinstance(results[n], _Failed) for n in names)


def _first_failure(results: dict[str, Any], *names: str) -> _Failed | None:
    return next((results[n] for n in names if isinstance(results[n], _Failed)), None)


def _assemble(
    inv: Inventory,
    results: dict[str, Any],
    scope: CollectionScope,
    prepared: list[tuple[User, dict[str, Any]]] | None,
) -> None:
    users_raw: list[dict[str, Any]] | None = (
        None if isinstance(results["users"], _Failed) else results["users"]
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
    assignments = None if isinstance(results["assignments"], _Failed) else results["assignments"]
    if assignments is None:
        _gap(inv, "users.permissions", results["assignments"])

    if resolver is not None:
        permission_sets = resolver.permission_sets(users_raw, assignments)
        _attach_profile_settings(inv, permission_sets, results)
        inv.permission_sets = permission_sets
        if _ok(results, "field_perms"):
            inv.field_permissions = resolver.field_permissions(
                results["field_perms"], permission_sets
            )
    for name in ("field_perms",):
        if not _ok(results, name):
            _gap(inv, "field_permissions", results[name])
    if resolver is None and _ok(results, "field_perms"):
        _gap(inv, "field_permissions", _Failed(failure.error))  # type: ignore[union-attr]

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
    inv.monitoring.login_history_days = PLATFORM_RETENTION_DAYS
    inv.monitoring.audit_log_days = PLATFORM_RETENTION_DAYS


def _attach_profile_settings(
    inv: Inventory, permission_sets: list[Any], results: dict[str, Any]
) -> None:
    ranges = None if isinstance(results["ip_ranges"], _Failed) else results["ip_ranges"]
    policies = (
        None if isinstance(results["password_policies"], _Failed) else results["password_policies"]
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
            entry.password_policy = policies.get(entry.name)


def _prepare_users(
    inv: Inventory, results: dict[str, Any], scope: CollectionScope
) -> list[tuple[User, dict[str, Any]]] | None:
    """Users with everything that does not depend on permission assignments.

    Runs while the assignments (the longest collection) are still being read, so only
    the permission part remains for after the last page.
    """
    if isinstance(results["users"], _Failed):
        _gap(inv, "users", results["users"])
        return None
    mfa = None if isinstance(results["mfa"], _Failed) else results["mfa"]
    if mfa is None:
        _gap(inv, "users.mfa", results["mfa"])
    logins, sso = (None, None) if isinstance(results["logins"], _Failed) else results["logins"]
    if logins is None:
        _gap(inv, "users.login", results["logins"])
    roles = (
        {}
        if isinstance(results["roles"], _Failed)
        else {r["Id"]: r["Name"] for r in results["roles"]}
    )
    profiles = {} if isinstance(results["profiles"], _Failed) else results["profiles"][0]
    no_mfa = Mfa(status="not_enrolled", methods=[], phishing_resistant=False)
    no_logins = LoginSummary(
        window_days=scope.login_history_days,
        successes=0,
        successes_without_mfa=0,
        failures=0,
        max_failures_per_hour=0,
    )
    out = []
    for u in results["users"]:
        profile = profiles.get(u.get("ProfileId") or "")
        last_login = users_mod.parse_datetime(u.get("LastLoginDate"))
        user = User.model_construct(
            id=u["Id"],
            username=u.get("Username"),
            name=u.get("Name"),
            email=u.get("Email"),
            active=u.get("IsActive"),
            kind=None,
            created_at=users_mod.parse_datetime(u.get("CreatedDate")),
            last_login_at=last_login,
            never_logged_in=last_login is None,
            profile=profile["Name"] if profile else None,
            profile_id=u.get("ProfileId"),
            role=roles.get(u.get("UserRoleId") or ""),
            teams=None,
            permission_sets=None,
            permissions=None,
            raw_permissions=None,
            grants=None,
            mfa=(mfa.get(u["Id"], no_mfa) if mfa is not None else None),
            sso=(sso.get(u["Id"], False) if sso is not None else None),
            login=(logins.get(u["Id"], no_logins) if logins is not None else None),
            object_access=None,
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
    object_perms = None if isinstance(results["object_perms"], _Failed) else results["object_perms"]
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
    for user, u in prepared:
        profile = profiles.get(u.get("ProfileId") or "")
        license_name = licenses.get(profile.get("UserLicenseId") or "") if profile else None
        values: dict[str, Any] = {}
        kind_raw: set[str] | None = None
        if resolver is not None:
            sources = resolver.user_sources(u.get("ProfileId"), by_user.get(u["Id"], []))
            kind_raw = set().union(*(s.raw for s in sources)) if sources else set()
            if assignments is not None:
                permissions, raw_permissions, grants = resolver.grants(sources)
                values.update(
                    permissions=permissions,
                    raw_permissions=raw_permissions,
                    grants=grants,
                    permission_sets=[s.name for s in sources if s.kind != "profile"],
                )
                if object_perms is not None:
                    values["object_access"] = resolver.object_access(
                        sources, raw_permissions, scope.sensitive_objects, object_perms
                    )
        values["kind"] = users_mod.user_kind(u, user.profile, license_name, kind_raw)
        # Every field was set at construction; updating __dict__ skips per-field
        # assignment overhead, which adds up over tens of thousands of users.
        user.__dict__.update(values)
    return [user for user, _ in prepared]


def _settings(inv: Inventory, results: dict[str, Any]) -> None:
    security = results["security"]
    if isinstance(security, _Failed):
        for collection in (
            "auth.mfa",
            "auth.password_policy",
            "auth.session_policy",
            "auth.network",
        ):
            _gap(inv, collection, security)
    else:
        inv.auth = security
    inv.add_gap(
        "auth.sso",
        GapReason.NOT_AVAILABLE,
        "the Salesforce adapter does not read My Domain / SSO login settings yet",
    )
    if isinstance(results["health_check"], _Failed):
        _gap(inv, "health_check", results["health_check"])
    else:
        inv.health_check = results["health_check"]


def _encryption(inv: Inventory, results: dict[str, Any]) -> None:
    probed = results["transport"]
    if isinstance(probed, _Failed):
        _gap(inv, "encryption.transport", probed)
    else:
        inv.encryption.transport = probed.encryption.transport
        for gap in probed.gaps:
            inv.add_gap(gap.collection, gap.reason, gap.detail)
    if isinstance(results["keys"], _Failed):
        _gap(inv, "encryption.at_rest", results["keys"])
    else:
        inv.encryption.keys = results["keys"]
        inv.encryption.at_rest_enabled = enc.at_rest_enabled(results["keys"])
    if not isinstance(results["deterministic"], _Failed):
        inv.encryption.deterministic_enabled = results["deterministic"]
    if isinstance(results["field_encryption"], _Failed):
        _gap(inv, "encryption.fields", results["field_encryption"])
    else:
        inv.encryption.fields = results["field_encryption"]


def _integrations(
    inv: Inventory, results: dict[str, Any], users_raw: list[dict[str, Any]] | None
) -> None:
    parts = ("connected_apps", "named_credentials", "remote_sites")
    found: list[Integration] = []
    for name in parts:
        if isinstance(results[name], _Failed):
            _gap(inv, "integrations", results[name])
        else:
            found.extend(results[name])
    if isinstance(results["oauth_tokens"], _Failed):
        _gap(inv, "integrations.oauth_tokens", results["oauth_tokens"])
    else:
        usernames = {u["Id"]: u.get("Username") for u in users_raw or []}
        for token in results["oauth_tokens"]:
            token.user = usernames.get(token.user or "") or token.user
        found.extend(results["oauth_tokens"])
    if _ok(results, *parts) or found:
        inv.integrations = found
