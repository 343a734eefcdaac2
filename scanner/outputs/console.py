"""The terminal view of a result: grouped by severity, readable at 80 columns.

Colour only when the stream is a terminal (rich decides; NO_COLOR is honoured). PASS
findings are counted, not listed. Per check, FAIL findings come first, one line each;
ERROR and MANUAL findings follow grouped by cause — "124 users undecided: <what to
review> (e.g. a, b, c and 121 more)" — and a cause already shown under an earlier check
is referred to, not repeated. Checks that do not cover the platform are listed once. The
summary says how much of the scan was decided per domain. Lines are wrapped here, never
padded: no line ends in a space.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from scanner.language.check_spec import SEVERITIES
from scanner.outputs import Document, OutputFormat, register
from scanner.results.diff import ScanDiff
from scanner.results.grouping import by_report_order, coverage_of, groups_of
from scanner.results.reader import read

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
MESSAGE_LIMIT = 320
FIX_LIMIT = 240
INDENT = 4
EXAMPLES_SHOWN = 3


def _resource_label(finding: Mapping[str, Any]) -> str:
    resource = finding["resource"]
    return str(resource.get("name") or resource.get("id") or resource["type"])


def shorten(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` cut, if longer than ``limit``, after its last whole clause that fits."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(". "), head.rfind("; "), head.rfind(": "))
    if cut < limit // 2:
        cut = head.rfind(" ")
    return head[: max(cut, 1)].rstrip(" .;:,") + " … (full text in the JSON report)"


def _finding_text(finding: Mapping[str, Any]) -> str:
    """The message, prefixed with the resource unless it is the tenant or already named."""
    message = finding["message"]
    if finding["resource"].get("type") == "tenant":
        return shorten(message)
    label = _resource_label(finding)
    return shorten(message if label in message else f"{label}: {message}")


def fix_text(
    remediation: str,
    platform: str | None = None,
    platforms: Sequence[str] = (),
    limit: int = FIX_LIMIT,
) -> str:
    """The first step of ``remediation`` that applies, on one line, in whole sentences.

    Steps are numbered items or paragraphs. A step that names only other platforms of
    the check (``platforms``) is skipped; in a step that names ``platform``, the text
    runs from that name to the next other platform's. A step longer than ``limit`` keeps
    the sentences that fit, and always its first sentence whole: a sentence is never cut.
    """
    text = (remediation or "").strip()
    if not text:
        return ""
    steps = [
        re.sub(r"^\d+[.)]\s+", "", " ".join(part.split()))
        for part in re.split(r"\n\s*\n|\n\s*(?=\d+[.)]\s)", text)
        if part.strip()
    ]
    others = [p.lower() for p in platforms if platform is None or p.lower() != platform.lower()]
    step = steps[0]
    for candidate in steps:
        lowered = candidate.lower()
        here = lowered.find(platform.lower()) if platform else -1
        if here >= 0:
            ends = [lowered.find(o, here) for o in others]
            end = min((e for e in ends if e > here), default=len(candidate))
            step = candidate[here:end].rstrip()
            break
        if not any(o in lowered for o in others):
            step = candidate
            break
    if len(step) <= limit:
        return step
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", step)
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) > limit:
            break
        kept += " " + sentence
    return kept


def _segments(plain: str, first: int, rest: int) -> list[tuple[int, int]]:
    """(start, end) of each line when ``plain`` is wrapped at spaces, greedy."""
    segments: list[tuple[int, int]] = []
    start, width = 0, first
    while True:
        while segments and start < len(plain) and plain[start] == " ":
            start += 1  # the spaces at a break, not the text's own indentation
        if len(plain) - start <= width:
            end = len(plain)
            while end > start and plain[end - 1] == " ":
                end -= 1
            segments.append((start, end))
            return segments
        cut = plain.rfind(" ", start, start + width + 1)
        if cut <= start:  # one word longer than the line: break it
            cut = start + width
        end = cut
        while end > start and plain[end - 1] == " ":
            end -= 1
        segments.append((start, end))
        start, width = cut, rest


def emit(console: Console, text: Text | str, indent: int = 0, hanging: int = 0) -> None:
    """Print ``text`` wrapped to the console width, indented, with no trailing spaces.

    Continuation lines are indented ``hanging`` more than the first. Rich's own wrapping
    pads or keeps spaces at line ends; this never does.
    """
    whole = Text.from_markup(text) if isinstance(text, str) else text
    first = max(20, console.width - indent)
    rest = max(20, console.width - indent - hanging)
    offset = 0
    for paragraph in whole.plain.split("\n"):
        piece = whole[offset : offset + len(paragraph)]
        offset += len(paragraph) + 1
        for number, (start, end) in enumerate(_segments(paragraph, first, rest)):
            pad = indent + (hanging if number else 0)
            console.print(Text(" " * pad) + piece[start:end], soft_wrap=True)


def print_result(document: Document, console: Console, limit: int = 15) -> None:
    """Print ``document`` to ``console``; at most ``limit`` lines per check (0 = all)."""
    tenant = document["tenant"]
    emit(
        console,
        f"[bold]crmscan[/] {escape(document['tool']['version'])}  "
        f"{escape(str(tenant.get('platform')))} · "
        f"{escape(str(tenant.get('name') or tenant.get('id')))}"
        f"  policy [bold]{escape(document['policy']['name'])}[/]",
    )
    reader = read(document)
    by_check: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for finding in reader.findings():
        by_check[finding["check_id"]].append(finding)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for group in groups_of(document):
        groups[group["check_id"]].append(group)
    outcomes = document["summary"]["check_outcomes"]
    checks = {c["id"]: c for c in document["checks"]}
    quiet = {cid for cid, outcome in outcomes.items() if outcome in ("PASS", "NOT_APPLICABLE")}
    shown_causes: dict[str, str] = {}
    for severity in SEVERITIES:
        members = sorted(
            cid for cid, c in checks.items() if c["severity"] == severity and cid not in quiet
        )
        if not members:
            continue
        console.print()
        console.rule(f"[{SEVERITY_STYLE[severity]}] {severity.upper()} [/]", align="left")
        for cid in members:
            _print_check(
                console,
                checks[cid],
                outcomes[cid],
                by_check[cid],
                groups[cid],
                limit,
                shown_causes,
                tenant.get("platform"),
                reader.compact_count_of(cid),
            )
    console.print()
    _print_quiet(console, document, outcomes, by_check)
    _print_gaps(console, document.get("gaps", []))
    _print_api_usage(console, document.get("api_usage"))
    for framework in document.get("frameworks", []):
        _print_framework(console, framework)
    _print_coverage(console, document)
    _print_summary(console, document)


def _tally(findings: list[Mapping[str, Any]], compact_passes: int = 0) -> str:
    counts: dict[str, int] = defaultdict(int)
    counts["PASS"] = compact_passes
    for finding in findings:
        counts[finding["status"]] += 1
    order = ("FAIL", "ERROR", "MANUAL", "PASS", "NOT_APPLICABLE")
    return ", ".join(f"{counts[s]} {s.lower().replace('_', ' ')}" for s in order if counts.get(s))


def _group_text(group: Mapping[str, Any], first_seen: str | None) -> str:
    """One line for a group of ERROR / MANUAL findings sharing a cause."""
    message = group["message"]
    if first_seen is not None:
        cause = group.get("cause") or {}
        what = cause.get("collection") or "the same cause"
        message = f"{_undecided_head(message)}same cause as {first_seen} ({what})"
    elif group["findings"] > 1:
        message = f"{group['findings']} {group['resource_type']}: {message}"
    elif group["resource_type"] != "tenant" and group["examples"]:
        name = group["examples"][0]
        return shorten(message if name in message else f"{name}: {message}")
    text = shorten(message)
    examples = [str(e) for e in group["examples"]][:EXAMPLES_SHOWN]
    if examples and examples[0] not in text and (group["findings"] > 1 or group["resources"] > 1):
        more = group["resources"] - len(examples)
        listed = ", ".join(examples) + (f" and {more} more" if more > 0 else "")
        text += f" (e.g. {listed})"
    return text


def _undecided_head(message: str) -> str:
    """``"124 users undecided: "`` from a grouped message, or nothing."""
    match = re.match(r"^(\d+ [a-z_ ]+ undecided: )", message)
    return match.group(1) if match else ""


def _print_check(
    console: Console,
    check: Mapping[str, Any],
    outcome: str,
    findings: list[Mapping[str, Any]],
    groups: list[dict[str, Any]],
    limit: int,
    shown_causes: dict[str, str],
    platform: str | None = None,
    compact_passes: int = 0,
) -> None:
    header = Text.from_markup(
        f"[{STATUS_STYLE.get(outcome, '')}]{outcome:<6}[/] [bold]{escape(check['id'])}[/] "
        f"{escape(check['title'])} [dim]({_tally(findings, compact_passes)})[/]"
    )
    emit(console, header, hanging=7)
    lines: list[Text] = []
    for finding in by_report_order(f for f in findings if f["status"] == "FAIL"):
        note = ""
        if finding.get("exception"):
            exception = finding["exception"]
            note = " [dim](exception expired)[/]" if exception["expired"] else " [dim](excepted)[/]"
        lines.append(
            Text.from_markup(
                f"[{STATUS_STYLE['FAIL']}]FAIL  [/] {escape(_finding_text(finding))}{note}"
            )
        )
    for group in sorted(groups, key=lambda g: LISTED.index(g["status"])):
        key = f"{group['status']}|{group['message']}"
        first_seen = shown_causes.get(key)
        if first_seen is None:
            shown_causes[key] = check["id"]
        status = group["status"]
        lines.append(
            Text.from_markup(
                f"[{STATUS_STYLE[status]}]{status:<6}[/] {escape(_group_text(group, first_seen))}"
            )
        )
    shown = lines if limit == 0 else lines[:limit]
    for line in shown:
        emit(console, line, indent=INDENT, hanging=7)
    if len(lines) > len(shown):
        emit(
            console, f"[dim]... and {len(lines) - len(shown)} more (see the JSON report)[/]", INDENT
        )
    if outcome == "FAIL":
        fix = fix_text(check.get("remediation") or "", platform, check.get("platforms") or ())
        if fix:
            emit(console, Text(f"Fix: {fix}", style="dim"), indent=INDENT, hanging=5)


def _print_quiet(
    console: Console,
    document: Document,
    outcomes: Mapping[str, str],
    by_check: Mapping[str, list[Mapping[str, Any]]],
) -> None:
    """Passed checks, and not-applicable ones: not covering the platform, or nothing to judge."""
    passed = sorted(cid for cid, o in outcomes.items() if o == "PASS")
    scoped: list[str] = []
    empty: list[str] = []
    for cid in sorted(cid for cid, o in outcomes.items() if o == "NOT_APPLICABLE"):
        kinds = {
            ((f.get("evidence") or {}).get("cause") or {}).get("kind")
            for f in by_check.get(cid, [])
        }
        (scoped if kinds == {"platform"} else empty).append(cid)
    if passed:
        emit(console, f"[green]Passed ({len(passed)}):[/] " + ", ".join(passed), hanging=2)
    if scoped:
        platform = escape(str(document["tenant"].get("platform")))
        emit(
            console,
            f"[dim]Not applicable to {platform} ({len(scoped)}):[/] " + ", ".join(scoped),
            hanging=2,
        )
    if empty:
        emit(
            console,
            f"[dim]Not applicable, nothing to judge ({len(empty)}):[/] " + ", ".join(empty),
            hanging=2,
        )


def _print_api_usage(console: Console, usage: dict[str, Any] | None) -> None:
    if not usage or not usage.get("requests"):
        return
    text = f"API requests this scan: {usage['requests']}"
    if usage.get("daily_used") is not None and usage.get("daily_limit"):
        text += f"; org's daily API usage {usage['daily_used']:,} of {usage['daily_limit']:,}"
    emit(console, Text(text, style="dim"))


def _print_gaps(console: Console, gaps: list[dict[str, Any]]) -> None:
    if not gaps:
        return
    emit(console, "[magenta]Not collected:[/]")
    for gap in gaps:
        emit(
            console,
            f"- {escape(gap['collection'])} ({escape(gap['reason'])}): {escape(gap['detail'])}",
            indent=2,
            hanging=2,
        )


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
        emit(console, line, hanging=7)
    counts = ", ".join(f"{n} {s.lower()}" for s, n in framework["summary"].items() if n)
    emit(console, f"[bold]Requirements:[/] {counts}")


def _share(row: Mapping[str, Any]) -> str:
    share = row.get("share")
    return "n/a" if share is None else f"{share:g} %"


def _print_coverage(console: Console, document: Document) -> None:
    """How much was decided (PASS + FAIL), in resources, in total and per domain."""
    covered = coverage_of(document)
    total = covered["total"]
    judged = total["decided"] + total["undecided"]
    if not judged:
        return
    domains = ", ".join(
        f"{escape(domain)} {_share(row)}"
        for domain, row in covered["domains"].items()
        if row["decided"] + row["undecided"]
    )
    emit(
        console,
        f"[bold]Decided:[/] {_share(total)} of {judged} resources judged (PASS or FAIL); "
        f"per domain: {domains}",
        hanging=2,
    )


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
    emit(console, "[bold]Findings:[/] " + ", ".join(parts) + score_text)
    gate = document.get("gate")
    if gate:
        verdict = {
            0: "[green]gate passed[/]",
            1: "[red]gate failed[/]",
            3: "[magenta]scan incomplete[/]",
        }
        # --fail-on-new decides the exit code when given (scanner.pipeline._gate_on_new).
        rule = (
            f"fail-on-new {escape(str(gate['fail_on_new']))}"
            if gate.get("fail_on_new")
            else f"fail-on {escape(str(gate['fail_on']))}"
        )
        emit(
            console,
            f"{rule}: {verdict.get(gate['exit_code'], '')} (exit {gate['exit_code']})",
        )


def render_console_text(document: Document) -> str:
    """The console view as plain text (no colour), for ``--format console --out DIR``."""
    console = Console(record=True, width=100, color_system=None, file=io.StringIO())
    print_result(document, console, limit=0)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


CONSOLE_FORMAT = register(
    OutputFormat(
        "console", "crmscan-console.txt", "terminal summary (plain text)", render_console_text
    )
)


def print_changes(changes: ScanDiff, console: Console) -> None:
    """A short summary of what changed since the previous scan of the tenant."""
    counts = changes.as_dict()["counts"]
    emit(
        console,
        f"[bold]Since the last scan:[/] [red]{counts['new_failures']} new failures[/], "
        f"[green]{counts['fixed']} fixed[/], {counts['still_failing']} still failing, "
        f"[magenta]{counts['new_errors']} newly not collected[/]",
    )
    for finding in changes.new_failures[:10]:
        resource = finding["resource"].get("name") or finding["resource"].get("id")
        emit(console, f"  [red]NEW[/] {escape(finding['check_id'])} {escape(str(resource))}")
    if len(changes.new_failures) > 10:
        emit(console, f"  ... and {len(changes.new_failures) - 10} more")
