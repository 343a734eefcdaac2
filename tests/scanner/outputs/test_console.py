"""The console view: grouped causes, FAILs first, whole sentences, no trailing spaces."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from rich.console import Console

from adapters.hubspot.capabilities import HUBSPOT_CAPABILITIES
from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.model.inventory import Inventory
from scanner.outputs.console import fix_text, print_result, render_console_text, shorten
from scanner.results.document import to_document

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def _hubspot_document() -> dict[str, Any]:
    """A HubSpot scan: 3 super admins, 40 role users, 5 users whose 'active' is missing."""
    users: list[dict[str, Any]] = []
    recent = (NOW - timedelta(days=2)).isoformat()
    login = {"window_days": 90, "successes": 3, "failures": 0, "max_failures_per_hour": 0}
    for i in range(48):
        user: dict[str, Any] = {
            "id": f"{1000 + i}",
            "username": f"user{i:02d}@acme.test",
            "kind": "human",
            "active": True if i < 43 else None,
            "last_login_at": recent,
            "never_logged_in": False,
            "login": login,
            "permission_sets": [["Sales Rep", "Marketing", "Ops Admin"][i % 3]],
        }
        if i < 3:
            user["permissions"] = ["account.super_admin", "data.export", "users.manage"]
        users.append(user)
    inventory = Inventory.model_validate(
        {
            "tenant": {"platform": "hubspot", "id": "62515", "name": "Acme"},
            "users": users,
            "permission_sets": [
                {"id": "r1", "name": "Sales Rep", "kind": "role", "active_assignee_count": 16},
                {"id": "r2", "name": "Marketing", "kind": "role", "active_assignee_count": 16},
            ],
            "capabilities": [c.model_dump() for c in HUBSPOT_CAPABILITIES],
        }
    )
    result = run_checks(inventory, load_policy(), now=NOW)
    return to_document(result, "low")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return _hubspot_document()


def _printed(document: dict[str, Any], limit: int = 15, width: int = 80) -> str:
    console = Console(width=width, color_system=None, file=io.StringIO(), record=True)
    print_result(document, console, limit=limit)
    return console.export_text()


def test_no_line_ends_in_a_space(document: dict[str, Any]) -> None:
    for width in (60, 80, 100, 132):
        text = _printed(document, width=width)
        assert [line for line in text.splitlines() if line != line.rstrip()] == []
    assert all(line == line.rstrip() for line in render_console_text(document).splitlines())


def test_undecided_users_are_one_line_per_cause_not_one_per_user(
    document: dict[str, Any],
) -> None:
    text = " ".join(_printed(document, limit=0).split())
    assert "40 users undecided: HubSpot has no API for what a role" in text
    assert "user10@acme.test: " not in text  # no per-user line for the undecided ones
    # Later checks refer to the cause instead of repeating it.
    assert text.count("HubSpot has no API for what a role or a user's own") == 1
    assert "same cause as PRIV-002 (users.permissions)" in text


def test_errors_are_grouped_with_a_count_and_a_few_names(document: dict[str, Any]) -> None:
    text = " ".join(_printed(document, limit=0, width=400).split())
    assert "ERROR 5 users: cannot decide whether the check applies: not collected: active" in text
    assert "(e.g. user43@acme.test, user44@acme.test, user45@acme.test and 2 more)" in text


def test_fails_come_before_errors_and_manuals_within_a_check(document: dict[str, Any]) -> None:
    lines = _printed(document, limit=0, width=400).splitlines()
    start = next(i for i, line in enumerate(lines) if " PRIV-011 " in line)
    block: list[str] = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line.strip().split()[0])
    statuses = [s for s in block if s in ("FAIL", "ERROR", "MANUAL")]
    assert statuses == sorted(statuses, key=["FAIL", "ERROR", "MANUAL"].index)
    assert statuses[0] == "FAIL" and "ERROR" in statuses and "MANUAL" in statuses


def test_a_fail_message_never_says_not_collected(document: dict[str, Any]) -> None:
    fails = [f["message"] for f in document["findings"] if f["status"] == "FAIL"]
    assert fails and not any("not collected" in m for m in fails)


def test_checks_not_covering_the_platform_are_listed_once(document: dict[str, Any]) -> None:
    text = _printed(document)
    assert "Not applicable to hubspot (" in text
    assert "AUTH-009" in text and "not applicable to hubspot: the check covers" not in text


def test_coverage_per_domain_is_in_the_summary(document: dict[str, Any]) -> None:
    text = " ".join(_printed(document).split())
    share = document["summary"]["coverage"]["domains"]["PRIV"]["share"]
    assert f"PRIV {share:g} %" in text and "Decided: " in text


def test_the_fix_line_keeps_whole_sentences(document: dict[str, Any]) -> None:
    text = " ".join(_printed(document, width=400).split())
    assert "Fix: HubSpot: Settings > Users & Teams > user > Permissions > Account > clear" in text


BOTH = ("salesforce", "hubspot")


@pytest.mark.parametrize(
    ("remediation", "platform", "expected"),
    [
        (
            '1. Salesforce: Setup > Profiles > clear\n   "Export" for everyone.\n2. Next.',
            "salesforce",
            'Salesforce: Setup > Profiles > clear "Export" for everyone.',
        ),
        (
            "1. Salesforce: Setup > clear it.\n2. HubSpot: Settings > Users > clear it.",
            "hubspot",
            "HubSpot: Settings > Users > clear it.",
        ),
        (  # a first step for every platform wins
            "1. Decide first.\n2. Salesforce: Setup > Users. HubSpot: Settings > Users.",
            "hubspot",
            "Decide first.",
        ),
        (  # the platform's part of a step naming both
            "1. Salesforce: Setup > Users > edit. HubSpot: Settings > Users > edit.",
            "salesforce",
            "Salesforce: Setup > Users > edit.",
        ),
        (  # a step for another platform only is skipped
            "1. Salesforce: Setup > TLS.\n2. Proxies: disable TLS 1.0.",
            "hubspot",
            "Proxies: disable TLS 1.0.",
        ),
        ("Review it.\n\nThen attest.", None, "Review it."),
        ("", None, ""),
    ],
)
def test_fix_text(remediation: str, platform: str | None, expected: str) -> None:
    assert fix_text(remediation, platform, BOTH) == expected


def test_a_long_fix_keeps_its_first_sentence_whole() -> None:
    first = "Do " + "this and that " * 30 + "now."
    text = fix_text(f"1. {first} Then more. And more.", limit=60)
    assert text == first


def test_shorten_cuts_at_a_clause() -> None:
    text = shorten("alpha beta gamma; delta epsilon zeta eta theta iota", limit=30)
    assert text == "alpha beta gamma … (full text in the JSON report)"
    assert shorten("alpha beta; gamma delta epsilon zeta eta", limit=30).startswith(
        "alpha beta; gamma delta …"
    )
    assert shorten("short") == "short"


def test_the_gate_line_names_the_rule_that_decided_the_exit_code(
    document: dict[str, Any],
) -> None:
    plain = {**document, "gate": {"fail_on": "low", "exit_code": 1}}
    assert "fail-on low: gate failed (exit 1)" in render_console_text(plain)
    new = {**document, "gate": {"fail_on": "low", "fail_on_new": "high", "exit_code": 0}}
    text = render_console_text(new)
    assert "fail-on-new high: gate passed (exit 0)" in text
    assert "fail-on low" not in text
