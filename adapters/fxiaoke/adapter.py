"""The Fxiaoke (纷享销客) adapter: one enterprise's directory and CRM roles, read-only.

Order: sign-in first, so refused credentials stop the scan at once with
`AuthenticationError` (exit 2); then the department tree, every employee, the CRM roles
and their holders. Each later failure becomes a gap on the collection it affects and the
scan goes on. What the open API has no read for is declared in `CAPABILITIES` (the
engine reads it), so those checks say MANUAL with where to review, never PASS.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

import httpx

from adapters.fxiaoke import collect_directory, collect_roles, normalize
from adapters.fxiaoke.capabilities import CAPABILITIES
from adapters.fxiaoke.client import DEFAULT_BASE_URL, AppCredentials, FxiaokeClient
from adapters.fxiaoke.permission_map import parse_admin_roles
from adapters.fxiaoke.records import FxDepartment, FxEmployee, FxRole
from adapters.http import Deadline, RequestStats, RetryCore, Sleep, require_https
from adapters.transport_probe import record_transport
from scanner.adapter_api import (
    ADAPTERS,
    Adapter,
    AdapterOption,
    AdapterSettings,
    CollectionScope,
    ProgressReporter,
)
from scanner.errors import CollectionError, ConfigError, DeadlineReachedError
from scanner.evidence.raw import collecting
from scanner.model.capabilities import Capabilities
from scanner.model.inventory import GapReason, Inventory, Transport

_log = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).with_name("demo")

#: Seconds per TLS handshake of the transport probe, and how many connections it makes.
PROBE_TIMEOUT = 10.0
PROBE_CONNECTIONS = 5

NO_OPERATOR = (
    "CRM roles are read as an employee: give --open-user-id (FXIAOKE_OPEN_USER_ID), the "
    "openUserId (FSUID_…) of a CRM administrator (CRM管理员); without it the roles, who "
    "holds them and who is an administrator are not collected"
)


@ADAPTERS.register("fxiaoke")
class FxiaokeAdapter(Adapter):
    """Reads departments, employees and CRM roles from one Fxiaoke enterprise."""

    platform: ClassVar[str] = "fxiaoke"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(
            "app_id", "Fxiaoke self-built app id (FSAID_…)", envvar="FXIAOKE_APP_ID", secret=True
        ),
        AdapterOption("app_secret", "Fxiaoke app secret", envvar="FXIAOKE_APP_SECRET", secret=True),
        AdapterOption(
            "permanent_code",
            "Fxiaoke permanent code (永久授权码) of the enterprise",
            envvar="FXIAOKE_PERMANENT_CODE",
            secret=True,
        ),
        AdapterOption(
            "open_user_id",
            "Fxiaoke: openUserId (FSUID_…) of a CRM administrator, to read CRM roles as",
            envvar="FXIAOKE_OPEN_USER_ID",
        ),
        AdapterOption(
            "admin_roles",
            "Fxiaoke: comma-separated CRM role codes or names that are administrator-"
            "equivalent besides CRM管理员",
            envvar="FXIAOKE_ADMIN_ROLES",
        ),
        AdapterOption(
            "base_url",
            f"API base URL (default {DEFAULT_BASE_URL}, or your cloud's open-… host)",
            envvar="FXIAOKE_BASE_URL",
        ),
    )

    def __init__(
        self,
        settings: AdapterSettings,
        *,
        sleep: Sleep = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        monotonic: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
        recorded_transport: Transport | None = None,
    ) -> None:
        super().__init__(settings)
        self._sleep = sleep
        self._clock = clock
        self._monotonic = monotonic
        self._transport = transport
        #: TLS facts to report instead of probing (the offline demo's recording).
        self._recorded_transport = recorded_transport
        self.stats = RequestStats()
        self.tokens_issued = 0

    @classmethod
    def demo(cls) -> Adapter:
        """The bundled sample enterprise, replayed offline through this adapter's code."""
        from adapters.fxiaoke.replay import demo_adapter

        return demo_adapter(cls)

    def _credentials(self) -> AppCredentials:
        values = {
            name: (self.settings.get(name) or "").strip()
            for name in ("app_id", "app_secret", "permanent_code")
        }
        missing = [name for name, value in values.items() if not value]
        if missing:
            flags = ", ".join(
                f"--{name.replace('_', '-')} / FXIAOKE_{name.upper()}" for name in missing
            )
            raise ConfigError(f"Fxiaoke needs the self-built app's credentials: {flags}")
        return AppCredentials(values["app_id"], values["app_secret"], values["permanent_code"])

    def collect(self, scope: CollectionScope, progress: ProgressReporter) -> Inventory:
        """Collect the enterprise; see the module docstring for what becomes a gap."""
        credentials = self._credentials()
        base_url = require_https(self.settings.get("base_url") or DEFAULT_BASE_URL)
        self.stats = RequestStats()
        core = RetryCore(stats=self.stats, deadline=Deadline.of(scope), sleep=self._sleep)
        client = FxiaokeClient(
            base_url, credentials, core=core, transport=self._transport, clock=self._monotonic
        )
        try:
            corp_id = client.sign_in()
            run = _Collection(self, client, base_url, corp_id, progress)
            return run.run(scope)
        finally:
            self.tokens_issued = client.token.issued
            client.close()


class _Collection:
    """One scan's state: what was collected so far and the inventory being filled."""

    def __init__(
        self,
        adapter: FxiaokeAdapter,
        client: FxiaokeClient,
        base_url: str,
        corp_id: str,
        progress: ProgressReporter,
    ) -> None:
        self.adapter = adapter
        self.client = client
        self.base_url = base_url
        self.progress = progress
        self.operator = (adapter.settings.get("open_user_id") or "").strip() or None
        self.admin_roles = parse_admin_roles(adapter.settings.get("admin_roles"))
        self.now = adapter._clock()
        self.corp_id = corp_id
        self.inv = Inventory(tenant=normalize.tenant(corp_id, None, base_url, self.now))

    @contextmanager
    def _step(self, collection: str, *gaps: str) -> Iterator[list[bool]]:
        """Report progress; turn a `CollectionError` into gaps on ``gaps`` (or collection)."""
        self.progress.started(collection)
        ok = [True]
        try:
            with collecting(collection):  # raw evidence: what this step reads
                yield ok
        except CollectionError as exc:
            ok[0] = False
            _log.warning("Fxiaoke %s not collected: %s", collection, exc)
            for name in gaps or (collection,):
                self.inv.add_gap(name, exc.gap_reason, str(exc))
        except BaseException:
            ok[0] = False
            raise
        finally:
            self.progress.finished(collection, ok[0])

    def run(self, scope: CollectionScope) -> Inventory:
        inv = self.inv
        tree = self._departments()
        employees = self._employees(tree)
        roles, members = self._roles()
        inv.tenant = normalize.tenant(self.corp_id, tree, self.base_url, self.now)
        if tree is not None:
            inv.departments = normalize.department_tree(tree, employees)
        if employees is not None:
            inv.users = normalize.users(
                employees,
                departments=tree,
                roles=roles,
                members=members,
                admin_roles=self.admin_roles,
            )
        if roles is not None:
            inv.permission_sets = normalize.permission_sets(
                roles, members, employees, self.admin_roles
            )
        self._transport(scope)
        inv.capabilities = list(CAPABILITIES)
        self.client.core.stats.record_into(inv)
        inv.extra["fxiaoke"] = {
            "pages": dict(self.client.core.stats.pages),
            "retries": self.client.core.stats.retries,
            "token_renewals": self.client.core.stats.renewals,
            "tokens_issued": self.client.token.issued,
            "operator_given": self.operator is not None,
            "admin_roles": sorted(self.admin_roles),
        }
        return inv

    def _departments(self) -> list[FxDepartment] | None:
        with self._step("departments"):
            return collect_directory.departments(self.client)
        return None

    def _employees(self, tree: list[FxDepartment] | None) -> list[FxEmployee] | None:
        if tree is None:
            gap = self.inv.gap_for("departments")
            detail = gap.detail if gap is not None else "the department list was not read"
            reason = gap.reason if gap is not None else GapReason.API_ERROR
            self.inv.add_gap("users", reason, f"needs the department tree: {detail}")
            return None
        with self._step("users"):
            return collect_directory.employees(self.client, tree)
        return None

    def _roles(self) -> tuple[list[FxRole] | None, dict[str, list[str]] | None]:
        if self.operator is None:
            for name in ("permission_sets", "users.permissions"):
                self.inv.add_gap(name, GapReason.PERMISSION_MISSING, NO_OPERATOR)
            return None, None
        roles: list[FxRole] | None = None
        with self._step("permission_sets", "permission_sets", "users.permissions"):
            roles = collect_roles.roles(self.client, self.operator)
        if roles is None:
            return None, None
        with self._step("users.permissions", "users.permissions", "permission_sets"):
            return roles, collect_roles.members(self.client, self.operator, roles)
        return roles, None

    def _transport(self, scope: CollectionScope) -> None:
        recorded = self.adapter._recorded_transport
        if recorded is not None:
            self.inv.encryption.transport = recorded.model_copy(deep=True)
            return
        with self._step("encryption.transport"):
            left = Deadline.of(scope).remaining()
            # The probe makes up to PROBE_CONNECTIONS connections, each bounded by timeout.
            timeout = (
                PROBE_TIMEOUT if left is None else min(PROBE_TIMEOUT, left / PROBE_CONNECTIONS)
            )
            if timeout < 1.0:
                raise DeadlineReachedError(
                    "TLS probe: not run: the scan deadline (--timeout) leaves too little time"
                )
            record_transport(self.inv, self.base_url, timeout=timeout)
