"""The Zoho CRM v8 endpoints the emulator answers, with Zoho's documented shapes.

Authorization, scopes, permissions and concurrency are the server's job
(`tests.emulators.zoho.server`); this module answers an authorized request.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from tests.emulators.zoho.org import ZohoOrg, new_id

API = "/crm/v8"
USER_TYPES = {
    "AllUsers",
    "ActiveUsers",
    "DeactiveUsers",
    "ConfirmedUsers",
    "NotConfirmedUsers",
    "DeletedUsers",
    "ActiveConfirmedUsers",
    "AdminUsers",
    "ActiveConfirmedAdmins",
    "CurrentUser",
}
MAX_PER_PAGE = 200
#: Polls of an audit-log export job before it is finished.
AUDIT_JOB_POLLS = 2


def zoho_error(code: str, message: str, **details: Any) -> dict[str, Any]:
    """Zoho CRM's error document."""
    return {"code": code, "details": details, "message": message, "status": "error"}


def invalid_url() -> dict[str, Any]:
    """Zoho's answer to a path it does not know."""
    return zoho_error(
        "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
    )


class ApiRoutes:
    """Answers the v8 calls for one org."""

    def __init__(self, org: ZohoOrg) -> None:
        self.org = org
        self.url = ""
        self._job_polls: dict[str, int] = {}
        self._lock = threading.Lock()

    def answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes, url: str
    ) -> tuple[int, Any]:
        """The status and JSON body Zoho answers ``method path`` with."""
        self.url = url
        org = self.org
        if method == "POST" and path == f"{API}/settings/audit_log_export":
            return self._create_audit_job(raw)
        if method != "GET":
            return 400, zoho_error(
                "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
            )
        if path == f"{API}/org":
            return 200, {"org": [org.org]}
        if path == f"{API}/users":
            return self._users(query)
        if path == f"{API}/settings/profiles":
            return 200, {"profiles": org.profile_listing(), "info": {"license_limit": 0}}
        if path.startswith(f"{API}/settings/profiles/"):
            ident = path.rsplit("/", 1)[1]
            found = next(
                (p for p in org.profiles if isinstance(p, dict) and p["id"] == ident), None
            )
            if found is None:
                return 400, zoho_error(
                    "INVALID_DATA", "the id given seems to be invalid or already deleted",
                    resource_path_index=2,
                )  # fmt: skip
            return 200, {"profiles": [found]}
        if path == f"{API}/settings/roles":
            return 200, {"roles": org.roles}
        if path == f"{API}/settings/fields":
            return self._fields(query)
        if path == f"{API}/settings/audit_log_export":
            if not org.audit_jobs:
                return 400, zoho_error("NO_CONTENT", "No audit log has been scheduled")
            return 200, {"audit_log_export": [self._job_view(j) for j in org.audit_jobs]}
        if path.startswith(f"{API}/settings/audit_log_export/"):
            ident = path.rsplit("/", 1)[1]
            job = next((j for j in org.audit_jobs if j["id"] == ident), None)
            if job is None:
                return 204, None
            return 200, {"audit_log_export": [self._job_view(job, poll=True)]}
        return 404, invalid_url()

    def _users(self, query: dict[str, str]) -> tuple[int, Any]:
        kind = query.get("type", "AllUsers")
        if kind not in USER_TYPES:
            return 400, zoho_error(
                "INVALID_DATA", "invalid data", api_name="type", expected_data_type="text",
                json_path="$.type", regex="",
            )  # fmt: skip
        try:
            page = int(query.get("page", "1"))
            per_page = int(query.get("per_page", str(MAX_PER_PAGE)))
        except ValueError:
            return 400, zoho_error("INVALID_DATA", "invalid data", api_name="page")
        if per_page < 1 or per_page > MAX_PER_PAGE or page < 1:
            return 400, zoho_error(
                "INVALID_DATA", "invalid data", api_name="per_page", expected_data_type="integer",
            )  # fmt: skip
        rows = [u for u in self.org.users if _of_type(u, kind)]
        start = (page - 1) * per_page
        chunk = rows[start : start + per_page]
        if not chunk:
            return 204, None
        info = {
            "per_page": per_page,
            "count": len(chunk),
            "page": page,
            "more_records": start + per_page < len(rows),
        }
        return 200, {"users": chunk, "info": info}

    def _fields(self, query: dict[str, str]) -> tuple[int, Any]:
        module = query.get("module")
        if not module:
            return 400, zoho_error(
                "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                param_name="module",
            )  # fmt: skip
        fields = self.org.fields.get(module)
        if fields is None:
            return 400, zoho_error(
                "INVALID_MODULE", "the module name given seems to be invalid",
                resource_path_index=0,
            )  # fmt: skip
        if self.org.hide_field_permissions:
            fields = [{**f, "profiles": None} for f in fields]
        return 200, {"fields": fields}

    def _create_audit_job(self, raw: bytes) -> tuple[int, Any]:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, zoho_error("INVALID_DATA", "body is not valid JSON")
        criteria = None
        entries = body.get("audit_log_export") if isinstance(body, dict) else None
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            criteria = entries[0].get("criteria")
        ident = new_id()
        self.org.audit_jobs.append(
            {
                "id": ident,
                "status": "scheduled",
                "criteria": criteria,
                "created_by": {"name": "Scanner", "id": new_id()},
                "job_start_time": None,
                "job_end_time": None,
                "expiry_date": None,
                "download_links": [],
            }
        )
        return 200, {
            "audit_log_export": [
                {
                    "code": "SCHEDULED",
                    "details": {"id": ident},
                    "message": "Audit log export scheduled successfully",
                    "status": "success",
                }
            ]
        }

    def _job_view(self, job: dict[str, Any], poll: bool = False) -> dict[str, Any]:
        if poll:
            with self._lock:
                polls = self._job_polls.get(job["id"], 0) + 1
                self._job_polls[job["id"]] = polls
            if polls >= AUDIT_JOB_POLLS and job["status"] != "finished":
                job["status"] = "finished"
                job["download_links"] = [f"{self.url}/crm/v8/download/{job['id']}.zip"]
            elif job["status"] == "scheduled":
                job["status"] = "progress"
        return dict(job)


def _of_type(user: Any, kind: str) -> bool:
    # A hostile test may plant a record that is not an object, or holds anything.
    record = user if isinstance(user, dict) else {}
    status = record.get("status")
    confirmed = record.get("confirm") is True
    profile = record.get("profile")
    admin = isinstance(profile, dict) and profile.get("name") == "Administrator"
    return {
        "AllUsers": True,
        "ActiveUsers": status == "active",
        "DeactiveUsers": status in ("disabled", "inactive"),
        "ConfirmedUsers": confirmed,
        "NotConfirmedUsers": not confirmed,
        "DeletedUsers": status == "deleted",
        "ActiveConfirmedUsers": status == "active" and confirmed,
        "AdminUsers": admin,
        "ActiveConfirmedAdmins": admin and status == "active" and confirmed,
        "CurrentUser": False,
    }[kind]
