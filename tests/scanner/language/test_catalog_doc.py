"""docs/checks.md is generated from the catalogue and must be up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.language.catalog_doc import main, render_shipped, render_shipped_platforms

DOC = Path(__file__).parents[3] / "docs" / "checks.md"
PLATFORMS_DOC = DOC.parent / "platforms.md"


def test_docs_checks_md_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_shipped(), (
        "docs/checks.md is stale: run `python -m scanner.language.catalog_doc`"
    )


def test_docs_platforms_md_is_up_to_date() -> None:
    assert PLATFORMS_DOC.read_text(encoding="utf-8") == render_shipped_platforms(), (
        "docs/platforms.md is stale (a capability declaration or platforms list changed): "
        "run `python -m scanner.language.catalog_doc`"
    )


def test_platforms_page_says_how_each_check_runs_on_each_platform() -> None:
    text = render_shipped_platforms()
    header = next(line for line in text.splitlines() if line.startswith("| check | title |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    assert columns[2:] == sorted(columns[2:]) and {"hubspot", "salesforce"} <= set(columns)
    row = next(line for line in text.splitlines() if line.startswith("| [AUTH-001]"))
    cells = dict(zip(columns, (c.strip() for c in row.strip("|").split("|")), strict=True))
    assert cells["title"] == "MFA is enforced org-wide for interactive logins"
    assert (cells["hubspot"], cells["salesforce"]) == ("attested", "automated")
    assert "| [AUTH-009](checks.md#auth-009) |" in text and "| AUTH-009 | not applicable |" in text
    assert "| `users.permissions` | no_api | known for super admins |" in text


def test_catalogue_lists_every_check_with_parameters_and_frameworks() -> None:
    text = render_shipped()
    assert text.count("\n### ") == 42
    assert "| `auth.session.max_timeout_minutes` | `120` | `15` |" in text
    assert "pci-dss 8.2.8" in text


def test_check_mode_reports_a_stale_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "checks.md"
    target.write_text("old\n", encoding="utf-8")
    assert main(["--check", str(target)]) == 1
    assert main([str(target)]) == 0
    assert main(["--check", str(target)]) == 0
    assert "up to date" in capsys.readouterr().out
    (tmp_path / "platforms.md").write_text("old\n", encoding="utf-8")
    assert main(["--check", str(target)]) == 1  # platforms.md is checked too
    assert "platforms.md is out of date" in capsys.readouterr().err
