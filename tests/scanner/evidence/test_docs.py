"""The verification recipes of docs/evidence.md work as written, and reject tampering."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.scanner.evidence.kit import new_key, public_pem, read_members, scan_bundle, write_members

DOC = Path(__file__).parents[3] / "docs" / "evidence.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_doc_has_both_recipes() -> None:
    assert len(SNIPPETS) == 2
    assert "securesystemslib" in SNIPPETS[0] and "securesystemslib" not in SNIPPETS[1]


@pytest.mark.parametrize("snippet", SNIPPETS, ids=["securesystemslib", "cryptography"])
def test_a_recipe_verifies_and_rejects(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    snippet: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    key = new_key()
    scan_bundle(tmp_path / "evidence-2026-11-23.zip", key)
    (tmp_path / "evidence.pem.pub").write_bytes(public_pem(key))
    exec(compile(snippet, str(DOC), "exec"), {})
    assert capsys.readouterr().out.startswith("verified 00000000-0000-4000-8000-000000000001")
    files = read_members(tmp_path / "evidence-2026-11-23.zip")
    files["results.json"] = files["results.json"].replace(b'"FAIL"', b'"PASS"', 1)
    write_members(tmp_path / "evidence-2026-11-23.zip", files)
    with pytest.raises(AssertionError, match="results.json was modified"):
        exec(compile(snippet, str(DOC), "exec"), {})
    (tmp_path / "evidence.pem.pub").write_bytes(public_pem(new_key()))
    with pytest.raises(Exception) as refused:
        exec(compile(snippet, str(DOC), "exec"), {})
    assert type(refused.value).__name__ in ("VerificationError", "InvalidSignature")
