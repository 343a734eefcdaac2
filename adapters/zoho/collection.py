"""One Zoho scan's collection: the order of calls, gaps on failure, and assembly.

The org goes first on a one-call client (its edition sets the concurrency cap); the rest
runs on a client capped at that edition's per-app limit (and the policy's workers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from adapters.zoho import collect_access, collect_settings, normalize
from adapters.zoho.client import ZohoApi
from adapters.zoho.limits import daily_credits
from adapters.zoho.normalize import ProfileInfo, UnmappedRecordError
from scanner.adapter_api import CollectionScope, ProgressReporter
from scanner.errors import CollectionError
from scanner.evidence.raw import collecting
from scanner.model.inventory import GapReason, Inventory

_log = logging.getLogger(__name__)

ClientFactory = Callable[..., ZohoApi]


class Collection:
    """The state of one scan while it collects."""

    def __init__(
        self,
        *,
        scope: CollectionScope,
        progress: ProgressReporter,
        now: datetime,
        api_domain: str,
        data_centre: str,
        sleep: Callable[[float], None],
        audit_export_days: int | None,
    ) -> None:
        self.scope = scope
        self.progress = progress
        self.now = now
        self.sleep = sleep
        self.audit_export_days = audit_export_days
        self.api_domain = api_domain
        self.data_centre = data_centre
        self.inv = Inventory(tenant=normalize.tenant(None, api_domain, data_centre, now))
        self.zoho: dict[str, Any] = self.inv.extra.setdefault("zoho", {})

    @contextmanager
    def step(self, collection: str, gap: str | None = None) -> Iterator[None]:
        """Report progress; turn a `CollectionError` into a gap on ``gap`` (or collection)."""
        self.progress.started(collection)
        ok = False
        try:
            with collecting(collection):  # raw evidence: what this step reads
                yield
            ok = True
        except UnmappedRecordError as exc:
            _log.warning("Zoho %s not mapped: %s", collection, exc)
            self.inv.add_gap(gap or collection, GapReason.MALFORMED_RESPONSE, str(exc))
        except CollectionError as exc:
            _log.warning("Zoho %s not collected: %s", collection, exc)
            self.inv.add_gap(gap or collection, exc.gap_reason, str(exc))
        finally:
            self.progress.finished(collection, ok)

    def collect(self, client: ClientFactory, cap: Callable[[str | None, int], int]) -> Inventory:
        """Collect everything; ``client(cap)`` builds an API client with that cap."""
        org: dict[str, Any] | None = None
        first = client(1)
        try:
            with self.step("tenant"):
                org = collect_access.org(first)
                self.inv.tenant = normalize.tenant(org, self.api_domain, self.data_centre, self.now)
        finally:
            first.close()
        edition = self.inv.tenant.edition
        workers = cap(edition, self.scope.max_workers)
        self.zoho["concurrency_cap"] = workers
        licences = _licences(org)
        self.zoho["daily_credit_allowance"] = daily_credits(edition, licences)
        api = client(workers, self.audit_export_days is not None)
        try:
            self._collect(api, org, workers)
        finally:
            api.close()
        return self.inv

    def _collect(self, api: ZohoApi, org: dict[str, Any] | None, workers: int) -> None:
        inv = self.inv
        raw_users: list[dict[str, Any]] | None = None
        with self.step("users"):
            raw_users = collect_access.users(api, on_page=lambda: api.stats.page("users"))
        profiles = self._profiles(api, workers)
        raw_roles: list[dict[str, Any]] | None = None
        with self.step("roles"):
            raw_roles = collect_access.roles(api)
        if raw_users is not None:
            with self.step("users"):
                primary = str(org["primary_zuid"]) if org and org.get("primary_zuid") else None
                by_id = {p.id: p for p in profiles} if profiles is not None else None
                inv.users = normalize.users(raw_users, profiles=by_id, primary_zuid=primary)
                if profiles is None:
                    inv.add_gap(
                        "users.permissions",
                        GapReason.API_ERROR,
                        "profiles were not collected, so no user's permissions are known",
                    )
        if profiles is not None:
            inv.permission_sets = normalize.permission_sets(profiles, inv.users or [])
            unread = {p.name: p.problem for p in profiles if p.mapped is None}
            if unread:
                self.zoho["profiles_not_understood"] = unread
        if raw_roles is not None:
            with self.step("roles"):
                counts = normalize.active_role_counts(raw_users) if raw_users is not None else None
                inv.roles = normalize.roles(raw_roles, counts)
        self._field_security(api)
        self._audit_log(api)

    def _profiles(self, api: ZohoApi, workers: int) -> list[ProfileInfo] | None:
        with self.step("permission_sets"):
            listing = collect_access.profile_listing(api)
            details = collect_access.profile_details(api, listing, workers)
            result = []
            failures = []
            for record in listing:
                found = details.get(str(record["id"]))
                if isinstance(found, CollectionError):
                    failures.append(f"{record.get('name')}: {found}")
                    found = None
                result.append(normalize.profile_info(record, found))
            if failures:
                self.zoho["profile_errors"] = failures
            errors = [d for d in details.values() if isinstance(d, CollectionError)]
            if listing and len(errors) == len(listing):
                # No profile's permissions could be read: say why once, for all users.
                self.inv.add_gap("users.permissions", errors[0].gap_reason, str(errors[0]))
            return result
        return None

    def _field_security(self, api: ZohoApi) -> None:
        sensitive = list(self.scope.sensitive_fields)
        fields_by_module: dict[str, list[dict[str, Any]] | None] = {}
        with self.step("field_permissions"):
            for module in collect_settings.sensitive_modules(sensitive):
                fields_by_module[module] = collect_settings.module_fields(api, module)
        with self.step("encryption.fields"):
            self.inv.encryption.fields = normalize.field_encryption(sensitive, fields_by_module)
            failed = self.inv.gap_for("field_permissions")
            if failed is not None:
                self.inv.add_gap("encryption.fields", failed.reason, failed.detail)
                self.inv.encryption.fields = None
                return
        with self.step("field_permissions"):
            self.inv.field_permissions = normalize.field_permissions(
                sensitive, fields_by_module, self.inv.permission_sets
            )

    def _audit_log(self, api: ZohoApi) -> None:
        with self.step("monitoring.audit_log"):
            jobs = collect_settings.export_jobs(api)
            self.inv.monitoring.audit_log_available = True
            self.zoho["audit_log_export_jobs"] = len(jobs)
        if self.audit_export_days is None:
            return
        with self.step("monitoring.audit_log"):
            job = collect_settings.create_export(api, self.now, self.audit_export_days, self.sleep)
            self.zoho["audit_log_export"] = {
                "id": job.id,
                "status": job.status,
                "download_links": job.download_links,
                "window_days": job.window_days,
            }


def _licences(org: dict[str, Any] | None) -> int | None:
    details = org.get("license_details") if org else None
    value = details.get("users_license_purchased") if isinstance(details, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
