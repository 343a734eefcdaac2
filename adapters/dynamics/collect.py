"""One scan of one Dynamics 365 environment: Dataverse first, then Microsoft Graph.

``WhoAmI`` goes first, so credentials the environment refuses stop the scan at once
(exit 2). Every later failure becomes a gap on the collection it affects, and the scan
goes on. A collection that depends on another (permissions need users, teams, roles,
privileges and role privileges) is only built when all of its parts were read: the
missing part is the gap, never a silently smaller permission set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from adapters.dynamics import normalize, queries
from adapters.dynamics.clients import DataverseApi, GraphApi
from adapters.dynamics.records import (
    BusinessUnit,
    FieldSecurityProfile,
    Organization,
    Privilege,
    Registration,
    Role,
    RolePrivilege,
    SignIn,
    SystemUser,
    Team,
    parse_business_unit,
    parse_conditional_access_policy,
    parse_field_security_profile,
    parse_organization,
    parse_privilege,
    parse_registration,
    parse_role,
    parse_role_privilege,
    parse_sign_in,
    parse_system_user,
    parse_team,
)
from adapters.http import RequestStats
from adapters.transport_probe import record_transport
from scanner.adapter_api import CollectionScope, ProgressReporter
from scanner.errors import AuthenticationError, CollectionError, PermissionMissingError
from scanner.evidence.raw import collecting
from scanner.model.inventory import ApiUsage, GapReason, Inventory
from scanner.model.inventory import Role as HierarchyNode

_log = logging.getLogger(__name__)
T = TypeVar("T")


class Collection:
    """The state of one scan: what was read so far and the inventory being filled."""

    def __init__(
        self,
        *,
        dataverse: DataverseApi,
        graph: GraphApi,
        scope: CollectionScope,
        progress: ProgressReporter,
        now: datetime,
        stats: tuple[RequestStats, ...],
        cloud: str,
        probe_transport: bool = True,
    ) -> None:
        self.dataverse = dataverse
        self.graph = graph
        self.scope = scope
        self.progress = progress
        self.stats = stats
        self.cloud = cloud
        self.probe_transport = probe_transport
        self.now = now
        self.inv = Inventory(tenant=normalize.tenant(None, dataverse.environment_url, now))
        self.failures: dict[str, CollectionError] = {}

    @contextmanager
    def _step(self, collection: str) -> Iterator[list[bool]]:
        """Report progress; turn a `CollectionError` into a gap on ``collection``."""
        self.progress.started(collection)
        ok = [True]
        try:
            with collecting(collection):  # raw evidence: what this step reads
                yield ok
        except CollectionError as exc:
            ok[0] = False
            _log.warning("Dynamics 365 %s not collected: %s", collection, exc)
            self.failures[collection] = exc
            self.inv.add_gap(collection, exc.gap_reason, str(exc))
        except BaseException:
            ok[0] = False
            raise
        finally:
            self.progress.finished(collection, ok[0])

    def _read(
        self, collection: str, query: queries.Query, parse: Callable[[Any], T]
    ) -> list[T] | None:
        with self._step(collection):
            return self.dataverse.rows(query, parse)
        return None

    def run(self) -> Inventory:
        """Collect everything; see the module docstring for what becomes a gap."""
        inv = self.inv
        who: dict[str, Any] = {}
        self.progress.started("tenant")
        try:
            with collecting("tenant"):
                who = self.dataverse.who_am_i()  # AuthenticationError stops the scan here
        except CollectionError as exc:
            # Only the application user's id is lost; every read records its own gap.
            _log.warning("Dynamics 365 WhoAmI failed: %s", exc)
            inv.extra.setdefault("dynamics", {})["who_am_i_error"] = str(exc)
        self.progress.finished("tenant", bool(who))
        orgs = self._read("tenant", queries.ORGANIZATION, parse_organization)
        org: Organization | None = orgs[0] if orgs else None
        if orgs is not None and not orgs:
            inv.add_gap("tenant", GapReason.MALFORMED_RESPONSE, "organizations: no row")
        if org is not None:
            inv.tenant = normalize.tenant(org, self.dataverse.environment_url, self.now)
            inv.monitoring = normalize.monitoring(org)
        else:
            gap = inv.gap_for("tenant")
            inv.add_gap(
                "monitoring",
                gap.reason if gap else GapReason.API_ERROR,
                f"auditing settings are organization columns: {gap.detail if gap else 'not read'}",
            )
        units = self._read("roles", queries.BUSINESS_UNITS, parse_business_unit)
        users = self._read("users", queries.SYSTEM_USERS, parse_system_user)
        teams = self._read("users.teams", queries.TEAMS, parse_team)
        roles = self._read("permission_sets", queries.ROLES, parse_role)
        privileges = self._read("permission_sets", queries.PRIVILEGES, parse_privilege)
        role_privileges = self._read(
            "permission_sets", queries.ROLE_PRIVILEGES, parse_role_privilege
        )
        profiles = self._read(
            "field_permissions", queries.FIELD_SECURITY, parse_field_security_profile
        )
        self._assemble(units, users, teams, roles, privileges, role_privileges, profiles)
        self._entra(users)
        if self.probe_transport:
            with self._step("encryption.transport"):
                record_transport(inv, self.dataverse.environment_url)
        inv.extra["dynamics"] = {
            **inv.extra.get("dynamics", {}),
            "cloud": self.cloud,
            "application_user": who.get("UserId"),
            "organization": None
            if org is None
            else {
                "isauditenabled": org.audit_enabled,
                "isuseraccessauditenabled": org.user_access_audit_enabled,
                "auditretentionperiodv2": org.audit_retention_days,
                "useraccessauditinginterval": org.user_access_audit_interval_hours,
            },
            "pages": {k: v for s in self.stats for k, v in s.pages.items()},
            "retries": sum(s.retries for s in self.stats),
        }
        inv.api_usage = ApiUsage(requests=sum(s.requests for s in self.stats))
        return inv

    # -- Dataverse -----------------------------------------------------------------------

    def _assemble(
        self,
        units: list[BusinessUnit] | None,
        users: list[SystemUser] | None,
        teams: list[Team] | None,
        roles: list[Role] | None,
        privileges: list[Privilege] | None,
        role_privileges: list[RolePrivilege] | None,
        profiles: list[FieldSecurityProfile] | None,
    ) -> None:
        inv = self.inv
        by_unit = {u.id: u for u in units or []}
        model = None
        if teams is not None and roles is not None and privileges is not None:
            if role_privileges is not None:
                model = normalize.SecurityModel.build(roles, teams, privileges, role_privileges)
        if model is None:
            missing = next(
                (
                    self.failures[c]
                    for c in ("users.teams", "permission_sets")
                    if c in self.failures
                ),
                None,
            )
            inv.add_gap(
                "users.permissions",
                missing.gap_reason if missing else GapReason.API_ERROR,
                f"each user's privileges need their roles, teams and the roles' privileges: "
                f"{missing if missing else 'not read'}",
            )
        if users is not None:
            inv.users = normalize.users(users, model, by_unit)
            if model is not None:
                inv.permission_sets = normalize.permission_sets(model, users)
            if units is not None:
                inv.roles = [
                    HierarchyNode(
                        id=u.id,
                        name=u.name or u.id,
                        parent_id=u.parent_id,
                        user_count=sum(
                            1 for s in users if s.business_unit_id == u.id and s.disabled is False
                        ),
                    )
                    for u in units
                ]
            if profiles is not None and teams is not None:
                inv.field_permissions = normalize.field_permissions(
                    profiles, users, {t.id: t for t in teams}, self.scope.sensitive_fields
                )
            elif profiles is not None:
                teams_error = self.failures["users.teams"]
                inv.add_gap(
                    "field_permissions",
                    teams_error.gap_reason,
                    f"who a profile covers through teams is unknown: {teams_error}",
                )
        else:
            users_gap = inv.gap_for("users")
            for collection in ("permission_sets", "field_permissions"):
                if users_gap is not None:
                    inv.add_gap(
                        collection, users_gap.reason, f"needs the users: {users_gap.detail}"
                    )

    # -- Microsoft Entra ID through Graph --------------------------------------------------

    def _graph_read(
        self, collection: str, read: queries.GraphRead, parse: Callable[[Any], T]
    ) -> list[T] | None:
        self.progress.started(collection)
        with collecting(collection):
            rows, error = self._try_graph(lambda: self.graph.rows(read, parse))
        self.progress.finished(collection, error is None)
        if error is not None:
            self.inv.add_gap(collection, error.gap_reason, str(error))
        return rows

    @staticmethod
    def _try_graph(read: Callable[[], T]) -> tuple[T | None, CollectionError | None]:
        """``read()``, or the `CollectionError` it failed with.

        A refused Graph token (Dataverse's was fine) is a missing permission for Graph's
        collections, not a reason to stop the scan.
        """
        try:
            return read(), None
        except AuthenticationError as exc:
            return None, PermissionMissingError(f"Microsoft Graph: {exc}")
        except CollectionError as exc:
            _log.warning("Dynamics 365 Graph read failed: %s", exc)
            return None, exc

    def _entra(self, users: list[SystemUser] | None) -> None:
        inv = self.inv
        by_id = {u.id: u for u in users or []}
        if users is not None and inv.users is not None:
            registrations: list[Registration] | None = self._graph_read(
                "users.mfa", queries.REGISTRATIONS, parse_registration
            )
            if registrations is not None:
                matched = normalize.apply_mfa(inv.users, by_id, registrations)
                inv.extra.setdefault("dynamics", {})["mfa_matched_users"] = matched
            sign_ins: list[SignIn] | None = self._graph_read(
                "users.last_login_at", queries.SIGN_INS, parse_sign_in
            )
            if sign_ins is not None:
                matched = normalize.apply_sign_ins(inv.users, by_id, sign_ins)
                inv.extra.setdefault("dynamics", {})["sign_in_matched_users"] = matched
            else:
                failed = inv.gap_for("users.last_login_at")
                if failed is not None:
                    inv.add_gap("users.never_logged_in", failed.reason, failed.detail)
        self.progress.started("auth.mfa")
        with collecting("auth.mfa"):
            policies, ca_error = self._try_graph(
                lambda: self.graph.rows(queries.CONDITIONAL_ACCESS, parse_conditional_access_policy)
            )
            body, defaults_error = self._try_graph(
                lambda: self.graph.one(queries.SECURITY_DEFAULTS)
            )
        value = body.get("isEnabled") if body is not None else None
        defaults = value if isinstance(value, bool) else None
        verdict = normalize.mfa_enforcement(policies, defaults)
        inv.auth.mfa_enforced = verdict.enforced
        self.progress.finished("auth.mfa", verdict.enforced is not None)
        if verdict.enforced is None:
            error = ca_error or defaults_error
            reason = error.gap_reason if error else GapReason.MALFORMED_RESPONSE
            detail = str(error) if error else "security defaults: isEnabled is not a boolean"
            inv.add_gap("auth.mfa", reason, f"{verdict.because}: {detail}")
        inv.extra.setdefault("dynamics", {})["mfa_enforcement"] = {
            "enforced": verdict.enforced,
            "because": verdict.because,
            "policies": list(verdict.policies),
            "exclusions": list(verdict.exclusions),
            "security_defaults": defaults,
        }
