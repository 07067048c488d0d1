"""Headless Chromium from Debian (packages chromium, chromium-driver), driven by selenium.

Selenium uses the system chromedriver (/usr/bin/chromedriver) and never its
manager: no driver download, no network (SE_OFFLINE). The browser tests skip
only where the system packages cannot be installed (not root, no apt-get);
on a machine set up by tools/setup-system.sh a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "browser"


def _can_have_browser() -> str | None:
    if os.geteuid() != 0:
        return "the browser tests need root to have installed chromium and chromium-driver"
    if shutil.which("apt-get") is None:
        return "no apt-get here: chromium and chromium-driver come from Debian"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    why = _can_have_browser()
    for it in items:
        if "tests/browser" in str(it.fspath) and why and "browser" in getattr(it, "fixturenames", ()):
            it.add_marker(pytest.mark.skip(reason=why))


def new_driver(width: int = 1600, height: int = 1000) -> Any:
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not os.access(exe, os.X_OK):
            pytest.fail(f"{exe} is missing: run tools/setup-system.sh (Debian packages chromium, chromium-driver)")
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never fetch a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in (
        "--headless=new",
        "--no-sandbox",  # root in a container: chromium's own sandbox cannot start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--window-size={width},{height}",
    ):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    d = new_driver()
    try:
        yield d
    finally:
        d.quit()


def open_page(d: Any, path: Path, timeout: float = 20.0) -> list[dict[str, Any]]:
    """Load a page from file:// and wait for its ready flag; the console entries logged so far."""
    from selenium.webdriver.support.ui import WebDriverWait

    d.get_log("browser")  # drop what an earlier page logged
    d.get(path.resolve().as_uri())
    WebDriverWait(d, timeout).until(
        lambda x: x.execute_script("return window.vnetlabReady === true && window.vnetlabTracesReady === true")
    )
    return list(d.get_log("browser"))


def console_errors(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in entries if e.get("level") == "SEVERE"]
