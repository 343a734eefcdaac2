"""``--checks-dir``: a user's own check files, validated like the shipped ones.

Mirrors the walkthrough in docs/custom-checks.md, so the documented example keeps working.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import cli
from scanner.language.check_spec import load_checks
from scanner.results.reader import read

CUSTOM = """\
id: ACME-001
title: Nobody outside IT holds Modify All Data
severity: high
platforms: [salesforce]
description: Only the IT team's profiles may grant Modify All Data.
resource: users
requires: [users.permissions]
where:
  all:
    - {field: active, op: eq, value: true}
    - {field: permissions, op: contains, value: data.modify_all}
assert: {field: profile, op: in, value: [IT Admin, System Administrator]}
message: "{username} ({profile}) can modify all data"
remediation: Setup > Users > change the user's profile, or remove the permission set.
"""

SNAPSHOT = """\
tenant: {platform: salesforce, id: 00Dacme, name: Acme}
users:
  - {id: 005A, username: ann@acme.test, active: true, kind: human, profile: IT Admin,
     permissions: [data.modify_all]}
  - {id: 005B, username: bob@acme.test, active: true, kind: human, profile: Sales,
     permissions: [data.modify_all]}
  - {id: 005C, username: cat@acme.test, active: true, kind: human, profile: Sales,
     permissions: [api.enabled]}
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def _setup(tmp_path: Path, check_text: str = CUSTOM) -> tuple[Path, Path]:
    folder = tmp_path / "my-checks"
    folder.mkdir()
    (folder / "ACME-001.yaml").write_text(check_text, encoding="utf-8")
    snapshot = tmp_path / "acme.yaml"
    snapshot.write_text(SNAPSHOT, encoding="utf-8")
    return folder, snapshot


def test_custom_check_is_listed_shown_and_produces_findings(tmp_path: Path) -> None:
    folder, snapshot = _setup(tmp_path)
    code, out, _ = invoke("checks", "list", "--checks-dir", str(folder))
    shipped = len(load_checks())
    assert code == 0 and "ACME-001" in out and f"{shipped + 1} checks" in out
    code, out, _ = invoke("checks", "show", "ACME-001", "--checks-dir", str(folder))
    assert code == 0 and "Frameworks none" in out
    code, out, _ = invoke(
        "scan", "--snapshot", str(snapshot), "--checks-dir", str(folder),
        "--check", "ACME-001", "--format", "console,json", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 1
    assert "bob@acme.test (Sales) can modify all data" in out
    document = json.loads((tmp_path / "out" / "crmscan-results.json").read_text("utf-8"))
    statuses = {f["resource"]["id"]: f["status"] for f in read(document).every_finding()}
    assert statuses == {"005A": "PASS", "005B": "FAIL"}


def test_invalid_custom_check_names_file_line_and_field(tmp_path: Path) -> None:
    broken = CUSTOM.replace("op: contains,", "op: has,")
    folder, snapshot = _setup(tmp_path, broken)
    code, _, err = invoke("scan", "--snapshot", str(snapshot), "--checks-dir", str(folder))
    assert code == 2
    assert "ACME-001.yaml:11" in err and "op" in err


def test_custom_check_with_unknown_field_is_rejected(tmp_path: Path) -> None:
    folder, snapshot = _setup(tmp_path, CUSTOM.replace("field: profile,", "field: profil,"))
    code, _, err = invoke("scan", "--snapshot", str(snapshot), "--checks-dir", str(folder))
    assert code == 2 and "unknown field 'profil'" in err


def test_custom_check_may_not_reuse_a_shipped_id(tmp_path: Path) -> None:
    folder, snapshot = _setup(tmp_path, CUSTOM.replace("ACME-001", "PRIV-002"))
    code, _, err = invoke("checks", "list", "--checks-dir", str(folder))
    assert code == 2 and "already defined" in err


def test_custom_framework_maps_custom_and_shipped_checks(tmp_path: Path) -> None:
    folder, snapshot = _setup(tmp_path)
    (folder / "frameworks").mkdir()
    (folder / "frameworks" / "acme.yaml").write_text(
        "id: acme\nname: Acme policy\nversion: '2026'\nrequirements:\n"
        "  - {id: A1, title: Data changes stay with IT, checks: [ACME-001]}\n"
        "  - {id: A2, title: Sessions are short, checks: [AUTH-008]}\n"
        "  - {id: A3, title: Laptops are encrypted, checks: []}\n",
        encoding="utf-8",
    )
    code, out, _ = invoke(
        "scan", "--snapshot", str(snapshot), "--checks-dir", str(folder),
        "--framework", "acme", "--format", "json", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 1
    document = json.loads((tmp_path / "out" / "crmscan-results.json").read_text("utf-8"))
    statuses = {r["id"]: r["status"] for r in document["frameworks"][0]["requirements"]}
    assert statuses == {"A1": "FAIL", "A2": "ERROR", "A3": "MANUAL"}
