"""The Dynamics 365 adapter: one Dataverse environment and its Entra ID tenant, read-only.

``crmscan scan --platform dynamics --environment-url https://ORG.crm.dynamics.com
--tenant-id TENANT --client-id APP --client-secret SECRET`` (or ``--certificate-file``).
Sign-in is the app registration's client credentials through MSAL; the Dataverse Web
API gives the environment's users, roles, privileges, teams, field security and
auditing settings; Microsoft Graph gives MFA registration, last sign-in and whether
Conditional Access or security defaults require MFA. See docs/dynamics.md.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import httpx

from adapters.dynamics.auth import Credentials, MsalHttp, SignIn
from adapters.dynamics.capabilities import CAPABILITIES
from adapters.dynamics.clients import DataverseApi, GraphApi
from adapters.dynamics.clouds import Cloud, cloud_for_host, cloud_named
from adapters.dynamics.collect import Collection
from adapters.http import Deadline, RequestStats, RetryCore, RetryPolicy, Sleep, require_https
from scanner.adapter_api import (
    ADAPTERS,
    Adapter,
    AdapterOption,
    AdapterSettings,
    CollectionScope,
    ProgressReporter,
)
from scanner.errors import ConfigError
from scanner.model.capabilities import Capabilities
from scanner.model.inventory import Inventory, Transport

_log = logging.getLogger(__name__)

#: Retries of one request (first try included) and the longest wait between two.
POLICY = RetryPolicy(max_attempts=5, base_backoff=1.0, max_wait=60.0)


@ADAPTERS.register("dynamics")
class DynamicsAdapter(Adapter):
    """Reads a Dataverse environment (Dynamics 365) and the MFA facts of its Entra tenant."""

    platform: ClassVar[str] = "dynamics"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(
            "environment_url",
            "Dataverse environment URL, e.g. https://contoso.crm.dynamics.com",
            "DYNAMICS_ENVIRONMENT_URL",
        ),
        AdapterOption(
            "tenant_id",
            "Microsoft Entra tenant id (GUID) or domain of the environment",
            "DYNAMICS_TENANT_ID",
        ),
        AdapterOption("client_id", "App registration (client) id", "DYNAMICS_CLIENT_ID"),
        AdapterOption(
            "client_secret", "App registration client secret", "DYNAMICS_CLIENT_SECRET", secret=True
        ),
        AdapterOption(
            "certificate_file",
            "App registration certificate: PEM with private key and certificate, or .pfx",
            "DYNAMICS_CERTIFICATE_FILE",
        ),
        AdapterOption(
            "certificate_password",
            "Password of --certificate-file, if it has one",
            "DYNAMICS_CERTIFICATE_PASSWORD",
            secret=True,
        ),
        AdapterOption(
            "cloud",
            "Microsoft cloud: public (default), gcc, gcc-high, dod or china",
            "DYNAMICS_CLOUD",
        ),
        AdapterOption(
            "authority_host",
            "Sign-in host instead of the cloud's (a proxy or test emulator), https://...",
            "DYNAMICS_AUTHORITY_HOST",
        ),
        AdapterOption(
            "graph_url",
            "Microsoft Graph root instead of the cloud's (a proxy or test emulator)",
            "DYNAMICS_GRAPH_URL",
        ),
    )

    def __init__(
        self,
        settings: AdapterSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        recorded_transport: Transport | None = None,
        probe_transport: bool = True,
    ) -> None:
        super().__init__(settings)
        self._probe = probe_transport and recorded_transport is None
        self._transport = transport
        self._sleep = sleep
        self._clock = clock
        self._recorded_transport = recorded_transport

    @classmethod
    def demo(cls) -> DynamicsAdapter:
        """The bundled "Fabrikam Outdoors" environment, replayed offline."""
        from adapters.dynamics.replay import ReplayTransport

        raw = resources.files("adapters.dynamics").joinpath("demo/recording.json").read_text()
        recording: dict[str, Any] = json.loads(raw)
        meta = recording["settings"]
        settings = AdapterSettings(dict(meta))
        return cls(
            settings,
            transport=ReplayTransport(recording),
            recorded_transport=Transport.model_validate(recording["transport"]),
        )

    # -- settings ----------------------------------------------------------------------

    def _cloud(self, environment_url: str) -> Cloud:
        named = self.settings.get("cloud")
        host = httpx.URL(environment_url).host
        inferred = cloud_for_host(host)
        if named:
            cloud = cloud_named(named)
            if inferred is not None and inferred.name != cloud.name:
                _log.warning(
                    "environment %s looks like the %s cloud, but --cloud is %s",
                    host,
                    inferred.name,
                    cloud.name,
                )
            return cloud
        return inferred or cloud_named(None)

    def _credentials(self) -> Credentials:
        tenant = (self.settings.get("tenant_id") or "").strip()
        client = (self.settings.get("client_id") or "").strip()
        secret = self.settings.get("client_secret") or None
        certificate = (self.settings.get("certificate_file") or "").strip()
        missing = [
            name
            for name, value in (
                ("--tenant-id / DYNAMICS_TENANT_ID", tenant),
                ("--client-id / DYNAMICS_CLIENT_ID", client),
            )
            if not value
        ]
        if missing:
            raise ConfigError("Dynamics 365 needs " + " and ".join(missing))
        if bool(secret) == bool(certificate):
            raise ConfigError(
                "Dynamics 365 signs in with exactly one of --client-secret "
                "(DYNAMICS_CLIENT_SECRET) or --certificate-file (DYNAMICS_CERTIFICATE_FILE)"
            )
        return Credentials(
            tenant_id=tenant,
            client_id=client,
            client_secret=secret,
            certificate_file=Path(certificate) if certificate else None,
            certificate_password=self.settings.get("certificate_password") or None,
        )

    # -- collection --------------------------------------------------------------------

    def collect(self, scope: CollectionScope, progress: ProgressReporter) -> Inventory:
        """Collect the environment; refused credentials raise `AuthenticationError`."""
        raw_url = self.settings.get("environment_url") or ""
        if not raw_url.strip():
            raise ConfigError(
                "Dynamics 365 needs the environment URL: --environment-url or "
                "DYNAMICS_ENVIRONMENT_URL (e.g. https://contoso.crm.dynamics.com)"
            )
        environment_url = require_https(raw_url, "--environment-url")
        cloud = self._cloud(environment_url)
        authority_host = require_https(
            self.settings.get("authority_host") or cloud.authority_host, "--authority-host"
        )
        graph_url = require_https(self.settings.get("graph_url") or cloud.graph_url, "--graph-url")
        credentials = self._credentials()
        deadline = Deadline.of(scope)
        entra_stats, api_stats = RequestStats(), RequestStats()
        # Sign-in has its own core: a token answer must not make a later 401 from
        # Dataverse look like a token that expired mid-scan rather than a refusal.
        entra_core = RetryCore(
            policy=POLICY, stats=entra_stats, deadline=deadline, sleep=self._sleep
        )
        core = RetryCore(policy=POLICY, stats=api_stats, deadline=deadline, sleep=self._sleep)
        msal_http = MsalHttp(authority_host, entra_core, self._transport)
        dataverse: DataverseApi | None = None
        graph: GraphApi | None = None
        try:
            sign_in = SignIn(credentials, authority_host, msal_http)
            dataverse = DataverseApi(
                environment_url,
                sign_in.token(f"{environment_url}/.default", f"the environment {environment_url}"),
                core,
                self._transport,
            )
            graph = GraphApi(
                graph_url,
                sign_in.token(cloud.graph_scope, "Microsoft Graph"),
                core,
                self._transport,
            )
            collection = Collection(
                dataverse=dataverse,
                graph=graph,
                scope=scope,
                progress=progress,
                now=self._clock(),
                stats=(entra_stats, api_stats),
                cloud=cloud.name,
                probe_transport=self._probe,
            )
            inventory = collection.run()
        finally:
            for client in (dataverse, graph, msal_http):
                if client is not None:
                    client.close()
        if self._recorded_transport is not None:
            inventory.encryption.transport = self._recorded_transport.model_copy(deep=True)
            inventory.gaps = [g for g in inventory.gaps if g.collection != "encryption.transport"]
        return inventory
