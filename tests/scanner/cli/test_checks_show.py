"""``crmscan checks show ID`` says how the check runs on each registered platform."""

from __future__ import annotations

from click.testing import CliRunner

from scanner.cli import cli


def _show(check_id: str) -> str:
    result = CliRunner().invoke(cli, ["checks", "show", check_id])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_show_lists_how_the_check_runs_per_platform() -> None:
    text = _show("PRIV-002")
    assert "Platforms (how the check runs on each, before scanning)" in text
    assert "hubspot partly automated: users.permissions (known for super admins)" in text
    assert "salesforce automated" in text


def test_show_names_checks_that_do_not_cover_a_platform() -> None:
    text = _show("AUTH-009")
    assert "hubspot not applicable: the check covers salesforce" in text
    assert "salesforce automated" in text


def test_show_names_attested_checks() -> None:
    text = _show("AUTH-001")
    assert "hubspot attested: auth.mfa: HubSpot has no API for account-wide 2FA" in text
