"""The auditor report's HTML in a real headless Chromium (Debian's chromium + chromedriver).

Screen media: the status filter and the collapse button work, there are no console errors
and no request leaves the file. Print media (CDP ``Emulation.setEmulatedMedia``), with the
viewport set to an A4 page's printable width: the controls are hidden, every requirement
and its details show even when filtered or collapsed on screen, nothing overflows the page
width, nothing is ``position: fixed``; ``Page.printToPDF`` on A4 gives a PDF whose text
holds every requirement id. No skip: the browser is part of the test environment
(scripts/check installs it).
"""

from __future__ import annotations

import base64
import io
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from scanner.language.frameworks import shipped_frameworks
from scanner.reports.framework_report import AuditReport, build_report
from scanner.reports.source import read_result
from scanner.reports.writers import AUDIT_FORMATS, write_audit
from tests.scanner.outputs.chromium import CHROMEDRIVER, CHROMIUM
from tests.scanner.outputs.chromium import FLAGS as CHROME_FLAGS
from tests.scanner.reports.builders import document, exception, finding, framework, save

# The same Chromium and flags as the HTML report tests; a narrower window, no scrollbars.
FLAGS = [
    *(f for f in CHROME_FLAGS if not f.startswith("--window-size=")),
    "--window-size=1300,1000",
    "--hide-scrollbars",
]
#: A4 is 210 mm wide; the stylesheet's @page margins are 12 mm each side: 186 mm at 96 dpi.
A4_CONTENT_PX = round(186 / 25.4 * 96)
LONG_TOKEN = "x" * 400  # a CRM value with no break opportunity


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
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


def _demo_report(demo_result: Path) -> AuditReport:
    from scanner.language.check_spec import load_checks

    return build_report(shipped_frameworks()["gdpr"], read_result(demo_result), load_checks())


def _wide_report(tmp_path: Path) -> AuditReport:
    """Long unbroken CRM values in every place a table shows them."""
    findings = [
        finding("AUTH-002", "FAIL", LONG_TOKEN, LONG_TOKEN, message=f"{LONG_TOKEN} has no MFA"),
        finding("AUTH-002", "FAIL", "u2", f"{LONG_TOKEN}2", exception=exception(ticket=LONG_TOKEN)),
    ]
    fw = framework(("CC6.1-" + "y" * 120, ["AUTH-002"]), ("CC1.1", []))
    return build_report(fw, read_result(save(document(findings), tmp_path)), {})


def _open(driver: Any, report: AuditReport, folder: Path) -> Path:
    path = write_audit(report, AUDIT_FORMATS["html"], folder)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen"})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get(path.resolve().as_uri())
    return path


def _requests(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _visible_sections(driver: Any) -> int:
    from selenium.webdriver.common.by import By

    return sum(
        1 for s in driver.find_elements(By.CSS_SELECTOR, "section.requirement") if s.is_displayed()
    )


def test_screen_filter_and_collapse(browser: Any, demo_result: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    report = _demo_report(demo_result)
    browser.get_log("performance")
    path = _open(browser, report, tmp_path)
    assert browser.title.startswith("Auditor report: EU General Data Protection Regulation")
    total = len(report.requirements)
    assert _visible_sections(browser) == total
    for status, count in report.summary.items():
        shown = browser.find_element(By.CSS_SELECTOR, f'[data-summary="{status}"]').text
        assert int(shown) == count

    Select(browser.find_element(By.ID, "filter-status")).select_by_value("FAIL")
    assert _visible_sections(browser) == report.summary["FAIL"] < total
    assert browser.find_element(By.ID, "shown").get_attribute("data-shown") == str(
        report.summary["FAIL"]
    )
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
    assert _visible_sections(browser) == total

    details = browser.find_elements(By.CSS_SELECTOR, ".details")
    assert details and all(d.is_displayed() for d in details)
    browser.find_element(By.ID, "toggle-details").click()
    assert not any(d.is_displayed() for d in details)
    browser.find_element(By.ID, "toggle-details").click()
    assert all(d.is_displayed() for d in details)

    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert set(_requests(browser)) <= {path.resolve().as_uri()}
    browser.save_screenshot(str(tmp_path / "screen.png"))


def _print_checks(driver: Any) -> None:
    """In print media at the A4 printable width: controls hidden, nothing wider or fixed."""
    from selenium.webdriver.common.by import By

    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": A4_CONTENT_PX, "height": 1100, "deviceScaleFactor": 1, "mobile": False},
    )
    assert driver.execute_script("return matchMedia('print').matches") is True
    assert not driver.find_element(By.ID, "controls").is_displayed()
    assert not any(b.is_displayed() for b in driver.find_elements(By.TAG_NAME, "button"))
    assert not any(s.is_displayed() for s in driver.find_elements(By.TAG_NAME, "select"))
    layout = driver.execute_script(
        """
        const all = Array.from(document.querySelectorAll('body *'));
        return {
          width: document.documentElement.clientWidth,
          scroll: document.documentElement.scrollWidth,
          fixed: all.filter(e => getComputedStyle(e).position === 'fixed').map(e => e.tagName),
          wide: all.filter(e => e.getClientRects().length &&
                                (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0 &&
                                 getComputedStyle(e).overflowX !== 'visible' ||
                                 e.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
                   .map(e => e.tagName + '.' + e.className),
        };
        """
    )
    assert layout["width"] == A4_CONTENT_PX
    assert layout["scroll"] <= A4_CONTENT_PX, layout
    assert layout["wide"] == [], layout
    assert layout["fixed"] == []
    tables = driver.execute_script(
        "return Array.from(document.querySelectorAll('table'))"
        ".map(t => [t.scrollWidth, t.getBoundingClientRect().right])"
    )
    assert tables and all(w <= A4_CONTENT_PX and r <= A4_CONTENT_PX + 1 for w, r in tables)
    # Nothing spills out of its table cell into the next column (a status badge, an id).
    spilled = driver.execute_script(
        """
        return Array.from(document.querySelectorAll('td *')).filter(e => {
          const cell = e.closest('td').getBoundingClientRect(), box = e.getBoundingClientRect();
          return box.width && (box.right > cell.right + 1 || box.left < cell.left - 1);
        }).map(e => e.tagName + ':' + e.textContent);
        """
    )
    assert spilled == []


def _pdf_text(driver: Any) -> tuple[int, str]:
    pdf = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {
            "paperWidth": 8.27,
            "paperHeight": 11.69,
            "preferCSSPageSize": True,
            "printBackground": True,
        },
    )
    reader = PdfReader(io.BytesIO(base64.b64decode(pdf["data"])))
    return len(reader.pages), "\n".join(page.extract_text() or "" for page in reader.pages)


def test_print_hides_controls_fits_a4_and_pdf_has_every_requirement(
    browser: Any, demo_result: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    report = _demo_report(demo_result)
    _open(browser, report, tmp_path)
    # What a reader filtered or collapsed on screen still prints in full.
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("PASS")
    browser.find_element(By.ID, "toggle-details").click()
    _print_checks(browser)
    assert _visible_sections(browser) == len(report.requirements)
    details = browser.find_elements(By.CSS_SELECTOR, ".details")
    assert all(d.is_displayed() for d in details)

    pages, text = _pdf_text(browser)
    flat = " ".join(unicodedata.normalize("NFKC", text).split())  # "ﬀ" ligatures -> "ff"
    assert pages >= 2
    for requirement in report.requirements:
        # once in the overview table and once as its own section's heading
        assert flat.count(requirement.id) >= 2, requirement.id
    assert "Collapse details" not in flat and "every status" not in flat
    assert report.scan["scan_id"] in flat


def test_long_crm_values_wrap_inside_the_page(browser: Any, tmp_path: Path) -> None:
    report = _wide_report(tmp_path)
    _open(browser, report, tmp_path)
    _print_checks(browser)
    pages, text = _pdf_text(browser)
    assert pages >= 1 and "CC1.1" in text
