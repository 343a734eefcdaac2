"""Run the whole hostile corpus through the command line and print the counts.

    python -m tests.hostile.run_corpus [--exec] [--code DIR] [--jobs N] [-k TEXT] [-v]

Counts what issue 10 asks for: inputs tried, tracebacks, internal errors without
location, hangs, false PASS, plus the cases whose exit code or location differ from the
corpus's expectation. ``--exec`` runs the real console entry point once per case
(``python -m scanner``) instead of forked children; ``--code DIR`` imports crmscan from
another checkout (``--exec`` only), to measure the same corpus on main.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.hostile.cases import FALSE_PASS, Case, all_cases, problems
from tests.hostile.generate import generate
from tests.hostile.runner import Outcome, run_cli


def run_case(
    case: Case, root: Path, gen: Path, mode: str, code: Path | None
) -> tuple[Outcome, list[str]]:
    """Run one case in its own working folder under ``root``."""
    work = root / case.id.replace("/", "__")
    work.mkdir(parents=True)
    if case.setup is not None:
        case.setup(work, gen)
    outcome = run_cli(
        case.arguments(work, gen), work, case.env, timeout=case.seconds, mode=mode, code_root=code
    )
    return outcome, problems(case, work, outcome)


def main() -> int:
    """Run the corpus; exit 1 when any count (or expectation) is not zero."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exec", action="store_true", help="one real process per case")
    parser.add_argument("--code", type=Path, default=None, help="crmscan source tree to run")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("-k", default="", help="only cases whose id contains this")
    parser.add_argument("-v", action="store_true", help="print every case")
    args = parser.parse_args()
    cases = [c for c in all_cases() if args.k in c.id]
    mode = "exec" if args.exec else "fork"
    root = Path(tempfile.mkdtemp(prefix="crmscan-hostile-"))
    try:
        gen = generate(root / "gen")
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(
                pool.map(lambda c: run_case(c, root / "work", gen, mode, args.code), cases)
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    counts = {"tracebacks": 0, "internal errors without location": 0, "hangs": 0, "false PASS": 0}
    mismatched = 0
    for case, (outcome, found) in zip(cases, results, strict=True):
        counts["tracebacks"] += outcome.traceback
        counts["internal errors without location"] += outcome.internal_error
        counts["hangs"] += outcome.hung
        counts["false PASS"] += any(p.startswith(FALSE_PASS) for p in found)
        mismatched += bool(found)
        if found or args.v:
            first = (outcome.stderr.strip().splitlines() or [""])[-1][:160]
            print(
                f"{'FAIL' if found else 'ok  '} {case.id}: {'; '.join(found) or 'as expected'}"
                f" [{outcome.seconds:.1f}s] {first}"
            )
    print(f"inputs tried: {len(cases)}")
    for name, count in counts.items():
        print(f"{name}: {count}")
    print(f"cases not as expected (exit code, location, time or check): {mismatched}")
    return 1 if mismatched or any(counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
