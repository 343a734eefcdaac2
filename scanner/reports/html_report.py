"""The auditor's report as one self-contained, printable HTML file.

Rendered with a Jinja2 template (``scanner/reports/templates/auditor.html.j2``) with
autoescaping on, so every text (CRM data, policy text) is HTML-escaped; the CSS and the
small script (status filter, collapse) are inline, and a Content-Security-Policy forbids
any fetch. Everything is rendered in the file: it reads and prints without script, and
print media shows every requirement in full, with the controls hidden.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined

from scanner.reports.framework_report import STATUSES, AuditReport

#: Failing / excepted resources listed per check; the rest are counted (results.json).
HTML_LIST_LIMIT = 50


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("scanner.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["label"] = lambda status: str(status).replace("_", " ").title()
    return env


@cache
def _asset(name: str) -> str:
    return resources.files("scanner.reports").joinpath(f"templates/{name}").read_text("utf-8")


def render_html(report: AuditReport) -> str:
    """The report as an HTML document (text)."""
    template = _environment().get_template("auditor.html.j2")
    return template.render(
        report=report,
        statuses=STATUSES,
        limit=HTML_LIST_LIMIT,
        css=_asset("auditor.css"),
        js=_asset("auditor.js"),
    )
