"""The HTML report in a real headless Chromium (Debian's chromium + chromium-driver).

Opens the file, reads the counts it renders, filters the table and sees it change,
sorts it, expands a finding, checks there were no console errors and no requests to
anything but the file itself, and saves a screenshot. Skipped when Chromium is not
installed, unless the CI environment variable is set (then it fails).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.outputs import write_report
from scanner.results.reader import read

CHROMIUM = os.environ.get("CRMSCAN_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CRMSCAN_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
]


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(path)):
            return f"{path} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[dev])"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"headless Chromium is required in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
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
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "tbody.finding")
    visible = sum(1 for row in rows if row.is_displayed())
    counter = int(driver.find_element(By.ID, "shown").get_attribute("data-shown"))
    assert counter == visible, "the 'N of M findings' counter matches the visible rows"
    return visible


def test_report_in_headless_chromium(
    browser: Any, document: dict[str, Any], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    path = write_report(document, "html", tmp_path)
    browser.get(path.resolve().as_uri())
    assert browser.title.startswith("crmscan report")

    # The counts it renders are the document's.
    summary = document["summary"]
    for severity, row in summary["by_severity"].items():
        cell = browser.find_element(By.CSS_SELECTOR, f'[data-severity-count="{severity}"]')
        assert int(cell.text) == row["FAIL"], severity
    assert browser.find_element(By.ID, "score").text == f"{summary['score']:g}"
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart-domain rect")
    assert sum(int(b.get_attribute("data-count")) for b in bars) == read(document).finding_count()
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-framework rect")

    # Filtering changes the table.
    total = read(document).finding_count()
    assert _shown(browser) == total
    failing = sum(1 for f in read(document).attention() if f["status"] == "FAIL")
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("FAIL")
    assert _shown(browser) == failing < total
    search = browser.find_element(By.ID, "filter-text")
    search.send_keys("user40")
    assert _shown(browser) == 1
    search.clear()
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
    search.send_keys(" ")  # clear() fires no input event; typing does
    assert _shown(browser) == total

    # Sorting by severity puts the medium finding last.
    browser.find_element(By.CSS_SELECTOR, 'th[data-sort="severity"]').click()
    first = browser.find_elements(By.CSS_SELECTOR, "tbody.finding")
    assert first[-1].get_attribute("data-severity") == "medium"
    browser.find_element(By.CSS_SELECTOR, 'th[data-sort="severity"]').click()
    first = browser.find_elements(By.CSS_SELECTOR, "tbody.finding")
    assert first[0].get_attribute("data-severity") == "medium"

    # A finding expands to its evidence, remediation and exception.
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("FAIL")
    body = next(
        b for b in browser.find_elements(By.CSS_SELECTOR, "tbody.finding") if b.is_displayed()
    )
    detail = body.find_element(By.CSS_SELECTOR, "tr.detail")
    assert not detail.is_displayed()
    body.find_element(By.CSS_SELECTOR, "button.toggle").click()
    assert detail.is_displayed()
    assert "Evidence" in detail.text and "Remediation" in detail.text
    assert "Exception" in detail.text

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
