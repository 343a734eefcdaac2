""" "Northwind Traders": the fictional Zoho CRM org of the demo and the tests.

About 40 users on Zoho's Enterprise edition with planted problems, each named here:

- seven active administrators (the baseline policy allows five): PRIV-001;
- an administrator invited five months ago who never confirmed, so never signed in:
  PRIV-005 (Zoho has no last-sign-in API; an unconfirmed invitation is the one proof of
  "not signed in" it gives);
- a non-admin "Sales Operations" profile that grants export on every module, held by
  users who are not on the export allowlist: PRIV-011;
- an active sales rep invited seven months ago who never confirmed: PRIV-006.

Also: deactivated and deleted users, a user invited last week (within the grace period),
a role hierarchy, and Contacts/Accounts fields with per-profile access and encryption.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from tests.emulators.zoho import org as z

COMPANY = "Northwind Traders"
DOMAIN = "northwind-traders.example"
#: Sensitive fields the demo collects field-level security for (Module.api_name).
DEMO_SENSITIVE_FIELDS = ("Contacts.Date_of_Birth", "Contacts.SSN", "Accounts.Bank_Account")

FIRST = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jin", "Kai", "Lea"]
LAST = ["Ortiz", "Park", "Quinn", "Reyes", "Shah", "Tran", "Umar", "Voss", "Wong", "Young"]


def build(now: datetime) -> dict[str, Any]:
    """The sample org as a fixture document (see `ZohoOrg.from_fixture`), dated ``now``."""
    names = itertools.product(FIRST, LAST)
    days = lambda n: now - timedelta(days=n)  # noqa: E731

    admin_profile = z.profile(
        "Administrator",
        z.module_grants(tuple(z.MODULE_ACTIONS))
        | {"customize", "manage_users", "manage_profiles", "data_sharing", "api"},
        custom=False,
        created=days(900),
    )
    standard = z.profile(
        "Standard", z.module_grants(("View", "Create", "Edit")), custom=False, created=days(900)
    )
    sales_ops = z.profile(
        "Sales Operations",
        z.module_grants(("View", "Create", "Edit", "Export", "Mass_Update")),
        created=days(400),
    )
    view_only = z.profile("View Only", z.module_grants(("View",)), created=days(300))
    profiles = [admin_profile, standard, sales_ops, view_only]

    ceo = z.role("CEO", admin=True)
    manager = z.role("Sales Manager", ceo)
    rep = z.role("Sales Representative", manager)
    ops = z.role("Sales Operations", manager)
    roles = [ceo, manager, rep, ops]

    users: list[dict[str, Any]] = []

    def add(profile: dict[str, Any], role: dict[str, Any], created: int, **kw: Any) -> None:
        first, last = next(names)
        email = f"{first.lower()}.{last.lower()}@{DOMAIN}"
        users.append(
            z.user(first, last, email, profile_record=profile, role_record=role,
                   created=days(created), **kw)
        )  # fmt: skip

    # Seven active administrators (PRIV-001); the first is the org's primary user.
    for i in range(6):
        add(admin_profile, ceo if i == 0 else manager, 800 - i * 40, online=i == 0)
    add(admin_profile, manager, 150, confirm=False)  # PRIV-005: never signed in
    # Sales reps.
    for i in range(22):
        add(standard, rep, 700 - i * 20, online=i % 5 == 0)
    add(standard, rep, 210, confirm=False)  # PRIV-006: invited 7 months ago, never in
    add(standard, rep, 6, confirm=False)  # new: within the grace period
    # Sales Operations: export without being admins (PRIV-011).
    for i in range(3):
        add(sales_ops, ops, 500 - i * 30)
    for i in range(2):
        add(view_only, rep, 450 - i * 10)
    # Gone: deactivated and deleted users (not active; never judged as active).
    add(admin_profile, manager, 600, status="disabled")
    add(standard, rep, 650, status="disabled")
    add(standard, rep, 680, status="deleted", confirm=False)
    add(sales_ops, ops, 690, status="deleted")

    primary = users[0]["zuid"]
    org = z.org_record(
        COMPANY, edition="enterprise", users_licensed=45, primary_zuid=primary, created=days(900)
    )
    fields = {
        "Contacts": [
            z.field_record("First_Name", {}, profiles),
            z.field_record("Email", {}, profiles),
            z.field_record(
                "Date_of_Birth", {"View Only": "hidden", "Standard": "read_only"}, profiles
            ),
            z.field_record(
                "SSN",
                {"Standard": "hidden", "View Only": "hidden", "Sales Operations": "read_only"},
                profiles,
                encrypted=True,
            ),
        ],
        "Accounts": [
            z.field_record("Account_Name", {}, profiles),
            z.field_record("Bank_Account", {"View Only": "hidden"}, profiles),
        ],
    }
    return {
        "anchor": now.isoformat(),
        "org": org,
        "users": users,
        "roles": roles,
        "profiles": profiles,
        "fields": fields,
        "demo_scope": {"sensitive_fields": list(DEMO_SENSITIVE_FIELDS)},
    }


def sample_org(now: datetime) -> z.ZohoOrg:
    """The sample org, ready to serve."""
    return z.ZohoOrg.from_fixture(build(now))
