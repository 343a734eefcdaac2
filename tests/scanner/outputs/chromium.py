"""Headless Chromium for the HTML report tests (Debian's chromium + chromium-driver).

`start_browser` starts it through selenium; `browser_memory` sums the resident memory of
the browser's process tree (browser, renderer, GPU and utility processes) from /proc.
Missing Chromium or selenium is a failure, never a skip: ``scripts/check`` installs them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

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


def missing() -> str | None:
    """Why Chromium cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(path)):
            return f"{path} not found (scripts/check installs chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[dev])"
    return None


def start_browser(profile: Path) -> Any:
    """A headless Chromium WebDriver with browser and performance logging."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(60)
    return driver


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _kib(pid: int, path: str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def browser_memory(driver: Any) -> dict[str, float]:
    """RSS and PSS (MiB) summed over the process tree under the chromedriver process."""
    root = driver.service.process.pid
    tree, pids, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        kids = tree.get(pid, [])
        pids.extend(kids)
        todo.extend(kids)
    rss = sum(_kib(pid, "status", "VmRSS") for pid in pids)
    pss = sum(_kib(pid, "smaps_rollup", "Pss") for pid in pids)
    return {"processes": float(len(pids)), "rss_mib": rss / 1024, "pss_mib": pss / 1024}
