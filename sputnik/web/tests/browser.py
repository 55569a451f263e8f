"""Playwright driving Debian's headless Chromium against pytest-django's live server.

Never downloads a browser: it uses /usr/bin/chromium (or SPUTNIK_CHROMIUM). Where the
browser is absent the tests skip with the reason printed, unless
SPUTNIK_REQUIRE_BROWSER=1 (set by CI), where its absence fails the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SPUTNIK_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SPUTNIK_SCREENSHOTS", "test-artifacts/screenshots"))
# Chromium is started the way this closed network needs: no background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    reason = f"Chromium not found at {CHROMIUM}; install Debian's `chromium` to run browser tests"
    if os.environ.get("SPUTNIK_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true":
        pytest.fail(reason)
    print(f"\nSKIP browser tests: {reason}")  # the reason must be visible in the run
    pytest.skip(reason)
    raise AssertionError  # unreachable


@pytest.fixture
def browser_page(live_server) -> Iterator:  # type: ignore[no-untyped-def]
    executable = chromium_or_skip()
    # A previous live-server test flushed every table, the migrations' seeded
    # configuration (pipelines, order workflow, document templates) included.
    from sputnik.core.demo.load import restore_seeded_configuration

    restore_seeded_configuration()
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (fixtures, assertions) are safe here because nothing else shares it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.console_errors = errors  # type: ignore[attr-defined]
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
