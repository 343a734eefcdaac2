"""The terminal view of a result: grouped by severity, readable at 80 columns.

Colour only when the stream is a terminal (rich decides; NO_COLOR is honoured). PASS
findings are counted, not listed; FAIL, ERROR and MANUAL are listed per check.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from scanner.language.check_spec import SEVERITIES
from scanner.outputs import Document, OutputFormat, register
from scanner.results.diff import ScanDiff

STATUS_STYLE = {
    "FAIL": "bold red",
    "ERROR": "bold magenta",
    "MANUAL": "yellow",
    "PASS": "green",
    "NOT_APPLICABLE": "dim",
}
SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}
LISTED = ("FAIL", "ERROR", "MANUAL")


def _resource_label(finding: dict[str, Any]) -> str:
    resource = finding["resource"]
    return str(resource.get("name") or resource.get("id") or resource["type"])


MESSAGE_LIMIT = 240


def _finding_text(finding: dict[str, Any]) -> str:
    """The message, prefixed with the resource unless it already names it; long ones cut."""
    label, message = _resource_label(finding), finding["message"]
    text = message if label in message else f"{label}: {message}"
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1].rstrip() + "… (full text in the JSON report)"
    return text


def print_result(document: Document, console: Console, limit: int = 15) -> None:
    """Print ``document`` to ``console``; at most ``limit`` findings per check (0 = all)."""
    tenant = document["tenant"]
    console.print(
        f"[bold]crmscan[/] {document['tool']['version']}  "
        f"{escape(str(tenant.get('platform')))} · "
        f"{escape(str(tenant.get('name') or tenant.get('id')))}"
        f"  policy [bold]{escape(document['policy']['name'])}[/]"
    )
    by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in document["findings"]:
        by_check[finding["check_id"]].append(finding)
    outcomes = document["summary"]["check_outcomes"]
    checks = {c["id"]: c for c in document["checks"]}
    passed = [cid for cid, outcome in outcomes.items() if outcome in ("PASS", "NOT_APPLICABLE")]
    for severity in SEVERITIES:
        group = [
            cid for cid, c in checks.items() if c["severity"] == severity and cid not in passed
        ]
        if not group:
            continue
        console.print()
        console.rule(f"[{SEVERITY_STYLE[severity]}] {severity.upper()} [/]", align="left")
        for cid in sorted(group):
            _print_check(console, checks[cid], outcomes[cid], by_check[cid], limit)
    console.print()
    if passed:
        console.print(
            f"[green]Passed or not applicable ({len(passed)}):[/] " + ", ".join(sorted(passed))
        )
    _print_gaps(console, document.get("gaps", []))
    _print_api_usage(console, document.get("api_usage"))
    for framework in document.get("frameworks", []):
        _print_framework(console, framework)
    _print_summary(console, document)


def _print_check(
    console: Console,
    check: dict[str, Any],
    outcome: str,
    findings: list[dict[str, Any]],
    limit: int,
) -> None:
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        counts[finding["status"]] += 1
    tally = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
    console.print(
        Text.from_markup(
            f"[{STATUS_STYLE.get(outcome, '')}]{outcome:<6}[/] [bold]{check['id']}[/] "
            f"{escape(check['title'])} [dim]({tally})[/]"
        )
    )
    listed = [f for f in findings if f["status"] in LISTED]
    shown = listed if limit == 0 else listed[:limit]
    for finding in shown:
        status = finding["status"]
        note = ""
        if finding.get("exception"):
            exception = finding["exception"]
            note = " [dim](exception expired)[/]" if exception["expired"] else " [dim](excepted)[/]"
        line = Text.from_markup(
            f"[{STATUS_STYLE[status]}]{status:<6}[/] {escape(_finding_text(finding))}{note}"
        )
        console.print(Padding(line, (0, 0, 0, 4), expand=False))
    if len(listed) > len(shown):
        console.print(f"    [dim]... and {len(listed) - len(shown)} more (see the JSON report)[/]")
    if outcome == "FAIL":
        first_line = check["remediation"].strip().splitlines()[0] if check["remediation"] else ""
        console.print(
            Padding(
                Text.from_markup(f"[dim]Fix: {escape(first_line)}[/]"), (0, 0, 0, 4), expand=False
            )
        )


def _print_api_usage(console: Console, usage: dict[str, Any] | None) -> None:
    if not usage or not usage.get("requests"):
        return
    text = f"API requests this scan: {usage['requests']}"
    if usage.get("daily_used") is not None and usage.get("daily_limit"):
        text += f"; org's daily API usage {usage['daily_used']:,} of {usage['daily_limit']:,}"
    console.print(f"[dim]{text}[/]")


def _print_gaps(console: Console, gaps: list[dict[str, Any]]) -> None:
    if not gaps:
        return
    console.print("[magenta]Not collected:[/]")
    for gap in gaps:
        console.print(f"  - {escape(gap['collection'])} ({gap['reason']}): {escape(gap['detail'])}")


def _print_framework(console: Console, framework: dict[str, Any]) -> None:
    """One line per requirement: status, id, title and the checks behind it."""
    console.print()
    title = f"[bold]{escape(framework['name'])}[/] {escape(framework['version'])}"
    console.rule(title, align="left")
    for requirement in framework["requirements"]:
        status = requirement["status"]
        checks = ", ".join(f"{c['id']} {c['outcome']}" for c in requirement["checks"])
        detail = checks or requirement["note"]
        line = Text.from_markup(
            f"[{STATUS_STYLE.get(status, '')}]{status:<6}[/] [bold]{escape(requirement['id'])}[/] "
            f"{escape(requirement['title'])} [dim]({escape(detail)})[/]"
        )
        console.print(line)
    counts = ", ".join(f"{n} {s.lower()}" for s, n in framework["summary"].items() if n)
    console.print(f"[bold]Requirements:[/] {counts}")


def _print_summary(console: Console, document: Document) -> None:
    summary = document["summary"]
    by_status = summary["by_status"]
    parts = [
        f"[{STATUS_STYLE[s]}]{n} {s.lower().replace('_', ' ')}[/]"
        for s, n in by_status.items()
        if n
    ]
    score = summary.get("score")
    score_text = f"  score {score:g}/100" if score is not None else ""
    console.print("[bold]Findings:[/] " + ", ".join(parts) + score_text)
    gate = document.get("gate")
    if gate:
        verdict = {
            0: "[green]gate passed[/]",
            1: "[red]gate failed[/]",
            3: "[magenta]scan incomplete[/]",
        }
        console.print(
            f"fail-on {gate['fail_on']}: {verdict.get(gate['exit_code'], '')}"
            f" (exit {gate['exit_code']})"
        )


def render_console_text(document: Document) -> str:
    """The console view as plain text (no colour), for ``--format console --out DIR``."""
    console = Console(record=True, width=100, color_system=None, file=io.StringIO())
    print_result(document, console, limit=0)
    return console.export_text()


CONSOLE_FORMAT = register(
    OutputFormat(
        "console", "crmscan-console.txt", "terminal summary (plain text)", render_console_text
    )
)


def print_changes(changes: ScanDiff, console: Console) -> None:
    """A short summary of what changed since the previous scan of the tenant."""
    counts = changes.as_dict()["counts"]
    console.print(
        f"[bold]Since the last scan:[/] [red]{counts['new_failures']} new failures[/], "
        f"[green]{counts['fixed']} fixed[/], {counts['still_failing']} still failing, "
        f"[magenta]{counts['new_errors']} newly not collected[/]"
    )
    for finding in changes.new_failures[:10]:
        resource = finding["resource"].get("name") or finding["resource"].get("id")
        console.print(
            f"  [red]NEW[/] {finding['check_id']} {escape(str(resource))}", highlight=False
        )
    if len(changes.new_failures) > 10:
        console.print(f"  ... and {len(changes.new_failures) - 10} more")
