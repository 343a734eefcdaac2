"""Engine benchmark: the shipped checks over 100,000 users and 5,000 permission sets.

Targets (issue #2): evaluation under 5 s, peak memory under 1 GB. Prints figures; it is
not a test, so a slow machine cannot make the suite flaky.

    python -m benchmarks.bench_engine [--users 100000] [--permission-sets 5000]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import resource
import sys
import time

from benchmarks.synthetic_org import NOW, make_inventory
from scanner.engine.scan import evaluate
from scanner.language.check_spec import CheckSpec, load_checks
from scanner.language.policy import load_policy
from scanner.results.document import summarize

MIN_CHECKS = 30


def _peak_rss_mb() -> float:
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / scale / 1024


def padded_checks(minimum: int) -> list[CheckSpec]:
    """The shipped checks, padded with renamed copies of them up to ``minimum``."""
    shipped = sorted(load_checks().values(), key=lambda s: s.id)
    checks = list(shipped)
    i = 0
    while len(checks) < minimum:
        base = shipped[i % len(shipped)]
        checks.append(dataclasses.replace(base, id=f"BENCH-{len(checks):03d}"))
        i += 1
    return checks


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--permission-sets", type=int, default=5_000)
    args = parser.parse_args()

    started = time.perf_counter()
    inventory = make_inventory(users=args.users, permission_sets=args.permission_sets)
    generated = time.perf_counter() - started
    checks = padded_checks(MIN_CHECKS)
    shipped = sum(1 for c in checks if not c.id.startswith("BENCH-"))
    policy = load_policy()
    gc.collect()
    rss_before = _peak_rss_mb()

    started = time.perf_counter()
    result = evaluate(inventory, policy, checks, now=NOW)
    evaluated = time.perf_counter() - started

    started = time.perf_counter()
    summary = summarize(result)
    summarized = time.perf_counter() - started
    peak = _peak_rss_mb()

    print(
        f"inventory: {args.users:,} users, {args.permission_sets:,} permission sets "
        f"(generated in {generated:.1f} s)"
    )
    print(f"checks: {len(checks)} ({shipped} shipped, {len(checks) - shipped} padded copies)")
    print(f"findings: {len(result.findings):,}  by status: {summary['by_status']}")
    print(
        f"evaluate (compile + run): {evaluated:.2f} s   target < 5 s   "
        f"{'OK' if evaluated < 5 else 'MISSED'}"
    )
    print(f"summarize: {summarized:.2f} s")
    print(
        f"peak RSS: {peak:.0f} MB (before evaluation {rss_before:.0f} MB)   target < 1024 MB   "
        f"{'OK' if peak < 1024 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
