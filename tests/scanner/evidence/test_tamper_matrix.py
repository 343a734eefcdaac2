"""Issue 17 item 6: every tampering is detected by crmscan and by the independent verifier."""

from __future__ import annotations

from pathlib import Path

from tests.scanner.evidence.tamper import KINDS, run_matrix


def test_every_tampered_variant_is_detected_by_both_verifiers(tmp_path: Path) -> None:
    table = run_matrix(tmp_path)
    categories = {category for _, category in table}
    assert categories == {
        "byte changed",
        "file removed",
        "file added",
        "statement edited",
        "signature swapped",
        "wrong key",
    }
    assert {kind for kind, _ in table} == set(KINDS)
    for (kind, category), (total, ours, theirs) in table.items():
        assert total > 0
        assert ours == total, f"crmscan missed {total - ours} of {kind}/{category}"
        assert theirs == total, (
            f"the independent verifier missed {total - theirs} of {kind}/{category}"
        )
    # one variant per file for each byte change and removal: raw, checks, policy included
    assert table[("zip", "byte changed")][0] >= 10
