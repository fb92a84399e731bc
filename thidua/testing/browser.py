"""Pytest plugin for browser tests: Playwright driving the system Chromium.

Loaded from the root conftest (``pytest_plugins = ["thidua.testing.browser"]``).
Fixtures:

* ``browser`` (session): a headless Chromium, launched from ``THIDUA_CHROMIUM``
  or ``/usr/bin/chromium``. Playwright never downloads its own browser here.
* ``page`` (function): a fresh context in Vietnamese locale and Vietnam's time
  zone. When the test fails, a screenshot is saved under ``var/screenshots/``.
* ``login`` (function): ``login(username, password=...)`` signs in through the
  real login form of ``live_server``.

A missing Chromium is an error, never a skip: a browser suite that silently
skips everything would look green while testing nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM_ENV = "THIDUA_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
DEFAULT_TIMEOUT_MS = 10_000
DEMO_PASSWORD = "demo-pass-2016"
LOGIN_PATH = "/accounts/login/"

# Reports of each phase ("setup", "call", "teardown"), kept on the test item so
# the ``page`` fixture can tell during teardown whether the test failed.
_REPORTS_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS_KEY, {})[report.when] = report
    return report


def _chromium_path() -> str:
    path = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path!r}. Install the Debian package "
            f"(apt-get install chromium, or run scripts/bootstrap.sh) or point "
            f"{CHROMIUM_ENV} at a Chromium executable. Browser tests are never skipped.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    # Playwright's sync API runs an asyncio event loop in this thread, which
    # makes Django refuse synchronous ORM calls (SynchronousOnlyOperation)
    # from the test thread, e.g. when live_server's transactional database
    # fixtures flush tables. The tests themselves are synchronous, so allow it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    try:
        yield pw
    finally:
        pw.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = _chromium_path()
    chromium = playwright_instance.chromium.launch(
        executable_path=executable,
        headless=True,
        args=CHROMIUM_ARGS,
    )
    try:
        yield chromium
    finally:
        chromium.close()


def _screenshot_path(request: pytest.FixtureRequest) -> Path:
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
    folder = request.config.rootpath / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{safe_name[:180]}.png"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    new_page = context.new_page()
    # Inline code that the content security policy blocks is a broken page, not a warning.
    blocked: list[str] = []
    new_page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield new_page
        assert not blocked, f"the content security policy blocked: {blocked}"
    finally:
        call_report = request.node.stash.get(_REPORTS_KEY, {}).get("call")
        if call_report is not None and call_report.failed:
            try:
                path = _screenshot_path(request)
                new_page.screenshot(path=str(path), full_page=True)
                print(f"\nscreenshot of the failed test: {path}")
            except Exception as exc:  # a broken page must not hide the real failure
                print(f"\ncould not save a screenshot: {exc}")
        context.close()


@pytest.fixture
def login(page: Page, live_server: Any) -> Callable[..., Page]:
    """Return ``login(username, password=DEMO_PASSWORD)`` using the login form."""

    def do_login(username: str, password: str = DEMO_PASSWORD) -> Page:
        page.goto(live_server.url + LOGIN_PATH)
        form = page.locator("form", has=page.locator('input[name="username"]'))
        form.locator('input[name="username"]').fill(username)
        form.locator('input[name="password"]').fill(password)
        form.locator('button[type="submit"]').click()
        # Waiting for the URL to leave the login page (rather than for a
        # navigation event) also works if the form is ever boosted by htmx.
        try:
            page.wait_for_url(lambda url: urlsplit(url).path != LOGIN_PATH)
        except PlaywrightTimeoutError:
            raise AssertionError(
                f"login as {username!r} failed: still on the login page ({page.url})"
            ) from None
        page.wait_for_load_state()
        return page

    return do_login
