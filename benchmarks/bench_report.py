"""Report benchmark: a whole scan of a big synthetic org, phase by phase.

Generates the org (`benchmarks.synthetic_org`), saves it as a snapshot, then runs the
scan in a child process, as ``crmscan scan --snapshot BIG.json --format json,html``
would, and prints the time of each phase (snapshot load, evaluation, result document,
each report file), the child's whole wall time and peak RSS, and the size of each
file. Issue 12 targets at 100,000 users / 5,000 permission sets: whole process under
20 s, peak RSS under 1.5 GB, JSON under 150 MB, HTML under 25 MB; other sizes are held
to them scaled linearly (``--users 200000``: 40 s, 3 GB, 300 MB, 50 MB).

Not a test: it prints figures. ``--cli`` runs the real command line instead of the
phase-by-phase child (same work; only the whole-process figures are printed).

    python -m benchmarks.bench_report [--users 100000] [--permission-sets 5000]
        [--format json,html] [--keep DIR] [--cli]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: Issue 12's targets at 100,000 users; other sizes are held to them scaled linearly
#: ("the same figures at 200,000 users stay linear").
TARGETS_100K = {"whole": 20.0, "rss_mb": 1536.0, "json_mb": 150.0, "html_mb": 25.0}
TARGETS = dict(TARGETS_100K)


def _scale_targets(users: int) -> str:
    """Scale `TARGETS` to ``users``; the note printed with the figures."""
    factor = users / 100_000
    TARGETS.update({key: value * factor for key, value in TARGETS_100K.items()})
    return "" if factor == 1 else f" (targets: the 100,000-user ones x{factor:g})"


def _peak_rss_mb(who: int) -> float:
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale / 1024 / 1024


def _generate(users: int, permission_sets: int, path: Path) -> float:
    from benchmarks.synthetic_org import make_inventory
    from scanner.model.snapshot import save_snapshot

    started = time.perf_counter()
    save_snapshot(make_inventory(users=users, permission_sets=permission_sets), path)
    return time.perf_counter() - started


def _child(snapshot: Path, formats: list[str], out: Path) -> None:
    """The scan, phase by phase, in this (fresh) process; prints one JSON line."""
    try:
        from scanner.memory import collector_paused
    except ImportError:  # main before the collector was paused during a scan
        _phases(snapshot, formats, out)
        return
    with collector_paused():  # as scanner.pipeline loads and scans
        _phases(snapshot, formats, out)


def _phases(snapshot: Path, formats: list[str], out: Path) -> None:
    phases: dict[str, float] = {}
    peaks: dict[str, float] = {}
    started = time.perf_counter()
    from benchmarks.synthetic_org import NOW
    from scanner.engine.scan import run_checks
    from scanner.language.policy import load_policy
    from scanner.model.snapshot import load_snapshot
    from scanner.outputs import write_report
    from scanner.results.document import to_document

    phases["imports"] = time.perf_counter() - started
    mark = time.perf_counter()
    inventory = load_snapshot(snapshot)
    phases["snapshot load"] = time.perf_counter() - mark
    peaks["snapshot load"] = _peak_rss_mb(resource.RUSAGE_SELF)
    mark = time.perf_counter()
    policy = load_policy(None)
    result = run_checks(inventory, policy, now=NOW)
    phases["evaluation"] = time.perf_counter() - mark
    peaks["evaluation"] = _peak_rss_mb(resource.RUSAGE_SELF)
    mark = time.perf_counter()
    document = to_document(result, "low", records=False)  # as a scan without --evidence
    phases["result document"] = time.perf_counter() - mark
    peaks["result document"] = _peak_rss_mb(resource.RUSAGE_SELF)
    files: dict[str, int] = {}
    for name in formats:
        mark = time.perf_counter()
        try:  # this branch: the pipeline's document is clean by construction
            path = write_report(document, name, out, cleaned=True)  # type: ignore[call-arg]
        except TypeError:  # main before issue 12
            path = write_report(document, name, out)
        phases[f"report {name}"] = time.perf_counter() - mark
        peaks[f"report {name}"] = _peak_rss_mb(resource.RUSAGE_SELF)
        files[path.name] = path.stat().st_size
    print(
        json.dumps(
            {
                "phases": phases,
                "peaks": peaks,
                "files": files,
                "findings": len(result.findings),
                "document_findings": len(document["findings"]),
                "schema": document["schema_version"],
                "rss_mb": _peak_rss_mb(resource.RUSAGE_SELF),
            }
        )
    )


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmd: list[str]) -> tuple[float, float, str]:
    started, cpu = time.perf_counter(), _cpu_children()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    # On a shared machine the wall time counts the waits for a core; say the CPU time.
    print(f"child CPU time (user + system): {_cpu_children() - cpu:.1f} s")
    if done.returncode not in (0, 1, 3):
        sys.stderr.write(done.stderr)
        raise SystemExit(f"child failed with exit code {done.returncode}")
    return wall, _peak_rss_mb(resource.RUSAGE_CHILDREN), done.stdout


def _verdict(value: float, target: float) -> str:
    return "OK" if value < target else "MISSED"


def _print_files(out: Path) -> None:
    for path in sorted(out.iterdir()):
        size = path.stat().st_size / 1e6
        key = {".json": "json_mb", ".html": "html_mb"}.get(path.suffix)
        note = f"   target < {TARGETS[key]:.0f} MB {_verdict(size, TARGETS[key])}" if key else ""
        print(f"  {path.name:<28} {size:10.1f} MB{note}")


def main() -> None:
    """Generate, scan in a child process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--permission-sets", type=int, default=5_000)
    parser.add_argument("--format", default="json,html")
    parser.add_argument("--keep", type=Path, default=None, help="Keep snapshot and reports here.")
    parser.add_argument("--cli", action="store_true", help="Run the real crmscan command line.")
    parser.add_argument("--child", nargs=2, metavar=("SNAPSHOT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    formats = [f for f in args.format.split(",") if f]
    if args.child:
        _child(Path(args.child[0]), formats, Path(args.child[1]))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="crmscan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    snapshot, out = work / "BIG.json", work / "report"
    generated = _generate(args.users, args.permission_sets, snapshot)
    scaled = _scale_targets(args.users)
    print(
        f"org: {args.users:,} users, {args.permission_sets:,} permission sets; snapshot "
        f"{snapshot.stat().st_size / 1e6:.1f} MB (generated in {generated:.1f} s){scaled}"
    )
    if args.cli:
        cmd = [sys.executable, "-m", "scanner", "scan", "--snapshot", str(snapshot)]
        cmd += ["--format", args.format, "--out", str(out)]
        wall, rss, _ = _run(cmd)
    else:
        cmd = [sys.executable, "-m", "benchmarks.bench_report", "--format", args.format]
        wall, rss, stdout = _run([*cmd, "--child", str(snapshot), str(out)])
        figures: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
        print(
            f"findings: {figures['findings']:,} evaluated, {figures['document_findings']:,} "
            f"in full in the result document (schema {figures['schema']})"
        )
        peaks = figures.get("peaks", {})
        for phase, seconds in figures["phases"].items():
            peak = f"   peak RSS so far {peaks[phase]:6.0f} MB" if phase in peaks else ""
            print(f"  {phase:<28} {seconds:8.2f} s{peak}")
    print(
        f"whole process: {wall:.1f} s   target < {TARGETS['whole']:.0f} s   "
        f"{_verdict(wall, TARGETS['whole'])}"
    )
    print(
        f"peak RSS: {rss:.0f} MB   target < {TARGETS['rss_mb']:.0f} MB   "
        f"{_verdict(rss, TARGETS['rss_mb'])}"
    )
    print("files:")
    _print_files(out)
    if args.keep is None:
        for path in sorted(work.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        work.rmdir()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
