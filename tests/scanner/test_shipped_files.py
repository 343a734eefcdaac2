"""Every shipped check and policy validates against its schema and compiles."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from scanner.documents import load_file, validate
from scanner.language.check_spec import builtin_checks_dir, load_check_file, load_checks
from scanner.language.compiler import compile_check
from scanner.language.policy import builtin_policy_names, load_policy

CHECK_FILES = sorted(p for p in builtin_checks_dir().rglob("*.yaml") if "frameworks" not in p.parts)


def test_checks_ship() -> None:
    assert len(CHECK_FILES) >= 5
    assert len(load_checks()) == len(CHECK_FILES)


@pytest.mark.parametrize("path", CHECK_FILES, ids=lambda p: p.stem)
def test_check_file_is_valid(path: Path) -> None:
    spec = load_check_file(path)
    assert spec.id == path.stem, "a check file is named after its id"
    assert path.parent.name.upper() == spec.id.split("-")[0], "checks live in checks/<domain>/"
    for name in builtin_policy_names():
        compile_check(spec, load_policy(name), datetime.now(timezone.utc))


@pytest.mark.parametrize("name", builtin_policy_names())
def test_policy_file_is_valid(name: str) -> None:
    document = load_file(Path(str(load_policy(name).sources[-1])))
    validate(document, "policy")
