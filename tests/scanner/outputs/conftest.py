"""Real result documents for the output-format tests.

Each document comes from the engine: the synthetic org is scanned with the shipped checks
under the baseline policy, with a valid and an expired exception, two collection gaps (an
ERROR and a MANUAL finding) and hostile CRM data (a spreadsheet formula and HTML markup in
usernames). Framework mappings are filled by another part of crmscan; until then they are
added here so framework-aware formats have something to render.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime, timezone
from typing import Any

import pytest

from benchmarks.synthetic_org import make_inventory
from scanner.engine.scan import run_checks
from scanner.language.policy import PolicyException, load_policy
from scanner.model.inventory import Gap, GapReason
from scanner.results.document import to_document

FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'
MARKUP_NAME = "<img src=x onerror=alert(1)>@synthetic.example"
EXCEPTED_USER_ID = "005000000000040"
FRAMEWORKS = {
    "AUTH-002": [
        {"framework": "SOC 2", "requirement": "CC6.1", "title": "Logical access security"},
        {
            "framework": "ISO/IEC 27001:2022",
            "requirement": "A.8.5",
            "title": "Secure authentication",
        },
    ],
    "PRIV-005": [{"framework": "SOC 2", "requirement": "CC6.2", "title": "Access removal"}],
    "ENC-002": [{"framework": "PCI DSS 4.0", "requirement": "3.5.1", "title": "PAN is unreadable"}],
}


def build_document(users: int = 50, full_pass: bool = False) -> dict[str, Any]:
    """Scan a synthetic org with the engine and return the native result document."""
    inventory = make_inventory(users=users)
    inventory.users[0].username = FORMULA_NAME
    inventory.users[49 if users >= 50 else -1].username = MARKUP_NAME
    inventory.gaps.append(
        Gap(
            collection="encryption.fields",
            reason=GapReason.PERMISSION_MISSING,
            detail="the API user lacks View Setup and Configuration",
        )
    )
    inventory.gaps.append(
        Gap(
            collection="auth.session_policy",
            reason=GapReason.NO_API,
            detail="session settings have no API on this edition",
        )
    )
    policy = dataclasses.replace(
        load_policy(),
        exceptions=[
            PolicyException(
                "AUTH-002",
                (EXCEPTED_USER_ID,),
                "break-glass account kept in a safe",
                "ciso@example.com",
                date(2099, 1, 1),
                "SEC-42",
            ),
            PolicyException(
                "PRIV-009", ("*",), "legacy integration", "ciso@example.com", date(2001, 1, 1)
            ),
        ],
    )
    # The five checks these tests were written against; the catalogue grows, they stay put.
    result = run_checks(
        inventory,
        policy,
        ("AUTH-002", "AUTH-008", "ENC-002", "PRIV-005", "PRIV-009"),
        now=datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc),
    )
    document = to_document(result, "low", full_pass=full_pass)
    for check in document["checks"]:
        check["frameworks"] = copy.deepcopy(FRAMEWORKS.get(check["id"], []))
    return document


@pytest.fixture(scope="session")
def _document() -> dict[str, Any]:
    return build_document()


@pytest.fixture()
def document(_document: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of the real result document (tests may change it)."""
    return copy.deepcopy(_document)
