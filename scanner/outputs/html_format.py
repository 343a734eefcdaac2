"""HTML: one self-contained, offline, printable report file, fit for 100,000 users.

Everything (CSS, JavaScript, charts as inline SVG, the data) is inside the file and a
Content-Security-Policy forbids any network fetch. Rendered here, so they read and print
without JavaScript: the posture score, counts per severity, a chart per domain and per
framework, the decided share, what was not decided grouped by cause, and a table of the
checks with their findings per status (PASS as a count). The findings that did not pass
are embedded as compressed compact JSON (`scanner.outputs.html_data`) and the script shows them a
page at a time, filtered, sorted and expanded to evidence, remediation and exception,
and lists a check's passing resources on demand. The template, CSS and script are
package data under ``scanner/outputs/templates/``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from html import escape
from importlib import resources
from operator import itemgetter
from typing import Any

from scanner.engine.findings import REPORT_ORDER as STATUSES
from scanner.language.check_spec import SEVERITIES
from scanner.outputs import Document, OutputFormat, register
from scanner.outputs.html_data import embed, stored_payload
from scanner.outputs.trend_html import trend_section
from scanner.results.grouping import coverage_of, groups_of

COLORS = {
    "FAIL": "#c62828",
    "ERROR": "#8e24aa",
    "MANUAL": "#b45f06",
    "PASS": "#2e7d32",
    "NOT_APPLICABLE": "#90a4ae",
}
PAGE_SIZES = (100, 500, 1000)
VERDICTS = {0: "Gate passed", 1: "Gate failed", 3: "Scan incomplete"}


@cache
def _template(name: str) -> str:
    return resources.files("scanner.outputs").joinpath(f"templates/{name}").read_text("utf-8")


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _label(status: str) -> str:
    return status.replace("_", " ").title()


def _header(document: Document) -> str:
    tenant = document["tenant"]
    gate = document.get("gate")
    verdict = ""
    if gate:
        code = gate["exit_code"]
        verdict = (
            f'<span class="verdict gate-{code}" id="verdict">'
            f"{_e(VERDICTS.get(code, f'exit {code}'))} (fail on {_e(gate['fail_on'])})</span>"
        )
    meta = [
        ("Platform", tenant.get("platform")),
        ("Tenant", f"{tenant.get('name') or ''} {tenant.get('id') or ''}".strip()),
        ("Policy", f"{document['policy']['name']} ({document['policy']['digest'][:19]}…)"),
        ("Scanned", f"{document['started_at'][:19]} – {document['finished_at'][:19]} UTC"),
        ("Scan", document["scan_id"]),
        ("crmscan", document["tool"]["version"]),
    ]
    spans = " ".join(f"<span><b>{_e(k)}:</b> {_e(v)}</span>" for k, v in meta)
    title = _e(tenant.get("name") or tenant.get("id") or "tenant")
    return f'<header><h1>crmscan report: {title}</h1><p class="meta">{spans}</p>{verdict}</header>'


def _cards(document: Document) -> str:
    summary = document["summary"]
    score = summary.get("score")
    score_text = "n/a" if score is None else f"{score:g}"
    cards = [
        f'<div class="card score"><div class="label">Posture score</div>'
        f'<div class="value" id="score">{score_text}</div><div class="sub">of 100</div></div>'
    ]
    for severity in SEVERITIES:
        row = summary["by_severity"].get(severity, {})
        failing = row.get("FAIL", 0)
        total = sum(row.get(s, 0) for s in STATUSES)
        cards.append(
            f'<div class="card sev-{severity}"><div class="label">{severity}</div>'
            f'<div class="value" data-severity-count="{severity}">{failing}</div>'
            f'<div class="sub">failing of {total}</div></div>'
        )
    by_status = summary["by_status"]
    for status in ("ERROR", "MANUAL"):
        cards.append(
            f'<div class="card"><div class="label">{_label(status)}</div>'
            f'<div class="value" data-status-count="{status}">{by_status.get(status, 0)}</div>'
            f'<div class="sub">findings</div></div>'
        )
    cards.append(
        f'<div class="card"><div class="label">Excepted</div>'
        f'<div class="value" data-excepted="">{summary["excepted"]}</div>'
        f'<div class="sub">findings</div></div>'
    )
    return f'<section><h2>Summary</h2><div class="cards">{"".join(cards)}</div></section>'


def _bar_chart(chart_id: str, title: str, rows: list[tuple[str, Counter[str]]], unit: str) -> str:
    if not rows:
        return (
            f'<div class="chart" id="{chart_id}"><h3>{_e(title)}</h3>'
            f'<p class="empty">No {_e(unit)} in this result.</p></div>'
        )
    label_width, bar_width, row_height = 170, 330, 26
    height = row_height * len(rows) + 6
    parts = [
        f'<svg viewBox="0 0 {label_width + bar_width + 60} {height}" role="img" '
        f'aria-label="{_e(title)}">'
    ]
    for index, (name, counts) in enumerate(rows):
        y = index * row_height + 4
        total = sum(counts.values()) or 1
        short = name if len(name) <= 24 else name[:23] + "…"
        parts.append(f'<text x="0" y="{y + 14}"><title>{_e(name)}</title>{_e(short)}</text>')
        x = float(label_width)
        for status in STATUSES:
            count = counts.get(status, 0)
            if not count:
                continue
            width = bar_width * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="18" '
                f'fill="{COLORS[status]}" data-status="{status}" data-count="{count}">'
                f"<title>{_e(name)}: {count} {_e(_label(status))}</title></rect>"
            )
            x += width
        parts.append(
            f'<text x="{label_width + bar_width + 6}" y="{y + 14}">{sum(counts.values())}</text>'
        )
    parts.append("</svg>")
    legend = "".join(
        f'<span><i class="swatch" style="background:{COLORS[s]}"></i>{_label(s)}</span>'
        for s in STATUSES
    )
    return (
        f'<div class="chart" id="{chart_id}"><h3>{_e(title)}</h3>{"".join(parts)}'
        f'<div class="legend">{legend}</div></div>'
    )


def _charts(document: Document, counts: dict[str, Counter[str]]) -> str:
    domains = {c["id"]: c.get("domain") for c in document["checks"]}
    per_domain: dict[str, Counter[str]] = defaultdict(Counter)
    for check_id, row in counts.items():
        if sum(row.values()):
            per_domain[domains.get(check_id) or "-"].update(row)
    outcomes = document["summary"]["check_outcomes"]
    requirements: dict[tuple[str, str], list[str]] = defaultdict(list)
    for check in document["checks"]:
        for mapping in check.get("frameworks", []):
            key = (mapping["framework"], mapping["requirement"])
            requirements[key].append(outcomes.get(check["id"], "NOT_APPLICABLE"))
    per_framework: dict[str, Counter[str]] = defaultdict(Counter)
    for (framework, _), states in requirements.items():
        # A requirement fails if any mapped check fails; then ERROR, MANUAL, PASS.
        outcome = next((s for s in STATUSES if s in states), "NOT_APPLICABLE")
        per_framework[framework][outcome] += 1
    domain_chart = _bar_chart(
        "chart-domain", "Findings per domain", sorted(per_domain.items()), "findings"
    )
    framework_chart = _bar_chart(
        "chart-framework",
        "Framework requirements by outcome",
        sorted(per_framework.items()),
        "framework mappings",
    )
    return (
        "<section><h2>By domain and framework</h2>"
        f'<div class="charts">{domain_chart}{framework_chart}</div></section>'
    )


def _share(row: dict[str, Any]) -> str:
    return "n/a" if row.get("share") is None else f"{row['share']:g} %"


def _coverage(document: Document) -> str:
    """Decided share (PASS + FAIL, in resources) in total and per domain."""
    covered = coverage_of(document)
    rows = "".join(
        f'<tr data-domain="{_e(domain)}"><td>{_e(domain)}</td><td>{row["decided"]}</td>'
        f"<td>{row['undecided']}</td><td>{row['not_applicable']}</td>"
        f"<td><b>{_e(_share(row))}</b></td></tr>"
        for domain, row in covered["domains"].items()
    )
    total = covered["total"]
    return (
        '<section id="coverage"><h2>How much was decided</h2>'
        f'<p>PASS or FAIL for <b id="decided-share">{_e(_share(total))}</b> of the '
        f"{total['decided'] + total['undecided']} resources judged; the rest needs a person "
        "(MANUAL) or a collection that failed (ERROR).</p>"
        '<table class="coverage"><thead><tr><th>Domain</th><th>Decided</th><th>Undecided</th>'
        f"<th>Not applicable</th><th>Share</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _groups(document: Document) -> str:
    """ERROR and MANUAL findings by cause: one row per check and cause, with a few names."""
    groups = sorted(
        groups_of(document), key=lambda g: (g["status"] != "ERROR", SEVERITIES.index(g["severity"]))
    )
    if not groups:
        return ""
    rows = []
    for group in groups:
        examples = [e for e in group["examples"] if e not in group["message"]]
        more = group["resources"] - len(examples)
        names = ", ".join(_e(e) for e in examples) + (
            f" and {more} more" if examples and more > 0 else ""
        )
        status, check_id = _e(group["status"]), _e(group["check_id"])
        rows.append(
            f'<tr class="group" data-status="{status}" data-check="{check_id}">'
            f'<td><span class="badge st-{status}">{_e(_label(group["status"]))}</span></td>'
            f"<td><b>{check_id}</b></td><td>{group['resources']}</td>"
            f"<td>{_e(group['message'])}</td><td>{names}</td></tr>"
        )
    return (
        '<section id="causes"><h2>Not decided, by cause</h2>'
        "<p>Each row is one cause: ERROR means something that should have been collected "
        "was not; MANUAL means a person must review it (or attest it in the policy).</p>"
        '<table class="causes"><thead><tr><th>Status</th><th>Check</th><th>Resources</th>'
        f"<th>Cause</th><th>For example</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></section>"
    )


def _counts(
    document: Document, verdicts: Counter[tuple[str, str]], passing: dict[str, int]
) -> dict[str, Counter[str]]:
    """Findings per check and status (PASS counted from the passing resources), from the
    findings that did not pass counted per ``(check, status)`` in the order first seen."""
    counts: dict[str, Counter[str]] = {c["id"]: Counter() for c in document["checks"]}
    for (check_id, status), count in verdicts.items():
        counts.setdefault(check_id, Counter())[status] += count
    for check_id, passed in passing.items():
        counts.setdefault(check_id, Counter())["PASS"] += passed
    return counts


def _checks_table(document: Document, counts: dict[str, Counter[str]]) -> str:
    """One row per check: outcome and findings per status; the passing ones on demand."""
    outcomes = document["summary"]["check_outcomes"]
    checks = {c["id"]: c for c in document["checks"]}

    def order(check_id: str) -> tuple[int, int, str]:
        severity = checks.get(check_id, {}).get("severity")
        outcome = outcomes.get(check_id, "NOT_APPLICABLE")
        return (
            _STATUS_ORDER.get(outcome, 9),
            SEVERITIES.index(severity) if severity in SEVERITIES else 9,
            check_id,
        )

    rows = []
    for check_id in sorted(counts, key=order):
        check, row = checks.get(check_id, {}), counts[check_id]
        outcome = outcomes.get(check_id, "NOT_APPLICABLE")
        cells = "".join(
            f'<td class="n" data-count-status="{s}">{row.get(s, 0)}</td>'
            for s in STATUSES
            if s != "PASS"
        )
        passing = row.get("PASS", 0)
        button = (
            f'<button class="show-pass" type="button" data-check="{_e(check_id)}" '
            f'aria-expanded="false">{passing} passing</button>'
            if passing
            else "0"
        )
        rows.append(
            f'<tr class="check-row" data-check="{_e(check_id)}">'
            f"<td><b>{_e(check_id)}</b><br>{_e(check.get('title'))}</td>"
            f'<td><span class="badge s-{_e(check.get("severity"))}">'
            f"{_e(check.get('severity'))}</span></td><td>{_e(check.get('domain'))}</td>"
            f'<td><span class="badge st-{_e(outcome)}">{_e(_label(outcome))}</span></td>'
            f'{cells}<td class="n" data-count-status="PASS">{button}</td></tr>'
        )
    heads = "".join(f"<th>{_e(_label(s))}</th>" for s in STATUSES if s != "PASS")
    return (
        '<section id="checks"><h2>Checks</h2><p>Every check with its findings per status. '
        "Passing resources are counted here and listed on demand; the table below lists "
        'every finding that did not pass.</p><table class="checks" id="check-table"><thead>'
        f"<tr><th>Check</th><th>Severity</th><th>Domain</th><th>Outcome</th>{heads}"
        f"<th>Pass</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _options(values: list[str], all_label: str) -> str:
    options = [f'<option value="">{_e(all_label)}</option>']
    options += [f'<option value="{_e(v)}">{_e(_label(v))}</option>' for v in values]
    return "".join(options)


_STATUS_ORDER = {status: rank for rank, status in enumerate(STATUSES)}


def _findings_table(verdicts: Counter[tuple[str, str]]) -> str:
    """The controls and the empty table the script fills a page at a time (``verdicts``:
    the findings that did not pass, counted per ``(check, status)``)."""
    present = {status for _, status in verdicts}
    severities = _options(list(SEVERITIES), "All severities")
    statuses = _options([s for s in STATUSES if s in present], "All statuses")
    checks = _options(sorted({check_id for check_id, _ in verdicts}), "All checks")
    total = sum(verdicts.values())
    sizes = "".join(f'<option value="{n}">{n} per page</option>' for n in PAGE_SIZES)
    controls = (
        '<div class="controls">'
        '<input id="filter-text" type="search" placeholder="Filter by text, resource, check…" '
        'aria-label="Filter findings by text">'
        f'<select id="filter-severity" aria-label="Severity">{severities}</select>'
        f'<select id="filter-status" aria-label="Status">{statuses}</select>'
        f'<select id="filter-check" aria-label="Check">{checks}</select>'
        '<button id="expand-all" type="button">Expand / collapse shown</button>'
        f'<span id="shown" data-shown="{total}">{total} of {total} findings</span>'
        "</div>"
    )
    pager = (
        '<div class="pager"><button id="page-prev" type="button">‹ Previous</button>'
        '<span id="page-info"></span><button id="page-next" type="button">Next ›</button>'
        f'<select id="page-size" aria-label="Findings per page">{sizes}</select></div>'
    )
    head = (
        '<thead><tr><th aria-label="Details"></th><th data-sort="status">Status</th>'
        '<th data-sort="severity">Severity</th><th data-sort="check">Check</th>'
        '<th data-sort="resource">Resource</th><th>Message</th></tr></thead>'
    )
    return (
        f'<section id="findings-section"><h2>Findings that did not pass</h2>{controls}{pager}'
        '<noscript><p class="empty">The findings table needs JavaScript; the checks table '
        "above counts every finding.</p></noscript>"
        f'<table class="findings" id="findings">{head}</table>'
        '<p class="print-note" id="print-note"></p></section>'
    )


def _data(document: Document, payload: dict[str, Any]) -> str:
    payload["frameworks"] = {
        c["id"]: "; ".join(f"{m['framework']} {m['requirement']}" for m in c.get("frameworks", []))
        for c in document["checks"]
    }
    payload["page_sizes"] = list(PAGE_SIZES)
    return (
        '<script type="application/octet-stream" id="crmscan-data" data-encoding="gzip+base64">'
        f"{embed(payload)}</script>"
    )


def _gaps(document: Document) -> str:
    gaps = document.get("gaps") or []
    if not gaps:
        return ""
    items = "".join(
        f"<li><b>{_e(g['collection'])}</b> ({_e(g['reason'])}): {_e(g['detail'])}</li>"
        for g in gaps
    )
    return f'<section id="gaps"><h2>Not collected</h2><ul>{items}</ul></section>'


def render_html(document: Document) -> str:
    """The self-contained HTML report."""
    payload, findings, passing = stored_payload(document)  # as encode_payload(view_of())
    verdicts = Counter(map(itemgetter("check_id", "status"), findings))
    counts = _counts(document, verdicts, passing)
    body = "".join(
        [
            _header(document),
            _cards(document),
            trend_section(document),
            _charts(document, counts),
            _coverage(document),
            _groups(document),
            _checks_table(document, counts),
            _findings_table(verdicts),
            _gaps(document),
            f"<footer>Generated by crmscan {_e(document['tool']['version'])} from scan "
            f"{_e(document['scan_id'])}. This file loads nothing from the network.</footer>",
            _data(document, payload),
        ]
    )
    tenant = document["tenant"]
    title = f"crmscan report: {tenant.get('name') or tenant.get('id') or ''}"
    page = (
        _template("report.html")
        .replace("{{title}}", _e(title))
        .replace("{{css}}", _template("report.css"))
        .replace("{{js}}", _template("report.js"))
        .replace("{{body}}", body)
    )
    return "\n".join(line.rstrip() for line in page.split("\n"))


HTML_FORMAT = register(
    OutputFormat("html", "crmscan-report.html", "self-contained HTML report (offline)", render_html)
)
