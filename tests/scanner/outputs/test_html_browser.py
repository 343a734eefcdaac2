"""The HTML report in a real headless Chromium (Debian's chromium + chromium-driver).

Opens the file, reads the counts it renders, checks that the script decodes every
finding exactly as the document has it, filters, sorts and pages the table and sees it
change, expands a finding, lists a check's passing resources, checks that hostile CRM
text (markup, a closing script tag, control characters) shows as text, that there were
no console errors and no requests to anything but the file itself, and saves a
screenshot. Chromium missing is a failure (scripts/check installs it), never a skip.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from scanner.outputs import write_report
from scanner.outputs.html_data import _sort_key, view_of
from scanner.results.reader import ResultReader
from scanner.sanitize import clean_document
from tests.scanner.outputs.chromium import missing, start_browser
from tests.scanner.outputs.conftest import MARKUP_NAME

HOSTILE = "evil\x1b[2J\u202eboss</script><script>window.pwned=1</script><!--<b>bold</b>"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = missing()
    if reason:
        pytest.fail(f"headless Chromium is required: {reason}")
    driver = start_browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


def _requests(driver: Any) -> list[tuple[str, str]]:
    """(document URL, requested URL) of every request the browser started."""
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            params = message["params"]
            requests.append((params.get("documentURL", ""), params["request"]["url"]))
    return requests


def _shown(driver: Any) -> int:
    """The filtered count; the rows on the page are that many, up to a page."""
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "tbody.finding")
    visible = sum(1 for row in rows if row.is_displayed())
    counter = int(driver.find_element(By.ID, "shown").get_attribute("data-shown"))
    assert visible == min(counter, 100), "the page shows the filtered findings, 100 at most"
    return counter


def _hay(finding: Mapping[str, Any]) -> str:
    resource = finding["resource"]
    parts = (finding["check_id"], finding["title"], resource["name"], resource["id"])
    parts = (*parts, finding["message"], finding["domain"])
    return "\n".join("" if p is None else str(p) for p in parts).lower()


def test_report_in_headless_chromium(
    browser: Any, document: dict[str, Any], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    fail = next(f for f in document["findings"] if f["status"] == "FAIL")
    fail["resource"]["name"] = HOSTILE
    fail["message"] = f"{HOSTILE} fails"
    path = write_report(document, "html", tmp_path)
    browser.get(path.resolve().as_uri())
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.documentElement.dataset.ready")
    )
    assert browser.title.startswith("crmscan report")

    # The counts it renders are the document's.
    summary = document["summary"]
    for severity, row in summary["by_severity"].items():
        cell = browser.find_element(By.CSS_SELECTOR, f'[data-severity-count="{severity}"]')
        assert int(cell.text) == row["FAIL"], severity
    assert browser.find_element(By.ID, "score").text == f"{summary['score']:g}"
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart-domain rect")
    assert sum(int(b.get_attribute("data-count")) for b in bars) == summary["findings"]
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-framework rect")

    # The script decodes every finding that did not pass exactly as the document has it.
    expected = sorted(view_of(clean_document(document)).findings, key=_sort_key)
    decoded = browser.execute_script(
        "var r = window.crmscanReport, out = [];"
        "for (var i = 0; i < r.total; i++) { out.push(r.finding(i)); } return out;"
    )
    assert decoded == expected

    # Hostile CRM text is text: no element from it, no script from it, escapes visible.
    assert browser.execute_script("return window.pwned") is None
    assert not browser.execute_script(
        "return document.scripts.length !== 2 ||"
        " Array.from(document.querySelectorAll('b, img, script:not(#crmscan-data)'))"
        ".some(function (e) { return e.textContent === 'bold' || e.tagName === 'IMG' ||"
        " e.textContent.indexOf('pwned') !== -1; })"
    )
    cleaned = clean_document({"name": HOSTILE})["name"]
    assert "\\x1b" in cleaned and "\\u202e" in cleaned
    cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "tbody.finding td")]
    assert cleaned in cells, "the neutralised name shows as text in its own cell"

    # Filtering changes the table.
    total = len(expected)
    assert _shown(browser) == total
    failing = sum(1 for f in expected if f["status"] == "FAIL")
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("FAIL")
    assert _shown(browser) == failing < total
    search = browser.find_element(By.ID, "filter-text")
    search.send_keys("user40")
    assert _shown(browser) == sum(
        1 for f in expected if f["status"] == "FAIL" and "user40" in _hay(f)
    )
    assert _shown(browser) >= 1
    search.clear()
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
    search.send_keys(" ")  # clear() fires no input event; typing does
    assert _shown(browser) == total

    # Text search is exact, also across the edge of a name and the message around it.
    queries = ["example (sales", "user40@synthetic.example (", "or) has no", "has no verified"]
    queries += ["000000040", "auth", "synthetic", "\\x1b[2j", "bold</b> fails", "zz-none"]
    for query in queries:
        shown = browser.execute_script(
            "var c = document.getElementById('filter-text'); c.value = arguments[0];"
            "c.dispatchEvent(new Event('input'));"
            "return Number(document.getElementById('shown').getAttribute('data-shown'));",
            query,
        )
        assert shown == sum(1 for f in expected if query in _hay(f)), query
    search.clear()
    search.send_keys(" ")
    assert _shown(browser) == total

    # Sorting by severity puts the least severe finding last, and first when reversed.
    header = browser.find_element(By.CSS_SELECTOR, 'th[data-sort="severity"]')
    header.click()
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody.finding")
    ranks = ["critical", "high", "medium", "low", "info"]
    shown = [ranks.index(r.get_attribute("data-severity")) for r in rows]
    assert shown == sorted(shown)
    header.click()
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody.finding")
    assert rows[0].get_attribute("data-severity") == max(
        (f["severity"] for f in expected), key=ranks.index
    )

    # A finding expands to its evidence, remediation and exception.
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("FAIL")
    body = browser.find_elements(By.CSS_SELECTOR, "tbody.finding")[0]
    detail = body.find_element(By.CSS_SELECTOR, "tr.detail")
    assert not detail.is_displayed()
    body.find_element(By.CSS_SELECTOR, "button.toggle").click()
    assert detail.is_displayed()
    assert "Evidence" in detail.text and "Remediation" in detail.text
    assert "Exception" in detail.text

    # Printing expands every finding of the page and says which slice is printed.
    browser.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    details = browser.find_elements(By.CSS_SELECTOR, "tbody.finding tr.detail")
    assert details and all(d.get_attribute("hidden") is None for d in details)
    assert all("Evidence" in d.get_attribute("textContent") for d in details)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.CSS_SELECTOR, ".controls").is_displayed()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # A check's passing resources, listed on demand, as text.
    passing = {e.check_id: e for e in ResultReader(clean_document(document)).passed()}
    check_id = max(passing, key=lambda c: passing[c].count)
    button = browser.find_element(By.CSS_SELECTOR, f'button.show-pass[data-check="{check_id}"]')
    assert button.text == f"{passing[check_id].count} passing"
    button.click()
    items = browser.find_elements(By.CSS_SELECTOR, "tr.pass-row li .rname")
    assert len(items) == min(200, passing[check_id].count)
    names = {name for _, name in passing[check_id].resources}
    assert {i.text for i in items} <= names
    # Markup in a user name is text, in the findings table and in the passing lists.
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
    search.send_keys("onerror=alert")
    assert _shown(browser) == sum(1 for f in expected if MARKUP_NAME in _hay(f)) > 0
    cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "tbody.finding td")]
    assert MARKUP_NAME in cells
    for check, entry in passing.items():
        if MARKUP_NAME in {n for _, n in entry.resources} and check != check_id:
            browser.find_element(By.CSS_SELECTOR, f'button.show-pass[data-check="{check}"]').click()
            names = [i.text for i in browser.find_elements(By.CSS_SELECTOR, "li .rname")]
            assert MARKUP_NAME in names
    assert not browser.find_elements(By.CSS_SELECTOR, "img")

    screenshot = tmp_path / "crmscan-report.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000

    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors
    requests = _requests(browser)
    page = path.resolve().as_uri()
    assert (page, page) in requests, "the performance log saw the report load"
    from_report = [url for document_url, url in requests if document_url == page]
    foreign = [url for url in from_report if not url.startswith(("file:", "data:"))]
    assert not foreign, foreign
    network = [url for _, url in requests if url.startswith(("http:", "https:", "ws:", "wss:"))]
    assert not network, network
