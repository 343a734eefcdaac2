"""How much of a scan is signal: findings by status, ERROR share, console lines.

Runs two scans through the real CLI and prints one table per scan:

* ``crmscan scan --platform hubspot`` against the loopback HubSpot emulator serving a
  130-user account (`tests.emulators.hubspot.team_account`) where every documented call
  succeeds;
* ``crmscan demo`` (the bundled Salesforce sample org).

For each: findings per status, the ERROR share, the lines the terminal shows, the lines
of the console view listing every finding, and what each remaining ERROR says.
``--save FILE`` writes every finding's status keyed by (check, resource) as JSON and
``--compare FILE`` prints the findings whose PASS or FAIL status changed since a saved
run, so a change in the engine can be measured against the one before it. Run from the
repository root::

    python benchmarks/signal_counts.py [--users 130] [--save before.json] [--compare before.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner  # noqa: E402

from scanner.cli import cli  # noqa: E402
from scanner.outputs import render_report  # noqa: E402
from tests.emulators.hubspot import TOKEN, HubSpotEmulator  # noqa: E402
from tests.emulators.hubspot.team_account import team_account  # noqa: E402

STATUSES = ("PASS", "FAIL", "ERROR", "MANUAL", "NOT_APPLICABLE")


def _run(args: list[str], out: Path) -> tuple[dict[str, Any], int, int]:
    """The result document, terminal lines and console-file lines of one CLI run."""
    result = CliRunner().invoke(
        cli, [*args, "--format", "console,json", "--out", str(out)], catch_exceptions=False
    )
    document = json.loads((out / "crmscan-results.json").read_text(encoding="utf-8"))
    terminal = len(result.stdout.splitlines())
    every_finding = len(render_report(document, "console").splitlines())
    return document, terminal, every_finding


def hubspot(users: int, out: Path) -> tuple[dict[str, Any], int, int]:
    """Scan the emulated ``users``-user HubSpot account (HTTPS: its CA is trusted)."""
    server = HubSpotEmulator(team_account(datetime.now(timezone.utc), users=users)).start()
    saved = {name: os.environ.get(name) for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    try:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
        os.environ["SSL_CERT_FILE"] = server.ca_file(str(out.parent))
        args = ["scan", "--platform", "hubspot", "--access-token", TOKEN, "--base-url", server.url]
        return _run(args, out)
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def salesforce(out: Path) -> tuple[dict[str, Any], int, int]:
    """Scan the bundled Salesforce sample org."""
    return _run(["demo"], out)


def _key(finding: dict[str, Any]) -> str:
    resource = finding["resource"]
    return f"{finding['check_id']} {resource['type']}:{resource.get('id') or resource.get('name')}"


def table(name: str, document: dict[str, Any], terminal: int, every_finding: int) -> str:
    """The figures of one scan as a Markdown table, then its ERROR messages."""
    counts = Counter(f["status"] for f in document["findings"])
    total = sum(counts.values())
    lines = [f"### {name}", "", "| measure | value |", "|---|---:|"]
    lines += [f"| {status} | {counts.get(status, 0)} |" for status in STATUSES]
    lines.append(f"| findings | {total} |")
    share = 100 * counts.get("ERROR", 0) / total if total else 0.0
    lines.append(f"| ERROR share | {share:.1f} % |")
    lines.append(f"| terminal lines (`crmscan scan`) | {terminal} |")
    lines.append(f"| console lines, every finding listed (`--all-findings`) | {every_finding} |")
    errors = Counter(
        f"{f['check_id']}: {f['message'][:110]}"
        for f in document["findings"]
        if f["status"] == "ERROR"
    )
    if errors:
        lines += ["", "ERROR findings (count × check: message):", ""]
        lines += [f"- {n} × {text}" for text, n in errors.most_common(12)]
        if len(errors) > 12:
            lines.append(f"- … {len(errors) - 12} more distinct messages")
    return "\n".join(lines)


def main() -> int:
    """Print the tables; with ``--compare``, also the PASS/FAIL findings that changed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=130)
    parser.add_argument("--save", type=Path, help="write every finding's status here (JSON)")
    parser.add_argument("--compare", type=Path, help="a file written by --save")
    args = parser.parse_args()
    statuses: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        runs = {
            f"HubSpot emulator, {args.users} users": hubspot(args.users, Path(tmp) / "hubspot"),
            "Salesforce sample org (crmscan demo)": salesforce(Path(tmp) / "salesforce"),
        }
    for name, (document, terminal, every_finding) in runs.items():
        print(table(name, document, terminal, every_finding))
        print()
        statuses[name] = {_key(f): f["status"] for f in document["findings"]}
    if args.save:
        args.save.write_text(json.dumps(statuses, indent=1, sort_keys=True), encoding="utf-8")
    if args.compare:
        before: dict[str, dict[str, str]] = json.loads(args.compare.read_text(encoding="utf-8"))
        for name, now in statuses.items():
            old = before.get(name, {})
            changed = [
                f"{key}: {old.get(key, '-')} -> {now.get(key, '-')}"
                for key in sorted(set(old) | set(now))
                if old.get(key) != now.get(key)
                and ({old.get(key), now.get(key)} & {"PASS", "FAIL"})
            ]
            print(f"### {name}: PASS/FAIL findings that changed ({len(changed)})\n")
            print("\n".join(f"- {line}" for line in changed) or "none")
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
