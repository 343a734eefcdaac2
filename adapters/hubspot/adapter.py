"""The HubSpot adapter: collects one account into an `Inventory`, read-only.

The credential is a legacy private app's access token (``--access-token``) or a service
key (``--service-key``), HubSpot's replacement for server-to-server access; both are sent
as ``Authorization: Bearer`` and carry scopes. Order matters only for authentication:
account details go first, so a bad credential fails the scan at once with
`AuthenticationError` (exit 2) before anything else is asked. Every later failure becomes
a gap on the collection it affects and the scan goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, ClassVar

import httpx

from adapters.http import Deadline, require_https
from adapters.http.tls import host_of
from adapters.hubspot import evidence as security_log
from adapters.hubspot import normalize
from adapters.hubspot.capabilities import HUBSPOT_CAPABILITIES
from adapters.hubspot.client import DEFAULT_BASE_URL, HubSpotHttp
from adapters.hubspot.sdk import HsRole, HsTeam, HsUser, SettingsReader
from adapters.hubspot.wire import CallLog, Forbidden, Sleep, retry_core
from adapters.hubspot.wire import as_dict as _object
from adapters.hubspot.wire import as_list as _list
from adapters.transport_probe import record_transport
from scanner.adapter_api import (
    ADAPTERS,
    Adapter,
    AdapterOption,
    AdapterSettings,
    CollectionScope,
    ProgressReporter,
)
from scanner.errors import (
    ApiError,
    CollectionError,
    ConfigError,
    DeadlineReachedError,
    MalformedResponseError,
)
from scanner.evidence.raw import collecting
from scanner.model.capabilities import Capabilities
from scanner.model.inventory import ApiUsage, GapReason, Integration, Inventory, User
from scanner.redact import register_secret

_log = logging.getLogger(__name__)

SECURITY_SCOPE = "account-info.security.read"
OWNERS_SCOPE = "crm.objects.owners.read"
ACTIVITY_PAGE_LIMIT = 200  # login and security activity: HubSpot's maximum page size
#: CRM owners: HubSpot documents 100 as the default page size and no maximum.
OWNERS_PAGE_LIMIT = 100
AUDIT_PROBE_LIMIT = 1
#: Seconds per connection of the transport probe, and how many it makes at most (one
#: handshake per TLS version, then one HTTPS GET for the HSTS header).
PROBE_TIMEOUT = 10.0
PROBE_CONNECTIONS = 5


@ADAPTERS.register("hubspot")
class HubSpotAdapter(Adapter):
    """Reads users, roles, teams, account details and activity from one HubSpot account."""

    platform: ClassVar[str] = "hubspot"
    capabilities: ClassVar[Capabilities] = HUBSPOT_CAPABILITIES
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(
            "access_token",
            "HubSpot legacy private-app access token",
            envvar="HUBSPOT_ACCESS_TOKEN",
            secret=True,
        ),
        AdapterOption(
            "service_key",
            "HubSpot service key (Development > Keys > Service keys)",
            envvar="HUBSPOT_SERVICE_KEY",
            secret=True,
        ),
        AdapterOption(
            "base_url",
            f"HubSpot API base URL (default {DEFAULT_BASE_URL})",
            envvar="HUBSPOT_BASE_URL",
        ),
    )

    def __init__(
        self,
        settings: AdapterSettings,
        *,
        sleep: Sleep = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        transport: httpx.BaseTransport | None = None,
        read_timeout: float = 30.0,
    ) -> None:
        super().__init__(settings)
        self._sleep = sleep
        self._clock = clock
        self._transport = transport
        self._read_timeout = read_timeout
        self.calls = CallLog()

    def credential(self) -> tuple[str, str]:
        """(kind, secret): ``private_app`` or ``service_key``; `ConfigError` unless one."""
        token = (self.settings.get("access_token") or "").strip()
        key = (self.settings.get("service_key") or "").strip()
        if token and key:
            raise ConfigError(
                "HubSpot: give either a private-app access token (--access-token / "
                "HUBSPOT_ACCESS_TOKEN) or a service key (--service-key / HUBSPOT_SERVICE_KEY), "
                "not both"
            )
        if not (token or key):
            raise ConfigError(
                "HubSpot needs a service key (--service-key or HUBSPOT_SERVICE_KEY) or a "
                "legacy private-app access token (--access-token or HUBSPOT_ACCESS_TOKEN)"
            )
        return ("service_key", key) if key else ("private_app", token)

    def collect(self, scope: CollectionScope, progress: ProgressReporter) -> Inventory:
        """Collect the account; see the module docstring for what becomes a gap."""
        kind, token = self.credential()
        register_secret(token)
        base_url = require_https(self.settings.get("base_url") or DEFAULT_BASE_URL)
        now = self._clock()
        self.calls = CallLog(reserve_percent=scope.api_reserve_percent)
        # One retry core for both transports: one request count, one deadline, and one
        # notion of "the first call" (a 401 or a connection failure then stops the scan).
        core = retry_core(self.calls, self._sleep, Deadline.of(scope))
        timeout = self._read_timeout
        http = HubSpotHttp(
            base_url, token, calls=self.calls, core=core, transport=self._transport, timeout=timeout
        )
        settings_api = SettingsReader(base_url, token, calls=self.calls, core=core, timeout=timeout)
        try:
            return _Collection(self, http, settings_api, base_url, now, progress, kind).run()
        finally:
            http.close()


class _Collection:
    """One scan's state: what was collected so far and the inventory being filled."""

    def __init__(
        self,
        adapter: HubSpotAdapter,
        http: HubSpotHttp,
        settings_api: SettingsReader,
        base_url: str,
        now: datetime,
        progress: ProgressReporter,
        credential_kind: str,
    ) -> None:
        self.credential_kind = credential_kind
        self.http = http
        self.calls = adapter.calls
        self.deadline = http.core.deadline
        self.settings_api = settings_api
        self.base_url = base_url
        self.now = now
        self.progress = progress
        self.inv = Inventory(tenant=normalize.tenant(None, base_url, now))

    @contextmanager
    def _step(self, collection: str, gap: str | None = None) -> Iterator[list[bool]]:
        """Report progress; turn a `CollectionError` into a gap on ``gap`` (or collection)."""
        self.progress.started(collection)
        ok = [True]
        try:
            with collecting(collection):  # raw evidence: what this step reads
                yield ok
        except CollectionError as exc:
            ok[0] = False
            _log.warning("HubSpot %s not collected: %s", collection, exc)
            self.inv.add_gap(gap or collection, exc.gap_reason, str(exc))
        except BaseException:
            ok[0] = False
            raise
        finally:
            self.progress.finished(collection, ok[0])

    def run(self) -> Inventory:
        inv = self.inv
        details: dict[str, Any] | None = None
        with self._step("tenant"):
            details = _object(
                self.http.get(
                    "/account-info/v3/details",
                    what="account details",
                    scope="oauth",
                ),
                "details",
            )
            inv.tenant = normalize.tenant(details, self.base_url, self.now)

        hs_users = self._users()
        roles = self._roles()
        teams = self._teams()
        owners = self._owners()
        logins = self._logins()
        security = self._security()
        self._audit_log()

        evidence = self._evidence(security, hs_users)
        if hs_users is not None:
            status = normalize.user_status(
                hs_users,
                active_owners=owners[0] if owners else None,
                archived_owners=owners[1] if owners else None,
                evidence=evidence,
            )
            self._note_unclassified(status, owners is not None)
            inv.users = self._normalize_users(hs_users, roles, teams, logins, evidence, status)
            if roles is not None:
                inv.permission_sets = normalize.permission_sets(roles, hs_users, status)
        inv.monitoring.login_history_days = (
            normalize.LOGIN_WINDOW_DAYS if logins is not None else None
        )
        self._integrations(hs_users, evidence)
        self._api_usage()
        with self._step("encryption.transport"):
            self._probe_transport()
        if evidence is not None and evidence.sso_required is not None:
            # The latest REQUIRE/UNREQUIRE_SINGLE_SIGN_ON event is the requirement's state.
            inv.auth.sso_enforced = evidence.sso_required.value
        inv.extra["hubspot"] = {
            "pages": dict(self.calls.pages),
            "retries": self.calls.retries,
            "credential": self.credential_kind,
            "details": {
                k: details.get(k)
                for k in ("timeZone", "dataHostingLocation", "uiDomain", "companyCurrency")
            }
            if details
            else None,
            "security_activity_events": len(security) if security is not None else None,
            "security_evidence": _evidence_summary(evidence),
        }
        self.calls.record_into(inv)
        return inv

    def _normalize_users(
        self,
        hs_users: list[HsUser],
        roles: list[HsRole] | None,
        teams: list[HsTeam] | None,
        logins: list[dict[str, Any]] | None,
        evidence: security_log.Evidence | None,
        status: dict[str, bool | None],
    ) -> list[User]:
        def build(history: list[dict[str, Any]] | None) -> list[User]:
            return normalize.users(
                hs_users,
                roles=roles,
                teams=teams,
                logins=history,
                evidence=evidence,
                status=status,
                now=self.now,
            )

        try:
            return build(logins)
        except normalize.UnattributedLogin as exc:
            self.inv.add_gap("users.login", GapReason.MALFORMED_RESPONSE, f"login activity: {exc}")
            self.inv.monitoring.login_history_days = None
            return build(None)

    def _evidence(
        self, security: list[dict[str, Any]] | None, hs_users: list[HsUser] | None
    ) -> security_log.Evidence | None:
        """What the security log proves, or None (not read, or an event unreadable)."""
        if security is None:
            return None
        try:
            return security_log.read(security, (u.id for u in hs_users or []))
        except security_log.UnreadableLog as exc:
            self.inv.add_gap(
                "monitoring.security_activity",
                GapReason.MALFORMED_RESPONSE,
                f"security activity: {exc}; no security event is used as evidence",
            )
            return None

    def _note_unclassified(self, status: dict[str, bool | None], owners_read: bool) -> None:
        """Users whose status nothing shows: a gap naming them, never "active"."""
        unknown = sorted(uid for uid, state in status.items() if state is None)
        if not unknown:
            return
        shown = ", ".join(unknown[:10]) + (
            f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        )
        why = (
            "the CRM owners API lists no active or archived owner for them"
            if owners_read
            else f"the CRM owners API was not read (scope {OWNERS_SCOPE})"
        )
        self.inv.add_gap(
            "users.active",
            GapReason.API_ERROR if owners_read else GapReason.PERMISSION_MISSING,
            f"whether {len(unknown)} user(s) ({shown}) are active or deactivated is unknown: "
            f"{why}, and no security event shows their status; checks on them say ERROR",
        )

    def _probe_transport(self) -> None:
        """The TLS probe of the API host, within what is left of the scan deadline."""
        self.deadline.check("TLS probe")
        hang = self.http.core.hang_of(host_of(self.base_url))
        if hang is not None:
            raise ApiError(f"TLS probe: not run: {hang}")
        left = self.deadline.remaining()
        # The probe makes up to PROBE_CONNECTIONS connections, each bounded by ``timeout``.
        timeout = PROBE_TIMEOUT if left is None else min(PROBE_TIMEOUT, left / PROBE_CONNECTIONS)
        if timeout < 1.0:
            raise DeadlineReachedError(
                f"TLS probe: not run: only {left:.1f} s were left before the scan deadline"
            )
        record_transport(self.inv, self.base_url, timeout=timeout)

    def _users(self) -> list[HsUser] | None:
        with self._step("users"):
            found: list[HsUser] = []
            for page in self.settings_api.user_pages():
                found.extend(page)
            return found
        return None

    def _roles(self) -> list[HsRole] | None:
        with self._step("permission_sets"):
            return self.settings_api.roles()
        return None

    def _teams(self) -> list[HsTeam] | None:
        with self._step("users.teams"):
            return self.settings_api.teams()
        return None

    def _owners(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        """Active and archived CRM owners (a deactivated user is an archived owner)."""
        with self._step("users.active"):
            listed: list[list[dict[str, Any]]] = []
            for archived in ("false", "true"):
                rows: list[dict[str, Any]] = []
                for page in self.http.pages(
                    "/crm/v3/owners",
                    {"limit": OWNERS_PAGE_LIMIT, "archived": archived},
                    collection="owners_archived" if archived == "true" else "owners",
                    what=f"CRM owners (archived={archived})",
                    scope=OWNERS_SCOPE,
                ):
                    rows.extend(page)
                listed.append(rows)
            return listed[0], listed[1]
        return None

    def _logins(self) -> list[dict[str, Any]] | None:
        with self._step("users.login"):
            events: list[dict[str, Any]] = []
            for page in self.http.pages(
                "/account-info/v3/activity/login",
                {"limit": ACTIVITY_PAGE_LIMIT},
                collection="login_activity",
                what="login activity",
                scope=SECURITY_SCOPE,
            ):
                events.extend(page)
            return events
        return None

    def _security(self) -> list[dict[str, Any]] | None:
        # The whole log: the latest change event of a kind is only evidence of the current
        # state when every later event was read too (see adapters.hubspot.evidence).
        with self._step("monitoring.security_activity"):
            events: list[dict[str, Any]] = []
            for page in self.http.pages(
                "/account-info/v3/activity/security",
                {"limit": ACTIVITY_PAGE_LIMIT},
                collection="security_activity",
                what="security activity",
                scope=SECURITY_SCOPE,
            ):
                events.extend(page)
            return events
        return None

    def _audit_log(self) -> None:
        """Probe the audit-log API: Enterprise tiers have it, others answer 403."""
        with self._step("monitoring.audit_log"):
            try:
                body = _object(
                    self.http.get(
                        "/account-info/v3/activity/audit-logs",
                        {"limit": AUDIT_PROBE_LIMIT},
                        what="audit logs",
                        scope=SECURITY_SCOPE,
                    ),
                    "audit logs",
                )
            except Forbidden as exc:
                if exc.category == "MISSING_SCOPES" or exc.scopes:
                    raise
                self.inv.monitoring.audit_log_available = False
                self.inv.add_gap(
                    "monitoring.audit_log",
                    GapReason.NOT_AVAILABLE,
                    "the audit-log API is for Enterprise accounts only; this account "
                    f"answered 403 {exc.category or 'FORBIDDEN'}",
                )
                return
            _list(body.get("results"), "audit logs")
            self.calls.page("audit_log")
            self.inv.monitoring.audit_log_available = True

    def _integrations(
        self, hs_users: list[HsUser] | None, evidence: security_log.Evidence | None
    ) -> None:
        emails = {u.id: u.email for u in hs_users or []}
        service_key = self.credential_kind == "service_key"
        with self._step("integrations"):
            info = self.http.token_info()
            app_id = info.get("appId")
            if app_id is None or isinstance(app_id, bool):
                raise MalformedResponseError("credential token info: malformed response: no appId")
            scopes = _list(info.get("scopes"), "credential token info scopes")
            user_id = str(info.get("userId")) if info.get("userId") is not None else None
            noun = "service key" if service_key else "private app"
            self.inv.integrations = [
                Integration(
                    id=str(app_id),
                    name=f"{noun} {app_id} (the credential this scan used)",
                    kind="api_token" if service_key else "private_app",
                    app=str(app_id),
                    scopes=sorted(str(s) for s in scopes),
                    user=emails.get(user_id or "", user_id),
                    active=True,
                )
            ]
        # Only the scanning credential can be seen: HubSpot has no API listing private
        # apps or service keys (declared in HUBSPOT_CAPABILITIES, so checks add one
        # MANUAL for the rest); the security log's credential changes are in extra.

    def _api_usage(self) -> None:
        with self._step("api_usage", gap="integrations") as ok:
            body = _object(
                self.http.get(
                    "/account-info/v3/api-usage/daily/private-apps",
                    what="private-app API usage",
                    scope="(none beyond a valid token)",
                ),
                "api usage",
            )
            for item in _list(body.get("results"), "api usage"):
                if isinstance(item, dict) and item.get("name") == "private-apps-api-calls-daily":
                    self.inv.api_usage = ApiUsage(
                        daily_used=_int(item.get("currentUsage")),
                        daily_limit=_int(item.get("usageLimit")),
                    )
        if not ok[0] or self.inv.api_usage is None:
            limit, remaining = self.calls.daily_limit, self.calls.daily_remaining
            if limit is not None:
                used = limit - remaining if remaining is not None else None
                self.inv.api_usage = ApiUsage(daily_limit=limit, daily_used=used)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _when(change: security_log.Change) -> str:
    who = f" by {change.actor}" if change.actor else ""
    return f"{change.type} on {change.at.date().isoformat()}{who} (event {change.event_id})"


def _evidence_summary(evidence: security_log.Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {
        "users_added": len(evidence.added),
        "user_status_changes": {uid: _when(c) for uid, c in evidence.status.items()},
        "second_factor_users": len(evidence.factors),
        "sso_required": _when(evidence.sso_required) if evidence.sso_required else None,
        "ip_restrictions": _when(evidence.ip_restrictions) if evidence.ip_restrictions else None,
        "credential_changes": [_when(c) for c in evidence.credential_changes],
    }
