"""Playwright fixtures for the browser tests, driving the system Chromium.

Every test under tests/browser/ is marked `browser`, so tests/conftest.py skips
it when Chromium is missing. Use `live_server.url` as the base address.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an asyncio event loop in the test thread, and
# Django raises SynchronousOnlyOperation for ORM calls from such a thread unless
# this is set. The loop only runs inside a Playwright call, so ORM calls in a
# test body never overlap it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # Without these, Chromium keeps opening connections to its vendor's
    # services, and on a machine without internet access each one fails.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Maximum wait for one Playwright action or navigation, in milliseconds.
ACTION_TIMEOUT_MS = 10_000

BROWSER_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Runs before the skip hook in tests/conftest.py, which reads the mark.
    for item in items:
        if BROWSER_DIR in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    chromium = playwright_driver.chromium.launch(
        executable_path=settings.WORKOFF_TEST_CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page per test, with no cookies carried over."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    browser_page = context.new_page()
    yield browser_page
    context.close()
