"""Policy packs: extends, merging, selection, and clear errors for malformed packs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ConfigError, InputFileError
from scanner.language.policy import builtin_policy_names, load_policy


def test_shipped_packs() -> None:
    assert {"baseline", "strict"} <= set(builtin_policy_names())
    baseline = load_policy()
    assert baseline.name == "baseline"
    assert baseline.parameters["auth"]["session"]["max_timeout_minutes"] == 120
    strict = load_policy("strict")
    assert strict.parameters["auth"]["session"]["max_timeout_minutes"] == 15
    assert strict.parameters["identity"]["stale_after_days"] == 45
    # inherited untouched from baseline
    assert strict.parameters["least_privilege"]["min_admins"] == 2
    assert baseline.digest() != strict.digest()


def test_custom_pack_extends_and_selects(tmp_path: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(
        """
name: acme
extends: baseline
parameters:
  identity: {stale_after_days: 30}
checks:
  include: ["AUTH-*", "PRIV-*"]
  exclude: ["PRIV-010"]
  severity: {AUTH-008: high}
exceptions:
  - check: PRIV-005
    resources: ["svc-*"]
    reason: service account rotated quarterly
    approved_by: ciso@acme.example
    expires: 2027-03-31
attestations:
  - control: GOV-001
    statement: Quarterly access review done
    date: 2026-10-01
    attested_by: auditor@acme.example
    outcome: pass
""",
        encoding="utf-8",
    )
    policy = load_policy(str(pack))
    assert policy.parameters["identity"]["stale_after_days"] == 30
    assert policy.parameters["identity"]["new_user_grace_days"] == 30  # merged from baseline
    assert policy.selects("AUTH-002") and policy.selects("PRIV-001")
    assert not policy.selects("PRIV-010") and not policy.selects("ENC-002")
    assert policy.severity["AUTH-008"] == "high"
    assert policy.exceptions[0].expires.isoformat() == "2027-03-31"
    assert policy.attestation_for("GOV-001", "00D") is not None


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("name: x\nchecks:\n  include: AUTH-*\n", 3, "include"),
        (
            "name: x\nexceptions:\n  - check: A\n    resources: [b]\n    reason: because\n",
            3,
            "approved_by",
        ),
        (
            "name: x\nexceptions:\n  - {check: A, resources: [b], reason: why, approved_by: me, expires: soon}\n",
            3,
            "expires",
        ),
        ("name: x\nparameters: [1, 2]\n", 2, "parameters"),
        ("name: x\nbogus: 1\n", 1, "bogus"),
        ("name: [unclosed\n", 2, "YAML"),
    ],
)
def test_malformed_pack_names_file_line_field(
    tmp_path: Path, body: str, line: int, needle: str
) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(body, encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        load_policy(str(pack))
    message = str(info.value)
    assert message.startswith(f"{pack}:{line}"), message
    assert needle in message


def test_unknown_pack_lists_shipped_ones() -> None:
    with pytest.raises(ConfigError) as info:
        load_policy("nope")
    assert "baseline" in str(info.value) and "strict" in str(info.value)


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nextends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="extends itself"):
        load_policy(str(tmp_path / "a.yaml"))
