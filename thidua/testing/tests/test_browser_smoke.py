"""The browser tooling works end to end: Chromium reaches the live server."""

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_answers(live_server: LiveServer, page: Page) -> None:
    response = page.goto(live_server.url + "/")
    assert response is not None, "no HTTP response for /"
    assert response.status < 500, f"/ answered HTTP {response.status}"
