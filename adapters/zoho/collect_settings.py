"""Fetch field metadata for the policy's sensitive fields, and the audit-log export state.

Field-level security: ``GET /settings/fields?module=M`` gives each field's
``profiles[].permission_type`` and its ``crypt`` (encryption) state; one call per module
the policy names. A module the org does not have answers 400 ``INVALID_MODULE``: that is
an answer ("no such field"), not a failure.

Audit log: ``GET /settings/audit_log_export`` lists the export jobs (read only; 400
``NO_CONTENT`` when there are none) and tells whether the scanning client may use the
audit-log API. Creating an export job (``POST``) changes nothing in the CRM's data but
does schedule work in the org, so it happens only when the scan is started with
``--audit-log-export``; the adapter then polls the job until it finishes or the poll
budget ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from adapters.zoho import shapes
from adapters.zoho.client import ZohoApi
from adapters.zoho.wire import accept_codes
from scanner.errors import MalformedResponseError

FIELDS_SCOPE = "ZohoCRM.settings.fields.READ"
AUDIT_READ_SCOPE = "ZohoCRM.settings.audit_logs.READ"
AUDIT_CREATE_SCOPE = "ZohoCRM.settings.audit_logs.CREATE"
#: Zoho's longest ``audited_time`` range for one export job.
AUDIT_MAX_DAYS = 180
#: Status polls of a created export job, and the wait between two.
AUDIT_POLLS = 10
AUDIT_POLL_SECONDS = 3.0


def sensitive_modules(fields: Sequence[str]) -> list[str]:
    """The modules named by ``Module.field`` entries, in order, once each."""
    modules: list[str] = []
    for name in fields:
        module, dot, api_name = name.partition(".")
        if dot and module and api_name and module not in modules:
            modules.append(module)
    return modules


def module_fields(api: ZohoApi, module: str) -> list[dict[str, Any]] | None:
    """The fields of ``module``; None when Zoho says the module does not exist."""
    what = f"fields of {module}"
    answer = api.get(
        "/settings/fields",
        {"module": module},
        what=what,
        scope=FIELDS_SCOPE,
        accept=accept_codes("INVALID_MODULE"),
    )
    if answer.status == 400:
        return None
    if answer.status == 204:
        return []
    body = answer.json(what)
    if not isinstance(body, dict):
        raise MalformedResponseError(f"{what}: malformed response: expected an object")
    return shapes.shaped(api.records(body, "fields", what), shapes.Field, what)


def export_jobs(api: ZohoApi) -> list[dict[str, Any]]:
    """The audit-log export jobs ([] when none was ever scheduled)."""
    what = "audit-log export jobs"
    answer = api.get(
        "/settings/audit_log_export",
        what=what,
        scope=AUDIT_READ_SCOPE,
        accept=accept_codes("NO_CONTENT"),
    )
    if answer.status in (204, 400):
        return []
    body = answer.json(what)
    if not isinstance(body, dict):
        raise MalformedResponseError(f"{what}: malformed response: expected an object")
    return api.records(body, "audit_log_export", what)


@dataclass(frozen=True)
class ExportJob:
    """An audit-log export job this scan created, as last seen."""

    id: str
    status: str
    download_links: int
    window_days: int


def create_export(
    api: ZohoApi, now: datetime, days: int, sleep: Callable[[float], None]
) -> ExportJob:
    """Schedule an export of the last ``days`` of audit log and poll it until it ends."""
    days = max(1, min(days, AUDIT_MAX_DAYS))
    start = (now - timedelta(days=days)).replace(microsecond=0).isoformat()
    end = now.replace(microsecond=0).isoformat()
    body = {
        "audit_log_export": [
            {
                "criteria": {
                    "comparator": "between",
                    "field": {"api_name": "audited_time"},
                    "value": [start, end],
                }
            }
        ]
    }
    what = "audit-log export job"
    created = api.post_object(
        "/settings/audit_log_export", body, what=what, scope=AUDIT_CREATE_SCOPE
    )
    rows = api.records(created, "audit_log_export", what)
    details = rows[0].get("details") if rows else None
    ident = details.get("id") if isinstance(details, dict) else None
    if ident is None:
        raise MalformedResponseError(f"{what}: malformed response: no job id")
    status = "scheduled"
    links = 0
    for poll in range(AUDIT_POLLS):
        if poll:
            sleep(AUDIT_POLL_SECONDS)
        seen = api.get_object(
            f"/settings/audit_log_export/{ident}", what=f"{what} status", scope=AUDIT_READ_SCOPE
        )
        jobs = api.records(seen, "audit_log_export", what)
        if not jobs:
            continue
        status = str(jobs[0].get("status") or "").lower()
        found = jobs[0].get("download_links")
        links = len(found) if isinstance(found, list) else 0
        if status in ("finished", "failed"):
            break
    return ExportJob(str(ident), status, links, days)
