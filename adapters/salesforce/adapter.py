"""The Salesforce adapter: signs in, runs the collections concurrently, assembles them."""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib import resources
from typing import Any, ClassVar

import requests
from pydantic import ValidationError

from adapters.http import Deadline
from adapters.salesforce import collect_data as data_mod
from adapters.salesforce import collect_encryption as enc
from adapters.salesforce import collect_integrations as integ
from adapters.salesforce import collect_permissions as perms
from adapters.salesforce import collect_settings as settings_mod
from adapters.salesforce import collect_users as users_mod
from adapters.salesforce.assemble import Failed, assemble, prepare_users
from adapters.salesforce.auth import connect
from adapters.salesforce.baseline import Baseline
from adapters.salesforce.capabilities import SALESFORCE_CAPABILITIES
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
from scanner.errors import (
    CollectionError,
    MalformedResponseError,
    NotAvailableError,
    PermissionMissingError,
)
from scanner.evidence.raw import collecting, in_context
from scanner.model.capabilities import Capabilities
from scanner.model.inventory import (
    ApiUsage,
    Inventory,
    Tenant,
    Transport,
)

_log = logging.getLogger(__name__)

DEMO_INSTANCE = "https://acme-outfitters.my.salesforce.com"
DEMO_TOKEN = "demo-session-token-not-a-secret"
#: Seconds each connection of the TLS probe may take.
PROBE_TIMEOUT = 10.0
#: Raw evidence collection of tasks whose answer feeds several collections (by task):
#: SecuritySettings holds the MFA, SSO, password, session and network settings.
RAW_COLLECTIONS = {"security": "auth"}


@ADAPTERS.register("salesforce")
class SalesforceAdapter(Adapter):
    """Collects a Salesforce org through simple-salesforce (REST, Tooling, Metadata APIs)."""

    platform: ClassVar[str] = "salesforce"
    capabilities: ClassVar[Capabilities] = SALESFORCE_CAPABILITIES
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

    def _probe(self, url: str, deadline: Deadline) -> Inventory:
        """TLS facts of the instance endpoint, in a scratch inventory (value or gap).

        The probe's connections share what is left of the scan deadline.
        """
        scratch = Inventory(tenant=Tenant(platform=self.platform))
        if self.recorded_transport is not None:  # the offline demo: probed when recorded
            scratch.encryption.transport = self.recorded_transport
            return scratch
        deadline.check("TLS probe")
        timeout = deadline.bound(min(self.timeout, PROBE_TIMEOUT)) or PROBE_TIMEOUT
        record_transport(scratch, url, timeout=timeout)
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
                key_objects=tuple(self.fixed_scope.get("key_objects", ())),
                personal_data_objects=tuple(self.fixed_scope.get("personal_data_objects", ())),
                retention_days=int(self.fixed_scope.get("retention_days", scope.retention_days)),
            )
        baseline_path = scope.health_check_baseline or self.settings.get("health_check_baseline")
        baseline = Baseline.load(baseline_path) if baseline_path else None
        sf = connect(self.settings, self.session)
        deadline = Deadline.of(scope)
        client = SfClient(
            sf,
            reserve_percent=scope.api_reserve_percent,
            retries=self.retries,
            backoff=self.backoff,
            timeout=self.timeout,
            deadline=deadline,
        )
        progress.started("tenant")
        instance_url = self.settings.get("instance_url") or f"https://{sf.sf_instance}"
        try:
            with collecting("tenant"):
                inventory = Inventory(tenant=users_mod.fetch_tenant(client, instance_url))
        except CollectionError as exc:  # the deadline, the reserve, an outage: still report
            _log.info("salesforce tenant not collected: %s", exc)
            inventory = Inventory(tenant=Tenant(platform=self.platform, instance_url=instance_url))
            inventory.add_gap("tenant", exc.gap_reason, str(exc))
            progress.finished("tenant", False)
        else:
            progress.finished("tenant", True)
        # What the scanning user may see decides whether some answers are complete.
        identity: dict[str, bool] | None
        identity_error: CollectionError | None = None
        try:
            with collecting("tenant"):  # what the scanning user may see
                identity = users_mod.fetch_identity_permissions(client)
        except CollectionError as exc:
            _log.info("salesforce UserPermissionAccess not read: %s", exc)
            identity, identity_error = None, exc

        def needs_identity() -> dict[str, bool] | None:
            # A reserve, rate limit or outage that hid the permissions is that gap's reason.
            if identity_error is not None and not isinstance(
                identity_error, (PermissionMissingError, NotAvailableError)
            ):
                raise identity_error
            return identity

        tasks: dict[str, tuple[str, Callable[[], Any]]] = {
            # longest first, so the critical path starts at once
            "assignments": ("users.permissions", lambda: perms.fetch_assignments(client)),
            "users": ("users", lambda: users_mod.fetch_users(client)),
            "frozen": ("users.frozen", lambda: users_mod.fetch_frozen(client)),
            "sso": ("auth.sso", lambda: settings_mod.fetch_sso_configuration(client)),
            "audit_trail": ("monitoring", lambda: users_mod.fetch_audit_trail_start(client)),
            "mfa": ("users.mfa", lambda: users_mod.fetch_mfa(client)),
            "logins": (
                "users.login",
                lambda: users_mod.fetch_logins(client, scope.login_history_days, needs_identity()),
            ),
            "verified_logins": (
                "users.login_mfa",
                lambda: users_mod.fetch_verified_logins(client, scope.login_history_days),
            ),
            "permsets": ("permission_sets", lambda: perms.fetch_permission_sets(client)),
            "profiles": ("permission_sets", lambda: perms.fetch_profiles(client)),
            "groups": ("permission_sets", lambda: perms.fetch_groups(client)),
            "roles": (
                "roles",
                lambda: client.query(
                    "UserRole", ["Id", "Name", "ParentRoleId"], required=("Id", "Name")
                ),
            ),
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
            "oauth_tokens": (
                "integrations.oauth_tokens",
                lambda: integ.fetch_oauth_tokens(
                    client,
                    None if (ident := needs_identity()) is None else ident["CustomizeApplication"],
                ),
            ),
            "data": ("data", lambda: data_mod.fetch_all(client, scope)),
            "transport": (
                "encryption.transport",
                lambda: self._probe(instance_url, deadline),
            ),
        }

        grouped = _GroupedProgress(progress, [collection for collection, _ in tasks.values()])

        def run(name: str) -> Any:
            collection, fn = tasks[name]
            grouped.started(collection)
            try:
                with collecting(RAW_COLLECTIONS.get(name, collection)):
                    result = fn()
            except CollectionError as exc:
                _log.info("salesforce %s not collected: %s", name, exc)
                grouped.finished(collection, False)
                return Failed(exc)
            except ValidationError as exc:  # a value the inventory model cannot hold
                grouped.finished(collection, False)
                errors = exc.errors()
                where = ".".join(str(p) for p in errors[0]["loc"]) if errors else "?"
                message = errors[0]["msg"] if errors else str(exc)
                return Failed(
                    MalformedResponseError(
                        f"unexpected value in the {name} response ({where}: {message})"
                    )
                )
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                grouped.finished(collection, False)
                return Failed(
                    MalformedResponseError(
                        f"unexpected response shape in {name} ({type(exc).__name__}: {exc})"
                    )
                )
            grouped.finished(collection, True)
            return result

        with (
            _tuned_for_bulk_reads(),
            ThreadPoolExecutor(max_workers=max(1, scope.max_workers)) as pool,
        ):
            futures = {name: pool.submit(in_context(run), name) for name in tasks}
            early = (
                "users",
                "profiles",
                "roles",
                "mfa",
                "logins",
                "verified_logins",
                "frozen",
                "sso",
            )
            prepared = prepare_users(
                inventory, {name: futures[name].result() for name in early}, scope
            )
            results = {name: future.result() for name, future in futures.items()}
            assemble(inventory, results, scope, prepared)
            data = results["data"]
            data_mod.assemble_data(inventory, data.error if isinstance(data, Failed) else data)
        inventory.api_usage = ApiUsage(
            requests=client.usage.requests,
            daily_used=client.usage.daily_used,
            daily_limit=client.usage.daily_limit,
        )
        return inventory


class _GroupedProgress:
    """Reports each collection once, however many concurrent tasks feed it."""

    def __init__(self, progress: ProgressReporter, collections: list[str]) -> None:
        self._progress = progress
        self._remaining = Counter(collections)
        self._ok: dict[str, bool] = {}
        self._lock = threading.Lock()

    def started(self, collection: str) -> None:
        """Pass on the first start of ``collection``."""
        with self._lock:
            first = collection not in self._ok
            self._ok.setdefault(collection, True)
        if first:
            self._progress.started(collection)

    def finished(self, collection: str, ok: bool) -> None:
        """Pass on the end of ``collection`` once its last task ended."""
        with self._lock:
            self._remaining[collection] -= 1
            self._ok[collection] = self._ok.get(collection, True) and ok
            last = self._remaining[collection] == 0
        if last:
            self._progress.finished(collection, self._ok[collection])


@contextmanager
def _tuned_for_bulk_reads() -> Iterator[None]:
    """Tune the interpreter while a large org is read and assembled; restore it after.

    * The cyclic garbage collector is paused: hundreds of thousands of records and
      models are created, none in a cycle, and repeated full collections over them
      doubled the assembly time.
    * The GIL switch interval is shortened: a thread reading the longest paginated
      query gives up the GIL on every socket read and otherwise waits up to 5 ms to get
      it back from a thread parsing another page, which made that query (the scan's
      critical path) a third slower.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if was_enabled:
            gc.enable()
