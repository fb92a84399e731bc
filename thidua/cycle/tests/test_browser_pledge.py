"""In a real browser: a unit leader signs the pledge; an outsider is refused."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.cycle.models import Signature
from thidua.testing.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pledge_world() -> Any:
    world = build_world()
    world.to_pledge_phase()
    return world


def test_unit_leader_signs_the_pledge_and_sees_it_signed(
    pledge_world: Any, live_server: LiveServer, login: Callable[..., Page]
) -> None:
    page = login("lai-chau-lanhdao")
    page.goto(live_server.url + pledge_world.url)
    assert page.get_by_test_id("phase").inner_text() == "Giao ước"
    page.get_by_role("link", name="Xem giao ước và tình hình ký kết").click()
    page.get_by_test_id("sign-pledge").click()  # not ticked: the browser holds the form back
    assert Signature.objects.filter(organization=pledge_world.orgs["lai_chau"]).count() == 0
    page.get_by_test_id("confirm-sign").check()
    page.get_by_test_id("sign-pledge").click()
    page.wait_for_url(f"**{pledge_world.url}pledge/")
    assert "Đơn vị của bạn đã ký giao ước thi đua." in page.content()
    row = page.get_by_test_id("signatures").locator("tr", has_text="Lai Châu")
    assert "Đã ký" in row.inner_text()
    assert page.get_by_test_id("sign-pledge").count() == 0
    assert Signature.objects.filter(organization=pledge_world.orgs["lai_chau"]).count() == 1


def test_outsider_is_refused_the_clusters_pages(
    pledge_world: Any, live_server: LiveServer, login: Callable[..., Page]
) -> None:
    page = login("yen-bai-canbo")
    response = page.goto(live_server.url + pledge_world.url + "pledge/")
    assert response is not None and response.status == 404
    assert pledge_world.cluster.name not in page.content()
    assert not Signature.objects.exists()


def test_dashboard_fits_a_phone_screen(
    pledge_world: Any, live_server: LiveServer, login: Callable[..., Page], page: Page
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login("son-la-canbo")
    page.goto(live_server.url + pledge_world.url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
