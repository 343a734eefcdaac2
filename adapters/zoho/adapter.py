"""The Zoho CRM adapter: one org's users, roles, profiles and settings, read-only, via v8.

Sign-in comes first (the refresh-token grant at the data centre's accounts server), so
refused credentials stop the scan with exit 2 before anything else is asked; the org
record comes next, as its edition sets the per-app concurrency cap for the rest. Every
later failure becomes a gap on the collection it affects and the scan goes on.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import resources
from typing import Any, ClassVar

import httpx

from adapters.http import Deadline, Exchange, RequestStats, RetryCore, RetryPolicy
from adapters.transport_probe import record_transport
from adapters.zoho import capabilities as zoho_capabilities
from adapters.zoho.auth import TOKEN_PATH, ClientCredentials, ZohoTokens
from adapters.zoho.client import ZohoApi
from adapters.zoho.collection import Collection
from adapters.zoho.datacentres import DATA_CENTRES, data_centre
from adapters.zoho.limits import concurrency_cap
from adapters.zoho.replay import ReplayTransport
from adapters.zoho.wire import ApiCalls
from scanner.adapter_api import (
    ADAPTERS,
    Adapter,
    AdapterOption,
    AdapterSettings,
    CollectionScope,
    ProgressReporter,
)
from scanner.errors import ApiReserveReachedError, ConfigError
from scanner.model.capabilities import Capabilities
from scanner.model.inventory import Inventory, Transport

DEMO_ACCOUNTS_URL = "https://accounts.zoho.com"


def demo_credentials() -> ClientCredentials:
    """The sample org's (made-up) client: registered as secrets only when the demo runs,
    not on import, where they would make every scan redact its reports byte by byte."""
    return ClientCredentials(
        "1000.DEMOCLIENTNORTHWIND", "demo-client-secret", "1000.demo-refresh-token"
    )


#: Days of audit log a ``--audit-log-export`` job covers.
AUDIT_EXPORT_DAYS = 30


@ADAPTERS.register("zoho")
class ZohoAdapter(Adapter):
    """Reads one Zoho CRM org through the v8 REST API."""

    platform: ClassVar[str] = "zoho"
    capabilities: ClassVar[Capabilities] = zoho_capabilities.ZOHO_CAPABILITIES
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(
            "client_id", "Zoho API client id (self client or server-based)", "ZOHO_CLIENT_ID"
        ),
        AdapterOption("client_secret", "Zoho API client secret", "ZOHO_CLIENT_SECRET", secret=True),
        AdapterOption(
            "refresh_token",
            "Zoho refresh token issued to that client (read-only scopes: docs/zoho.md)",
            "ZOHO_REFRESH_TOKEN",
            secret=True,
        ),
        AdapterOption(
            "data_centre",
            f"Zoho data centre of the org: {', '.join(DATA_CENTRES)} (default us)",
            "ZOHO_DATA_CENTRE",
        ),
        AdapterOption(
            "accounts_url",
            "Zoho accounts server to sign in at instead of the data centre's (tests, proxies)",
            "ZOHO_ACCOUNTS_URL",
        ),
        AdapterOption(
            "max_credits",
            "Zoho: stop before the scan spends more than this many API credits",
            "ZOHO_MAX_CREDITS",
        ),
        AdapterOption(
            "audit_log_export",
            "Zoho: also schedule an audit-log export job (last 30 days); off by default",
            is_flag=True,
        ),
    )

    def __init__(
        self,
        settings: AdapterSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(settings)
        self._sleep = sleep
        self._clock = clock
        self._transport = transport
        self.stats = RequestStats()
        #: Demo only: the recording's scope and transport facts replace the live ones.
        self.fixed_scope: dict[str, Any] | None = None
        self.recorded_transport: Transport | None = None

    @classmethod
    def demo(cls) -> ZohoAdapter:
        """An adapter replaying the bundled recording of the "Northwind Traders" org.

        No network: every request is answered from ``adapters/zoho/demo/recording.json``.
        The scope (sensitive fields) is the recording's, whatever the caller asks for.
        """
        text = resources.files("adapters.zoho").joinpath("demo/recording.json").read_text("utf-8")
        recording = json.loads(text)
        credentials = demo_credentials()
        settings = AdapterSettings(
            {
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
                "refresh_token": credentials.refresh_token,
                "accounts_url": DEMO_ACCOUNTS_URL,
            }
        )
        adapter = cls(settings, sleep=lambda _s: None, transport=ReplayTransport(recording))
        adapter.fixed_scope = recording["scope"]
        adapter.recorded_transport = Transport.model_validate(recording["transport"])
        return adapter

    def _credentials(self) -> ClientCredentials:
        values = {k: (self.settings.get(k) or "").strip() for k in _REQUIRED}
        missing = [
            f"--{k.replace('_', '-')} / {env}" for k, env in _REQUIRED.items() if not values[k]
        ]
        if missing:
            raise ConfigError("Zoho CRM needs " + ", ".join(missing) + " (see docs/zoho.md)")
        return ClientCredentials(
            values["client_id"], values["client_secret"], values["refresh_token"]
        )

    def _max_credits(self) -> int | None:
        raw = (self.settings.get("max_credits") or "").strip()
        if not raw:
            return None
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(f"--max-credits must be a positive whole number, got {raw!r}")
        return int(raw)

    def collect(self, scope: CollectionScope, progress: ProgressReporter) -> Inventory:
        """Sign in, read the org, then collect; see the module docstring."""
        credentials = self._credentials()
        region = data_centre(self.settings.get("data_centre"))
        accounts_url = (self.settings.get("accounts_url") or "").strip() or region.accounts_url
        if self.fixed_scope is not None:
            scope = CollectionScope(**{**self.fixed_scope, "max_workers": scope.max_workers})
        budget = CreditBudget(self._max_credits())
        self.stats = RequestStats()
        core = RetryCore(
            policy=RetryPolicy(),
            stats=self.stats,
            deadline=Deadline.of(scope),
            sleep=self._sleep,
            before_send=budget.check,
        )
        core.observe(budget.observe)
        tokens = ZohoTokens(
            credentials,
            accounts_url=accounts_url,
            data_centre=region.name,
            core=core,
            strict_api_domain=accounts_url == region.accounts_url,
            transport=self._transport,
        )
        try:
            api_domain = tokens.api_domain()  # AuthenticationError: exit 2, naming the DC
            calls = ApiCalls(tokens_issued=lambda: tokens.sign_in.issued)

            def client(cap: int, allow_audit_export: bool = False) -> ZohoApi:
                return ZohoApi(
                    api_domain,
                    tokens.provider,
                    core=core,
                    calls=calls,
                    max_concurrency=cap,
                    allow_audit_export=allow_audit_export,
                    transport=self._transport,
                )

            run = Collection(
                scope=scope,
                progress=progress,
                now=self._clock(),
                api_domain=api_domain,
                data_centre=region.name,
                sleep=self._sleep,
                audit_export_days=(
                    AUDIT_EXPORT_DAYS if self.settings.get("audit_log_export") else None
                ),
            )
            inventory = run.collect(client, concurrency_cap)
        finally:
            tokens.close()
        self._transport_facts(inventory, api_domain, run)
        self.stats.record_into(inventory)
        assert inventory.api_usage is not None
        inventory.api_usage.credits_used = budget.spent
        inventory.extra.setdefault("zoho", {}).update(
            {
                "data_centre": region.name,
                "granted_scopes": list(tokens.sign_in.scopes),
                "tokens_issued": tokens.sign_in.issued,
                "pages": dict(self.stats.pages),
                "retries": self.stats.retries,
            }
        )
        return inventory

    def _transport_facts(self, inventory: Inventory, api_domain: str, run: Collection) -> None:
        with run.step("encryption.transport"):
            if self.recorded_transport is not None:
                inventory.encryption.transport = self.recorded_transport.model_copy(deep=True)
            else:
                record_transport(inventory, api_domain)


_REQUIRED = {
    "client_id": "ZOHO_CLIENT_ID",
    "client_secret": "ZOHO_CLIENT_SECRET",
    "refresh_token": "ZOHO_REFRESH_TOKEN",
}


class CreditBudget:
    """Counts the API credits the scan spends and stops it at ``--max-credits``.

    Zoho charges credits per API call (1 for each call this adapter makes, per its
    credit table) against a rolling 24-hour allowance, and reports the remaining
    balance only in its UI. So the scan counts what it spends itself: every answered API
    call (sign-in calls to the accounts server are not API calls) is one credit.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.spent = 0
        self._lock = threading.Lock()

    def check(self, what: str) -> None:
        """Refuse to send an API call once the budget is spent (before_send)."""
        if self.limit is None or what.startswith("sign-in"):
            return
        with self._lock:
            if self.spent >= self.limit:
                raise ApiReserveReachedError(
                    f"{what}: not read; the scan has spent its budget of {self.limit} Zoho API "
                    "credits (--max-credits), kept so other integrations keep theirs"
                )

    def observe(self, exchange: Exchange) -> None:
        """Count one credit per answered API call."""
        if exchange.url.split("?", 1)[0].endswith(TOKEN_PATH):
            return
        with self._lock:
            self.spent += 1
