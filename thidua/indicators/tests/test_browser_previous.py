"""In a real browser, at desktop and phone widths: last year's values beside this year's in
the unit's form and under each value of the members' matrix, the page not wider than the
screen."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.testing.personas import build_world

from .conftest import define, report, to_in_progress
from .test_previous_values import last_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_last_years_values_are_shown_beside_this_years(
    live_server: LiveServer, login: Callable[..., Page], width: int
) -> None:
    world = build_world()
    to_in_progress(world)
    define(world.year, world.son_la_officer)
    lai_chau = world.orgs["lai_chau"]
    last_year(world, {lai_chau: "31250", world.orgs["son_la"]: "40100"})
    report(world, "lai_chau", world.lai_chau_officer, GRDP="32426")
    page = login("lai-chau-canbo")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{world.url}indicators/unit/{lai_chau.pk}/")
    assert page.get_by_test_id("previous-head").inner_text() == "Năm 2015"
    assert page.get_by_test_id("previous-GRDP").inner_text() == "31.250"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"var/screenshots/h6-indicators-unit-{width}.png", full_page=True)
    page.goto(f"{live_server.url}{world.url}indicators/matrix/")
    row = page.get_by_test_id(f"row-{lai_chau.pk}")
    assert "2015: 31.250" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"var/screenshots/h6-indicators-matrix-{width}.png", full_page=True)
