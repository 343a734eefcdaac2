"""Every hostile input of the corpus, through the command line: exit code, location, time.

Each case runs in a forked child with a memory limit and is killed after its time bound
(`tests.hostile.runner`), so a hang or a memory blow-up fails one case, not the suite.
``python -m tests.hostile.run_corpus`` runs the same cases and prints the counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.cases import Case, all_cases, problems, readme_table
from tests.hostile.runner import run_cli

CASES = all_cases()
README = Path(__file__).parent / "README.md"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, generated_inputs: Path, tmp_path: Path) -> None:
    if case.setup is not None:
        case.setup(tmp_path, generated_inputs)
    argv = case.arguments(tmp_path, generated_inputs)
    outcome = run_cli(argv, tmp_path, case.env, timeout=case.seconds)
    found = problems(case, tmp_path, outcome)
    assert not found, f"{found}\n$ crmscan {' '.join(argv)}\n{outcome.output[-3000:]}"


def test_readme_lists_every_case() -> None:
    """README.md carries the table `python -m tests.hostile.cases --readme` prints."""
    assert readme_table(CASES) in README.read_text(encoding="utf-8"), (
        "tests/hostile/README.md is stale: python -m tests.hostile.cases --readme"
    )


def test_corpus_is_large() -> None:
    """The issue asked for about 170 malformed inputs; each runs through several loaders."""
    inputs = {c.id.rsplit("/", 1)[0] if c.id.count("/") > 1 else c.id for c in CASES}
    assert len(inputs) >= 150 and len(CASES) >= 400
