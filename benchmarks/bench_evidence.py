"""Evidence bundle benchmark: writing, verifying and explaining a large org's bundle.

Scans a synthetic org (benchmarks.synthetic_org) and prints, per bundle kind (folder,
zip, tar.gz), the seconds to write the signed bundle, its size, the seconds
`verify_bundle` takes with the public key, and the seconds `evidence explain` takes to
list every FINDING-ID. Not a test: a slow machine cannot make the suite flaky.

    python -m benchmarks.bench_evidence [--users 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks.synthetic_org import make_inventory
from scanner.engine.scan import run_checks
from scanner.evidence.bundle import verify_bundle, write_scan_bundle
from scanner.evidence.explain import findings_by_id, load_results
from scanner.language.policy import load_policy
from scanner.results.document import to_document


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20_000)
    args = parser.parse_args()
    inventory = make_inventory(users=args.users)
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    started = time.perf_counter()
    result = run_checks(inventory, load_policy(None), (), (), now)
    document = to_document(result, "low")
    print(f"users {args.users}: {len(document['findings'])} findings, scan "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    key = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory() as work:
        for name in ("bundle", "bundle.zip", "bundle.tar.gz"):
            target = Path(work) / name
            started = time.perf_counter()
            write_scan_bundle(target, result, document, key)
            written = time.perf_counter() - started
            started = time.perf_counter()
            outcome = verify_bundle(target, key.public_key())
            verified = time.perf_counter() - started
            assert outcome.ok and outcome.signed, outcome.problems
            started = time.perf_counter()
            assert outcome.bundle is not None
            ids = findings_by_id(load_results(outcome))
            listed = time.perf_counter() - started
            print(f"{name:14} write {written:5.1f} s  size {_size(target) / 2**20:7.1f} MiB  "
                  f"verify {verified:5.1f} s  list {len(ids)} ids {listed:5.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
