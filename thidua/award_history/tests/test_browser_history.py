"""In a real browser: the supervisor registers a person, is shown a possible duplicate,
then enters a title from its decision; the same title twice is refused with the reason."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from thidua.award_history import actions
from thidua.award_history.models import AwardRecord
from thidua.orgs.models import Person
from thidua.testing.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_with_hoa() -> Any:
    world = build_world()
    actions.do_register_person(
        full_name="Nguyễn Thị Hòa",
        birth_year=1980,
        gender="female",
        unit=world.orgs["lai_chau"],
        acting_user=world.supervisor,
    )
    return world


def test_supervisor_registers_a_person_and_enters_a_title_by_hand(
    world_with_hoa: Any, live_server: LiveServer, login: Callable[..., Page]
) -> None:
    page = login("vu-tdkt")
    page.goto(f"{live_server.url}/awards/")
    page.get_by_test_id("history-link").click()
    page.get_by_test_id("person-new").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoà")
    page.get_by_label("Năm sinh").fill("1980")
    page.locator("#id_unit").select_option(label="Sở Kế hoạch và Đầu tư tỉnh Sơn La")
    page.get_by_test_id("save-person").click()
    assert "Nguyễn Thị Hòa" in page.get_by_test_id("similar-people").inner_text()
    assert Person.objects.count() == 1

    page.get_by_label("Đây là người khác").check()
    page.get_by_test_id("save-person").click()
    assert page.get_by_test_id("subject").inner_text() == "Nguyễn Thị Hoà"
    assert "Nguyễn Thị Hòa" in page.get_by_test_id("similar-people").inner_text()

    def enter_title() -> None:
        page.get_by_text("Danh hiệu, hình thức khen thưởng theo quyết định").click()
        form = page.get_by_test_id("award-form")
        form.get_by_label("Danh hiệu, hình thức khen thưởng").select_option(
            label="Lao động tiên tiến"
        )
        form.get_by_label("Khen thưởng cho năm").fill("2015")
        form.get_by_label("Số quyết định").fill("09/QĐ-SKHĐT")
        form.get_by_label("Ngày quyết định").fill("2016-01-16")
        form.get_by_label("Cơ quan ban hành").fill("Sở Kế hoạch và Đầu tư tỉnh Sơn La")
        form.get_by_role("button").click()

    enter_title()
    assert "09/QĐ-SKHĐT" in page.get_by_test_id("records").inner_text()
    enter_title()
    assert (
        "đã có danh hiệu Lao động tiên tiến năm 2015"
        in page.get_by_test_id("award-form").inner_text()
    )
    assert AwardRecord.objects.count() == 1
