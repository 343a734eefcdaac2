"""Markdown and HTML group ERROR and MANUAL findings by cause and show the decided share."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.outputs import render_report
from tests.scanner.outputs.test_console import _hubspot_document


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return _hubspot_document()


def test_markdown_groups_causes_and_lists_fails_first(document: dict[str, Any]) -> None:
    text = render_report(document, "md")
    assert all(line == line.rstrip() for line in text.splitlines())
    assert "- **ERROR** 5 users: cannot decide whether the check applies" in text
    assert "- **MANUAL** 40 users undecided: HubSpot has no API for what a role" in text
    assert "user10@acme.test" not in text  # undecided users are counted, not listed one by one
    block = text[text.index("<b>PRIV-011</b>") :]
    block = block[: block.index("</details>")]
    assert block.index("**FAIL**") < block.index("**ERROR**") < block.index("**MANUAL**")
    assert "- Decided (PASS or FAIL): **" in text


def test_html_has_a_cause_table_and_the_decided_share(document: dict[str, Any]) -> None:
    page = render_report(document, "html")
    assert all(line == line.rstrip() for line in page.splitlines())
    assert '<section id="causes">' in page and '<section id="coverage">' in page
    causes = page[page.index('<section id="causes">') :].split("</section>")[0]
    assert causes.count('<tr class="group"') == len(document["groups"])
    share = document["summary"]["coverage"]["total"]["share"]
    assert f'<b id="decided-share">{share:g} %</b>' in page
