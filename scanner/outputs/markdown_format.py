"""Markdown: a summary for a ticket or a pull-request comment.

Short by design: the verdict, counts per severity, the checks that did not pass with a
few of their failing resources, exceptions in force and what could not be collected.
Text from the CRM is escaped so it cannot break the table layout or inject links and
HTML. The whole comment stays under GitHub's 65,536-character limit.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from typing import Any

from scanner.engine.findings import REPORT_ORDER as STATUSES
from scanner.language.check_spec import SEVERITIES
from scanner.outputs import Document, OutputFormat, register
from scanner.results.grouping import coverage_of, groups_of
from scanner.results.reader import read

OUTCOME_ICON = {"FAIL": "❌", "ERROR": "⚠️", "MANUAL": "📝", "PASS": "✅", "NOT_APPLICABLE": "➖"}
PER_CHECK = 5
MAX_CHARS = 60_000
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


# Where GitHub would turn plain text into a mention (@user, @org/team), an issue
# reference (#12) or an autolink (https://..., www....): an empty HTML comment splits the
# text there, invisible once rendered, so no mention or link is taken from CRM data.
_LINKABLE = re.compile(r"(@|#(?=\d)|(?<=[A-Za-z])(?=://)|(?<=\bwww)(?=\.))", re.IGNORECASE)
_BREAK = "<!-- -->"


def _unlinked(text: str) -> str:
    return _LINKABLE.sub(lambda m: m.group() + _BREAK if m.group() else _BREAK, text)


def md(value: object) -> str:
    """``value`` as inline Markdown text: one line, special characters escaped, and no
    mention or autolink left in it."""
    text = " ".join(("" if value is None else str(value)).split())
    return _unlinked(_SPECIAL.sub(r"\\\1", text).replace("&", "&amp;"))


def code(value: object) -> str:
    """``value`` as an inline code span (code spans take no escapes; backticks removed)."""
    text = " ".join(("" if value is None else str(value)).split()).replace("`", "'")
    return f"`{text or ' '}`"


def raw_html(value: object) -> str:
    """``value`` as text inside an HTML element (``<summary>``), entities escaped."""
    return _unlinked(html.escape(" ".join(("" if value is None else str(value)).split())))


def _verdict(document: Document) -> str:
    gate = document.get("gate")
    if not gate:
        return ""
    text = {0: "✅ gate passed", 1: "❌ gate failed", 3: "⚠️ scan incomplete"}.get(
        gate["exit_code"], f"exit {gate['exit_code']}"
    )
    return f"**{text}** (fail on {md(gate['fail_on'])} and above, exit {gate['exit_code']})"


def _header(document: Document) -> list[str]:
    tenant = document["tenant"]
    summary = document["summary"]
    score = summary.get("score")
    lines = [
        f"## crmscan: {md(tenant.get('platform'))} · {md(tenant.get('name') or tenant.get('id'))}",
        "",
        _verdict(document),
        "",
        f"- Posture score: **{score:g}/100**" if score is not None else "- Posture score: n/a",
        f"- Policy: {code(document['policy']['name'])} ({md(document['policy']['digest'][:19])}…)",
        f"- Tenant: {md(tenant.get('id'))}, scanned {md(document['finished_at'][:19])}Z "
        f"by crmscan {md(document['tool']['version'])} (scan {md(document['scan_id'])})",
        f"- Checks: {summary['checks']['total']}, findings: {summary['findings']}, "
        f"excepted: {summary['excepted']}",
        _coverage_line(document),
        "",
        "| Severity | " + " | ".join(s.replace("_", " ").title() for s in STATUSES) + " |",
        "|---|" + "---:|" * len(STATUSES),
    ]
    for severity in SEVERITIES:
        row = summary["by_severity"].get(severity, {})
        if any(row.get(s, 0) for s in STATUSES):
            lines.append(
                f"| {severity} | " + " | ".join(str(row.get(s, 0)) for s in STATUSES) + " |"
            )
    return lines


def _share(row: dict[str, Any]) -> str:
    return "n/a" if row.get("share") is None else f"{row['share']:g} %"


def _coverage_line(document: Document) -> str:
    """How much was decided (PASS + FAIL), in resources, in total and per domain."""
    covered = coverage_of(document)
    domains = ", ".join(
        f"{md(domain)} {_share(row)}"
        for domain, row in covered["domains"].items()
        if row["decided"] + row["undecided"]
    )
    total = covered["total"]
    judged = total["decided"] + total["undecided"]
    return f"- Decided (PASS or FAIL): **{_share(total)}** of {judged} resources judged" + (
        f"; {domains}" if domains else ""
    )


def _group_line(group: dict[str, Any]) -> str:
    """One ERROR / MANUAL group: status, how many, the shared cause, a few names."""
    count = ""
    if group["findings"] > 1:
        count = f"{group['findings']} {md(group['resource_type'])}: "
    examples = [e for e in group["examples"] if e not in group["message"]]
    more = group["resources"] - len(examples)
    names = ""
    if examples and (group["findings"] > 1 or group["resources"] > 1):
        names = " (e.g. " + ", ".join(md(e) for e in examples)
        names += f" and {more} more)" if more > 0 else ")"
    elif examples and group["resource_type"] != "tenant":
        count = f"{md(examples[0])}: "
    return f"- **{group['status']}** {count}{md(group['message'])}{names}"


def _named(finding: dict[str, Any]) -> str:
    """The message, after the resource's name unless the message already names it."""
    resource = finding["resource"]
    name = resource.get("name") or resource.get("id")
    if resource.get("type") == "tenant" or (name and str(name) in finding["message"]):
        return md(finding["message"])
    return f"{_resource(finding)}: {md(finding['message'])}"


def _resource(finding: dict[str, Any]) -> str:
    resource = finding["resource"]
    return md(resource.get("name") or resource.get("id") or resource.get("type"))


def _checks_section(document: Document) -> list[str]:
    outcomes = document["summary"]["check_outcomes"]
    failing: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in read(document).attention():
        if finding["status"] == "FAIL":
            failing[finding["check_id"]].append(finding)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for group in groups_of(document):
        grouped[group["check_id"]].append(group)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    checks = sorted(
        (c for c in document["checks"] if outcomes.get(c["id"]) in ("FAIL", "ERROR", "MANUAL")),
        key=lambda c: (order.get(c["severity"], 9), c["id"]),
    )
    if not checks:
        return ["", "All checks passed or were not applicable."]
    lines = ["", "### Checks that need attention", ""]
    lines += ["| | Check | Severity | Title | Resources |", "|---|---|---|---|---:|"]
    for check in checks:
        outcome = outcomes[check["id"]]
        resources = len(failing[check["id"]]) + sum(g["resources"] for g in grouped[check["id"]])
        lines.append(
            f"| {OUTCOME_ICON[outcome]} {outcome} | {code(check['id'])} | {check['severity']} | "
            f"{md(check['title'])} | {resources} |"
        )
    for check in checks:
        fails = failing[check["id"]]
        lines += [
            "",
            f"<details><summary><b>{raw_html(check['id'])}</b> "
            f"{raw_html(check['title'])}</summary>",
            "",
        ]
        for finding in fails[:PER_CHECK]:
            note = ""
            exception = finding.get("exception")
            if exception:
                note = " _(exception expired)_" if exception["expired"] else " _(excepted)_"
            lines.append(f"- **{finding['status']}** {_named(finding)}{note}")
        if len(fails) > PER_CHECK:
            lines.append(f"- … and {len(fails) - PER_CHECK} more failing (see the full report)")
        order_status = ("ERROR", "MANUAL")
        for group in sorted(grouped[check["id"]], key=lambda g: order_status.index(g["status"])):
            lines.append(_group_line(group))
        fix = (check.get("remediation") or "").strip()
        if fix and outcomes[check["id"]] == "FAIL":
            lines += ["", "**Fix:**", "", "```text", fix.replace("```", "'''"), "```"]
        lines += ["", "</details>"]
    return lines


def _exceptions_section(document: Document) -> list[str]:
    rows = [f for f in read(document).attention() if f.get("exception")]
    if not rows:
        return []
    lines = [
        "",
        "### Exceptions",
        "",
        "| Check | Resource | Reason | Approved by | Expires | State |",
    ]
    lines.append("|---|---|---|---|---|---|")
    for finding in rows:
        exception = finding["exception"]
        state = "expired" if exception["expired"] else "active"
        lines.append(
            f"| {code(finding['check_id'])} | {_resource(finding)} | {md(exception['reason'])} | "
            f"{md(exception['approved_by'])} | {md(exception['expires'])} | {state} |"
        )
    return lines


def _gaps_section(document: Document) -> list[str]:
    gaps = document.get("gaps") or []
    if not gaps:
        return []
    lines = ["", "### Not collected", ""]
    lines += [f"- {code(g['collection'])} ({md(g['reason'])}): {md(g['detail'])}" for g in gaps]
    return lines


def render_markdown(document: Document) -> str:
    """The Markdown summary."""
    lines = _header(document) + _checks_section(document)
    lines += _exceptions_section(document) + _gaps_section(document)
    text = "\n".join(line.rstrip() for line in lines).strip() + "\n"
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS)
        text = text[:cut] + "\n\n_… truncated; see the full report._\n"
    return text


MARKDOWN_FORMAT = register(
    OutputFormat(
        "md", "crmscan-summary.md", "Markdown summary (tickets, PR comments)", render_markdown
    )
)
