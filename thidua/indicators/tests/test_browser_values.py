"""In a real browser: a unit officer enters its values; the secretariat sees the matrix."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from thidua.indicators.models import IndicatorValue
from thidua.testing.personas import build_world

from .conftest import define, to_in_progress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reporting_world() -> Any:
    world = build_world()
    to_in_progress(world)
    define(world.year, world.son_la_officer)
    return world


def test_unit_officer_enters_values_and_the_secretariat_sees_the_matrix(
    reporting_world: Any,
    live_server: LiveServer,
    login: Callable[..., Page],
    page: Page,
    browser: Browser,
) -> None:
    world = reporting_world
    login("lai-chau-canbo")
    page.goto(live_server.url + world.url)
    page.get_by_role("button", name="Chỉ tiêu", exact=True).click()
    page.get_by_test_id("own-unit").click()
    page.get_by_test_id("value-GRDP_TANG").fill("10,6")
    page.get_by_test_id("value-GRDP").fill("10.125")
    page.get_by_test_id("save-values").click()
    assert "Đã lưu 2 số liệu." in page.content()
    assert IndicatorValue.objects.filter(organization=world.orgs["lai_chau"]).count() == 2

    secretariat = browser.new_context(locale="vi-VN").new_page()
    secretariat.goto(live_server.url + "/accounts/login/")
    secretariat.locator('input[name="username"]').fill("son-la-canbo")
    secretariat.locator('input[name="password"]').fill("demo-pass-2016")
    secretariat.locator('form button[type="submit"]').last.click()
    secretariat.wait_for_url(lambda url: "/accounts/login/" not in url)
    secretariat.goto(live_server.url + world.url + "indicators/matrix/")
    row = secretariat.get_by_test_id(f"row-{world.orgs['lai_chau'].pk}")
    assert "10,6" in row.inner_text()
    assert "10.125" in row.inner_text()
    assert row.get_by_test_id("missing").count() == 2
    assert secretariat.get_by_test_id(f"remind-{world.orgs['lai_chau'].pk}").is_visible()
    secretariat.context.close()


def test_results_page_draws_a_chart_per_indicator(
    reporting_world: Any, live_server: LiveServer, login: Callable[..., Page], page: Page
) -> None:
    world = reporting_world
    login("son-la-canbo")
    page.goto(live_server.url + world.url + "indicators/results/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-GRDP') !== undefined")
    assert page.locator("canvas").count() == 4
